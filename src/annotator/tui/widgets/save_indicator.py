"""The save indicator: "saved ✓" only after the store returned, "NOT SAVED: …" in red if not."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from annotator.tui.saving import SaveState


class SaveIndicator(Static):
    """Shows a :class:`SaveState` in the colour of its status (``save-indicator--<status>``)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "save-indicator--idle",
        "save-indicator--saving",
        "save-indicator--saved",
        "save-indicator--failed",
    }

    state: reactive[SaveState] = reactive(SaveState, init=False)

    def watch_state(self, old: SaveState, state: SaveState) -> None:
        if old == state:
            return
        text = state.describe()
        style = self.get_component_rich_style(f"save-indicator--{state.status}", partial=True)
        # The indicator is as wide as its text: only a change of width needs a layout pass.
        self.update(Text(text, style=style), layout=len(text) != len(old.describe()))
        self.tooltip = state.detail or None

"""The save indicator: "saved ✓" only after the store returned, "NOT SAVED: …" in red if not."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
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

    state: reactive[SaveState] = reactive(SaveState, init=False, repaint=False)
    """Drawn by :meth:`watch_state` (through ``update``), so setting it repaints nothing more."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._styles: dict[str, Style] = {}
        self._shown: tuple[str, str] = ("", "idle")

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._shown = (self._shown[0], "")  # drawn in the old colours: the next state redraws

    def _style(self, status: str) -> Style:
        style = self._styles.get(status)
        if style is None:
            style = self.get_component_rich_style(f"save-indicator--{status}", partial=True)
            self._styles[status] = style
        return style

    def watch_state(self, old: SaveState, state: SaveState) -> None:
        if old == state:
            return
        tooltip = state.detail or None
        if tooltip != self.tooltip:
            self.tooltip = tooltip
        if state.status == "saving":
            # A store call runs synchronously in the key handler: no frame can be drawn before
            # "saved ✓" or "NOT SAVED" replaces this state, so drawing it would only cost a
            # repaint of the indicator (and another for the state after it) on every key.
            return
        text = state.describe()
        shown = (text, state.status)
        if shown == self._shown:
            return  # e.g. "saved ✓" after "saved ✓": nothing to draw
        width_changed = _cells(text) != _cells(self._shown[0])
        self._shown = shown
        # The indicator is as wide as its text, but never narrower than "saved ✓" (its CSS
        # min-width): only a change of that width needs a layout pass. So the session's first
        # "saved ✓" does not lay the whole screen out again (~10 ms inside the first key).
        self.update(Text(text, style=self._style(state.status)), layout=width_changed)


SAVED_CELLS = cell_len(SaveState(status="saved").describe())
"""The indicator's least width of text, which its CSS ``min-width`` reserves from the start."""


def _cells(text: str) -> int:
    return max(cell_len(text), SAVED_CELLS)

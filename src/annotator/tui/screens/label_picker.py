"""The label picker: every label of the store, filtered as you type, for sets longer than nine.

Digits ``1``–``9`` reach the first nine labels with one key; a store with more (NEREL has 29)
needs a way to the others that stays on the keyboard. ``e`` opens this picker: type part of a
label to narrow the list (case-insensitive, labels that start with the text first), up/down
move, enter picks, escape cancels. Each row shows the digit that reaches the label directly, if
it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.tui.keymap import LABEL_KEYS, PICKER
from annotator.tui.widgets.footer import KeysFooter


def filter_labels(labels: Sequence[str], query: str) -> list[str]:
    """``labels`` matching ``query`` (case-insensitive substring): those starting with it first,
    each group in the set's order. An empty query matches every label."""
    needle = query.strip().casefold()
    if not needle:
        return list(labels)
    starts = [label for label in labels if label.casefold().startswith(needle)]
    inside = [label for label in labels if needle in label.casefold() and label not in starts]
    return starts + inside


class LabelPickerScreen(ModalScreen[str | None]):
    """Pick one label of the set; dismisses with the label, or None on escape."""

    DEFAULT_CSS = """
    LabelPickerScreen {
        align: center middle;
    }
    LabelPickerScreen > .dialog {
        width: 60;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
        padding: 1 2;
    }
    LabelPickerScreen #picker-labels {
        height: auto;
        max-height: 20;
        margin: 1 0 1 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = list(PICKER)

    def __init__(self, labels: Sequence[str], purpose: str) -> None:
        super().__init__()
        self._labels = list(labels)
        self._purpose = purpose
        self._shown: list[str] = list(labels)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._purpose, classes="dialog-text")
            yield Input(placeholder="type to filter the labels", id="picker-query")
            yield OptionList(*self._options(self._labels), id="picker-labels")
            yield Static(
                "type to filter · ↑ ↓ move · enter picks · escape cancels", classes="dialog-keys"
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#picker-query", Input).focus()
        self._highlight_first()

    def _options(self, shown: Sequence[str]) -> list[Option]:
        options = []
        for label in shown:
            number = self._labels.index(label) + 1
            key = str(number) if number <= LABEL_KEYS else " "
            options.append(Option(Text.assemble((f"{key}  ", "dim"), label), id=label))
        return options

    def _highlight_first(self) -> None:
        options = self.query_one("#picker-labels", OptionList)
        options.highlighted = 0 if self._shown else None

    @property
    def shown(self) -> list[str]:
        """The labels the list shows now, in order."""
        return list(self._shown)

    @property
    def highlighted(self) -> str | None:
        """The label enter would pick."""
        index = self.query_one("#picker-labels", OptionList).highlighted
        return self._shown[index] if index is not None and index < len(self._shown) else None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._shown = filter_labels(self._labels, event.value)
        options = self.query_one("#picker-labels", OptionList)
        options.clear_options()
        options.add_options(self._options(self._shown))
        if not self._shown:
            options.add_option(Option(Text(
                f"no label contains «{event.value}» — backspace widens the list, esc cancels",
                style="dim italic"), disabled=True))
        self._highlight_first()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_pick()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-labels", OptionList)
        if not self._shown:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self._shown) - 1, current + step))

    def action_pick(self) -> None:
        label = self.highlighted
        if label is None:
            self.app.bell()
            return
        self.dismiss(label)

    def action_cancel(self) -> None:
        self.dismiss(None)

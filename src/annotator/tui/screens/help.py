"""The help screen: every binding, grouped, with the keys the user's keymap gives it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.core.settings import config_path
from annotator.tui.keymap import HELP, SECTIONS, Section, effective_keys
from annotator.tui.widgets.footer import KeysFooter


class HelpScreen(ModalScreen[None]):
    """Lists :data:`annotator.tui.keymap.SECTIONS`; escape, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-body {
        width: 96%;
        height: 92%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    .help-section {
        margin: 1 0 0 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = list(HELP)

    def __init__(self, keymap: Mapping[str, str], labels: Sequence[str]) -> None:
        super().__init__()
        self._keymap = dict(keymap)
        self._labels = list(labels)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self._intro(), id="help-intro")
            for section in SECTIONS:
                yield Static(self._table(section), classes="help-section")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def _intro(self) -> Text:
        text = Text()
        text.append("Keys", style="bold")
        text.append("  labels: ")
        text.append(", ".join(f"{n} {label}" for n, label in enumerate(self._labels[:9], 1)))
        text.append(f"\nRemap any binding by id in {config_path()} under [keymap], e.g. ")
        text.append('"review.accept" = "y"', style="bold")
        return text

    def _keys(self, binding: Binding) -> str:
        shown = [
            self.app.get_key_display(Binding(key, binding.action))
            for key in effective_keys(binding, self._keymap)
        ]
        if binding.id and binding.id.endswith("label_1") and len(shown) == 1:
            return "1–9"
        return " ".join(shown)

    def entries(self, section: Section) -> list[tuple[str, str, str]]:
        """``(keys, what it does, binding id)`` for each binding of a section (1–9 as one)."""
        rows: list[tuple[str, str, str]] = []
        for binding in section.bindings:
            binding_id = binding.id or ""
            if "label_" in binding_id and not binding_id.endswith("label_1"):
                continue
            what = binding.tooltip or binding.description
            if binding_id.endswith("label_1"):
                labels = ", ".join(f"{n} {lab}" for n, lab in enumerate(self._labels[:9], 1))
                what = f"{what} ({labels})"
                binding_id = binding_id.replace("label_1", "label_1…9")
            rows.append((self._keys(binding), what, binding_id))
        return rows

    def _table(self, section: Section) -> Table:
        table = Table(
            title=section.title,
            title_justify="left",
            title_style="bold",
            caption=section.note or None,
            caption_justify="left",
            show_header=False,
            box=None,
            expand=True,
            padding=(0, 1),
        )
        table.add_column("keys", width=16, no_wrap=True, style="bold")
        table.add_column("what", ratio=1)
        table.add_column("id", width=26, no_wrap=True, style="dim")
        for row in self.entries(section):
            table.add_row(*row)
        return table

    def action_close(self) -> None:
        self.dismiss(None)

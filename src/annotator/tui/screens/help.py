"""The help screen: every binding, grouped, with the keys the user's keymap gives it.

Each row is the keys, what they do and the binding's id (what a keymap remaps). Below
:data:`IDS_MIN_WIDTH` columns the id column would squeeze the descriptions to a word a line, so
it is left out, and the remap hint says how wide the terminal must be to see the ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.core.settings import config_path
from annotator.tui.keymap import HELP, SECTIONS, Section, effective_keys
from annotator.tui.widgets.footer import KeysFooter

IDS_MIN_WIDTH = 100
"""The narrowest terminal whose help shows the binding ids (the descriptions then get 42 cells)."""
KEYS_WIDTH, IDS_WIDTH = 16, 26
"""The widths of the keys and id columns when the ids are shown."""


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
        self._show_ids = False

    @property
    def show_ids(self) -> bool:
        """Whether the rows show the binding ids (the terminal is wide enough)."""
        return self._show_ids

    def compose(self) -> ComposeResult:
        self._show_ids = self.app.size.width >= IDS_MIN_WIDTH
        with VerticalScroll(id="help-body"):
            yield Static(self._intro(), id="help-intro")
            for section in SECTIONS:
                yield Static(self._table(section), classes="help-section")
        yield KeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        show_ids = event.size.width >= IDS_MIN_WIDTH
        if show_ids == self._show_ids:
            return
        self._show_ids = show_ids
        self.query_one("#help-intro", Static).update(self._intro())
        sections = self.query(".help-section").results(Static)
        for static, section in zip(sections, SECTIONS, strict=True):
            static.update(self._table(section))

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def _intro(self) -> Text:
        text = Text()
        text.append("Keys", style="bold")
        text.append("  labels: ")
        text.append(", ".join(f"{n} {label}" for n, label in enumerate(self._labels[:9], 1)))
        text.append(f"\nRemap any binding by id in {config_path()} under [keymap], e.g. ")
        text.append('"review.accept" = "y"', style="bold")
        if not self._show_ids:
            text.append(f"; widen the terminal to {IDS_MIN_WIDTH} columns to see the ids")
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
        rows = self.entries(section)
        if self._show_ids:
            table.add_column("keys", width=KEYS_WIDTH, no_wrap=True, style="bold")
            table.add_column("what", ratio=1)
            table.add_column("id", width=IDS_WIDTH, no_wrap=True, style="dim")
            for row in rows:
                table.add_row(*row)
        else:
            # The keys column as wide as the widest keys of all sections (so the sections line
            # up), and all the rest for what they do.
            table.add_column("keys", width=self._keys_width(), no_wrap=True, style="bold")
            table.add_column("what", ratio=1)
            for keys, what, _ in rows:
                table.add_row(keys, what)
        return table

    def _keys_width(self) -> int:
        widest = max(
            (cell_len(keys) for section in SECTIONS for keys, _, _ in self.entries(section)),
            default=1,
        )
        return min(widest, KEYS_WIDTH)

    def action_close(self) -> None:
        self.dismiss(None)

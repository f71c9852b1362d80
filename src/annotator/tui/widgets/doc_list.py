"""The document list: every document with its status and span counts; enter opens one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.core.model import DocStatus, DocSummary
from annotator.tui.keymap import DOCUMENT_LIST
from annotator.tui.widgets.detail import STATUS_STYLE

STATUS_MARK: dict[DocStatus, str] = {
    "unreviewed": "·",
    "in_progress": "◐",
    "reviewed": "✓",
    "ignored": "⊘",
}


def summary_prompt(summary: DocSummary) -> Text:
    """Two lines: status mark and id; then pending / accepted / rejected counts and flags."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{STATUS_MARK[summary.status]} ", style=STATUS_STYLE[summary.status])
    text.append(summary.id, style="bold" if summary.status != "ignored" else "dim")
    text.append("\n  ")
    spans = summary.pending + summary.accepted + summary.rejected
    if summary.extraction == "pending" and not spans:
        text.append("no predictions yet", style="dim")
    elif summary.extraction == "unsupported" and not spans:
        text.append(f"no extractor for {summary.lang}", style="dim")
    else:
        text.append(f"{summary.pending} pending", style="bold" if summary.pending else "dim")
        text.append(f" · {summary.accepted} ✓ · {summary.rejected} ✗", style="dim")
    if summary.flags:
        text.append(f"  ⚑ {','.join(summary.flags)}", style="bold")
    if summary.stale:
        text.append("  stale", style="bold")
    return text


class DocList(OptionList):
    """One option per document, in id order. Posts :class:`DocList.Back` on escape."""

    BINDINGS: ClassVar[list[BindingType]] = list(DOCUMENT_LIST)

    class Back(Message):
        """The user wants to go back to the document view."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self._ids: list[str] = []

    def set_summaries(self, summaries: Sequence[DocSummary]) -> None:
        self._ids = [s.id for s in summaries]
        self.set_options(Option(summary_prompt(s), id=s.id) for s in summaries)

    def update_summary(self, summary: DocSummary) -> None:
        if summary.id in self._ids:
            self.replace_option_prompt(summary.id, summary_prompt(summary))

    def show_current(self, doc_id: str) -> None:
        if doc_id in self._ids:
            self.highlighted = self._ids.index(doc_id)

    def action_back(self) -> None:
        self.post_message(self.Back())

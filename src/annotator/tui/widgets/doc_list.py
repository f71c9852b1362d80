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
        self._index: dict[str, int] = {}

    def set_summaries(self, summaries: Sequence[DocSummary]) -> None:
        self._index = {s.id: i for i, s in enumerate(summaries)}
        self.set_options(Option(summary_prompt(s), id=s.id) for s in summaries)

    def update_summary(self, summary: DocSummary) -> None:
        """Show one document's new status and counts, redrawing only its own lines.

        ``OptionList.replace_option_prompt`` forgets every option's rendering and line, so the
        whole list is drawn again for one changed count; a prompt here is always two lines, so
        only this option's rendering is dropped and its two lines repainted."""
        index = self._index.get(summary.id)
        if index is None:
            return
        option = self.get_option_at_index(index)
        prompt = summary_prompt(summary)
        old = option.prompt
        if isinstance(old, Text) and old == prompt:
            return
        if not isinstance(old, Text) or old.plain.count("\n") != prompt.plain.count("\n"):
            self.replace_option_prompt(summary.id, prompt)
            return
        option._set_prompt(prompt)  # what replace_option_prompt does, before clearing caches
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:
            cache.discard(key)
        line = self._index_to_line.get(index)
        if line is not None:
            self.refresh_lines(line, self._heights.get(index, 1))

    def show_current(self, doc_id: str) -> None:
        index = self._index.get(doc_id)
        if index is not None:
            self.highlighted = index

    def action_back(self) -> None:
        self.post_message(self.Back())

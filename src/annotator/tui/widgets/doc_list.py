"""The document list: every document with its status and span counts; enter opens one.

Each entry is a :class:`SummaryPrompt`, which tells the list its height without building its text
when its two lines fit the list's width (nearly always): Textual's ``OptionList`` measures every
option when it lays itself out, and wrapping 10,000 Rich texts to measure them was ~0.7 s of
opening a store of 10,000 documents. A prompt's text is built when it is first drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import BindingType
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
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

Part = tuple[str, str]
"""A piece of an entry's line and its Rich style."""


def prompt_lines(summary: DocSummary) -> tuple[list[Part], list[Part]]:
    """An entry's two lines: status mark and id; then pending / accepted / rejected counts,
    flags and staleness."""
    first = [
        (f"{STATUS_MARK[summary.status]} ", STATUS_STYLE[summary.status]),
        (summary.id, "bold" if summary.status != "ignored" else "dim"),
    ]
    second: list[Part] = [("  ", "")]
    spans = summary.pending + summary.accepted + summary.rejected
    if summary.extraction == "pending" and not spans:
        second.append(("no predictions yet", "dim"))
    elif summary.extraction == "unsupported" and not spans:
        second.append((f"no extractor for {summary.lang}", "dim"))
    else:
        second.append((f"{summary.pending} pending", "bold" if summary.pending else "dim"))
        second.append((f" · {summary.accepted} ✓ · {summary.rejected} ✗", "dim"))
    if summary.flags:
        second.append((f"  ⚑ {','.join(summary.flags)}", "bold"))
    if summary.stale:
        second.append(("  stale", "bold"))
    return first, second


def summary_prompt(summary: DocSummary) -> Text:
    """The entry as Rich text: its two lines. Textual wraps a line longer than the list (it
    draws an option's text as Content, which has no Rich ``no_wrap``)."""
    first, second = prompt_lines(summary)
    text = Text()
    for piece, style in first:
        text.append(piece, style=style)
    text.append("\n")
    for piece, style in second:
        text.append(piece, style=style)
    return text


PROMPT_LINES = 2
"""Lines of an entry whose lines both fit the list's width."""


class SummaryPrompt(Visual):
    """A document's entry in the list: its summary, drawn as :func:`summary_prompt` draws it.

    The height of an entry whose lines fit the width is known from their lengths; the text (and
    the Content Textual draws) is built the first time the entry is drawn, or measured when a
    line is too long and wraps, so only the entries on screen are ever built."""

    def __init__(self, summary: DocSummary) -> None:
        self.summary = summary
        self._widest = max(
            sum(cell_len(piece) for piece, _ in line) for line in prompt_lines(summary)
        )
        self._text: Text | None = None
        self._content: Content | None = None

    @property
    def text(self) -> Text:
        """The entry as :func:`summary_prompt` gives it."""
        if self._text is None:
            self._text = summary_prompt(self.summary)
        return self._text

    @property
    def plain(self) -> str:
        return self.text.plain

    def _visual(self) -> Content:
        if self._content is None:
            # converted as Textual converts a Rich Text prompt (with the running app's console)
            self._content = Content.from_rich_text(self.text)
        return self._content

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self._visual().render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._visual().get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if self._widest <= width:
            return PROMPT_LINES
        return self._visual().get_height(rules, width)


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
        self.set_options(Option(SummaryPrompt(s), id=s.id) for s in summaries)

    def update_summary(self, summary: DocSummary) -> None:
        """Show one document's new status and counts, redrawing only its own lines.

        ``OptionList.replace_option_prompt`` forgets every option's rendering and line, so the
        whole list is drawn again for one changed count; an entry is always
        :data:`PROMPT_LINES` lines, so only this option's rendering is dropped and its lines
        repainted."""
        index = self._index.get(summary.id)
        if index is None:
            return
        option = self.get_option_at_index(index)
        old = option.prompt
        if isinstance(old, SummaryPrompt) and old.summary == summary:
            return
        prompt = SummaryPrompt(summary)
        if not isinstance(old, SummaryPrompt):
            self.replace_option_prompt(summary.id, prompt)
            return
        option._set_prompt(prompt)  # what replace_option_prompt does, before clearing caches
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:
            cache.discard(key)
        line = self._index_to_line.get(index)
        if line is not None:
            self.refresh_lines(line, self._heights.get(index, PROMPT_LINES))

    def show_current(self, doc_id: str) -> None:
        index = self._index.get(doc_id)
        if index is not None:
            self.highlighted = index

    def action_back(self) -> None:
        self.post_message(self.Back())

"""The document view: the exact text, soft-wrapped, with every span drawn in its label's colour.

Drawn with Textual's Line API: the text is wrapped once per document and width
(:func:`annotator.tui.wrap.wrap`), ``render_line`` draws one row as a :class:`Strip`, and strips
are cached in an :class:`LRUCache` keyed by (row, width, everything drawn on that row). Moving the
cursor repaints only the rows of the old and the new current span; a decision repaints only the
rows of the spans it changed. A 100 KB document with thousands of spans costs a few rows per key.

How spans look (colours come from the ``docview--label-N`` component classes in ``app.tcss``):
pending spans are underlined in their colour, accepted ones have a solid background, rejected ones
are dim and struck through. Where spans nest, the innermost is drawn; the current span is drawn
whole, bold and reversed, with a ``▶`` in the gutter.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.core.model import Document, Span, SpanState
from annotator.tui.navigation import SpanFilter, span_changes
from annotator.tui.wrap import DISPLAY, SPECIAL, Layout, wrap

if TYPE_CHECKING:
    from annotator.tui.search import Match

GUTTER = 2
LABEL_SLOTS = 9

Rows = Sequence[tuple[int, int]]


def _drawing_key(span: Span) -> tuple[int, int]:
    """How the view orders spans (by start, outer first; ties keep the document's order)."""
    return (span.start, -span.stop)


class DocView(ScrollView, can_focus=True):
    """Shows one document; the screen sets what to show, the view reports cursor moves."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"docview--label-{n}" for n in range(LABEL_SLOTS)),
        "docview--accepted-text",
        "docview--current",
        "docview--marker",
        "docview--special",
        "docview--match",
        "docview--match-current",
        "docview--selection",
        "docview--placeholder",
    }

    cursor: reactive[str | None] = reactive(None, repaint=False, init=False)
    """The id of the current span (None: no span is current)."""

    class CursorMoved(Message):
        """The current span changed (or its document did)."""

        def __init__(self, view: DocView, span: Span | None) -> None:
            super().__init__()
            self.view = view
            self.span = span

        @property
        def control(self) -> DocView:
            return self.view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DocView.CursorMoved)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._doc: Document | None = None
        self._labels: dict[str, int] = {}
        self._filter = SpanFilter()
        self._spans: list[Span] = []
        self._by_id: dict[str, Span] = {}
        self._starts: list[int] = []
        self._longest = 0
        self._layout: Layout | None = None
        self._matches: list[Match] = []
        self._match_starts: list[int] = []
        self._match_index: int | None = None
        self._selection: tuple[int, int] | None = None
        self._current: Span | None = None
        self._placeholder = ""
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._styles: dict[tuple[str, SpanState], Style] = {}
        self._components: dict[str, Style] = {}

    # ------------------------------------------------------------------ what the screen sets
    @property
    def document(self) -> Document | None:
        return self._doc

    @property
    def current_span(self) -> Span | None:
        return self._current

    @property
    def layout_rows(self) -> int:
        return len(self._layout.rows) if self._layout else 0

    def set_labels(self, labels: Sequence[str]) -> None:
        """Label order decides colours: the n-th label gets colour slot n."""
        self._labels = {label: i for i, label in enumerate(labels)}
        self._styles.clear()
        self._cache.clear()
        self.refresh()

    def show_document(
        self, doc: Document | None, cursor: str | None, placeholder: str = ""
    ) -> None:
        """Show another document (or a placeholder message when ``doc`` is None)."""
        self._doc = doc
        self._placeholder = placeholder
        self._matches, self._match_starts, self._match_index = [], [], None
        self._selection = None
        self._index_spans()
        self._layout = None
        self._cache.clear()
        self._relayout()
        self.scroll_to(0, 0, animate=False)
        self.set_reactive(DocView.cursor, self.validate_cursor(cursor))
        self._current = self._span(self.cursor)
        self._reveal(self._current)
        self.refresh()
        self.post_message(self.CursorMoved(self, self._current))

    def update_document(self, doc: Document) -> None:
        """The same document after a change: re-index and repaint only the spans that changed
        (the store returns the unchanged spans as the same objects, so finding the changed
        ones is a pass of identity checks)."""
        old = self._doc
        if old is None or old.id != doc.id or old.text != doc.text:
            self.show_document(doc, self.cursor)
            return
        changes = span_changes(old.spans, doc.spans)
        self._doc = doc
        old_current = self._current
        if changes is None:
            self._index_spans()
            self.refresh()
            touched: list[Span] = []
        else:
            if not (changes.aligned and self._reindex(changes.gone, changes.come)):
                self._index_spans()
            touched = [*changes.gone, *changes.come]
        self._current = self._span(self.cursor)
        if self._current is None and self.cursor is not None:
            self.set_reactive(DocView.cursor, None)
        self._refresh_spans([*touched, *(s for s in (old_current, self._current) if s)])
        self.post_message(self.CursorMoved(self, self._current))

    def set_filter(self, span_filter: SpanFilter) -> None:
        self._filter = span_filter
        self._index_spans()
        self.refresh()

    @property
    def span_filter(self) -> SpanFilter:
        return self._filter

    def set_matches(self, matches: Sequence[Match], current: int | None) -> None:
        """Highlight search matches; ``current`` (an index) is drawn stronger and revealed."""
        if list(matches) != self._matches:
            self._matches = list(matches)
            self._match_starts = [m.start for m in self._matches]
            self._match_index = current
            self.refresh()
        else:
            old = self._match_index
            self._match_index = current
            self._refresh_ranges(
                (self._matches[i].start, self._matches[i].stop)
                for i in (old, current)
                if i is not None and i < len(self._matches)
            )
        if current is not None and current < len(self._matches):
            match = self._matches[current]
            self._reveal_range(match.start, match.stop)

    @property
    def selection(self) -> tuple[int, int] | None:
        return self._selection

    def set_selection(self, selection: tuple[int, int] | None) -> None:
        """Show (or clear) the select-mode selection, a range of the text."""
        old = self._selection
        self._selection = selection
        self._refresh_ranges(r for r in (old, selection) if r is not None)
        if selection is not None:
            self._reveal_range(*selection)

    def top_offset(self) -> int:
        """The text offset at the top of the view."""
        if self._layout is None:
            return 0
        row = min(int(self.scroll_offset.y), len(self._layout.rows) - 1)
        return self._layout.rows[max(row, 0)][0]

    def shows(self, start: int, stop: int) -> bool:
        """Whether some of ``start..stop`` is on the rows in view."""
        if self._layout is None:
            return False
        rows = self._layout.rows_of(start, stop)
        top = int(self.scroll_offset.y)
        height = max(self.scrollable_content_region.height, 1)
        return rows.start < top + height and top < rows.stop

    # ------------------------------------------------------------------ cursor
    def validate_cursor(self, span_id: str | None) -> str | None:
        if span_id is None or self._doc is None:
            return None
        return span_id if span_id in self._by_id else None

    def watch_cursor(self, old: str | None, new: str | None) -> None:
        previous = self._current
        self._current = self._span(new)
        self._refresh_spans([s for s in (previous, self._current) if s is not None])
        self._reveal(self._current)
        self.post_message(self.CursorMoved(self, self._current))

    def _span(self, span_id: str | None) -> Span | None:
        if span_id is None or self._doc is None:
            return None
        return self._by_id.get(span_id)

    # ------------------------------------------------------------------ layout and scrolling
    def _index_spans(self) -> None:
        all_spans = self._doc.spans if self._doc else []
        self._by_id = {s.id: s for s in all_spans}
        spans = [s for s in all_spans if self._filter.matches(s)]
        spans.sort(key=_drawing_key)
        self._spans = spans
        self._starts = [s.start for s in spans]
        self._longest = max((s.stop - s.start for s in spans), default=0)

    def _reindex(self, gone: Sequence[Span], come: Sequence[Span]) -> bool:
        """Swap the changed spans in the index, as :meth:`_index_spans` would place them; False
        when that cannot be done here (two spans on the same range: their order is the
        document's, so the caller re-indexes)."""
        spans, starts, longest = self._spans, self._starts, self._longest
        for span in gone:
            self._by_id.pop(span.id, None)
            if not self._filter.matches(span):
                continue
            lo = bisect_left(spans, _drawing_key(span), key=_drawing_key)
            hi = bisect_right(spans, _drawing_key(span), key=_drawing_key)
            if hi - lo != 1 or spans[lo] is not span:
                return False
            del spans[lo]
            del starts[lo]
            if span.stop - span.start == longest:
                longest = -1
        for span in come:
            self._by_id[span.id] = span
            if not self._filter.matches(span):
                continue
            lo = bisect_left(spans, _drawing_key(span), key=_drawing_key)
            if lo < len(spans) and _drawing_key(spans[lo]) == _drawing_key(span):
                return False
            spans.insert(lo, span)
            starts.insert(lo, span.start)
            if longest >= 0:
                longest = max(longest, span.stop - span.start)
        self._longest = (
            longest if longest >= 0 else max((s.stop - s.start for s in spans), default=0)
        )
        return True

    def _text_width(self) -> int:
        return self.scrollable_content_region.width - GUTTER

    def _relayout(self) -> None:
        width = self._text_width()
        if width <= 0:
            return
        if self._layout is not None and self._layout.width == width:
            return
        self._layout = wrap(self._doc.text if self._doc else "", width)
        self._cache.clear()
        self.virtual_size = Size(width + GUTTER, len(self._layout.rows))

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Wrap the text for a new width as soon as the layout gives the view its size, before
        the frame is drawn (the Resize event comes after it: waiting for it drew the first
        frame empty and the document one frame later)."""
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        width = self._text_width()
        if width > 0 and (self._layout is None or self._layout.width != width):
            self._relayout()
            self._scroll_update(self.virtual_size)
            self._reveal(self._current)
        return resized

    def on_resize(self) -> None:
        self._relayout()
        self.refresh()
        self._reveal(self._current)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Soft-wrapped text never scrolls sideways; leave left/right to the screen's bindings.
        if action in ("scroll_left", "scroll_right", "page_left", "page_right"):
            return False
        return True

    def _reveal(self, span: Span | None) -> None:
        if span is not None:
            self._reveal_range(span.start, span.stop)

    def _reveal_range(self, start: int, stop: int) -> None:
        """Scroll the rows of ``start``-``stop`` into view. Rows in view (a line clear of either
        edge) stay where they are; rows out of view are brought a third of the way down, with
        the text after them in sight. Reviewing top to bottom, the next screenful of spans then
        needs no scroll, where keeping the cursor at the edge scrolled on nearly every key (and
        a scroll redraws the whole view)."""
        if self._layout is None:
            return
        rows = self._layout.rows_of(start, stop)
        height = max(self.scrollable_content_region.height, 1)
        if len(rows) + 2 > height:  # taller than the view: show its start
            region = Region(0, rows.start, 1, min(len(rows), height))
            self.scroll_to_region(region, animate=False, immediate=True)
            return
        top = round(self.scroll_offset.y)
        if top + 1 <= rows.start and rows.stop + 1 <= top + height:
            return
        self.scroll_to(y=max(rows.start - height // 3, 0), animate=False, immediate=True)

    def _refresh_spans(self, spans: Iterable[Span]) -> None:
        self._refresh_ranges((s.start, s.stop) for s in spans)

    def _refresh_ranges(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Repaint the rows of these ranges, each run of adjacent rows with one refresh (a
        decision's old and new span, and the cursor's, usually share their rows)."""
        if self._layout is None:
            return
        rows: set[int] = set()
        for start, stop in ranges:
            rows.update(self._layout.rows_of(start, stop))
        run_start = previous = None
        for row in sorted(rows):
            if previous is None or row != previous + 1:
                if run_start is not None and previous is not None:
                    self.refresh_lines(run_start, previous - run_start + 1)
                run_start = row
            previous = row
        if run_start is not None and previous is not None:
            self.refresh_lines(run_start, previous - run_start + 1)

    # ------------------------------------------------------------------ drawing
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._components.clear()
        self._cache.clear()

    @property
    def _base_style(self) -> Style:
        """The view's own style (``rich_style`` walks every ancestor's styles: ~20 µs, asked
        for by each row drawn), kept until the styles change."""
        style = self._components.get("")
        if style is None:
            style = self._components[""] = self.rich_style
        return style

    def _component(self, name: str) -> Style:
        """A component class's partial style, kept until the styles change (Textual's own cache
        is cleared by every refresh, and each repainted row asks for several)."""
        style = self._components.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._components[name] = style
        return style

    def label_style(self, label: str, state: SpanState) -> Style:
        """How a span of ``label`` in ``state`` is drawn (also used by the legend)."""
        key = (label, state)
        style = self._styles.get(key)
        if style is None:
            slot = self._labels.get(label, len(self._labels)) % LABEL_SLOTS
            colour = self._component(f"docview--label-{slot}").color
            if state == "accepted":
                text = self._component("docview--accepted-text")
                style = Style(color=text.color, bgcolor=colour)
            elif state == "rejected":
                style = Style(color=colour, dim=True, strike=True)
            else:
                style = Style(color=colour, underline=True)
            self._styles[key] = style
        return style

    def _spans_in(self, start: int, stop: int) -> list[Span]:
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_left(self._starts, max(stop, start + 1))
        return [s for s in self._spans[lo:hi] if s.stop > start]

    def _matches_in(self, start: int, stop: int) -> list[tuple[int, int, bool]]:
        if not self._matches:
            return []
        lo = max(bisect_right(self._match_starts, start) - 1, 0)
        hi = bisect_left(self._match_starts, max(stop, start + 1))
        return [
            (m.start, m.stop, i == self._match_index)
            for i, m in enumerate(self._matches[lo:hi], lo)
            if m.stop > start
        ]

    def _plain_style(
        self, a: int, b: int, spans: list[Span], matches: list[tuple[int, int, bool]]
    ) -> Style:
        """The innermost span's look, with a search match highlighted on top."""
        style = Style()
        covering = [s for s in spans if s.start <= a and b <= s.stop]
        if covering:
            inner = min(covering, key=lambda s: (s.stop - s.start, -s.start))
            style += self.label_style(inner.label, inner.state)
        for m_start, m_stop, is_current in matches:
            if m_start <= a and b <= m_stop:
                name = "docview--match-current" if is_current else "docview--match"
                style += self._component(name)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_offset.y) + y
        layout = self._layout
        if layout is None or index >= len(layout.rows):
            return Strip.blank(width, self._base_style)
        start, stop = layout.rows[index]
        spans = self._spans_in(start, stop)
        reach = max(stop, start + 1)
        current = self._current
        here = current if current and current.start < reach and current.stop > start else None
        selection = self._selection
        if selection is not None and not (selection[0] < reach and selection[1] > start):
            selection = None
        matches = self._matches_in(start, stop)
        key = (
            index,
            width,
            tuple((s.id, s.start, s.stop, s.label, s.state) for s in spans),
            (here.id, here.start, here.stop, here.label, here.state) if here else None,
            selection,
            tuple(matches),
            self._placeholder if index == 0 else "",
        )
        strip = self._cache.get(key)
        if strip is None:
            strip = self._draw(index, start, stop, width, spans, here, selection, matches)
            self._cache.set(key, strip)
        return strip

    def _draw(
        self,
        index: int,
        start: int,
        stop: int,
        width: int,
        spans: list[Span],
        current: Span | None,
        selection: tuple[int, int] | None,
        matches: list[tuple[int, int, bool]],
    ) -> Strip:
        base = self._base_style
        text = self._doc.text if self._doc else ""
        first_row_of_current = current is not None and current.start >= start
        mark = "  "
        if selection is not None or current is not None:
            mark = "▶ " if selection is not None or first_row_of_current else "▏ "
        marker = self._component("docview--marker")
        segments = [Segment(mark, base + marker)]
        if not text and index == 0:
            message = self._placeholder or "empty document"
            style = base + self._component("docview--placeholder")
            segments.append(Segment(message, style))
            return Strip(segments).adjust_cell_length(width, base)
        cuts = {start, stop}
        for span in spans:
            cuts.update((max(span.start, start), min(span.stop, stop)))
        for a, b in [
            *(((current.start, current.stop),) if current else ()),
            *((selection,) if selection else ()),
            *((m[0], m[1]) for m in matches),
        ]:
            cuts.update((max(a, start), min(b, stop)))
        for special in SPECIAL.finditer(text, start, stop):
            cuts.update((special.start(), special.start() + 1))
        points = sorted(cut for cut in cuts if start <= cut <= stop)
        special_style = self._component("docview--special")
        for a, b in zip(points, points[1:], strict=False):
            style = base
            if selection is not None and selection[0] <= a and b <= selection[1]:
                style += self._component("docview--selection")
            elif current is not None and current.start <= a and b <= current.stop:
                style += self.label_style(current.label, current.state)
                style += self._component("docview--current")
            else:
                style += self._plain_style(a, b, spans, matches)
            piece = text[a:b]
            if SPECIAL.match(piece):
                style += special_style
            segments.append(Segment(piece.translate(DISPLAY), style))
        return Strip(segments).adjust_cell_length(width, base)

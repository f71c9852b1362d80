"""Which spans the cursor visits, in what order, and where a decision sends it next.

Spans are visited in reading order (:func:`annotator.core.model.sort_spans`: by start, outer before
inner), so nested and overlapping spans are each visited. A :class:`SpanFilter` narrows the visit to
pending spans or to one label; ``F`` cycles it.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from annotator.core.model import Document, Span, sort_spans


class SpanFilter(NamedTuple):
    """All spans, only pending ones, or only one label."""

    pending_only: bool = False
    label: str | None = None

    def matches(self, span: Span) -> bool:
        if self.pending_only and span.state != "pending":
            return False
        return self.label is None or span.label == self.label

    @property
    def active(self) -> bool:
        return self.pending_only or self.label is not None

    def describe(self) -> str:
        if self.pending_only:
            return "pending"
        return self.label or "all"

    def cycled(self, labels: Sequence[str]) -> SpanFilter:
        """The next filter: all → pending → each label in turn → all."""
        if not self.active:
            return SpanFilter(pending_only=True)
        if self.pending_only:
            return SpanFilter(label=labels[0]) if labels else SpanFilter()
        if self.label is not None and self.label in labels:
            index = list(labels).index(self.label)
            if index + 1 < len(labels):
                return SpanFilter(label=labels[index + 1])
        return SpanFilter()


class SpanChanges(NamedTuple):
    """The spans of one document that are not the same objects as before, by span id."""

    gone: list[Span]
    """Old versions of changed spans, and spans no longer there."""
    come: list[Span]
    """New versions of changed spans, and new spans."""
    aligned: bool
    """Both lists hold the same ids in the same order (only some spans were replaced)."""


def span_changes(old: Sequence[Span], new: Sequence[Span], limit: int = 64) -> SpanChanges | None:
    """The spans that differ between ``old`` and ``new`` (None when more than ``limit`` did).

    The store returns a changed document whose unchanged spans are the very same objects, in the
    same order, so this is one pass of identity checks. A span replaced by an equal copy counts
    as changed: whoever keeps spans keeps the current objects."""
    gone: list[Span] = []
    come: list[Span] = []
    if len(old) == len(new):
        for a, b in zip(old, new, strict=True):
            if a is b:
                continue
            if a.id != b.id or len(come) >= limit:
                break
            gone.append(a)
            come.append(b)
        else:
            return SpanChanges(gone, come, aligned=True)
        gone, come = [], []
    before = {s.id: s for s in old}
    for span in new:
        was = before.pop(span.id, None)
        if was is not span:
            if was is not None:
                gone.append(was)
            come.append(span)
            if len(come) > limit:
                return None
    gone.extend(before.values())
    if len(gone) > limit:
        return None
    return SpanChanges(gone, come, aligned=False)


def _reading_key(span: Span) -> tuple[int, int, str, str]:
    """The key of :func:`annotator.core.model.sort_spans` (a total order: ids are unique)."""
    return (span.start, -span.stop, span.label, span.id)


def _start(span: Span) -> int:
    return span.start


class _Order(NamedTuple):
    doc_id: str
    spans: list[Span]  # the document's list; holding it keeps its id from being reused
    ordered: tuple[Span, ...]
    longest: int  # the longest span's length, to bound an overlap search


_SORTED: dict[int, _Order] = {}
_SORTED_KEEP = 4


def _patched(previous: _Order, spans: list[Span]) -> tuple[tuple[Span, ...], int] | None:
    """``previous``'s order with the few spans that changed moved (None: sort afresh)."""
    changes = span_changes(previous.spans, spans)
    if changes is None:
        return None
    ordered = list(previous.ordered)
    longest = previous.longest
    for span in changes.gone:
        i = bisect_left(ordered, _reading_key(span), key=_reading_key)
        if i == len(ordered) or ordered[i] is not span:
            return None
        del ordered[i]
        if span.stop - span.start == longest:
            longest = -1  # known only once every span is placed
    for span in changes.come:
        insort(ordered, span, key=_reading_key)
        if longest >= 0:
            longest = max(longest, span.stop - span.start)
    if longest < 0:
        longest = max((s.stop - s.start for s in ordered), default=0)
    return tuple(ordered), longest


def _order(doc: Document) -> _Order:
    key = id(doc.spans)
    hit = _SORTED.get(key)
    if hit is not None and hit.spans is doc.spans:
        return hit
    previous = next((o for o in reversed(_SORTED.values()) if o.doc_id == doc.id), None)
    patched = _patched(previous, doc.spans) if previous is not None else None
    if patched is not None:
        ordered, longest = patched
    else:
        ordered = tuple(sort_spans(doc.spans))
        longest = max((s.stop - s.start for s in ordered), default=0)
    if len(_SORTED) >= _SORTED_KEEP:
        _SORTED.pop(next(iter(_SORTED)))
    entry = _Order(doc.id, doc.spans, ordered, longest)
    _SORTED[key] = entry
    return entry


def reading_order(doc: Document) -> tuple[Span, ...]:
    """``sort_spans(doc.spans)``, remembered for the last few span lists: one key asks for the
    order several times. After a decision the previous order of the same document is patched
    (the changed spans moved) instead of sorting 2,000 spans again."""
    return _order(doc).ordered


def _position(span: Span) -> tuple[int, int]:
    return (span.start, -span.stop)


@dataclass(frozen=True)
class SpanOrder:
    """The spans the cursor may visit, in visiting order."""

    spans: tuple[Span, ...]

    @classmethod
    def of(cls, doc: Document | None, span_filter: SpanFilter) -> SpanOrder:
        if doc is None:
            return cls(())
        ordered = reading_order(doc)
        if not span_filter.active:
            return cls(ordered)
        return cls(tuple(s for s in ordered if span_filter.matches(s)))

    def __len__(self) -> int:
        return len(self.spans)

    def index(self, span_id: str | None) -> int | None:
        for i, span in enumerate(self.spans):
            if span.id == span_id:
                return i
        return None

    def _find(self, span: Span) -> int | None:
        """The index of ``span`` (by id): a binary search in reading order, else a scan (a
        filtered or stale ``span`` may not sit where its key says)."""
        i = bisect_left(self.spans, _reading_key(span), key=_reading_key)
        if i < len(self.spans) and self.spans[i].id == span.id:
            return i
        return self.index(span.id)

    def first(self) -> Span | None:
        return self.spans[0] if self.spans else None

    def first_pending(self) -> Span | None:
        return next((s for s in self.spans if s.state == "pending"), None)

    def step(self, current: Span | None, delta: int, offset: int | None = None) -> Span | None:
        """The span ``delta`` (±1) steps from ``current``, wrapping around. With no current
        span: the first span starting at or after ``offset`` (or the last one before it), or
        the first (last) span when no offset is given."""
        if not self.spans:
            return None
        if current is None:
            if offset is None:
                return self.spans[0] if delta > 0 else self.spans[-1]
            if delta > 0:
                return next((s for s in self.spans if s.start >= offset), self.spans[0])
            return next((s for s in reversed(self.spans) if s.start < offset), self.spans[-1])
        index = self._find(current)
        if index is None:
            after = [i for i, s in enumerate(self.spans) if _position(s) > _position(current)]
            index = (after[0] if after else len(self.spans)) - (1 if delta > 0 else 0)
        return self.spans[(index + delta) % len(self.spans)]

    def next_pending(self, current: Span | None) -> Span | None:
        """The first pending span after ``current`` in visiting order, wrapping; None if none."""
        if current is None:
            return self.first_pending()
        index = self._find(current)
        if index is not None:
            for part in (self.spans[index + 1 :], self.spans[:index]):
                for span in part:
                    if span.state == "pending":
                        return span
            return None
        here = _position(current)
        first: Span | None = None
        for span in self.spans:
            if span.state == "pending":
                if _position(span) > here:
                    return span
                if first is None:
                    first = span
        return first

    def at_offset(self, offset: int) -> Span | None:
        """The innermost visited span containing ``offset``, else the first one after it."""
        containing = [s for s in self.spans if s.start <= offset < s.stop]
        if containing:
            return min(containing, key=lambda s: (s.stop - s.start, -s.start))
        return next((s for s in self.spans if s.start >= offset), None)


def overlapping(doc: Document, span: Span) -> list[Span]:
    """Other spans of ``doc`` that share at least one character with ``span``, in reading order.

    A binary search by start: only spans starting within the longest span's length before
    ``span`` can reach it."""
    order = _order(doc)
    ordered = order.ordered
    lo = bisect_left(ordered, span.start - order.longest + 1, key=_start)
    hi = bisect_left(ordered, span.stop, key=_start)
    return [s for s in ordered[lo:hi] if s.id != span.id and span.start < s.stop]

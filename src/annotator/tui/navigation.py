"""Which spans the cursor visits, in what order, and where a decision sends it next.

Spans are visited in reading order (:func:`annotator.core.model.sort_spans`: by start, outer before
inner), so nested and overlapping spans are each visited. A :class:`SpanFilter` narrows the visit to
pending spans or to one label; ``F`` cycles it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.model import Document, Span, sort_spans


@dataclass(frozen=True)
class SpanFilter:
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


_SORTED: dict[int, tuple[list[Span], tuple[Span, ...]]] = {}
_SORTED_KEEP = 4


def reading_order(doc: Document) -> tuple[Span, ...]:
    """``sort_spans(doc.spans)``, remembered for the last few span lists: one key asks for the
    order several times, and sorting 2,000 spans each time cost milliseconds per key."""
    key = id(doc.spans)
    hit = _SORTED.get(key)
    if hit is not None and hit[0] is doc.spans:
        return hit[1]
    ordered = tuple(sort_spans(doc.spans))
    if len(_SORTED) >= _SORTED_KEEP:
        _SORTED.pop(next(iter(_SORTED)))
    _SORTED[key] = (doc.spans, ordered)  # holding the list keeps its id from being reused
    return ordered


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
        index = self.index(current.id)
        if index is None:
            after = [i for i, s in enumerate(self.spans) if _position(s) > _position(current)]
            index = (after[0] if after else len(self.spans)) - (1 if delta > 0 else 0)
        return self.spans[(index + delta) % len(self.spans)]

    def next_pending(self, current: Span | None) -> Span | None:
        """The first pending span after ``current`` in visiting order, wrapping; None if none."""
        pending = [s for s in self.spans if s.state == "pending"]
        if not pending:
            return None
        if current is None:
            return pending[0]
        index = self.index(current.id)
        if index is not None:
            for span in self.spans[index + 1 :] + self.spans[:index]:
                if span.state == "pending":
                    return span
            return None
        here = _position(current)
        later = [s for s in pending if _position(s) > here]
        return later[0] if later else pending[0]

    def at_offset(self, offset: int) -> Span | None:
        """The innermost visited span containing ``offset``, else the first one after it."""
        containing = [s for s in self.spans if s.start <= offset < s.stop]
        if containing:
            return min(containing, key=lambda s: (s.stop - s.start, -s.start))
        return next((s for s in self.spans if s.start >= offset), None)


def overlapping(doc: Document, span: Span) -> list[Span]:
    """Other spans of ``doc`` that share at least one character with ``span``, in reading order."""
    return [
        s
        for s in reading_order(doc)
        if s.id != span.id and s.start < span.stop and span.start < s.stop
    ]

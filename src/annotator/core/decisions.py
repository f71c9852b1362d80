"""Pure rules for what a decision does to a span or document (no I/O).

A decision sets ``state``, ``annotator`` and ``time``; ``decision`` is derived: ``added`` for
manual spans, ``rejected`` when rejected, ``relabeled`` when the label differs from the model's
original, ``adjusted`` when the bounds differ, else ``accepted``. The first change of label or
bounds keeps the model's ``original_label`` / ``original_start`` / ``original_stop``; while the
bounds differ from the model's, ``normal`` is None (the model's normal form was the lemma of its
surface) and ``original_normal`` keeps it, so moving back or resetting restores it.

No two spans of a document that are not rejected share (start, stop, label): adding such a span is
refused, and so is a decision that would make one (see :func:`duplicate_of`). Adding many spans
at once (:func:`plan_additions`) checks overlaps against the sorted spans, in O(n log n).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.errors import SpanError
from annotator.core.model import Document, Event, Span, SpanState, utc_now

DOC_EVENT_FIELDS = ("status", "flags", "comment")


def decided(
    span: Span,
    state: SpanState,
    user: str,
    *,
    label: str | None = None,
    bounds: tuple[int, int] | None = None,
    text: str | None = None,
) -> Span:
    """``span`` after ``user`` decided it, with its decision kind derived."""
    new_label = label or span.label
    start, stop = bounds or (span.start, span.stop)
    orig_label = span.original_label if span.original_label is not None else span.label
    orig_start = span.original_start if span.original_start is not None else span.start
    orig_stop = span.original_stop if span.original_stop is not None else span.stop
    relabeled = span.is_model and new_label != orig_label
    moved = span.is_model and (start, stop) != (orig_start, orig_stop)
    model_normal = _model_normal(span)
    if state == "rejected":
        decision = "rejected"
    elif not span.is_model:
        decision = "added"
    elif relabeled:
        decision = "relabeled"
    elif moved:
        decision = "adjusted"
    else:
        decision = "accepted"
    return span.model_copy(
        update={
            "label": new_label,
            "start": start,
            "stop": stop,
            "text": text if text is not None else span.text,
            "normal": None if moved else model_normal,
            "original_normal": model_normal if moved else None,
            "state": state,
            "decision": decision,
            "original_label": orig_label if relabeled else None,
            "original_start": orig_start if moved else None,
            "original_stop": orig_stop if moved else None,
            "annotator": user,
            "time": utc_now(),
        }
    )


def pending(span: Span, text: str) -> Span:
    """``span`` undecided again, with its original label and bounds."""
    start = span.original_start if span.original_start is not None else span.start
    stop = span.original_stop if span.original_stop is not None else span.stop
    return span.model_copy(
        update={
            "label": span.original_label or span.label,
            "start": start,
            "stop": stop,
            "text": text[start:stop],
            "normal": _model_normal(span),
            "original_normal": None,
            "state": "pending",
            "decision": None,
            "original_label": None,
            "original_start": None,
            "original_stop": None,
            "annotator": None,
            "time": None,
        }
    )


def _model_normal(span: Span) -> str | None:
    """The model's normal form of its own surface, wherever the span's bounds are now."""
    return span.original_normal if span.original_start is not None else span.normal


def progressed(doc: Document) -> Document:
    """A first decision moves an unreviewed document to in_progress."""
    if doc.status == "unreviewed":
        return doc.model_copy(update={"status": "in_progress"})
    return doc


def fresh_number(doc: Document, events: Sequence[Event]) -> int:
    """The next span number never used in this document, not even by a span an undo removed
    (a redo must not collide with a newer span)."""
    used = [int(doc.next_span_id()[1:]) - 1]
    for event in events:
        for sid in (*event.before, *event.after):
            if sid[:1] == "s" and sid[1:].isdigit():
                used.append(int(sid[1:]))
    return max(used) + 1


def doc_fields(doc: Document) -> dict[str, Any]:
    """The document fields the log records (and undo restores)."""
    return {name: getattr(doc, name) for name in DOC_EVENT_FIELDS}


def already_marked(text: str, start: int, stop: int, label: str) -> str:
    """The sentence refusing a second span with the same (start, stop, label)."""
    return f"{text[start:stop]!r} at {start}..{stop} is already marked {label}."


def duplicate_of(spans: Iterable[Span], old: Span, new: Span) -> Span | None:
    """Another span, not rejected, with the key ``new`` takes, when changing ``old`` into ``new``
    would make it a second one (its key changed, or it was rejected and no longer is); else None.
    Spans that already shared a key before the change (two origins proposing the same range) are
    left alone: accepting one of them is no new duplicate."""
    if new.state == "rejected":
        return None
    if old.state != "rejected" and old.key() == new.key():
        return None
    key = new.key()
    for other in spans:
        if other.id != new.id and other.state != "rejected" and other.key() == key:
            return other
    return None


@dataclass(frozen=True)
class Additions:
    """What adding ``label`` spans on many ranges would do: the ranges to add (in text order)
    and the ones skipped because they overlap a span that is not rejected."""

    ranges: list[tuple[int, int]]
    overlapping: list[tuple[int, int]]


def plan_additions(
    text: str,
    spans: Sequence[Span],
    ranges: Iterable[tuple[int, int]],
    label: str,
    *,
    skip_overlapping: bool,
) -> Additions:
    """The ranges of a batch that can be added as ``label`` spans, in text order.

    With ``skip_overlapping`` a range that shares a character with a span that is not rejected
    (one already there or one added earlier in the batch, in text order) is skipped. Without it,
    a range whose (start, stop, label) a span not rejected already has raises :class:`SpanError`
    (as adding it alone would), and so does a range given twice. O(n log n) in spans and ranges:
    spans sorted by start with a running maximum of their stops answer "does anything starting
    before ``stop`` end after ``start``?" with one bisection.
    """
    live = sorted((s.start, s.stop) for s in spans if s.state != "rejected")
    starts = [start for start, _ in live]
    reach: list[int] = []  # reach[i]: the furthest stop of live[0..i]
    furthest = 0
    for _, stop in live:
        furthest = max(furthest, stop)
        reach.append(furthest)
    taken = {s.key() for s in spans if s.state != "rejected"}
    added: list[tuple[int, int]] = []
    overlapping: list[tuple[int, int]] = []
    added_reach = -1  # the furthest stop of the ranges added so far (they start at or before)
    for start, stop in sorted(ranges):
        if skip_overlapping:
            before = bisect_left(starts, stop)
            if (before and reach[before - 1] > start) or added_reach > start:
                overlapping.append((start, stop))
                continue
            added_reach = max(added_reach, stop)
        else:
            key = (start, stop, label)
            if key in taken:
                raise SpanError(already_marked(text, start, stop, label))
            taken.add(key)
        added.append((start, stop))
    return Additions(added, overlapping)

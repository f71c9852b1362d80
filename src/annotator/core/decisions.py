"""Pure rules for what a decision does to a span or document (no I/O).

A decision sets ``state``, ``annotator`` and ``time``; ``decision`` is derived: ``added`` for
manual spans, ``rejected`` when rejected, ``relabeled`` when the label differs from the model's
original, ``adjusted`` when the bounds differ, else ``accepted``. The first change of label or
bounds keeps the model's ``original_label`` / ``original_start`` / ``original_stop``; while the
bounds differ from the model's, ``normal`` is None (the model's normal form was the lemma of its
surface) and ``original_normal`` keeps it, so moving back or resetting restores it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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

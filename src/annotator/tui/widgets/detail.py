"""What the lines around the document say: the header, the legend and the current span's detail."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text

from annotator.core.model import DocStatus, Document, Span, SpanState, sort_spans
from annotator.tui.navigation import overlapping

LabelStyle = Callable[[str, SpanState], Style]
STATE_MARK: dict[SpanState, str] = {"pending": "?", "accepted": "✓", "rejected": "✗"}
STATUS_STYLE: dict[DocStatus, str] = {
    "unreviewed": "",
    "in_progress": "yellow",
    "reviewed": "bold green",
    "ignored": "dim",
}
STATUS_TEXT: dict[DocStatus, str] = {
    "unreviewed": "not reviewed",
    "in_progress": "in progress",
    "reviewed": "reviewed ✓",
    "ignored": "ignored",
}


def _surface(value: str, limit: int = 60) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def header(doc: Document, position: int, total: int) -> Text:
    """``id · status · stale · flags · comment · date title`` for the document on screen: what
    the reviewer set comes before the title, which the line's end cuts off when it is narrow."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(doc.id, style="bold")
    text.append(f"  {position}/{total}", style="dim")
    text.append(f"  {STATUS_TEXT[doc.status]}", style=STATUS_STYLE[doc.status])
    if doc.stale:
        text.append("  STALE: the file changed; annotations stay on the stored text", style="red")
    if doc.flags:
        text.append(f"  ⚑ {', '.join(doc.flags)}", style="bold red")
    if doc.comment:
        text.append(f"  ✎ {_surface(doc.comment, 80)}", style="italic")
    if doc.meta.get("date") or doc.meta.get("title"):
        text.append("  │  ", style="dim")
        if doc.meta.get("date"):
            text.append(doc.meta["date"] + " ", style="bold")
        text.append(_surface(doc.meta.get("title", ""), 120))
    return text


def legend(labels: Sequence[str], label_style: LabelStyle) -> Text:
    """``1 PER  2 LOC  3 ORG │ pending accepted rejected`` in the colours the view uses."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for n, label in enumerate(labels[:9], 1):
        text.append(f"{n}", style="bold")
        text.append(" ")
        text.append(f" {label} ", style=label_style(label, "accepted"))
        text.append("  ")
    if len(labels) > 9:
        text.append(f"+{len(labels) - 9} more  ", style="dim")
    sample = labels[0] if labels else "PER"
    text.append("│ ", style="dim")
    for state in ("pending", "accepted", "rejected"):
        text.append(state, style=label_style(sample, state))
        text.append(" ")
    return text


def _decision(span: Span) -> Text:
    text = Text()
    if span.state == "pending":
        text.append("pending", style="bold")
        return text
    text.append(f"{STATE_MARK[span.state]} {span.decision or span.state}", style="bold")
    if span.original_label:
        text.append(f" (was {span.original_label})")
    if span.original_start is not None and span.original_stop is not None:
        text.append(f" (was {span.original_start}‥{span.original_stop})")
    if span.annotator:
        text.append(f" by {span.annotator}")
    if span.time:
        text.append(f" {span.time}", style="dim")
    return text


def span_detail(doc: Document | None, span: Span | None, notice: str, style: LabelStyle) -> Text:
    """Line 1: the current span: label, surface, normal form, decision, who and when.
    Line 2: origin, id and offsets, and the other spans sharing its characters (or a notice)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if doc is None or span is None:
        text.append(notice or "no span here", style="italic")
        text.append("\n")
        return text
    text.append(f" {span.label} ", style=style(span.label, "accepted"))
    text.append(f" «{_surface(span.text)}»", style="bold")
    if span.normal and span.normal != span.text:
        text.append(f" → {_surface(span.normal, 40)}", style="italic")
    text.append("  ")
    text.append_text(_decision(span))
    text.append("\n")
    text.append(f"{span.origin} · {span.id} · {span.start}‥{span.stop}", style="dim")
    others = overlapping(doc, span)
    if others:
        text.append("  │  also here: ", style="dim")
        for other in others:
            text.append(f"{other.label}", style=style(other.label, other.state))
            text.append(f" «{_surface(other.text, 30)}» {STATE_MARK[other.state]}  ")
    elif notice:
        text.append("  │  ", style="dim")
        text.append(notice, style="italic")
    return text


def selection_detail(doc: Document, start: int, stop: int, style: LabelStyle) -> Text:
    """Select mode. Line 1: the selection that a digit turns into a span. Line 2: the spans it
    shares characters with (a new span would nest in or overlap them)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(" new span ", style="reverse bold")
    text.append(f" «{_surface(doc.text[start:stop])}»", style="bold")
    text.append(f"  {start}‥{stop}", style="dim")
    text.append("\n")
    others = sort_spans([s for s in doc.spans if s.start < stop and start < s.stop])
    if not others:
        text.append("no span here yet", style="dim italic")
        return text
    text.append("already here: ", style="dim")
    for other in others:
        text.append(f"{other.label}", style=style(other.label, other.state))
        text.append(f" «{_surface(other.text, 30)}» {STATE_MARK[other.state]}  ")
    return text

"""Deciding spans: accept, reject, relabel, reset, boundaries, select mode, delete, undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.core.model import Document, Span
from annotator.tui.navigation import SpanOrder
from annotator.tui.screens.review_base import ReviewBase
from annotator.tui.wording import count

if TYPE_CHECKING:
    from annotator.tui.bounds import Edge, Unit


class DecideActions(ReviewBase):
    """The keys that change spans (and select mode, which adds them)."""

    def _decide(self, what: str, call: Callable[[str, str], Document], advance: bool) -> None:
        span = self._span_or_hint()
        if span is None or self.doc is None:
            return
        doc_id = self.doc.id
        doc = self.saver.run(what, lambda: call(doc_id, span.id))
        if doc is None:
            return
        self._hint = ""
        self._changed(doc)
        if advance:
            self._advance(span)

    def _advance(self, after: Span) -> None:
        order = SpanOrder.of(self.doc, self.view.span_filter)
        target = order.next_pending(after)
        if target is None:
            self._say_notice()
            return
        self._move_cursor(target.id)

    def action_accept(self) -> None:
        self._decide("accept", self.store.accept, advance=True)

    def action_reject(self) -> None:
        self._decide("reject", self.store.reject, advance=True)

    def action_relabel(self, number: int) -> None:
        label = self.store.labels.for_key(number)
        if label is not None:
            self._decide(
                f"label {label}", lambda d, s: self.store.relabel(d, s, label), advance=True
            )

    def action_reset(self) -> None:
        self._decide("reset", self.store.reset, advance=False)

    def action_accept_all(self) -> None:
        if self.doc is None:
            return
        doc_id = self.doc.id
        pending = sum(1 for s in self.doc.spans if s.state == "pending")
        doc = self.saver.run("accept all", lambda: self.store.accept_all(doc_id))
        if doc is not None:
            self._changed(doc)
            told = f"accepted {count(pending, 'pending span')}"
            if not self._notice_in_detail():
                told += f" — {self._notice(doc)}"
            self._set_hint(told)

    def action_bound(self, edge: Edge, direction: int, unit: Unit) -> None:
        span = self._span_or_hint()
        if span is None or self.doc is None:
            return
        from annotator.tui.bounds import moved_edge  # token rules: loaded on first use

        moved = moved_edge(self.doc.text, span.start, span.stop, edge, direction, unit)
        if isinstance(moved, str):
            self.app.bell()
            self._set_hint(moved)
            return
        doc_id = self.doc.id
        doc = self.saver.run("bounds", lambda: self.store.adjust(doc_id, span.id, *moved))
        if doc is not None:
            self._hint = ""
            self._changed(doc)

    def action_delete(self) -> None:
        span = self._span_or_hint()
        if span is None or self.doc is None:
            return
        if span.is_model:
            self.app.bell()
            self._set_hint(
                f"only spans added by hand can be deleted; x rejects this {span.origin} span"
            )
            return
        doc_id = self.doc.id
        order = SpanOrder.of(self.doc, self.view.span_filter)
        following = order.step(span, 1)
        doc = self.saver.run("delete", lambda: self.store.delete_span(doc_id, span.id))
        if doc is not None:
            self._changed(doc)
            if following is not None and following.id != span.id:
                self._move_cursor(following.id)

    def _history(self, undo: bool) -> None:
        if self.doc is None:
            return
        doc_id = self.doc.id
        possible = self.store.can_undo(doc_id) if undo else self.store.can_redo(doc_id)
        if not possible:
            self.app.bell()
            self._set_hint("nothing to undo here" if undo else "nothing to redo here")
            return
        call = self.store.undo if undo else self.store.redo
        result = self.saver.run("undo" if undo else "redo", lambda: call(doc_id))
        if result is None:
            return
        doc, event = result
        self._changed(doc)
        present = [sid for sid in event.span_ids if any(s.id == sid for s in doc.spans)]
        if present:
            self._move_cursor(present[0])
        self._set_hint(f"{'undid' if undo else 'redid'} {event.action.replace('_', ' ')}")

    def action_undo(self) -> None:
        self._history(undo=True)

    def action_redo(self) -> None:
        self._history(undo=False)

    # ------------------------------------------------------------------ select mode
    def action_select(self) -> None:
        if self.doc is None:
            return
        from annotator.core.tokens import tokens  # loaded on first use
        from annotator.tui.bounds import selection_for

        self._tokens = self._tokens or tokens(self.doc.text)
        if not self._tokens:
            self.app.bell()
            self._set_hint("nothing to select: the document has no words")
            return
        self.selecting = selection_for(self._tokens, *self._selection_start())
        self._show_selection()

    def _selection_start(self) -> tuple[int, int]:
        """Where select mode starts: the current span's first token; with no current span, the
        search match the view shows (after a jump to a match no span covers, the whole match),
        else the first token in view."""
        span = self.view.current_span
        if span is not None:
            return (span.start, span.start)
        match = self._current_match()
        if match is not None and self.view.shows(match.start, match.stop):
            return (match.start, match.stop)
        top = self.view.top_offset()
        return (top, top)

    def action_select_move(self, delta: int, extend: bool) -> None:
        if self.selecting is not None:
            self.selecting = self.selecting.moved(delta, extend, len(self._tokens))
            self._show_selection()

    def action_select_cancel(self) -> None:
        self._leave_select()

    def action_add_span(self, number: int) -> None:
        label = self.store.labels.for_key(number)
        if label is not None:
            self._add_selection(label)

    def _add_selection(self, label: str) -> None:
        """Add the selected tokens as a span labelled ``label`` and leave select mode."""
        if self.selecting is None or self.doc is None:
            return
        start, stop = self.selecting.bounds(self._tokens)
        doc_id = self.doc.id
        result = self.saver.run(
            f"add {label}", lambda: self.store.add_span(doc_id, start, stop, label)
        )
        if result is None:
            return
        doc, span = result
        self._leave_select()
        self._changed(doc)
        self._move_cursor(span.id)
        self._set_hint(f"added {label} «{span.text}»")

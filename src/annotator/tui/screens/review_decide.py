"""Deciding spans: accept, reject, relabel, reset, boundaries, select mode, delete, undo."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.core.model import Document, Span, reading_key
from annotator.tui.navigation import SpanOrder, reading_order
from annotator.tui.screens.review_base import ReviewBase
from annotator.tui.wording import count, possessive, quoted

if TYPE_CHECKING:
    from annotator.core.model import Event
    from annotator.tui.bounds import Edge, Unit


STATUS_ACTIONS = {"reviewed": "mark reviewed", "ignored": "ignore"}
"""What a status event did, by the status it set (other statuses: ``status <new status>``)."""


def describe_event(event: Event) -> str:
    """What a logged change did, in a few words: ``add ORG «Справочно»``, ``relabel PER → LOC
    «Бастрыкин»``, ``accept all (12 spans)``, ``flag``, ``mark reviewed``."""
    words = event.action.replace("_", " ")
    if event.action == "status":
        before, after = event.doc_before.get("status"), event.doc_after.get("status")
        if before == "ignored" and after != "ignored":
            return "stop ignoring"
        return STATUS_ACTIONS.get(str(after), f"status {after}")
    if event.action == "flags":
        before_flags = set(event.doc_before.get("flags") or [])
        after_flags = set(event.doc_after.get("flags") or [])
        added, removed = sorted(after_flags - before_flags), sorted(before_flags - after_flags)
        named = [f for f in (added or removed) if f != "flagged"]
        verb = "flag" if added else "unflag"
        return f"{verb} {', '.join(named)}" if named else verb
    if event.action == "comment":
        comment = str(event.doc_after.get("comment") or "")
        return f"comment {quoted(comment, 20)}" if comment else "comment removal"
    spans = [
        (event.before.get(sid), event.after.get(sid))
        for sid in event.span_ids
        if event.before.get(sid) is not None or event.after.get(sid) is not None
    ]
    if len(spans) != 1:
        return f"{words} ({count(len(spans), 'span')})" if spans else words
    old, new = spans[0]
    if old is not None and new is not None and event.action == "relabel":
        return f"relabel {old.label} → {new.label} {quoted(new.text)}"
    if old is not None and new is not None and event.action == "adjust":
        return f"adjust {new.label} {quoted(old.text)} → {quoted(new.text)}"
    span = new or old
    return f"{words} {span.label} {quoted(span.text)}" if span is not None else words


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
        if label is None:
            self._no_label(number)
            return
        self._decide(f"label {label}", lambda d, s: self.store.relabel(d, s, label), advance=True)

    def action_reset(self) -> None:
        """Back to pending with the model's label and bounds. A span added by hand has no such
        version (the store would make it a pending suggestion, out of the gold): refused."""
        span = self.view.current_span
        if span is not None and not span.is_model:
            self.app.bell()
            self._set_hint(
                "a span added by hand has no model version to go back to — d deletes it, "
                "u undoes the last change"
            )
            return
        self._decide("reset", self.store.reset, advance=False)

    def action_accept_all(self) -> None:
        """Accept every pending span of the document; under a span filter, only the pending
        spans the filter shows (nothing is accepted unseen), and the hint says how many stay
        pending."""
        if self.doc is None:
            return
        doc_id = self.doc.id
        pending = [s for s in self.doc.spans if s.state == "pending"]
        span_filter = self.view.span_filter
        shown = [s for s in pending if span_filter.matches(s)]
        hidden = len(pending) - len(shown)
        if not shown:
            self.app.bell()
            self._set_hint(
                f"no pending span is shown: the filter hides {hidden} — esc clears it"
                if hidden
                else "nothing to accept: no span here is pending"
            )
            return
        if not hidden:
            doc = self.saver.run("accept all", lambda: self.store.accept_all(doc_id))
            told = f"accepted {count(len(pending), 'pending span')}"
        else:
            ids = [span.id for span in shown]
            doc = self.saver.run("accept shown", lambda: self.store.accept_all(doc_id, ids))
            shown_spans = count(len(shown), f"shown {span_filter.describe()} span")
            told = f"accepted {shown_spans}; {hidden} hidden stay pending"
        if doc is None:  # refused or failed as one event: nothing changed, the saver said why
            return
        self._changed(doc)
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
            self._set_hint(f"deleted {span.label} {quoted(span.text)} — u undoes")

    def _history(self, undo: bool) -> None:
        """Undo or redo the document's last change (whoever made it: the history is the
        document's, shared by every user), say what it was and whose, and put the cursor on
        the span it changed, or where that span was when it is gone."""
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
        self._cursor_to_change(doc, event)
        whose = possessive(event.user, self.store.user)
        self._set_hint(f"{'undid' if undo else 'redid'} {whose}{describe_event(event)}")

    def _cursor_to_change(self, doc: Document, event: Event) -> None:
        """The cursor on the first span ``event`` touched that is still there; when none is,
        on the span that follows where they were (so ``n`` goes on from there)."""
        touched = set(event.span_ids)
        if not touched:
            return
        present = [s for s in reading_order(doc) if s.id in touched]
        if present:
            self._move_cursor(present[0].id)
            return
        gone = [
            span
            for sid in event.span_ids
            for span in (event.before.get(sid), event.after.get(sid))
            if span is not None
        ]
        if not gone:
            return
        where = min(map(reading_key, gone))
        order = SpanOrder.of(doc, self.view.span_filter)
        following = next((s for s in order.spans if reading_key(s) > where), order.first())
        if following is not None:
            self._move_cursor(following.id)

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
        self._hint = ""  # the status line shows select mode; no older hint after it
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
            self._hint = ""
            self._show_selection()

    def action_select_cancel(self) -> None:
        self._leave_select()

    def action_add_span(self, number: int) -> None:
        label = self.store.labels.for_key(number)
        if label is None:
            self._no_label(number)
            return
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

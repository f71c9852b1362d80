"""Moving between spans and documents, and the document's own state: reviewed, flag, comment."""

from __future__ import annotations

from textual import on
from textual.widgets import OptionList

from annotator.core.model import DocStatus, sort_spans
from annotator.tui.navigation import SpanOrder
from annotator.tui.screens.review_base import ReviewBase
from annotator.tui.widgets.doc_list import DocList
from annotator.tui.wording import count, listing, quoted

FLAG = "flagged"
"""The flag ``f`` toggles."""


class DocumentActions(ReviewBase):
    """The keys that move, and the ones that mark a whole document."""

    # ------------------------------------------------------------------ moving
    def action_next_span(self) -> None:
        self._step_span(1)

    def action_prev_span(self) -> None:
        self._step_span(-1)

    def _step_span(self, delta: int) -> None:
        order = SpanOrder.of(self.doc, self.view.span_filter)
        target = order.step(self.view.current_span, delta, self._cursor_offset())
        if target is None:
            self.app.bell()
            self._say_notice()
            return
        self._move_cursor(target.id)
        if self._hint:  # what an earlier key said is not about where the cursor is now
            self._set_hint("")

    def action_next_doc(self) -> None:
        self._step_document(1)

    def action_prev_doc(self) -> None:
        self._step_document(-1)

    def action_documents(self) -> None:
        self.query_one("#sidebar").display = True
        self.doc_list.focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.display = not sidebar.display
        if not sidebar.display:
            self.view.focus()

    @on(OptionList.OptionSelected, "#doc-list")
    def _document_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and (self.doc is None or event.option.id != self.doc.id):
            self._open(event.option.id, None)
        self.view.focus()

    @on(DocList.Back)
    def _document_list_back(self) -> None:
        self.view.focus()

    # ------------------------------------------------------------------ the document's state
    def action_mark_reviewed(self) -> None:
        from annotator.tui.screens.dialogs import ConfirmScreen  # dialogs load on first use

        if self.doc is None:
            return
        doc = self.doc
        pending = [s for s in sort_spans(doc.spans) if s.state == "pending"]
        if pending:
            listed = listing([f"{s.label} {quoted(s.text)}" for s in pending], limit=5)
            self.app.push_screen(
                ConfirmScreen(
                    f"{count(len(pending), 'span')} in {doc.id} "
                    f"{'is' if len(pending) == 1 else 'are'} still pending: {listed}.\n"
                    f"Accept {'it' if len(pending) == 1 else f'all {len(pending)}'} and mark the "
                    "document reviewed?"
                ),
                self._confirmed_reviewed,
            )
            return
        if not doc.spans and doc.text.strip() and doc.status != "reviewed":
            self.app.push_screen(
                ConfirmScreen(f"{doc.id} has no spans. Mark it reviewed with no entities?"),
                self._confirmed_no_entities,
            )
            return
        self._mark_reviewed()

    def _confirmed_reviewed(self, yes: bool | None) -> None:
        if not yes or self.doc is None:
            self._set_hint("not marked reviewed: decide the pending spans, or A accepts them all")
            return
        doc_id = self.doc.id
        doc = self.saver.run("accept all", lambda: self.store.accept_all(doc_id))
        if doc is not None:
            self._changed(doc)
            self._mark_reviewed()

    def _confirmed_no_entities(self, yes: bool | None) -> None:
        if not yes or self.doc is None:
            self._set_hint("not marked reviewed: s adds a span")
            return
        self._mark_reviewed()

    def _mark_reviewed(self) -> None:
        if self.doc is None:
            return
        doc_id = self.doc.id
        if self.doc.status != "reviewed":
            doc = self.saver.run("reviewed", lambda: self.store.set_status(doc_id, "reviewed"))
            if doc is None:
                return
            self._changed(doc)
        if self._next_unreviewed():
            self.notify(f"{doc_id} marked reviewed (u in it undoes)", timeout=3)
        else:
            self._set_hint(f"{doc_id} is reviewed — every document is reviewed or ignored")

    def action_flag(self) -> None:
        if self.doc is None:
            return
        doc_id, flags = self.doc.id, list(self.doc.flags)
        flagging = FLAG not in flags
        flags = [*flags, FLAG] if flagging else [f for f in flags if f != FLAG]
        doc = self.saver.run("flag", lambda: self.store.set_flags(doc_id, flags))
        if doc is not None:
            self._changed(doc)
            self._set_hint(
                f"flagged {doc_id} — f again unflags it" if flagging else f"unflagged {doc_id}"
            )

    def action_ignore(self) -> None:
        """Ignore the document and go on to the next one still to review (the hint names the
        ignored one: ``i`` in it again stops ignoring it); on an ignored one, stop ignoring."""
        if self.doc is None:
            return
        doc_id = self.doc.id
        if self.doc.status == "ignored":
            decided = any(s.state != "pending" for s in self.doc.spans)
            status: DocStatus = "in_progress" if decided else "unreviewed"
            doc = self.saver.run("unignore", lambda: self.store.set_status(doc_id, status))
            if doc is not None:
                self._changed(doc)
                self._set_hint(f"stopped ignoring {doc_id}: it is {status.replace('_', ' ')}")
            return
        doc = self.saver.run("ignore", lambda: self.store.set_status(doc_id, "ignored"))
        if doc is not None:
            self._changed(doc)
            if self._next_unreviewed():
                self._set_hint(f"ignored {doc_id} — back in it, i again stops ignoring it")
            else:
                self._set_hint(
                    f"ignored {doc_id} — i again stops ignoring it; "
                    "every other document is reviewed or ignored"
                )

    def action_comment(self) -> None:
        from annotator.tui.screens.dialogs import CommentScreen

        if self.doc is not None:
            self.app.push_screen(CommentScreen(self.doc.id, self.doc.comment), self._commented)

    def _commented(self, comment: str | None) -> None:
        if self.doc is None:
            return
        if comment is None or comment == self.doc.comment:
            self._set_hint("comment not changed")
            return
        doc_id = self.doc.id
        doc = self.saver.run("comment", lambda: self.store.set_comment(doc_id, comment))
        if doc is not None:
            self._changed(doc)
            self._set_hint(
                f"comment saved on {doc_id}" if comment else f"comment removed from {doc_id}"
            )

"""Search in the document (/), in every document (ctrl+f) and the span filter (F)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on

from annotator.tui.navigation import SpanFilter, SpanOrder
from annotator.tui.screens.review_base import ReviewBase
from annotator.tui.widgets.search_bar import SearchBar
from annotator.tui.wording import count

if TYPE_CHECKING:  # the searches load these on first use
    from annotator.tui.screens.corpus_search import CorpusAction
    from annotator.tui.search import DocHits


class SearchActions(ReviewBase):
    """Finding text and narrowing which spans the cursor visits."""

    async def action_search(self) -> None:
        bar = await self._open_search_bar()
        bar.value = self._query
        bar.focus()

    @on(SearchBar.Submitted, "#search-bar")
    def _search_submitted(self, event: SearchBar.Submitted) -> None:
        event.stop()
        self._close_search_bar()
        self._query = event.value.strip()
        if self.doc is None or not self._query:
            self._clear_search()
            self._set_hint("")  # no match count, no old hint about the last query
            return
        from annotator.tui.search import find_matches

        self._matches = find_matches(self.doc.text, self._query)
        if not self._matches:
            self._match_index = None
            self.view.set_matches([], None)
            self._set_hint(f"no match for «{self._query}» here — ctrl+f searches every document")
            return
        here = self._cursor_offset()
        later = [i for i, m in enumerate(self._matches) if m.start >= here]
        self._show_match(later[0] if later else 0)

    @on(SearchBar.Cancelled)
    def _search_cancelled(self) -> None:
        self._close_search_bar()

    def _close_search_bar(self) -> None:
        self.search_bar.display = False
        self.view.focus()

    def _show_match(self, index: int) -> None:
        """Show a match and make it where the reviewer is: the cursor goes to the span there,
        or, when no span shares its characters, to no span (a decision key must not act on a
        span elsewhere; ``s`` then selects the match)."""
        self._match_index = index
        match = self._matches[index]
        self.view.set_matches(self._matches, index)
        order = SpanOrder.of(self.doc, self.view.span_filter)
        at = order.at_offset(match.start)
        if at is not None and at.start < match.stop and match.start < at.stop:
            self._move_cursor(at.id)
        else:
            self.view.cursor = None
            self._refresh_detail()
        self._hint = ""
        self._refresh_status()

    def action_match(self, delta: int) -> None:
        if not self._matches:
            self.app.bell()
            self._set_hint("no search — / searches this document")
            return
        current = self._match_index if self._match_index is not None else -delta
        self._show_match((current + delta) % len(self._matches))

    def action_clear(self) -> None:
        self._clear_search()
        if self.view.span_filter.active:
            self.view.set_filter(SpanFilter())
        self._set_hint("")

    def action_cycle_filter(self) -> None:
        span_filter = self.view.span_filter.cycled(self.labels)
        self.view.set_filter(span_filter)
        current = self.view.current_span
        if current is None or not span_filter.matches(current):
            order = SpanOrder.of(self.doc, span_filter)
            target = order.next_pending(current) or order.step(current, 1)
            if target is not None:
                self._move_cursor(target.id)
        self._refresh_status()

    def action_corpus_search(self) -> None:
        from annotator.tui.screens.corpus_search import CorpusSearchScreen

        self.app.push_screen(
            CorpusSearchScreen(
                self.store.root,
                self.store.user,
                self.labels,
                self._label_every_match,
                self._corpus_query,
            ),
            self._corpus_action,
        )

    def _corpus_action(self, action: CorpusAction | None) -> None:
        if action is None:
            return
        self._corpus_query = action.query
        if action.match is not None:
            match = action.match
            if self.doc is None or self.doc.id != action.doc_id:
                self._open(action.doc_id, None)
            if self.doc is not None:
                from annotator.tui.search import find_matches

                # this document's matches of the query, so m / M step on from the one chosen
                self._query = action.query
                found = find_matches(self.doc.text, action.query)
                starts = [m.start for m in found]
                if match.start in starts:
                    self._matches = found
                    self._show_match(starts.index(match.start))
                else:  # found as a whole word only: that one
                    self._matches = [match]
                    self._show_match(0)

    def _label_every_match(self, hits: Sequence[DocHits], label: str) -> str:
        """Add a ``label`` span on every match that overlaps no span (of any label, unless
        rejected), outside ignored documents; return the sentence saying what was done.

        Each document's matches are added in one store call (one write, one logged event: one
        ``u`` takes them all back), which skips the overlapping ones."""
        added = overlapping = ignored = ignored_docs = 0
        documents: set[str] = set()
        stopped = ""  # the document whose matches the store refused
        for doc_hits in hits:
            doc_id = doc_hits.doc_id
            if not self.store.has(doc_id):
                continue
            if self.store.summary(doc_id).status == "ignored":
                ignored += len(doc_hits.matches)
                ignored_docs += 1
                continue
            result = self.saver.run(
                f"add {label}",
                functools.partial(
                    self.store.add_spans,
                    doc_id,
                    [(match.start, match.stop) for match in doc_hits.matches],
                    label,
                    skip_overlapping=True,
                ),
            )
            if result is None:
                stopped = doc_id
                break
            overlapping += len(result.overlapping)
            if result.spans:
                added += len(result.spans)
                documents.add(doc_id)
                self.doc_list.update_summary(self.store.summary(doc_id))
                if self.doc is not None and doc_id == self.doc.id:
                    self._changed(result.doc)
        told = f"added {label} to {count(added, 'match', 'matches')}"
        if added:
            told += f" in {count(len(documents), 'document')}"
        if stopped:
            told = (f"stopped: the store refused the matches in {stopped}, none of them added "
                    f"({self.saver.refused or self.saver.state.detail}); " + told)
        skipped = []
        if overlapping:
            skipped.append(
                "1 skipped: it overlaps an existing span"
                if overlapping == 1
                else f"{overlapping} skipped: they overlap existing spans"
            )
        if ignored:
            where = "an ignored document" if ignored_docs == 1 else "ignored documents"
            skipped.append(f"{ignored} skipped in {where}")
        message = "; ".join([told, *skipped])
        self._set_hint(message)
        return message

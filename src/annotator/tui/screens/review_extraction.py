"""Extraction while the reviewer works: a thread worker runs the model, the UI thread saves.

Documents in unsupported languages are marked and cached predictions are loaded on the UI thread
first (no natasha import when everything is cached); only texts that need the model go to the
worker, which posts each result back as a message.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.css.query import NoMatches
from textual.worker import Worker, WorkerState, get_current_worker

from annotator.core.errors import AnnotatorError
from annotator.core.store import Store
from annotator.tui import extraction
from annotator.tui.extraction import Job
from annotator.tui.messages import ExtractionFailed, ExtractionProgress, ExtractionResult
from annotator.tui.navigation import SpanOrder
from annotator.tui.screens.review_base import ReviewBase

if TYPE_CHECKING:
    from annotator.core.extract import Extractor


class ExtractionHost(ReviewBase):
    """Starts the extraction worker after mount and lands its results in the store."""

    def _after_mount(self) -> None:
        super()._after_mount()
        self._start_extraction()

    def _start_extraction(self) -> None:
        factory = self.context.extractor_factory
        pending = extraction.pending_ids(self.store)
        if not pending or factory is None or self.store.readonly:
            return
        try:
            extractor = factory()
        except AnnotatorError as err:
            self.notify(f"Extraction is off: {err}", severity="error", timeout=10)
            return
        current = self.doc.id if self.doc else None
        pending.sort(key=lambda doc_id: doc_id != current)
        plan = self.saver.run(
            "predictions", lambda: extraction.plan(self.store, extractor, pending)
        )
        if plan is None:
            return
        self._outside_labels.update(plan.outside_labels)
        for doc_id in [*plan.loaded, *plan.unsupported]:
            self._extraction_landed(doc_id)
        self._extractor_name = extractor.name
        if plan.jobs:
            self._extracting = {job.doc_id for job in plan.jobs}
            self._show_progress(len(plan.jobs), 0)
            self._refresh_detail()
            self._extract(extractor, plan.jobs, self.store.root, self.store.user)
        else:
            self._report_outside_labels()

    @work(thread=True, exclusive=True, group="extract", exit_on_error=False)
    def _extract(self, extractor: Extractor, jobs: list[Job], root: Path, user: str) -> None:
        """Run the model over each text (in this thread); post the spans back."""
        worker = get_current_worker()
        with Store.open(root, user=user, readonly=True) as reader:
            for done, job in enumerate(jobs):
                if worker.is_cancelled:
                    return
                try:
                    drafts = extractor.extract(reader.get(job.doc_id).text)
                except AnnotatorError as err:
                    self.post_message(ExtractionFailed(job.doc_id, str(err)))
                    return
                self.post_message(ExtractionResult(job.doc_id, job.sha256, extractor.key, drafts))
                self.post_message(ExtractionProgress(done + 1, len(jobs)))

    def on_extraction_result(self, message: ExtractionResult) -> None:
        doc = self.saver.run(
            "predictions",
            lambda: extraction.cache_and_apply(
                self.store,
                message.extractor,
                message.sha256,
                message.doc_id,
                message.drafts,
                self._outside_labels,
            ),
        )
        self._extracting.discard(message.doc_id)
        if doc is not None:
            self._extraction_landed(message.doc_id)

    def _extraction_landed(self, doc_id: str) -> None:
        self.doc_list.update_summary(self.store.summary(doc_id))
        if self.doc is not None and self.doc.id == doc_id:
            doc = self.store.get(doc_id)
            self._changed(doc)
            if self.view.cursor is None:
                first = SpanOrder.of(doc, self.view.span_filter).first_pending()
                if first is not None:
                    self._move_cursor(first.id)
        self._refresh_status()

    def _show_progress(self, total: int, done: int) -> None:
        """The extraction's progress bar in the status line (mounted on first use: most starts
        have nothing to extract)."""
        from textual.widgets import ProgressBar  # its module is not loaded before it is needed

        try:
            bar = self.query_one("#extract-progress", ProgressBar)
        except NoMatches:
            bar = ProgressBar(id="extract-progress", show_eta=False)
            self.query_one("#status").mount(bar, before="#save")
        bar.update(total=total, progress=done)
        bar.display = True

    def _hide_progress(self) -> None:
        for bar in self.query("#extract-progress"):
            bar.display = False

    def on_extraction_progress(self, message: ExtractionProgress) -> None:
        self._show_progress(message.total, message.done)
        if message.done >= message.total:
            self._hide_progress()
            self._extracting.clear()
            noun = "document" if message.total == 1 else "documents"
            self._set_hint(f"{self._extractor_name} read {message.total} {noun}")
            self._report_outside_labels()
            self._refresh_detail()

    def on_extraction_failed(self, message: ExtractionFailed) -> None:
        self._hide_progress()
        self._extracting.clear()
        self.notify(f"Extraction stopped: {message.message}", severity="error", timeout=15)
        self._refresh_detail()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "extract" and event.state == WorkerState.ERROR:
            self._hide_progress()
            self._extracting.clear()
            error = event.worker.error
            self.notify(
                f"Extraction failed: {error.__class__.__name__}: {error}",
                severity="error",
                timeout=15,
            )
            self._refresh_detail()

    def _report_outside_labels(self) -> None:
        if self._outside_labels:
            counts = ", ".join(f"{k} {v}" for k, v in sorted(self._outside_labels.items()))
            self.notify(
                f"Left out spans with labels outside the store's set ({counts}).",
                severity="warning",
                timeout=10,
            )
            self._outside_labels.clear()

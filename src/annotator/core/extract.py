"""Extractors and pre-extraction into the store.

:class:`Extractor` is what any entity extractor offers; :class:`NatashaExtractor` is the default.
Importing this module never imports natasha: its models load on the first ``extract`` (or
``prepare``), so commands that find everything cached never pay for them.

:func:`extract_into_store` runs an extractor over stored documents: documents in a language the
extractor does not know are marked unsupported, cached output (keyed by the text's sha256 and the
extractor's key) is reused, and only the rest reach the model, in this process or in a pool of
worker processes. Only the calling process writes to the store.

For throughput (``bench/extraction.py``) the cyclic garbage collector is paused during a run
(natasha makes no reference cycles; the collector would only rescan the models and the store
again and again); in this process a writer thread saves each document while the model works on
the next one (an fsync releases the GIL); a pool gets smaller chunks towards the end of a run, so
no worker is left running alone.
"""

from __future__ import annotations

import gc
import importlib.metadata
import math
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from typing import Any, Protocol

from annotator.core.errors import AnnotatorError, ExtractionError
from annotator.core.forking import can_fork
from annotator.core.gcpause import paused_gc
from annotator.core.model import SpanDraft
from annotator.core.natasha_pipeline import NatashaModels, shortcuts_for
from annotator.core.store import Store

ProgressCallback = Callable[[int, int, str], None]
"""``on_progress(done, total, doc_id)``: called once per document, after it is handled."""

CancelCheck = Callable[[], bool]
"""``is_cancelled()``: checked between documents; True stops the run (what is saved stays)."""

POOL_MIN_DOCUMENTS = 16
"""Fewer uncached documents than this are extracted in this process even when ``workers > 1``:
starting workers and loading the model in each costs about as much as extracting them."""

MAX_CHUNK = 16
"""Most documents sent to a worker process at once (keeps progress smooth and cancel quick)."""

CHUNKS_PER_WORKER = 4
"""A chunk holds at most the documents left divided by this many per worker: chunks shrink towards
the end of a run (guided scheduling), so the workers finish at about the same time."""

WRITE_AHEAD = 8
"""Most extracted documents waiting for the writer thread (it is normally none or one behind)."""

RawSpan = tuple[int, int, str, str | None]
"""A span as it crosses the process boundary: start, stop, label, normal."""


class Extractor(Protocol):
    """An entity extractor: proposes labelled spans for a text, with offsets into that exact text.

    ``key`` (``name-version``) names its output in the prediction cache and in span origins, so a
    new version of a model never reuses an older version's cached output. Implementations may
    subclass this protocol to inherit ``key``, ``prepare`` and ``extract_many``. To run in worker
    processes an extractor must be picklable (drop loaded models in ``__getstate__``).
    """

    name: str
    version: str
    languages: frozenset[str]

    @property
    def key(self) -> str:
        """``name-version``, e.g. ``natasha-1.6.0``."""
        return f"{self.name}-{self.version}"

    def prepare(self) -> None:
        """Load models now rather than on the first text (a worker process calls this once)."""
        return None

    def extract(self, text: str) -> list[SpanDraft]:
        """Spans found in ``text``; ``text[span.start:span.stop]`` is each span's surface."""
        ...

    def extract_many(self, texts: Sequence[str]) -> list[list[SpanDraft]]:
        """Spans for each text, in order."""
        return [self.extract(text) for text in texts]


def _installed_version(package: str) -> str:
    """The installed version of ``package``, read from its metadata (without importing it)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        raise ExtractionError(
            f"{package} is not installed; install it with `pip install {package}`."
        ) from None


def _load_natasha_models() -> NatashaModels:
    """Import natasha and load its news models (about a second; they ship with the package)."""
    if "numpy" not in sys.modules:
        # One BLAS thread unless the user chose otherwise: natasha's small matrix products run
        # faster on one (measured: 20-45 docs/s with OpenBLAS's default two threads on two cores,
        # 30-40 with one, see bench/RESULTS.md), and the review app's UI thread keeps a core.
        for variable in _BLAS_THREAD_VARIABLES:
            os.environ.setdefault(variable, "1")
    try:
        from natasha import (
            MorphVocab,
            NewsEmbedding,
            NewsMorphTagger,
            NewsNERTagger,
            Segmenter,
        )

        embedding = NewsEmbedding()
        models = NatashaModels(
            segmenter=Segmenter(),
            morph_tagger=NewsMorphTagger(embedding),
            ner_tagger=NewsNERTagger(embedding),
            morph_vocab=MorphVocab(),
        )
        models.shortcuts = shortcuts_for(models)
        return models
    except (ImportError, OSError) as err:
        raise ExtractionError(f"natasha could not load its models ({err}).") from err


class NatashaExtractor(Extractor):
    """natasha's news NER (PER, LOC, ORG) for Russian, with lemmatized ``normal`` forms."""

    name = "natasha"
    languages = frozenset({"ru"})

    def __init__(self) -> None:
        self.version = _installed_version("natasha")
        self._models: NatashaModels | None = None

    @property
    def loaded(self) -> bool:
        """True once the models are in memory."""
        return self._models is not None

    def prepare(self) -> None:
        self._load()

    def _load(self) -> NatashaModels:
        if self._models is None:
            self._models = _load_natasha_models()
        return self._models

    def extract(self, text: str) -> list[SpanDraft]:
        """natasha's spans on the exact text; raises if an offset does not match its surface."""
        drafts: list[SpanDraft] = []
        for span in self._load().spans(text):
            if text[span.start : span.stop] != span.text:
                raise ExtractionError(
                    f"natasha reported {span.text!r} at {span.start}..{span.stop}, but the text "
                    f"there is {text[span.start : span.stop]!r}; its offsets cannot be trusted."
                )
            drafts.append(
                SpanDraft(
                    start=span.start, stop=span.stop, label=span.type, normal=span.normal or None
                )
            )
        return drafts

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the models: a worker process loads its own."""
        state = self.__dict__.copy()
        state["_models"] = None
        return state


@dataclass
class ExtractReport:
    """What :func:`extract_into_store` did, for a summary line."""

    extractor: str
    total: int = 0
    extracted: int = 0
    cached: int = 0
    already: int = 0
    unsupported: int = 0
    unsupported_langs: Counter[str] = field(default_factory=Counter)
    outside_labels: Counter[str] = field(default_factory=Counter)
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def handled(self) -> int:
        """Documents dealt with so far."""
        return self.extracted + self.cached + self.already + self.unsupported

    def summary(self) -> str:
        """One line: ``5 documents: 4 extracted, 0 from cache, 1 unsupported language (en) in…``."""
        parts = [f"{self.extracted} extracted", f"{self.cached} from cache"]
        if self.already:
            parts.append(f"{self.already} already extracted")
        unsupported = f"{self.unsupported} unsupported language"
        if self.unsupported_langs:
            unsupported += f" ({', '.join(sorted(self.unsupported_langs))})"
        parts.append(unsupported)
        noun = "document" if self.total == 1 else "documents"
        line = f"{self.total} {noun}: {', '.join(parts)} in {self.seconds:.1f} s"
        if self.cancelled:
            line += f"; cancelled after {self.handled}"
        return line

    def label_note(self) -> str | None:
        """A sentence about spans left out for labels outside the store's set (None: none were)."""
        if not self.outside_labels:
            return None
        count = sum(self.outside_labels.values())
        labels = ", ".join(f"{label} {n}" for label, n in sorted(self.outside_labels.items()))
        return (
            f"Left out {count} {self.extractor} spans with labels outside the store's label set "
            f"({labels}); widen the set with --labels before extracting to review them."
        )


@dataclass(frozen=True)
class _Job:
    """A document that needs the model."""

    doc_id: str
    sha256: str


@dataclass
class _Run:
    """One call of :func:`extract_into_store`: the store, the report, the callbacks."""

    store: Store
    extractor: Extractor
    report: ExtractReport
    on_progress: ProgressCallback | None
    is_cancelled: CancelCheck | None

    def cancelled(self) -> bool:
        """True (and noted in the report) when the caller asked to stop."""
        if self.is_cancelled is not None and self.is_cancelled():
            self.report.cancelled = True
        return self.report.cancelled

    def advance(self, doc_id: str) -> None:
        """Report progress after one document."""
        if self.on_progress is not None:
            self.on_progress(self.report.handled, self.report.total, doc_id)

    def triage(self, doc_id: str) -> _Job | None:
        """Deal with a document that needs no model work; return a job for one that does."""
        summary = self.store.summary(doc_id)
        if summary.extraction == "done":
            self.report.already += 1
        elif summary.lang not in self.extractor.languages:
            if summary.extraction != "unsupported":
                self.store.mark_unsupported(doc_id)
            self.report.unsupported += 1
            self.report.unsupported_langs[summary.lang] += 1
        else:
            cached = self.store.cached_predictions(summary.sha256, self.extractor.key)
            if cached is None:
                return _Job(doc_id=doc_id, sha256=summary.sha256)
            self._load(doc_id, cached)
            self.report.cached += 1
        self.advance(doc_id)
        return None

    def text(self, job: _Job) -> str:
        """The stored text of a job's document (what offsets refer to, even when stale)."""
        return self.store.get(job.doc_id).text

    def finish(self, job: _Job, drafts: list[SpanDraft]) -> None:
        """Save fresh model output, then report progress."""
        self.save(job, drafts)
        self.advance(job.doc_id)

    def save(self, job: _Job, drafts: list[SpanDraft]) -> None:
        """Cache fresh model output and load it into the document (durably saved on return)."""
        self.store.cache_predictions(job.sha256, self.extractor.key, drafts)
        self._load(job.doc_id, drafts)
        self.report.extracted += 1

    def _load(self, doc_id: str, drafts: Sequence[SpanDraft]) -> None:
        """Load the spans whose label is in the store's set; count the others."""
        labels = self.store.labels
        kept = [d for d in drafts if d.label in labels]
        self.report.outside_labels.update(d.label for d in drafts if d.label not in labels)
        self.store.load_predictions(doc_id, self.extractor.key, kept)


def extract_into_store(
    store: Store,
    doc_ids: Sequence[str],
    extractor: Extractor,
    *,
    workers: int = 1,
    on_progress: ProgressCallback | None = None,
    is_cancelled: CancelCheck | None = None,
    mp_context: BaseContext | None = None,
) -> ExtractReport:
    """Give each stored document the extractor's spans (pending), doing model work only if needed.

    Per document: already extracted → left alone; language not in ``extractor.languages`` → marked
    unsupported; output cached for its sha256 → loaded from the cache; else extracted, cached and
    loaded. With ``workers > 1`` and at least :data:`POOL_MIN_DOCUMENTS` uncached documents, the
    texts go to a pool of that many processes (see :func:`default_mp_context` for ``mp_context``).
    A crashed worker raises :class:`ExtractionError`; documents finished before it stay saved.
    Spans with labels outside the store's label set are not loaded (counted in
    ``outside_labels``).
    """
    started = time.perf_counter()
    run = _Run(
        store,
        extractor,
        ExtractReport(extractor.key, total=len(doc_ids)),
        on_progress,
        is_cancelled,
    )
    try:
        with paused_gc():
            jobs: list[_Job] = []
            for doc_id in doc_ids:
                if run.cancelled():
                    return run.report
                job = run.triage(doc_id)
                if job is not None:
                    jobs.append(job)
            if workers > 1 and len(jobs) >= POOL_MIN_DOCUMENTS:
                _extract_in_pool(run, jobs, workers, mp_context or default_mp_context())
            elif jobs:
                _extract_here(run, jobs)
            return run.report
    finally:
        run.report.seconds = time.perf_counter() - started


def _extract_one(run: _Run, job: _Job, text: str) -> list[SpanDraft]:
    """The extractor's spans for one document, a failure turned into one sentence."""
    try:
        return run.extractor.extract(text)
    except AnnotatorError:
        raise
    except Exception as err:
        raise ExtractionError(
            f"{run.extractor.key} failed on document {job.doc_id!r} "
            f"({err.__class__.__name__}: {err})."
        ) from err


def _extract_here(run: _Run, jobs: Sequence[_Job]) -> None:
    """Extract in this process, one document at a time, while a thread saves the previous one.

    This thread runs the model and calls ``on_progress`` and ``is_cancelled``; the writer thread
    saves (the store is used under the writer's lock while it runs). A document is reported only
    once it is saved; on a failure or a cancel the documents extracted before it are saved first.
    """
    writer = _Writer(run)
    try:
        text = writer.text(jobs[0])
        for position, job in enumerate(jobs):
            writer.report_saved()
            if run.cancelled():
                break
            drafts = _extract_one(run, job, text)
            if position + 1 < len(jobs):
                # read ahead before handing over: the writer is idle now, busy in a moment
                text = writer.text(jobs[position + 1])
            writer.put(job, drafts)
    finally:
        writer.close()
    writer.report_saved()


class _Writer:
    """A thread that saves extracted documents in order: the waits of durable writes (an fsync
    releases the GIL) overlap the model's work on the next document."""

    def __init__(self, run: _Run) -> None:
        self._run = run
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[_Job, list[SpanDraft]] | None] = queue.Queue(WRITE_AHEAD)
        self._saved: deque[tuple[int, str]] = deque()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="annotator-extract-writer")
        self._thread.start()

    def text(self, job: _Job) -> str:
        """A job's text, read from the store under the writer's lock."""
        with self._lock:
            return self._run.text(job)

    def put(self, job: _Job, drafts: list[SpanDraft]) -> None:
        """Hand a document over to be saved (waits while :data:`WRITE_AHEAD` are queued)."""
        self._queue.put((job, drafts))

    def report_saved(self) -> None:
        """Report progress for the documents saved since the last call; raise the writer's error."""
        run = self._run
        while self._saved:
            handled, doc_id = self._saved.popleft()
            if run.on_progress is not None:
                run.on_progress(handled, run.report.total, doc_id)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Let the writer save what it was given, and wait for it."""
        self._queue.put(None)
        self._thread.join()

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # after a failure nothing more is saved; keep draining
            job, drafts = item
            try:
                with self._lock:
                    self._run.save(job, drafts)
                    handled = self._run.report.handled
            except BaseException as err:  # raised on the caller's thread by report_saved
                self._error = err
                continue
            self._saved.append((handled, job.doc_id))


def default_mp_context() -> BaseContext:
    """``fork`` where :func:`~annotator.core.forking.can_fork` (fast start), else ``spawn``:
    callers with threads get ``spawn`` or pass their own context."""
    if can_fork():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _chunk_size(left: int, workers: int) -> int:
    """The next chunk's size with ``left`` documents still to send: a :data:`CHUNKS_PER_WORKER`th
    of each worker's share, at most :data:`MAX_CHUNK` (so chunks shrink to one at the end)."""
    return max(1, min(MAX_CHUNK, math.ceil(left / (workers * CHUNKS_PER_WORKER))))


def _chunks(jobs: Sequence[_Job], workers: int) -> Iterator[list[_Job]]:
    """``jobs`` in consecutive chunks of shrinking size (see :func:`_chunk_size`)."""
    start = 0
    while start < len(jobs):
        stop = start + _chunk_size(len(jobs) - start, workers)
        yield list(jobs[start:stop])
        start = stop


def _extract_in_pool(run: _Run, jobs: Sequence[_Job], workers: int, context: BaseContext) -> None:
    """Extract in worker processes, in chunks; only this process writes the store."""
    chunks = _chunks(jobs, workers)
    processes = min(workers, math.ceil(len(jobs) / _chunk_size(len(jobs), workers)))
    pool = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_init_worker,
        initargs=(run.extractor,),
    )
    in_flight: dict[Future[list[list[RawSpan]]], list[_Job]] = {}
    try:
        for _ in range(processes * 2):
            _submit(pool, run, chunks, in_flight)
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = in_flight.pop(future)
                results = _chunk_result(run, future, chunk)
                _submit(pool, run, chunks, in_flight)  # before saving: keep the workers busy
                for job, raw in zip(chunk, results, strict=True):
                    if run.cancelled():
                        return
                    run.finish(job, [_draft(span) for span in raw])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(
    pool: ProcessPoolExecutor,
    run: _Run,
    chunks: Iterator[list[_Job]],
    in_flight: dict[Future[list[list[RawSpan]]], list[_Job]],
) -> None:
    """Send the next chunk of texts to the pool, if any is left."""
    chunk = next(chunks, None)
    if chunk is not None:
        try:
            future = pool.submit(_worker_extract, [run.text(job) for job in chunk])
        except BrokenProcessPool as err:
            raise _crashed(run) from err
        in_flight[future] = chunk


def _chunk_result(
    run: _Run, future: Future[list[list[RawSpan]]], chunk: Sequence[_Job]
) -> list[list[RawSpan]]:
    """A chunk's spans, turning a worker's failure into one sentence."""
    try:
        return future.result()
    except BrokenProcessPool as err:
        raise _crashed(run) from err
    except AnnotatorError:
        raise
    except Exception as err:
        names = ", ".join(repr(job.doc_id) for job in chunk)
        raise ExtractionError(
            f"{run.extractor.key} failed in a worker process on one of {names} "
            f"({err.__class__.__name__}: {err})."
        ) from err


def _crashed(run: _Run) -> ExtractionError:
    return ExtractionError(
        f"A {run.extractor.name} worker process stopped unexpectedly (killed, or out of memory); "
        f"the {run.report.extracted} documents extracted before that are saved."
    )


def _draft(raw: RawSpan) -> SpanDraft:
    start, stop, label, normal = raw
    return SpanDraft(start=start, stop=stop, label=label, normal=normal)


# ---------------------------------------------------------------------- inside a worker process
_BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""natasha's small matrix products gain nothing from BLAS threads; in a pool they only make the
worker processes fight over the cores, so each worker asks for one. This takes effect when numpy
loads in the worker (always with ``spawn``; with ``fork`` unless the parent had loaded natasha)."""

_worker_extractor: Extractor | None = None
_worker_error: Exception | None = None


def _init_worker(extractor: Extractor) -> None:
    """Load the extractor's models once per worker; a failure is kept and raised with the first
    chunk, so the parent gets the real reason instead of a broken pool. Ctrl-C is left to the
    parent, which stops the pool."""
    global _worker_extractor, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for variable in _BLAS_THREAD_VARIABLES:
        os.environ[variable] = "1"
    _worker_extractor = extractor
    try:
        extractor.prepare()
    except Exception as err:
        _worker_error = err
    # What is here now (the models, and what a forked worker inherits) lives as long as the
    # worker: keep the collector off it, which also spares forked pages from being copied.
    gc.freeze()
    gc.enable()  # a forked worker inherits the parent's paused collector; chunks pause it


def _worker_extract(texts: list[str]) -> list[list[RawSpan]]:
    """Extract a chunk of texts in a worker; plain tuples are cheaper to send back than models."""
    if _worker_error is not None:
        raise _worker_error
    if _worker_extractor is None:
        raise ExtractionError("An extraction worker process was started without an extractor.")
    with paused_gc():
        return [
            [(d.start, d.stop, d.label, d.normal) for d in drafts]
            for drafts in _worker_extractor.extract_many(texts)
        ]

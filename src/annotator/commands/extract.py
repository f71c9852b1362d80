"""``annotator extract PATH…``: pre-extract entities into the store without opening the app.

Files that cannot be loaded are reported one line each on stderr and the rest go ahead; progress
is a rich bar on stderr; the summary is one line on stdout. A second run finds everything
extracted or cached and never loads the model.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from annotator.commands.bulk import available_cpus
from annotator.core.corpus import CorpusLoad, load_corpus
from annotator.core.errors import UsageError
from annotator.core.extract import (
    ExtractReport,
    NatashaExtractor,
    ProgressCallback,
    extract_into_store,
)
from annotator.core.store import Store, SyncReport


def run_extract(
    *,
    paths: Sequence[Path],
    store_dir: Path,
    user: str,
    labels: Sequence[str] | None,
    workers: int | None,
) -> int:
    """Load the corpus, sync it into the store, extract what is missing; 1 if some files failed.
    ``workers`` None: :func:`default_workers`."""
    load = load_corpus(paths)
    _report_load(load)
    if not load.documents:
        raise UsageError("None of the given files could be loaded as documents.")
    with Store.open(store_dir, user=user, labels=labels) as store:
        sync = store.sync(load.documents)
        _report_sync(store, sync)
        doc_ids = list(dict.fromkeys(
            sync.stored_id(doc.id) for doc in load.documents if store.has(sync.stored_id(doc.id))
        ))
        extractor = NatashaExtractor()
        with _progress_bar(len(doc_ids), extractor.key) as on_progress:
            report = extract_into_store(
                store,
                doc_ids,
                extractor,
                workers=default_workers() if workers is None else workers,
                on_progress=on_progress,
            )
    _report_result(report)
    return 1 if load.problems or sync.skipped else 0


MAX_DEFAULT_WORKERS = 4
"""The most worker processes ``extract`` starts unasked: each loads natasha's models itself
(~270 MB and half a second to a second apiece, in parallel)."""


def default_workers() -> int:
    """One extraction process per CPU this process may use, at most :data:`MAX_DEFAULT_WORKERS`
    (``extract_into_store`` keeps runs of fewer than
    :data:`~annotator.core.extract.POOL_MIN_DOCUMENTS` uncached documents in this process)."""
    return max(1, min(available_cpus(), MAX_DEFAULT_WORKERS))


def _note(line: str) -> None:
    """One line on stderr, prefixed like the CLI's error messages."""
    print(f"annotator: {line}", file=sys.stderr)


def _report_load(load: CorpusLoad) -> None:
    for problem in load.problems:
        _note(problem)
    for warning in load.warnings:
        _note(f"warning: {warning}")


def _report_sync(store: Store, sync: SyncReport) -> None:
    """Damaged store files, documents skipped because of them, and documents changed on disk."""
    for problem in store.problems:
        _note(problem)
    for doc_id in sync.skipped:
        _note(f"document {doc_id!r} was skipped: its store file is damaged.")
    same = sync.same_as_note()
    if same is not None:
        _note(f"note: {same}")
    if sync.stale:
        names = ", ".join(sync.stale)
        _note(
            f"warning: {len(sync.stale)} documents changed on disk since they were added to the "
            f"store ({names}); their annotations stay on the stored text."
        )


def _report_result(report: ExtractReport) -> None:
    note = report.label_note()
    if note is not None:
        _note(f"warning: {note}")
    print(report.summary())


@contextmanager
def _progress_bar(total: int, extractor: str) -> Iterator[ProgressCallback]:
    """A transient rich progress bar on stderr; yields the ``on_progress`` callback.

    Nothing is drawn when stderr is not a terminal (a log stays clean). The bar refreshes on each
    document instead of from a timer thread, so this process stays single-threaded and worker
    processes can be forked safely.
    """
    console = Console(stderr=True)
    if not console.is_terminal:
        yield _ignore_progress
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[doc]}"),
        console=console,
        transient=True,
        auto_refresh=False,
    )
    task = progress.add_task(f"{extractor}", total=total, doc="")

    def on_progress(done: int, total: int, doc_id: str) -> None:
        progress.update(task, completed=done, total=total, doc=doc_id)
        progress.refresh()

    with progress:
        progress.refresh()
        yield on_progress


def _ignore_progress(done: int, total: int, doc_id: str) -> None:
    """The progress callback when there is no terminal to draw on."""

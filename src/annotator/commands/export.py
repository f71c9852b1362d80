"""``annotator export``: write the store's reviewed documents in an interchange format.

The store is opened read-only (no lock), so exporting while the review app runs is safe and reads
each document as last saved. Files are written atomically (a temp file beside the target, fsync,
``os.replace``); a symlink is written through, a FIFO or device (``/dev/null``) written as it is
(:func:`~annotator.core.atomic.write_output`); brat's folder is put in place whole
(:func:`~annotator.core.formats.brat.write_brat_folder`). Without ``-o``, or with ``-o -``, the
export goes to standard output (brat needs ``-o FOLDER``); only the export itself goes there,
notes and problems go to stderr. Nothing is ever written inside the store's folder. A failed write
is one sentence naming the output and the reason, and leaves no temp file behind.
Set ``ANNOTATOR_FIXED_TIME`` to pin the gold file's ``created`` stamp (reproducible exports).
Exit status 1 when a span could not be carried by the format (reported on stderr), else 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click

from annotator.commands.bulk import parallel_map, paused_gc, worker_count
from annotator.core.atomic import output_target, write_output
from annotator.core.errors import AnnotatorError, StoreCorruptError, UsageError
from annotator.core.forking import can_fork
from annotator.core.formats.common import Written
from annotator.core.model import Document, utc_now
from annotator.core.shard import DocData, read_document_data
from annotator.core.store import Store
from annotator.core.users import default_user

FIXED_TIME_ENV = "ANNOTATOR_FIXED_TIME"


def created_stamp() -> str:
    return os.environ.get(FIXED_TIME_ENV) or utc_now()


def export_ids(store: Store, *, include_unreviewed: bool) -> list[str]:
    """The ids of the documents to export, sorted."""
    return [summary.id for summary in store.summaries()
            if include_unreviewed or summary.status == "reviewed"]


def not_exported(doc_id: str, err: StoreCorruptError) -> str:
    return f"document {doc_id!r} was not exported: {err}"


def load_documents(store: Store, *, include_unreviewed: bool,
                   problems: list[str]) -> list[Document]:
    """The documents to export, by id; damaged ones are reported and skipped."""
    docs: list[Document] = []
    for doc_id in export_ids(store, include_unreviewed=include_unreviewed):
        try:
            docs.append(store.get(doc_id))
        except StoreCorruptError as err:
            problems.append(not_exported(doc_id, err))
    return docs


def load_data(store: Store, *, include_unreviewed: bool, problems: list[str]) -> list[DocData]:
    """:func:`load_documents` as plain data (Store.get_data): for the formats built from it."""
    docs: list[DocData] = []
    for doc_id in export_ids(store, include_unreviewed=include_unreviewed):
        try:
            docs.append(store.get_data(doc_id))
        except StoreCorruptError as err:
            problems.append(not_exported(doc_id, err))
    return docs


EncodedDoc = tuple[str, bytes | None, str | None, bool]
"""A document of a gold export: its id, its encoded record (None when it could not be read), the
problem (one sentence) when it could not, and whether it is stale."""


def encode_gold_documents(jobs: Sequence[tuple[str, Path | str]], *, include_pending: bool
                          ) -> list[EncodedDoc]:
    """Read and encode documents of a read-only store (shard paths given): the work of a gold
    export that worker processes can share. A damaged shard is reported, as by the store."""
    from annotator.core.formats.gold import encode_record, gold_record

    out: list[EncodedDoc] = []
    for doc_id, path in jobs:
        try:
            data = read_document_data(path)
        except StoreCorruptError as err:
            out.append((doc_id, None, not_exported(doc_id, err), False))
            continue
        record = gold_record(data, include_pending=include_pending)
        out.append((doc_id, encode_record(record), None, data["stale"]))
    return out


def export_gold(store: Store, ids: Sequence[str], *, include_unreviewed: bool, workers: int,
                problems: list[str], notes: list[str]) -> list[bytes]:
    """The gold file of documents ``ids`` of a read-only store, as pieces that follow each other
    (:func:`~annotator.core.formats.gold.gold_parts`): documents read, checked and encoded in
    ``workers`` processes (1: this one); the same bytes either way."""
    from annotator.core.formats.gold import gold_parts

    jobs = [(doc_id, store.shard_path(doc_id)) for doc_id in ids]
    results = parallel_map(partial(encode_gold_documents, include_pending=include_unreviewed),
                           jobs, workers)
    encoded: list[bytes] = []
    for doc_id, data, problem, stale in results:
        report_encoded(doc_id, problem, stale, problems, notes)
        if data is not None:
            encoded.append(data)
    if not encoded:
        notes.append(NOTHING_TO_EXPORT)
    return gold_parts(encoded, labels=store.labels.labels, created=created_stamp())


def report_encoded(doc_id: str, problem: str | None, stale: bool, problems: list[str],
                   notes: list[str]) -> None:
    """What a gold export says of one document it encoded (:data:`EncodedDoc`): why it could not
    be read, or that it is stale (a document that could not be read is never stale)."""
    if problem is not None:
        problems.append(problem)
    if stale:
        notes.append(stale_note(doc_id))


def streams_gold(output: Path | None, workers: int) -> bool:
    """Whether a gold export goes through :func:`write_gold_file`: to a file, in forked workers
    (Linux), the kernel can copy between files (sendfile)."""
    return output is not None and workers > 1 and can_fork() and hasattr(os, "sendfile")


def stale_note(doc_id: str) -> str:
    return (f"document {doc_id!r} is stale (its file changed since); exported with the text it "
            "was annotated on.")


NOTHING_TO_EXPORT = "no reviewed documents to export (--include-unreviewed exports the others)."


STDOUT = "-"
"""``-o -``: standard output (the single-file formats)."""


def _check_file_target(output: Path) -> None:
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give -o a file name.")
    if not output.parent.is_dir():
        raise UsageError(f"the folder {output.parent} does not exist; create it first.")


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it, symlinks resolved (folders compared by
    device and inode: a case-blind disk or a bind mount does not hide it)."""
    try:
        home = os.stat(folder)
    except OSError:
        return False
    real = Path(os.path.realpath(path))
    for where in (real, *real.parents):
        try:
            found = os.stat(where)
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (home.st_dev, home.st_ino):
            return True
    return False


def _check_outside_store(output: Path, store_dir: Path, *, folder: bool) -> None:
    """Refuse an output that would overwrite the store: a path inside its folder, or (``folder``,
    brat) a folder that holds the store."""
    if _within(output, store_dir):
        raise UsageError(f"{output} is inside the store folder {store_dir}; "
                         "give -o a path outside it.")
    if folder and _within(store_dir, output):
        raise UsageError(f"{output} holds the store folder {store_dir}; "
                         "give -o a folder outside it.")


def cannot_write(output: Path | None, err: OSError) -> str:
    """One sentence for a failed write of the export."""
    where = "standard output" if output is None else str(output)
    return f"cannot write {where}: {err.strerror or err}."


@contextmanager
def write_errors_reported(output: Path | None) -> Iterator[None]:
    """Turn an OSError of writing the export into one sentence (an AnnotatorError)."""
    try:
        yield
    except OSError as err:
        raise AnnotatorError(cannot_write(output, err)) from None


def write_folder(output: Path, docs: Sequence[Document], notes: list[str]) -> None:
    """The brat export of ``docs`` as folder ``output``, whole (see
    :func:`~annotator.core.formats.brat.write_brat_folder`)."""
    from annotator.core.formats.brat import write_brat_folder

    with write_errors_reported(output):
        note = write_brat_folder(output, docs)
    if note is not None:
        notes.append(note)


def to_stdout(data: Sequence[bytes]) -> None:
    """Write bytes (pieces that follow each other) to standard output; a reader that went away
    (``| head``) ends the command quietly with status 141, as a shell reports SIGPIPE."""
    try:
        sys.stdout.flush()
        for piece in data:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        _quiet_stdout()
        raise SystemExit(141) from None
    except OSError as err:  # a full disk, /dev/full
        _quiet_stdout()
        raise AnnotatorError(cannot_write(None, err)) from None


def _quiet_stdout() -> None:
    """Point standard output at the null device, so the interpreter's final flush of what could
    not be written stays quiet."""
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # (not a real file: a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


@paused_gc()
def run_export(*, store_dir: Path, fmt: str, output: Path | None, include_unreviewed: bool,
               workers: int | None = None) -> int:
    """``annotator export``. ``workers``: processes for a gold export of many documents (None:
    one per CPU, capped; 1: none), see :func:`annotator.commands.bulk.worker_count`."""
    if output is not None and str(output) == STDOUT:
        if fmt == "brat":
            raise UsageError("brat export writes a folder of .txt and .ann files, not standard "
                             "output; give the folder with -o.")
        output = None
    if fmt == "brat" and output is None:
        raise UsageError("brat export writes a folder of .txt and .ann files; give it with -o.")
    if output is not None:
        _check_outside_store(output, store_dir, folder=fmt == "brat")
        if fmt != "brat":
            _check_file_target(output)
    problems: list[str] = []
    notes: list[str] = []
    pieces: list[bytes] | None = None  # the file's bytes, pieces that follow each other
    with Store.open(store_dir, user=default_user(), readonly=True, create=False) as store:
        problems.extend(store.problems)
        labels = store.labels.labels
        written: Written | None = None
        if fmt == "gold":  # the largest exports: plain data, shared by worker processes
            ids = export_ids(store, include_unreviewed=include_unreviewed)
            count = worker_count(workers, len(ids))
            if streams_gold(output, count):
                assert output is not None
                with write_errors_reported(output):
                    target, streamed = output_target(output)
                if streamed:  # a FIFO or device: written as it is, after the work
                    pieces = export_gold(store, ids, include_unreviewed=include_unreviewed,
                                         workers=count, problems=problems, notes=notes)
                else:
                    from annotator.commands.gold_stream import write_gold_file

                    with write_errors_reported(output):
                        write_gold_file(store, ids, target,
                                        include_unreviewed=include_unreviewed, workers=count,
                                        problems=problems, notes=notes)
            else:
                pieces = export_gold(store, ids, include_unreviewed=include_unreviewed,
                                     workers=count, problems=problems, notes=notes)
        elif fmt == "jsonl":
            from annotator.core.formats.jsonl import write_jsonl

            data = load_data(store, include_unreviewed=include_unreviewed, problems=problems)
            notes.extend(stale_note(d["id"]) for d in data if d["stale"])
            if not data:
                notes.append(NOTHING_TO_EXPORT)
            written = write_jsonl(data, include_pending=include_unreviewed)
        else:
            docs = load_documents(store, include_unreviewed=include_unreviewed,
                                  problems=problems)
            notes.extend(stale_note(d.id) for d in docs if d.stale)
            if not docs:
                notes.append(NOTHING_TO_EXPORT)
            if fmt == "brat":
                assert output is not None
                write_folder(output, docs, notes)
            else:
                from annotator.core.formats.registry import export_bytes

                written = export_bytes(fmt, docs, labels=labels, created=created_stamp(),
                                       include_pending=include_unreviewed)
    if written is not None:
        problems.extend(written.problems)
        notes.extend(written.notes)
        pieces = [written.data]
    if pieces is not None:
        if output is None:
            to_stdout(pieces)
        else:
            with write_errors_reported(output):
                write_output(output, pieces)
    for line in [*notes, *problems]:
        click.echo(line, err=True)
    return 1 if problems else 0

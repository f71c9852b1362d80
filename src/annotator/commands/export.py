"""``annotator export``: write the store's reviewed documents in an interchange format.

The store is opened read-only (no lock), so exporting while the review app runs is safe and reads
each document as last saved. Files are written atomically (a temp file beside the target, fsync,
``os.replace``); without ``-o`` the export goes to standard output (brat needs ``-o FOLDER``).
Set ``ANNOTATOR_FIXED_TIME`` to pin the gold file's ``created`` stamp (reproducible exports).
Exit status 1 when a span could not be carried by the format (reported on stderr), else 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import click

from annotator.commands.bulk import parallel_map, paused_gc, worker_count
from annotator.core.atomic import write_atomic
from annotator.core.errors import StoreCorruptError, UsageError
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


def _check_file_target(output: Path) -> None:
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give -o a file name.")
    if not output.parent.is_dir():
        raise UsageError(f"the folder {output.parent} does not exist; create it first.")


def write_folder(output: Path, files: list[tuple[str, bytes]]) -> None:
    """Write each file atomically into ``output`` and nowhere else."""
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output} is a file; brat export needs a folder for -o.")
    output.mkdir(parents=True, exist_ok=True)
    folder = output.resolve()
    for name, data in files:
        target = folder / name
        if target.parent != folder or name in ("", ".", ".."):
            raise UsageError(f"refusing to write {name!r} outside {output}.")
        write_atomic(target, data)


def to_stdout(data: Sequence[bytes]) -> None:
    """Write bytes (pieces that follow each other) to standard output; a reader that went away
    (``| head``) ends the command quietly with status 141, as a shell reports SIGPIPE."""
    try:
        sys.stdout.flush()
        for piece in data:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush stays quiet
        raise SystemExit(141) from None


@paused_gc()
def run_export(*, store_dir: Path, fmt: str, output: Path | None, include_unreviewed: bool,
               workers: int | None = None) -> int:
    """``annotator export``. ``workers``: processes for a gold export of many documents (None:
    one per CPU, capped; 1: none), see :func:`annotator.commands.bulk.worker_count`."""
    if fmt == "brat" and output is None:
        raise UsageError("brat export writes a folder of .txt and .ann files; give it with -o.")
    if output is not None and fmt != "brat":
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
                from annotator.commands.gold_stream import write_gold_file

                assert output is not None
                write_gold_file(store, ids, output, include_unreviewed=include_unreviewed,
                                workers=count, problems=problems, notes=notes)
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
                from annotator.core.formats.brat import brat_files

                assert output is not None
                write_folder(output, brat_files(docs))
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
            write_atomic(output, pieces)
    for line in [*notes, *problems]:
        click.echo(line, err=True)
    return 1 if problems else 0

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
from pathlib import Path

import click

from annotator.commands.bulk import paused_gc
from annotator.core.atomic import write_atomic
from annotator.core.errors import StoreCorruptError, UsageError
from annotator.core.model import Document, utc_now
from annotator.core.store import Store
from annotator.core.users import default_user

FIXED_TIME_ENV = "ANNOTATOR_FIXED_TIME"


def created_stamp() -> str:
    return os.environ.get(FIXED_TIME_ENV) or utc_now()


def load_documents(store: Store, *, include_unreviewed: bool,
                   problems: list[str]) -> list[Document]:
    """The documents to export, by id; damaged ones are reported and skipped."""
    docs: list[Document] = []
    for summary in store.summaries():
        if not include_unreviewed and summary.status != "reviewed":
            continue
        try:
            docs.append(store.get(summary.id))
        except StoreCorruptError as err:
            problems.append(f"document {summary.id!r} was not exported: {err}")
    return docs


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


def to_stdout(data: bytes) -> None:
    """Write bytes to standard output; a reader that went away (``| head``) ends the command
    quietly with status 141, as a shell reports SIGPIPE."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush stays quiet
        raise SystemExit(141) from None


@paused_gc()
def run_export(*, store_dir: Path, fmt: str, output: Path | None, include_unreviewed: bool) -> int:
    if fmt == "brat" and output is None:
        raise UsageError("brat export writes a folder of .txt and .ann files; give it with -o.")
    if output is not None and fmt != "brat":
        _check_file_target(output)
    problems: list[str] = []
    with Store.open(store_dir, user=default_user(), readonly=True, create=False) as store:
        problems.extend(store.problems)
        docs = load_documents(store, include_unreviewed=include_unreviewed, problems=problems)
        labels = store.labels.labels
    notes = [
        f"document {d.id!r} is stale (its file changed since); exported with the text it was "
        "annotated on."
        for d in docs if d.stale
    ]
    if not docs:
        notes.append("no reviewed documents to export (--include-unreviewed exports the others).")
    if fmt == "brat":
        from annotator.core.formats.brat import brat_files

        assert output is not None
        write_folder(output, brat_files(docs))
    else:
        from annotator.core.formats.registry import export_bytes

        written = export_bytes(fmt, docs, labels=labels, created=created_stamp(),
                               include_pending=include_unreviewed)
        problems.extend(written.problems)
        notes.extend(written.notes)
        if output is None:
            to_stdout(written.data)
        else:
            write_atomic(output, written.data)
    for line in [*notes, *problems]:
        click.echo(line, err=True)
    return 1 if problems else 0

"""``annotator import``: another extractor's predictions (pending) or a gold corpus (accepted).

Every refused span or document is reported on stderr, one sentence each, and the rest is imported;
the exit status is 1 when anything was refused, else 0. A file that is not in the named format at
all stops the command with one sentence naming the file (and line).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from annotator.core.errors import StoreLockedError
from annotator.core.formats.ingest import ImportMode, ingest
from annotator.core.formats.registry import read_path
from annotator.core.store import Store


def run_import(*, path: Path, fmt: str, as_: str, name: str | None, widen_labels: bool,
               store_dir: Path, user: str) -> int:
    result = read_path(path, fmt)
    source_name = name or path.stem or path.resolve().name
    try:
        store = Store.open(store_dir, user=user)
    except StoreLockedError:
        raise StoreLockedError(locked_message(store_dir)) from None
    with store:
        report = ingest(store, result, mode=cast(ImportMode, as_), name=source_name,
                        widen_labels=widen_labels)
    for line in [*report.notes, *report.problems]:
        click.echo(line, err=True)
    if report.added_labels:
        click.echo(f"added labels {', '.join(report.added_labels)} to the store")
    what = "spans of a gold corpus" if as_ == "accepted" else \
        f"pending spans (origin import:{source_name})"
    click.echo(
        f"imported {report.spans} {what} into {report.documents} documents "
        f"({report.new_documents} new)."
    )
    return 1 if report.problems else 0


def locked_message(store_dir: Path) -> str:
    """What ``import`` says when another process holds the store's write lock (the store's own
    message offers ``--readonly``, which only the review app has)."""
    holder = Store.lock_holder(store_dir)
    who = holder.describe() if holder is not None and holder.pid > 0 else "another process"
    return (
        f"The store {store_dir} is in use by {who}; nothing was imported: wait until that "
        "process ends (quit the annotator there), then run the import again."
    )

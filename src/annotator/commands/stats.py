"""``annotator stats``: each document's status and counts, and the model's report card.

``--json`` prints ``{"documents": [{"id", "lang", "status", "extractor", "pending", "accepted",
"rejected", "added", "stale", "flags", "comment"}, ...], "labels": {LABEL: card}, "origins":
{ORIGIN: {LABEL: card}}}``
(cards: see :mod:`annotator.core.reportcard`). The store is opened read-only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from annotator.core.errors import StoreCorruptError
from annotator.core.model import DocSummary, Document
from annotator.core.reportcard import ReportCard, report_card
from annotator.core.store import Store
from annotator.core.users import default_user

DOCUMENT_TABLE_LIMIT = 100


def document_row(summary: DocSummary, comment: str = "") -> dict[str, Any]:
    return {
        "id": summary.id,
        "lang": summary.lang,
        "status": summary.status,
        "extractor": summary.extractor,
        "pending": summary.pending,
        "accepted": summary.accepted,
        "rejected": summary.rejected,
        "added": summary.added,
        "stale": summary.stale,
        "flags": list(summary.flags),
        "comment": comment,
    }


def _cell(value: Any) -> str:
    """A value of a document row as the table shows it."""
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _tables(rows: list[dict[str, Any]], card: ReportCard) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 120)
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    console.print(f"{len(rows)} documents" + (f": {summary}" if summary else ""))
    if rows and len(rows) <= DOCUMENT_TABLE_LIMIT:
        docs = Table(title="documents", title_justify="left")
        for column in rows[0]:
            docs.add_column(column, justify="right" if column in (
                "pending", "accepted", "rejected", "added") else "left")
        for row in rows:
            docs.add_row(*(_cell(v) for v in row.values()))
        console.print(docs)
    elif rows:
        console.print("(use --json for the per-document list)")
    table = Table(title="model report card (by the model's label)", title_justify="left")
    for column in ("label", "model", "accepted", "relabeled", "adjusted", "rejected", "pending",
                   "missed", "relabeled to"):
        table.add_column(column, justify="left" if column in ("label", "relabeled to")
                         else "right")
    for label, c in sorted(card.labels.items()):
        moved = ", ".join(f"{k} {n}" for k, n in sorted(c.relabeled_to.items()))
        table.add_row(label, *(str(n) for n in (c.model, c.accepted, c.relabeled, c.adjusted,
                                                c.rejected, c.pending, c.missed)), moved)
    console.print(table)


def run_stats(*, store_dir: Path, as_json: bool) -> int:
    problems: list[str] = []
    docs: list[Document] = []
    with Store.open(store_dir, user=default_user(), readonly=True, create=False) as store:
        problems.extend(store.problems)
        summaries = store.summaries()
        for summary in summaries:
            try:
                docs.append(store.get(summary.id))
            except StoreCorruptError as err:
                problems.append(f"document {summary.id!r} left out of the report card: {err}")
        labels = store.labels.labels
    comments = {doc.id: doc.comment for doc in docs}
    rows = [document_row(s, comments.get(s.id, "")) for s in summaries]
    card = report_card(docs, labels)
    for line in problems:
        click.echo(line, err=True)
    if as_json:
        click.echo(json.dumps({"documents": rows, **card.as_dict()}, ensure_ascii=False,
                              indent=2))
    else:
        _tables(rows, card)
    return 0

"""``annotator evaluate GOLD PRED``: score predictions against gold.

GOLD and PRED may be files in any readable format, told apart by content (gold or Label Studio
JSON; jsonl, spacy or doccano JSON Lines; a folder or .ann file for brat); GOLD may also be a store
folder, whose *reviewed* documents are the gold. Gold is the accepted spans only (from a gold file,
its ``entities``). Documents are matched by sha256 when both sides give it (or their text), else by
id; those missing on either side are reported on stderr and counted (``missing_in_pred``,
``missing_in_gold``, and in the table's title). Only matched documents are scored, unless
``--missing-as-empty``: then a GOLD document PRED does not have is scored as one in which nothing
was predicted (its entities all missed), so predictions left out cannot raise a score.

``--json`` prints one report in DESIGN.md's shape (plus ``semeval`` counts for span schemes, the
missing counts, and ``pred_spans_left_out``: predicted spans that did not fit their text, each
reported on stderr and not scored); with several schemes, ``{"schemes": [report, ...]}`` in the
order asked.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import click

from annotator.commands.bulk import parallel_map, paused_gc, worker_count
from annotator.commands.gold_pieces import (
    GoldRead,
    check_document,
    check_spans,
    read_gold_pieces,
)
from annotator.core.errors import StoreCorruptError, UsageError
from annotator.core.evaluate import EvalDoc, Report, evaluate, token_counts
from annotator.core.formats.common import Entity, ImportedDoc, PlainDoc, PlainSpan

PRED_SPAN_PROBLEM = re.compile(r"PRED: document .*?: span -?\d+\.\.-?\d+ ")
"""The start of the sentence about a predicted span left out (it does not fit its text)."""


@dataclass
class Side:
    """One side's documents as plain data; ``checked`` holds, for each document checked against
    its own text, its spans' ``(start, stop, label)`` that fit (by index)."""

    docs: list[PlainDoc]
    problems: list[str] = field(default_factory=list)
    checked: dict[int, list[Entity]] = field(default_factory=dict)


def _from_store(path: Path, role: str) -> Side:
    if role != "GOLD":
        raise UsageError(f"{path} is an annotation store; only GOLD may be a store (export the "
                         "predictions to a file first).")
    from annotator.core.store import Store
    from annotator.core.users import default_user

    docs: list[PlainDoc] = []
    with Store.open(path, user=default_user(), readonly=True, create=False) as store:
        problems = list(store.problems)
        for summary in store.summaries():
            if summary.status != "reviewed":
                continue
            try:
                doc = store.get_data(summary.id)  # plain data: read without pydantic
            except StoreCorruptError as err:
                problems.append(f"GOLD: document {summary.id!r} was left out: {err}")
                continue
            spans: list[PlainSpan] = [(s["start"], s["stop"], s["label"], s["text"])
                                      for s in doc["spans"] if s["state"] == "accepted"]
            docs.append(PlainDoc(doc["id"], doc["text"], doc["sha256"], spans))
    if not docs:
        problems.append(f"the store {path} has no reviewed documents to use as gold.")
    return Side(docs, problems, {i: _keys(d) for i, d in enumerate(docs)})


def _plain(doc: ImportedDoc) -> PlainDoc:
    return PlainDoc(doc.id, doc.text, doc.sha256,
                    [(s.start, s.stop, s.label, s.text) for s in doc.spans
                     if s.state in (None, "accepted")])


def load_sides(gold: Path, pred: Path, workers: int | None) -> tuple[Side, Side]:
    """GOLD's and PRED's documents (:func:`load_side`). When GOLD is read in worker processes,
    PRED is read here meanwhile; an error reading it is raised only once GOLD is read, so the
    first error reported is GOLD's, as when they are read one after the other."""
    pred_read: list[Side | Exception] = []

    def read_pred() -> None:
        try:
            pred_read.append(load_side(pred, "PRED", 1))
        except Exception as error:  # noqa: BLE001 - raised below, after GOLD's errors
            pred_read.append(error)

    gold_side = load_side(gold, "GOLD", workers, meanwhile=read_pred)
    if not pred_read:
        return gold_side, load_side(pred, "PRED", workers)
    if isinstance(pred_read[0], Exception):
        raise pred_read[0]
    return gold_side, pred_read[0]


def load_side(path: Path, role: str, workers: int | None = None,
              meanwhile: Callable[[], object] | None = None) -> Side:
    """One side's documents with gold-type spans only, each span checked against the text.

    A gold file as ``export`` writes it is read in worker processes, document by document
    (:func:`~annotator.commands.gold_pieces.read_gold_pieces`; ``workers`` as for
    :func:`~annotator.commands.bulk.worker_count`). Other gold JSON and JSON Lines files that
    certainly pass the readers' checks are read as plain data
    (:func:`~annotator.core.formats.registry.read_plain`); any other file is read by its reader,
    as before, and its documents turned into the same plain data. ``meanwhile``: see
    :func:`~annotator.commands.gold_pieces.read_gold_pieces` (called only when the file is read
    in worker processes)."""
    pieces = read_gold_pieces(path, role, workers, meanwhile)
    if pieces is not None:
        return _side_of_pieces(pieces)
    from annotator.core.formats import registry  # imports the models (pydantic)

    sniffed = registry.sniff(path)
    if sniffed.fmt == "store":
        return _from_store(path, role)
    side = Side([])
    plain = registry.read_plain(sniffed)
    if plain is None:
        result = registry.read_sniffed(path, sniffed, accepted_only=True)
        side.problems.extend(f"{role}: {p}" for p in result.problems)
        plain = [_plain(doc) for doc in result.docs]
    labels_ok: dict[str, bool] = {}
    for doc in plain:
        if doc.text is not None:
            doc.sha256, good, problems = check_document(doc, doc.text, role, labels_ok)
            side.problems.extend(problems)
            if good is None:
                continue
            side.checked[len(side.docs)] = good
        side.docs.append(doc)
    return side


def _side_of_pieces(pieces: list[GoldRead]) -> Side:
    """A side from the documents :func:`read_gold_pieces` read. Each comes with its text, so its
    spans are only needed checked (``Side.checked``); ``PlainDoc.spans`` is left empty."""
    side = Side([])
    for doc_id, text, sha256, good, problems in pieces:
        side.problems.extend(problems)
        if good is not None:
            side.checked[len(side.docs)] = good
            side.docs.append(PlainDoc(doc_id, text, sha256, []))
    return side


def _checked(doc: PlainDoc, text: str, role: str, problems: list[str],
             labels_ok: dict[str, bool] | None = None) -> list[Entity]:
    good, span_problems = check_spans(doc, text, role, {} if labels_ok is None else labels_ok)
    problems.extend(span_problems)
    return good


def pair(gold: Side, pred: Side, problems: list[str],
         missing_as_empty: bool = False) -> tuple[list[EvalDoc], int, int]:
    """Matched documents, and how many are missing in PRED and in GOLD. ``missing_as_empty``:
    a GOLD document missing in PRED is scored as one with nothing predicted."""
    by_sha: dict[str, int] = {}
    by_id: dict[str, int] = {}
    for i, doc in enumerate(gold.docs):
        if doc.sha256:
            by_sha.setdefault(doc.sha256, i)
        by_id.setdefault(doc.id, i)
    used: set[int] = set()
    differs: set[int] = set()  # GOLD documents whose id PRED has, with another text
    docs: list[EvalDoc] = []
    missing_in_gold = 0
    labels_ok: dict[str, bool] = {}
    for n, p in enumerate(pred.docs):
        index = by_sha.get(p.sha256) if p.sha256 else None
        if index is None and p.id in by_id:
            candidate = by_id[p.id]
            if p.sha256 and gold.docs[candidate].sha256 and p.sha256 != gold.docs[candidate].sha256:
                problems.append(f"document {p.id!r}: its text in PRED differs from GOLD's "
                                "(another sha256); not scored.")
                differs.add(candidate)
                missing_in_gold += 1
                continue
            else:
                index = candidate
        if index is None:
            problems.append(f"document {p.id!r} is in PRED but not in GOLD; not scored.")
            missing_in_gold += 1
            continue
        if index in used:
            problems.append(f"document {p.id!r} appears twice in PRED; only the first is scored.")
            continue
        used.add(index)
        g = gold.docs[index]
        gold_spans = gold.checked.get(index)
        pred_spans = pred.checked.get(n)
        if p.text is None and g.text is not None:
            pred_spans = _checked(p, g.text, "PRED", problems, labels_ok)
        if g.text is None and p.text is not None:
            gold_spans = _checked(g, p.text, "GOLD", problems, labels_ok)
        docs.append(EvalDoc(g.id, g.text if g.text is not None else p.text,
                            gold_spans if gold_spans is not None else _keys(g),
                            pred_spans if pred_spans is not None else _keys(p)))
    missing_in_pred = 0
    for i, g in enumerate(gold.docs):
        if i not in used:
            missing_in_pred += 1
            if not missing_as_empty:
                if i in differs:
                    continue  # said above
                problems.append(f"document {g.id!r} is in GOLD but not in PRED; not scored "
                                "(--missing-as-empty scores it as predicting nothing).")
                continue
            problems.append(f"document {g.id!r} is in GOLD but not in PRED; scored as "
                            "predicting nothing.")
            gold_spans = gold.checked.get(i)
            docs.append(EvalDoc(g.id, g.text,
                                gold_spans if gold_spans is not None else _keys(g), []))
    return docs, missing_in_pred, missing_in_gold


def _keys(doc: PlainDoc) -> list[Entity]:
    """The spans of a document scored unchecked (neither side gives the text)."""
    return [(s[0], s[1], s[2]) for s in doc.spans]


def _notes(report: Report) -> list[str]:
    """The lines under the table about what was not scored: GOLD documents PRED does not have,
    and predicted spans that did not fit their text."""
    notes = []
    missing = report.extra.get("missing_in_pred", 0)
    if missing and report.extra.get("missing_as_empty"):
        notes.append(f"{missing} of these documents missing in PRED, scored as predicting nothing.")
    elif missing:
        notes.append(f"{missing} more in GOLD but not in PRED, not scored "
                     "(--missing-as-empty scores them as predicting nothing).")
    left_out = report.extra.get("pred_spans_left_out", 0)
    if left_out:
        notes.append(f"{left_out} predicted span{'' if left_out == 1 else 's'} did not fit "
                     "{} text and {} left out (see above): the scores do not count {}.".format(
                         *(("its", "was", "it") if left_out == 1 else ("their", "were", "them"))))
    return notes


def _table(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{report.scheme} — {report.documents} documents",
                  title_justify="left")
    for column in ("label", "precision", "recall", "F1", "tp", "fp", "fn"):
        table.add_column(column, justify="left" if column == "label" else "right")
    span_scheme = report.semeval_micro is not None
    if span_scheme:
        for column in ("correct", "incorrect", "partial", "missed", "spurious"):
            table.add_column(column, justify="right")
    rows = [*report.labels.items(), ("micro", report.micro), ("macro", report.macro)]
    for name, s in rows:
        if name == "micro":
            table.add_section()
        cells = [name, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}",
                 f"{s.tp:g}", f"{s.fp:g}", f"{s.fn:g}"]
        if span_scheme:
            c = report.semeval_micro if name == "micro" else \
                None if name == "macro" else report.semeval_labels.get(name)
            cells += [str(v) for v in (c.correct, c.incorrect, c.partial, c.missed,
                                       c.spurious)] if c else [""] * 5
        table.add_row(*cells)
    console = Console(width=None if sys.stdout.isatty() else 120)
    console.print(table)
    for note in _notes(report):
        console.print(note, soft_wrap=True, highlight=False)


@paused_gc()
def run_evaluate(*, gold: Path, pred: Path, schemes: Sequence[str], as_json: bool,
                 workers: int | None = None, missing_as_empty: bool = False) -> int:
    """``annotator evaluate``. ``workers``: processes that read a large gold file and split the
    texts into tokens for the token scheme (None: one per CPU, capped, when there are many
    documents; 1: none), see :func:`annotator.commands.bulk.worker_count`; the scores and
    messages are the same for any number."""
    gold_side, pred_side = load_sides(gold, pred, workers)
    problems = [*gold_side.problems, *pred_side.problems]
    docs, missing_in_pred, missing_in_gold = pair(gold_side, pred_side, problems,
                                                  missing_as_empty)
    for line in problems:
        click.echo(line, err=True)
    if not docs:
        raise UsageError(f"no document of {pred} matches one of {gold}; nothing to score.")
    pred_spans_left_out = sum(1 for line in problems if PRED_SPAN_PROBLEM.match(line))
    processes = worker_count(workers, len(docs))
    reports = []
    for scheme in schemes:
        report = evaluate(docs, scheme,
                          token_counter=partial(parallel_map, token_counts, workers=processes))
        report.extra = {"missing_in_pred": missing_in_pred, "missing_in_gold": missing_in_gold,
                        "missing_as_empty": missing_as_empty,
                        "pred_spans_left_out": pred_spans_left_out}
        reports.append(report)
    if as_json:
        body = reports[0].as_json() if len(reports) == 1 else \
            {"schemes": [r.as_json() for r in reports]}
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _table(report)
    return 0


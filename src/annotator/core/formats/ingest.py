"""Loading what a reader found into the store: predictions to review, or an existing gold corpus.

Documents are matched by id; a document whose text (sha256) differs from the stored one with that
id is refused, and one whose id is unknown is matched by sha256 (brat file names, for instance, are
ids made safe). Documents that are not in the store are added when the file carries their text.
Every span is checked against the document text (range, order, surface, label) first; refused spans
and documents are reported one sentence each, and the rest proceeds.

``pending`` (default): the spans become pending suggestions with origin ``import:<name>``;
labels outside the store's set are refused unless ``widen_labels``. ``accepted``: the spans are
gold — their state and decision come from the file (``accepted`` when it does not say), new labels
widen the store's label set (said once), the document's status comes from the file (``reviewed``
when it does not say). A stored pending span with the same bounds and label is decided rather
than duplicated; spans already decided in the store are kept as they are. When the file says a
document is ``reviewed``, its entities are all the document has: the stored spans still pending
(a model's suggestions the file does not hold) are rejected, and the note says how many.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from annotator.core.corpus import detect_lang
from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    ReadResult,
    check_doc,
    sha256_of,
)
from annotator.core.model import (
    DecisionKind,
    DocStatus,
    Document,
    Span,
    SpanDraft,
    SpanState,
    utc_now,
)
from annotator.core.store import Store, next_span_number

ImportMode = Literal["pending", "accepted"]
_DECISIONS: tuple[DecisionKind, ...] = ("accepted", "relabeled", "adjusted", "added", "rejected")


@dataclass
class IngestReport:
    documents: int = 0
    new_documents: int = 0
    spans: int = 0
    added_labels: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    source: ImportedDoc
    target: str
    existing: Document | None
    text: str
    sha256: str
    spans: list[ImportedSpan]


def _locate(store: Store, doc: ImportedDoc, by_sha: dict[str, str],
            report: IngestReport) -> _Plan | None:
    sha = doc.sha256
    if doc.text is not None:
        actual = sha256_of(doc.text)
        if sha is not None and sha != actual:
            report.problems.append(
                f"document {doc.id!r}: its sha256 {sha[:12]}… does not match its text "
                f"({actual[:12]}…); not imported."
            )
            return None
        sha = actual
    target: str | None = None
    if store.has(doc.id):
        if sha is None or sha == store.summary(doc.id).sha256:
            target = doc.id
        elif sha in by_sha:
            target = by_sha[sha]
        else:
            report.problems.append(
                f"document {doc.id!r}: its text differs from the stored document with that id "
                "(another sha256); not imported."
            )
            return None
    elif sha is not None and sha in by_sha:
        target = by_sha[sha]
    if target is not None:
        existing = store.get(target)
        return _Plan(doc, target, existing, existing.text, existing.sha256, [])
    if doc.text is None or sha is None:
        report.problems.append(
            f"document {doc.id!r} is not in the store and the file does not carry its text; "
            "not imported."
        )
        return None
    return _Plan(doc, doc.id, None, doc.text, sha, [])


def _wanted(span: ImportedSpan, mode: ImportMode) -> bool:
    """Predictions are the spans a file asserts; rejected (and undecided) ones are not."""
    return mode == "accepted" or span.state in (None, "accepted")


def ingest(store: Store, result: ReadResult, *, mode: ImportMode, name: str,
           widen_labels: bool) -> IngestReport:
    """Load ``result`` into ``store``; see the module docstring for the rules."""
    report = IngestReport(problems=list(result.problems))
    by_sha: dict[str, str] = {}
    for summary in store.summaries():
        by_sha.setdefault(summary.sha256, summary.id)
    plans: list[_Plan] = []
    claimed: set[str] = set()
    for doc in result.docs:
        plan = _locate(store, doc, by_sha, report)
        if plan is None:
            continue
        if plan.target in claimed:
            report.problems.append(
                f"document {doc.id!r} appears twice in the file; only the first is imported."
            )
            continue
        claimed.add(plan.target)
        good, problems = check_doc(doc, plan.text)
        report.problems.extend(problems)
        plan.spans = [s for s in good if _wanted(s, mode)]
        plans.append(plan)
    _labels(store, plans, mode, widen_labels, report)
    for plan in plans:
        if mode == "pending":
            _load_pending(store, plan, name, report)
        else:
            _load_gold(store, plan, name, report)
    return report


def _labels(store: Store, plans: list[_Plan], mode: ImportMode, widen: bool,
            report: IngestReport) -> None:
    known = set(store.labels.labels)
    unknown = list(dict.fromkeys(s.label for p in plans for s in p.spans if s.label not in known))
    if unknown and (mode == "accepted" or widen):
        report.added_labels = store.widen_labels(unknown)
        return
    if not unknown:
        return
    allowed = ", ".join(store.labels.labels)
    for plan in plans:
        kept: list[ImportedSpan] = []
        for span in plan.spans:
            if span.label in known:
                kept.append(span)
            else:
                report.problems.append(
                    f"document {plan.source.id!r}: span {span.start}..{span.stop} has label "
                    f"{span.label!r}, which is not in the store's label set ({allowed}); not "
                    "imported (--widen-labels adds it)."
                )
        plan.spans = kept


def _new_document(plan: _Plan, status: DocStatus, spans: Sequence[Span] = ()) -> Document:
    doc = plan.source
    return Document(
        id=plan.target,
        source=doc.source or f"{plan.target}.txt",
        text=plan.text,
        sha256=plan.sha256,
        meta=dict(doc.meta or {}),
        lang=detect_lang(plan.text),
        status=status,
        spans=list(spans),
    )


def _load_pending(store: Store, plan: _Plan, name: str, report: IngestReport) -> None:
    origin = f"import:{name}"
    if plan.existing is None:
        store.put(_new_document(plan, "unreviewed"), action="import")
        report.new_documents += 1
    drafts = [SpanDraft(start=s.start, stop=s.stop, label=s.label, normal=s.normal)
              for s in plan.spans]
    before = len(plan.existing.spans) if plan.existing else 0
    after = store.load_predictions(plan.target, origin, drafts, origin=origin)
    report.spans += len(after.spans) - before
    report.documents += 1


def _gold_span(span: ImportedSpan, span_id: str, text: str, name: str, user: str) -> Span:
    state: SpanState = span.state or "accepted"
    origin = span.origin or f"import:{name}"
    decision: DecisionKind | None = None
    if state == "rejected":
        decision = "rejected"
    elif state == "accepted":
        decision = next((d for d in _DECISIONS if d == span.decision and d != "rejected"),
                        "added" if origin == "manual" else "accepted")
    decided = state != "pending"
    return Span(
        id=span_id, start=span.start, stop=span.stop, label=span.label,
        text=text[span.start : span.stop], normal=span.normal, origin=origin, state=state,
        decision=decision,
        annotator=(span.annotator or user) if decided else None,
        time=(span.time or utc_now()) if decided else None,
    )


def _load_gold(store: Store, plan: _Plan, name: str, report: IngestReport) -> None:
    existing = plan.existing
    spans: list[Span] = list(existing.spans) if existing else []
    number = next_span_number(store, existing.id) if existing else 1
    added = 0
    for imported in plan.spans:
        gold = _gold_span(imported, f"s{number}", plan.text, name, store.user)
        same = next((i for i, s in enumerate(spans) if s.key() == imported.key()), None)
        if same is None:
            spans.append(gold)
            number += 1
            added += 1
        elif spans[same].state == "pending" and gold.state != "pending":
            spans[same] = spans[same].model_copy(update={
                "state": gold.state,
                "decision": "rejected" if gold.state == "rejected" else "accepted",
                "normal": spans[same].normal or gold.normal,
                "annotator": gold.annotator,
                "time": gold.time,
            })
            added += 1
    status: DocStatus = plan.source.status or "reviewed"
    if plan.source.status == "reviewed":
        spans = _reject_pending(spans, plan.target, store.user, report)
    pending = sum(1 for s in spans if s.state == "pending")
    if status == "reviewed" and pending:
        status = "in_progress"
        report.notes.append(
            f"document {plan.target!r} still has {pending} pending spans; marked in_progress "
            "rather than reviewed."
        )
    notes = _notes_of(plan.source)
    if existing is None:
        new = _new_document(plan, status, spans)
        store.put(new.model_copy(update=notes) if notes else new, action="import")
        report.new_documents += 1
    else:
        store.put(existing.model_copy(update={"spans": spans, "status": status, **notes}),
                  action="import")
    report.spans += added
    report.documents += 1


def _notes_of(doc: ImportedDoc) -> dict[str, object]:
    """The reviewer's flags and comment the file gives for a document (a gold file carries them
    when there are any), as fields to set on the stored one."""
    notes: dict[str, object] = {}
    if doc.flags is not None:
        notes["flags"] = list(dict.fromkeys(doc.flags))
    if doc.comment is not None:
        notes["comment"] = doc.comment
    return notes


def _reject_pending(spans: list[Span], doc_id: str, user: str, report: IngestReport) -> list[Span]:
    """The spans with every one still pending rejected: the file says the document is reviewed,
    so its entities are all there are (a model's suggestion it does not hold is not one)."""
    pending = [i for i, s in enumerate(spans) if s.state == "pending"]
    if not pending:
        return spans
    now = utc_now()
    out = list(spans)
    for i in pending:
        out[i] = spans[i].model_copy(
            update={"state": "rejected", "decision": "rejected", "annotator": user, "time": now}
        )
    report.notes.append(
        f"document {doc_id!r}: the file says it is reviewed, so its {len(pending)} pending "
        f"span{'' if len(pending) == 1 else 's'} the file does not hold "
        f"{'was' if len(pending) == 1 else 'were'} rejected."
    )
    return out

"""Scoring predicted spans against gold: SemEval-2013 span schemes and naeval's token scheme.

Entities are ``(start, stop, label)`` with code-point offsets, ``stop`` exclusive. Each document's
gold and predicted entities are deduplicated and taken in ``(start, stop, label)`` order.

**Span schemes** (``strict``, ``exact``, ``partial``, ``type``) count exactly as nervaluate (1.x)
does, SemEval-2013 style. For each predicted entity in order, against the gold entities not yet
matched (nervaluate's greedy pass, reproduced step for step, including its minimum overlap of 1 %
of the gold span's length):

- ``strict``: same bounds and label → *correct*; else the first overlapping gold → *incorrect*;
  else *spurious*.
- ``exact``: same bounds, any label → *correct*; else first overlapping gold → *incorrect*.
- ``partial``: same bounds, any label → *correct*; else first overlapping gold → *partial*.
- ``type`` (nervaluate's ``ent_type``): an overlapping gold with the same label → *correct* (the
  closest by boundary distance); else first overlapping gold → *incorrect*.

Gold entities left unmatched are *missed*. ``actual = correct + incorrect + partial + spurious``
(what was predicted), ``possible = correct + incorrect + partial + missed`` (what was to find).
Counts are summed over documents, then ``precision = tp / actual`` and ``recall = tp / possible``
where **tp = correct + 0.5 × partial** (partial is 0 outside the ``partial`` scheme; nervaluate's
half weighting), **fp = actual − tp** and **fn = possible − tp**: an *incorrect* entity counts once
as a false positive and once as a false negative, and a *partial* one half of each. So tp/fp/fn
may end in .5 under ``partial``. Per-label results score each label's entities alone (nervaluate's
per-type evaluation); **micro** is nervaluate's overall evaluation, all labels scored together (for
``exact`` and ``partial`` labels are ignored there, by definition).

**Token scheme** (``token``): naeval's definition, used for natasha's published scores. The text is
split into razdel tokens; for each label, a token is *positive* when it starts inside a span of that
label (IO tagging: no B/I distinction). Per label, tp/fp/fn count tokens positive in both, only in
the prediction, only in gold — **summed over all documents** before precision/recall/F1. Micro sums
tp/fp/fn over labels.

For every scheme: ``f1 = 2PR / (P + R)``; **macro** is the unweighted mean of the per-label
precision, recall and F1 (its tp/fp/fn are the per-label sums); labels are those present in gold or
predictions; **a zero denominator gives 0.0**.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.core.errors import UsageError
from annotator.core.tokens import token_starts_near

Entity = tuple[int, int, str]
SPAN_SCHEMES = ("strict", "exact", "partial", "type")
SCHEMES = (*SPAN_SCHEMES, "token")
MIN_OVERLAP_PERCENT = 1.0


@dataclass
class SemEval:
    """SemEval-2013 counts for one scheme."""

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    @property
    def actual(self) -> int:
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def possible(self) -> int:
        return self.correct + self.incorrect + self.partial + self.missed

    def add(self, other: SemEval) -> None:
        self.correct += other.correct
        self.incorrect += other.incorrect
        self.partial += other.partial
        self.missed += other.missed
        self.spurious += other.spurious

    def as_dict(self) -> dict[str, int]:
        return {"correct": self.correct, "incorrect": self.incorrect, "partial": self.partial,
                "missed": self.missed, "spurious": self.spurious, "possible": self.possible,
                "actual": self.actual}


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    tp: float
    fp: float
    fn: float

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": _number(self.tp), "fp": _number(self.fp), "fn": _number(self.fn)}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _f1(precision: float, recall: float) -> float:
    return 2 * (precision * recall) / (precision + recall) if precision + recall > 0 else 0.0


def scores_of_counts(tp: float, fp: float, fn: float) -> Scores:
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    return Scores(precision, recall, _f1(precision, recall), tp, fp, fn)


def scores_of_semeval(counts: SemEval, scheme: str) -> Scores:
    """Precision/recall/F1 as nervaluate computes them, with tp/fp/fn derived (see module doc)."""
    actual, possible = counts.actual, counts.possible
    if scheme in ("partial", "type"):
        tp: float = counts.correct + 0.5 * counts.partial
    else:
        tp = counts.correct
    precision = tp / actual if actual > 0 else 0.0
    recall = tp / possible if possible > 0 else 0.0
    return Scores(precision, recall, _f1(precision, recall), tp, actual - tp, possible - tp)


def _overlaps(pred: Entity, true: Entity) -> bool:
    """nervaluate's test: any overlap covering at least 1 % of the gold span (inclusive ends)."""
    pred_end, true_end = pred[1] - 1, true[1] - 1
    if pred[0] > true_end or pred_end < true[0]:
        return False
    overlap = min(pred_end, true_end) - max(pred[0], true[0]) + 1
    return (overlap / (true_end - true[0] + 1)) * 100.0 >= MIN_OVERLAP_PERCENT


def semeval(true: Sequence[Entity], pred: Sequence[Entity], scheme: str) -> SemEval:
    """One document's counts under a span scheme, matching nervaluate's strategies exactly."""
    result = SemEval()
    matched: set[int] = set()
    for p in pred:
        verdict, index = _match(p, true, matched, scheme)
        if verdict == "spurious":
            result.spurious += 1
            continue
        matched.add(index)
        if verdict == "correct":
            result.correct += 1
        elif verdict == "partial":
            result.partial += 1
        else:
            result.incorrect += 1
    result.missed = len(true) - len(matched)
    return result


def _match(p: Entity, true: Sequence[Entity], matched: set[int], scheme: str) -> tuple[str, int]:
    fallback = -1
    if scheme == "type":
        best, best_distance = -1, 0
        for i, t in enumerate(true):
            if i in matched or not _overlaps(p, t):
                continue
            distance = abs(p[0] - t[0]) + abs(p[1] - t[1])
            if p[2] == t[2]:
                if best < 0 or distance < best_distance:
                    best, best_distance = i, distance
            elif fallback < 0:
                fallback = i
        if best >= 0:
            return "correct", best
        return ("incorrect", fallback) if fallback >= 0 else ("spurious", -1)
    for i, t in enumerate(true):
        if i in matched:
            continue
        same_bounds = p[0] == t[0] and p[1] == t[1]
        if scheme == "partial":
            if _overlaps(p, t):
                if same_bounds:
                    return "correct", i
                if fallback < 0:
                    fallback = i
            continue
        if same_bounds and (scheme == "exact" or p[2] == t[2]):
            return "correct", i
        if fallback < 0 and _overlaps(p, t):
            fallback = i
    if fallback < 0:
        return "spurious", -1
    return ("partial" if scheme == "partial" else "incorrect"), fallback


@dataclass
class EvalDoc:
    """One document to score: gold and predicted entities (text needed by the token scheme)."""

    id: str
    text: str | None
    gold: Sequence[Entity]
    pred: Sequence[Entity]


@dataclass
class Report:
    scheme: str
    labels: dict[str, Scores]
    micro: Scores
    macro: Scores
    documents: int
    semeval_micro: SemEval | None = None
    semeval_labels: dict[str, SemEval] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The ``evaluate --json`` shape of DESIGN.md, plus SemEval counts for span schemes."""
        out: dict[str, Any] = {
            "scheme": self.scheme,
            "labels": {label: s.as_dict() for label, s in self.labels.items()},
            "micro": self.micro.as_dict(),
            "macro": self.macro.as_dict(),
            "documents": self.documents,
            **self.extra,
        }
        if self.semeval_micro is not None:
            out["semeval"] = {
                "micro": self.semeval_micro.as_dict(),
                "labels": {label: c.as_dict() for label, c in self.semeval_labels.items()},
            }
        return out


def _canonical(entities: Iterable[Entity]) -> list[Entity]:
    return sorted(set(entities))


def _macro(labels: dict[str, Scores]) -> Scores:
    if not labels:
        return Scores(0.0, 0.0, 0.0, 0, 0, 0)
    n = len(labels)
    values = list(labels.values())
    return Scores(
        sum(s.precision for s in values) / n,
        sum(s.recall for s in values) / n,
        sum(s.f1 for s in values) / n,
        sum(s.tp for s in values),
        sum(s.fp for s in values),
        sum(s.fn for s in values),
    )


def _used_labels(docs: Sequence[tuple[list[Entity], list[Entity]]]) -> list[str]:
    return sorted({e[2] for gold, pred in docs for e in (*gold, *pred)})


def score_spans(docs: Sequence[EvalDoc], scheme: str) -> Report:
    prepared = [(_canonical(d.gold), _canonical(d.pred)) for d in docs]
    labels = _used_labels(prepared)
    overall = SemEval()
    per_label = {label: SemEval() for label in labels}
    for gold, pred in prepared:
        overall.add(semeval(gold, pred, scheme))
        for label in labels:
            per_label[label].add(semeval([e for e in gold if e[2] == label],
                                         [e for e in pred if e[2] == label], scheme))
    label_scores = {label: scores_of_semeval(c, scheme) for label, c in per_label.items()}
    return Report(scheme, label_scores, scores_of_semeval(overall, scheme), _macro(label_scores),
                  len(docs), semeval_micro=overall, semeval_labels=per_label)


def _positive_tokens(starts: Sequence[int], spans: Iterable[Entity]) -> dict[str, set[int]]:
    """For each label of ``spans``, the tokens (by their start) that start inside a span of that
    label; ``starts`` must hold every token start inside the spans (and only token starts)."""
    out: dict[str, set[int]] = {}
    for start, stop, label in spans:
        tokens = out.get(label)
        if tokens is None:
            tokens = out[label] = set()
        first = bisect_left(starts, start)
        tokens.update(starts[first:bisect_left(starts, stop, first)])
    return out


TokenCounts = dict[str, tuple[int, int, int]]
"""One document's token counts (tp, fp, fn) for each label of its gold or predicted spans."""

_NONE: frozenset[int] = frozenset()


def doc_token_counts(doc: EvalDoc) -> TokenCounts:
    """The token scheme's counts of one document (its text must be given).

    Only tokens that start inside a gold or predicted span can be counted, so only those are
    found (:func:`~annotator.core.tokens.token_starts_near`): the same tokens as splitting the
    whole text, a fraction of the work."""
    if doc.text is None:
        raise UsageError(f"document {doc.id!r} comes without its text, which the token "
                         "scheme needs to split it into tokens.")
    gold, pred = doc.gold, doc.pred
    starts = token_starts_near(doc.text, [(e[0], e[1]) for e in (*gold, *pred)])
    positive_gold = _positive_tokens(starts, gold)
    positive_pred = _positive_tokens(starts, pred)
    out: TokenCounts = {}
    for label in sorted(positive_gold.keys() | positive_pred.keys()):
        g = positive_gold.get(label, _NONE)
        p = positive_pred.get(label, _NONE)
        both = len(g & p)
        out[label] = (both, len(p) - both, len(g) - both)
    return out


def token_counts(docs: Sequence[EvalDoc]) -> list[TokenCounts]:
    """:func:`doc_token_counts` of each document, in order (what worker processes share)."""
    return [doc_token_counts(doc) for doc in docs]


TokenCounter = Callable[[Sequence[EvalDoc]], list[TokenCounts]]


def score_tokens(docs: Sequence[EvalDoc], *, counter: TokenCounter = token_counts) -> Report:
    """The token scheme. ``counter`` computes the documents' counts: :func:`token_counts` here,
    or the same spread over processes (``annotator.commands.bulk.parallel_map``); counts are
    integers summed per label, so the report is the same either way, bit for bit."""
    for doc in docs:
        if doc.text is None:
            raise UsageError(f"document {doc.id!r} comes without its text, which the token "
                             "scheme needs to split it into tokens.")
    counts: dict[str, list[int]] = {}
    for found in counter(docs):  # each document's counts name every label of its spans
        for label, (tp, fp, fn) in found.items():
            total = counts.get(label)
            if total is None:
                total = counts[label] = [0, 0, 0]
            total[0] += tp
            total[1] += fp
            total[2] += fn
    label_scores = {label: scores_of_counts(*counts[label]) for label in sorted(counts)}
    micro = scores_of_counts(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return Report("token", label_scores, micro, _macro(label_scores), len(docs))


def evaluate(docs: Sequence[EvalDoc], scheme: str, *,
             token_counter: TokenCounter = token_counts) -> Report:
    """Score ``docs`` under ``scheme`` (one of :data:`SCHEMES`); ``token_counter``: see
    :func:`score_tokens`."""
    if scheme == "token":
        return score_tokens(docs, counter=token_counter)
    if scheme in SPAN_SCHEMES:
        return score_spans(docs, scheme)
    raise UsageError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEMES)}.")

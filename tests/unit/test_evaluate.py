"""Scoring: hand-checked cases per scheme, and agreement with nervaluate and seqeval."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import f1_score, precision_score, recall_score

from annotator.core.evaluate import (
    SPAN_SCHEMES,
    Entity,
    EvalDoc,
    Report,
    Scores,
    evaluate,
)
from annotator.core.tokens import tokens

TOL = 1e-9
LABELS = ["PER", "LOC", "ORG"]


def close(scores: Scores, precision: float, recall: float, f1: float) -> bool:
    return (abs(scores.precision - precision) < TOL and abs(scores.recall - recall) < TOL
            and abs(scores.f1 - f1) < TOL)


# -- hand-checked -------------------------------------------------------------------------------
# gold: PER 0-5, LOC 10-15, ORG 20-25
# pred: PER 0-5 (right), ORG 10-15 (LOC's bounds, wrong label), ORG 21-25 (ORG, wrong start),
#       PER 30-35 (nothing there)
GOLD: list[Entity] = [(0, 5, "PER"), (10, 15, "LOC"), (20, 25, "ORG")]
PRED: list[Entity] = [(0, 5, "PER"), (10, 15, "ORG"), (21, 25, "ORG"), (30, 35, "PER")]
DOCS = [EvalDoc("d", None, GOLD, PRED)]


def test_strict_by_hand() -> None:
    report = evaluate(DOCS, "strict")
    # overall: correct 1 (PER), incorrect 2 (ORG 10-15 vs LOC, ORG 21-25 vs ORG), spurious 1
    # actual 4, possible 3 -> P 1/4, R 1/3, F1 2/7; tp 1, fp 3, fn 2
    assert report.semeval_micro is not None
    assert report.semeval_micro.as_dict() == {
        "correct": 1, "incorrect": 2, "partial": 0, "missed": 0, "spurious": 1,
        "possible": 3, "actual": 4,
    }
    assert close(report.micro, 1 / 4, 1 / 3, 2 / 7)
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (1, 3, 2)
    # PER alone: correct 1, spurious 1 -> P 1/2, R 1, F1 2/3
    assert close(report.labels["PER"], 1 / 2, 1, 2 / 3)
    # LOC alone: missed 1 -> all 0 (zero division gives 0.0)
    assert close(report.labels["LOC"], 0, 0, 0)
    assert (report.labels["LOC"].tp, report.labels["LOC"].fp, report.labels["LOC"].fn) == (0, 0, 1)
    # ORG alone: ORG 10-15 spurious, ORG 21-25 incorrect -> tp 0, fp 2, fn 1
    assert (report.labels["ORG"].tp, report.labels["ORG"].fp, report.labels["ORG"].fn) == (0, 2, 1)
    # macro: means of (1/2, 0, 0), (1, 0, 0), (2/3, 0, 0)
    assert close(report.macro, 1 / 6, 1 / 3, 2 / 9)


def test_exact_by_hand() -> None:
    report = evaluate(DOCS, "exact")
    # labels ignored: PER 0-5 and ORG 10-15 correct, ORG 21-25 incorrect, PER 30-35 spurious
    # P 2/4, R 2/3, F1 4/7
    assert close(report.micro, 1 / 2, 2 / 3, 4 / 7)
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (2, 2, 1)


def test_partial_by_hand() -> None:
    report = evaluate(DOCS, "partial")
    # correct 2, partial 1 (ORG 21-25), spurious 1: tp = 2 + 0.5 = 2.5
    # P 2.5/4 = 5/8, R 2.5/3 = 5/6, F1 5/7; fp = 4 - 2.5, fn = 3 - 2.5
    assert close(report.micro, 5 / 8, 5 / 6, 5 / 7)
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (2.5, 1.5, 0.5)
    assert report.as_json()["micro"]["tp"] == 2.5
    # ORG alone: ORG 10-15 spurious, ORG 21-25 partial: tp .5, P .5/2, R .5/1, F1 1/3
    assert close(report.labels["ORG"], 1 / 4, 1 / 2, 1 / 3)


def test_type_by_hand() -> None:
    report = evaluate(DOCS, "type")
    # PER 0-5 correct, ORG 10-15 overlaps LOC -> incorrect, ORG 21-25 overlaps ORG -> correct,
    # PER 30-35 spurious: P 2/4, R 2/3, F1 4/7
    assert close(report.micro, 1 / 2, 2 / 3, 4 / 7)
    assert close(report.labels["ORG"], 1 / 2, 1, 2 / 3)


def test_token_by_hand() -> None:
    text = "Иван Петров живёт в Нижнем Новгороде."
    # tokens: Иван 0-4, Петров 5-11, живёт 12-17, в 18-19, Нижнем 20-26, Новгороде 27-36, . 36-37
    gold = [(0, 11, "PER"), (20, 36, "LOC")]
    pred = [(0, 4, "PER"), (27, 36, "LOC"), (12, 17, "ORG")]
    report = evaluate([EvalDoc("d", text, gold, pred)], "token")
    # PER: gold {Иван, Петров}, pred {Иван}: tp 1, fp 0, fn 1 -> P 1, R 1/2, F1 2/3
    assert close(report.labels["PER"], 1, 1 / 2, 2 / 3)
    assert close(report.labels["LOC"], 1, 1 / 2, 2 / 3)
    # ORG: one false positive token
    assert (report.labels["ORG"].tp, report.labels["ORG"].fp, report.labels["ORG"].fn) == (0, 1, 0)
    # micro: tp 2, fp 1, fn 2 -> P 2/3, R 1/2, F1 4/7; macro: (2/3, 1/3, 4/9)
    assert close(report.micro, 2 / 3, 1 / 2, 4 / 7)
    assert close(report.macro, 2 / 3, 1 / 3, 4 / 9)


def test_token_counts_are_summed_over_documents_before_scoring() -> None:
    one = EvalDoc("a", "Анна и Борис.", [(0, 4, "PER"), (7, 12, "PER")], [(0, 4, "PER")])
    two = EvalDoc("b", "Москва.", [(0, 6, "LOC")], [(0, 6, "LOC"), (6, 7, "PER")])
    report = evaluate([one, two], "token")
    # PER: doc a tp 1, fn 1; doc b fp 1 -> tp 1, fp 1, fn 1 -> P 1/2, R 1/2 (averaging per
    # document would give other numbers)
    assert close(report.labels["PER"], 1 / 2, 1 / 2, 1 / 2)
    assert close(report.labels["LOC"], 1, 1, 1)


def test_token_scheme_counts_tokens_that_start_inside_a_span() -> None:
    text = "Иван Петров"
    report = evaluate([EvalDoc("d", text, [(2, 11, "PER")], [(0, 11, "PER")])], "token")
    # "Иван" starts before the gold span: not positive in gold; "Петров" is
    assert (report.labels["PER"].tp, report.labels["PER"].fp, report.labels["PER"].fn) == (1, 1, 0)


def test_empty_and_zero_division() -> None:
    report = evaluate([EvalDoc("d", "текст", [], [])], "strict")
    assert report.labels == {}
    assert close(report.micro, 0, 0, 0) and close(report.macro, 0, 0, 0)
    only_gold = evaluate([EvalDoc("d", "текст", [(0, 5, "PER")], [])], "token")
    assert close(only_gold.micro, 0, 0, 0)
    assert only_gold.micro.fn == 1


def test_duplicates_count_once() -> None:
    report = evaluate([EvalDoc("d", None, [(0, 5, "PER"), (0, 5, "PER")], [(0, 5, "PER")])],
                      "strict")
    assert close(report.micro, 1, 1, 1)


def test_json_shape() -> None:
    body = evaluate(DOCS, "strict").as_json()
    assert set(body) >= {"scheme", "labels", "micro", "macro", "documents"}
    assert set(body["labels"]["PER"]) == {"precision", "recall", "f1", "tp", "fp", "fn"}
    assert body["documents"] == 1
    assert "semeval" not in evaluate([EvalDoc("d", "a b", [], [])], "token").as_json()


# -- agreement with nervaluate and seqeval ------------------------------------------------------

def _entities(max_start: int = 40, max_length: int = 12) -> st.SearchStrategy[list[Entity]]:
    entity = st.builds(
        lambda start, length, label: (start, start + length, label),
        st.integers(0, max_start), st.integers(1, max_length), st.sampled_from(LABELS),
    )
    return st.lists(entity, max_size=8).map(lambda xs: sorted(set(xs)))


# sparse documents, and dense ones where nested and overlapping spans compete for matches
DOC_PAIRS = st.one_of(
    st.lists(st.tuples(_entities(), _entities()), min_size=1, max_size=5),
    st.lists(st.tuples(_entities(8, 4), _entities(8, 4)), min_size=1, max_size=3),
)
NERVALUATE_NAMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def _dicts(doc: list[Entity]) -> list[dict[str, Any]]:
    return [{"label": label, "start": start, "end": stop - 1} for start, stop, label in doc]


def _same(ours: Scores, theirs: Any) -> None:
    assert abs(ours.precision - theirs.precision) < TOL
    assert abs(ours.recall - theirs.recall) < TOL
    assert abs(ours.f1 - theirs.f1) < TOL


@settings(max_examples=1000, deadline=None)
@given(DOC_PAIRS)
def test_span_schemes_agree_with_nervaluate(pairs: list[tuple[list[Entity], list[Entity]]]) -> None:
    docs = [EvalDoc(str(i), None, gold, pred) for i, (gold, pred) in enumerate(pairs)]
    results = Evaluator([_dicts(g) for g, _ in pairs], [_dicts(p) for _, p in pairs],
                        tags=LABELS, loader="dict").evaluate()
    for scheme in SPAN_SCHEMES:
        report: Report = evaluate(docs, scheme)
        name = NERVALUATE_NAMES[scheme]
        theirs = results["overall"][name]
        _same(report.micro, theirs)
        assert report.semeval_micro is not None
        assert (report.semeval_micro.correct, report.semeval_micro.incorrect,
                report.semeval_micro.partial, report.semeval_micro.missed,
                report.semeval_micro.spurious) == (
            theirs.correct, theirs.incorrect, theirs.partial, theirs.missed, theirs.spurious)
        assert abs(report.micro.tp + report.micro.fp - theirs.actual) < TOL
        assert abs(report.micro.tp + report.micro.fn - theirs.possible) < TOL
        assert set(report.labels) == set(results["entities"])
        for label, scores in report.labels.items():
            _same(scores, results["entities"][label][name])


def test_overlap_below_one_percent_of_the_gold_span_does_not_count() -> None:
    # nervaluate's threshold: 1 character of a 200-character gold span is 0.5 %
    gold, pred = [(0, 200, "PER")], [(199, 205, "PER")]
    report = evaluate([EvalDoc("d", None, gold, pred)], "type")
    assert report.semeval_micro is not None
    assert (report.semeval_micro.correct, report.semeval_micro.spurious,
            report.semeval_micro.missed) == (0, 1, 1)
    theirs = Evaluator([_dicts(gold)], [_dicts(pred)], tags=LABELS, loader="dict").evaluate()
    assert (theirs["overall"]["ent_type"].spurious, theirs["overall"]["ent_type"].missed) == (1, 1)
    near = evaluate([EvalDoc("d", None, gold, [(197, 205, "PER")])], "type")
    assert near.semeval_micro is not None and near.semeval_micro.correct == 1  # 3 chars: 1.5 %


def _iob2(n: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n
    for i, j, label in spans:
        tags[i] = f"B-{label}"
        for k in range(i + 1, j):
            tags[k] = f"I-{label}"
    return tags


@st.composite
def _token_spans(draw: st.DrawFn, n: int) -> list[tuple[int, int, str]]:
    """Non-overlapping token ranges [i, j) with labels."""
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < n:
        if draw(st.booleans()):
            j = draw(st.integers(i + 1, min(n, i + 4)))
            spans.append((i, j, draw(st.sampled_from(LABELS))))
            i = j
        else:
            i += 1
    return spans


@st.composite
def _sequences(draw: st.DrawFn) -> list[tuple[int, list[tuple[int, int, str]],
                                             list[tuple[int, int, str]]]]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        n = draw(st.integers(1, 15))
        out.append((n, draw(_token_spans(n)), draw(_token_spans(n))))
    return out


WORD = "слово"


def _chars(spans: list[tuple[int, int, str]]) -> list[Entity]:
    step = len(WORD) + 1
    return [(i * step, (j - 1) * step + len(WORD), label) for i, j, label in spans]


@settings(max_examples=300, deadline=None)
@given(_sequences())
def test_strict_agrees_with_seqeval(
    sequences: list[tuple[int, list[tuple[int, int, str]], list[tuple[int, int, str]]]]
) -> None:
    docs = [EvalDoc(str(k), " ".join([WORD] * n), _chars(gold), _chars(pred))
            for k, (n, gold, pred) in enumerate(sequences)]
    y_true = [_iob2(n, gold) for n, gold, _ in sequences]
    y_pred = [_iob2(n, pred) for n, _, pred in sequences]
    report = evaluate(docs, "strict")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kwargs in ({}, {"mode": "strict", "scheme": _iob2_scheme()}):
            assert abs(report.micro.precision
                       - precision_score(y_true, y_pred, zero_division=0, **kwargs)) < TOL
            assert abs(report.micro.recall
                       - recall_score(y_true, y_pred, zero_division=0, **kwargs)) < TOL
            assert abs(report.micro.f1 - f1_score(y_true, y_pred, zero_division=0, **kwargs)) < TOL


def _iob2_scheme() -> Any:
    from seqeval.scheme import IOB2

    return IOB2


def _reference_token_counts(text: str, gold: list[Entity], pred: list[Entity],
                            label: str) -> tuple[int, int, int]:
    """The token definition spelled out plainly: a token is positive when it starts in a span."""
    tp = fp = fn = 0
    for token in tokens(text):
        g = any(s <= token.start < e for s, e, lab in gold if lab == label)
        p = any(s <= token.start < e for s, e, lab in pred if lab == label)
        tp += g and p
        fp += p and not g
        fn += g and not p
    return tp, fp, fn


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(["Анна", "Москва", "и", ",", "😀", "ООО"]),
                                   min_size=1, max_size=12),
                          _entities(30), _entities(30)), min_size=1, max_size=3))
def test_token_scheme_matches_its_definition(
    docs_raw: list[tuple[list[str], list[Entity], list[Entity]]]
) -> None:
    docs = [EvalDoc(str(i), " ".join(words), gold, pred)
            for i, (words, gold, pred) in enumerate(docs_raw)]
    report = evaluate(docs, "token")
    for label, scores in report.labels.items():
        totals = [0, 0, 0]
        for doc in docs:
            assert doc.text is not None
            counts = _reference_token_counts(doc.text, list(doc.gold), list(doc.pred), label)
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
        assert (scores.tp, scores.fp, scores.fn) == tuple(totals)


def test_unknown_scheme_is_a_usage_error() -> None:
    from annotator.core.errors import UsageError

    with pytest.raises(UsageError):
        evaluate(DOCS, "fuzzy")

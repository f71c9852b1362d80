"""Adding many spans in one event, no duplicate made by moving or relabelling a span, and the
report card's work per document (QA defects 1, 2 and 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core import reportcard
from annotator.core.decisions import plan_additions
from annotator.core.errors import SpanError
from annotator.core.model import Document, Span, SpanDraft
from annotator.core.reportcard import report_card
from annotator.core.store import Store
from tests.helpers import make_doc

TEXT = "2025-11-25 ТАСС Бастрыкин встретился в Марракеше с главой Интерпола."
PER = SpanDraft(start=16, stop=25, label="PER", normal="Бастрыкин")  # «Бастрыкин»
VSTR = (26, 36)  # «встретился»


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "store", user="anna")
    s.sync([make_doc("d1", TEXT)])
    s.load_predictions("d1", "natasha-1.6.0", [PER])
    return s


def paris_store(root: Path, copies: int) -> tuple[Store, list[tuple[int, int]]]:
    text = " ".join(["Anna lives in Paris."] * copies)
    s = Store.open(root, user="anna")
    s.sync([make_doc("big", text)])
    ranges = [(i * 21 + 14, i * 21 + 19) for i in range(copies)]
    assert all(text[a:b] == "Paris" for a, b in ranges)
    return s, ranges


# -- 1. many spans, one write, one event ---------------------------------------------------------
def test_add_spans_is_one_event_and_one_undo(tmp_path: Path) -> None:
    s, ranges = paris_store(tmp_path / "store", 3000)
    log_before = len(s.history("big"))
    result = s.add_spans("big", ranges, "LOC", skip_overlapping=True)
    assert len(result.spans) == 3000 and result.overlapping == []
    doc = s.get("big")
    assert len(doc.spans) == 3000 and doc.status == "in_progress"
    assert all(doc.text[x.start : x.stop] == x.text == "Paris" for x in doc.spans)
    assert all(
        (x.label, x.state, x.decision, x.origin, x.annotator) == (
            "LOC", "accepted", "added", "manual", "anna")
        for x in doc.spans
    )
    history = s.history("big")
    assert len(history) == log_before + 1 and history[-1].action == "add"
    assert s.summary("big").added == 3000
    s.close()
    with Store.open(tmp_path / "store", user="anna") as again:  # undo survives a restart
        undone = again.undo("big")
        assert undone is not None and undone[1].action == "add"
        assert again.get("big").spans == [] and again.get("big").status == "unreviewed"
        assert again.redo("big") is not None
        assert len(again.get("big").spans) == 3000
        # new ids never collide with the batch's, even after an undo
        again.undo("big")
        _, span = again.add_span("big", *ranges[0], "PER")
        assert span.id == "s3001"


def test_add_spans_skips_overlaps_in_text_order(store: Store) -> None:
    surname = (TEXT.index("Бастрыкин"), TEXT.index("Бастрыкин") + 9)
    marr = (TEXT.index("Марракеше"), TEXT.index("Марракеше") + 9)
    result = store.add_spans(
        "d1",
        [marr, (surname[0] + 2, surname[1] + 3), VSTR, (VSTR[0] + 1, VSTR[1] - 1), marr],
        "LOC",
        skip_overlapping=True,
    )
    assert [(x.start, x.stop) for x in result.spans] == [VSTR, marr]
    assert sorted(result.overlapping) == sorted(
        [(surname[0] + 2, surname[1] + 3), (VSTR[0] + 1, VSTR[1] - 1), marr]
    )
    # nothing to add: nothing written, nothing logged
    events = len(store.history("d1"))
    again = store.add_spans("d1", [VSTR], "LOC", skip_overlapping=True)
    assert again.spans == [] and again.overlapping == [VSTR]
    assert len(store.history("d1")) == events


def test_a_rejected_span_does_not_block_adding(store: Store) -> None:
    store.reject("d1", "s1")
    result = store.add_spans("d1", [(PER.start, PER.stop)], "PER", skip_overlapping=True)
    assert [(x.start, x.stop, x.label) for x in result.spans] == [(16, 25, "PER")]


def test_add_spans_refuses_the_whole_batch_as_add_span_would(store: Store) -> None:
    before = store.get("d1")
    events = len(store.history("d1"))
    with pytest.raises(SpanError, match="not in the store's label set"):
        store.add_spans("d1", [VSTR], "MISC")
    with pytest.raises(SpanError, match="ends past the end"):
        store.add_spans("d1", [VSTR, (60, len(TEXT) + 1)], "LOC")
    with pytest.raises(SpanError, match="empty or reversed"):
        store.add_spans("d1", [VSTR, (30, 30)], "LOC", skip_overlapping=True)
    with pytest.raises(SpanError, match="'Бастрыкин' at 16..25 is already marked PER"):
        store.add_spans("d1", [VSTR, (16, 25)], "PER")
    with pytest.raises(SpanError, match="already marked LOC"):
        store.add_spans("d1", [VSTR, VSTR], "LOC")
    assert store.get("d1") == before and len(store.history("d1")) == events
    # without skipping, overlaps (not duplicates) are allowed, as add_span allows them
    result = store.add_spans("d1", [(16, 25), VSTR], "LOC")
    assert [(x.start, x.stop) for x in result.spans] == [(16, 25), VSTR]


def spans_of(text: str, raw: list[tuple[int, int, int, bool]]) -> list[Span]:
    out = []
    for n, (a, length, label, rejected) in enumerate(raw, 1):
        start = min(a, len(text) - 1)
        stop = min(start + length, len(text))
        out.append(
            Span(
                id=f"s{n}", start=start, stop=stop, label="PER LOC ORG".split()[label],
                text=text[start:stop], state="rejected" if rejected else "accepted",
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 39), st.integers(1, 6), st.integers(0, 2), st.booleans()),
             max_size=12),
    st.lists(st.tuples(st.integers(0, 39), st.integers(1, 6)), max_size=15),
)
def test_the_batch_adds_what_adding_one_by_one_would(
    raw: list[tuple[int, int, int, bool]], wanted: list[tuple[int, int]]
) -> None:
    """The same ranges as adding each range in text order when it overlaps nothing not
    rejected (what labelling every match did one span at a time)."""
    text = "x" * 40
    spans = spans_of(text, raw)
    ranges = [(a, min(a + n, 40)) for a, n in wanted]
    plan = plan_additions(text, spans, ranges, "LOC", skip_overlapping=True)
    live = [(x.start, x.stop) for x in spans if x.state != "rejected"]
    expected: list[tuple[int, int]] = []
    skipped: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if any(s < b and a < e for s, e in [*live, *expected]):
            skipped.append((a, b))
        else:
            expected.append((a, b))
    assert plan.ranges == expected
    assert sorted(plan.overlapping) == sorted(skipped)


# -- 2. no exact duplicate by moving an edge or relabelling --------------------------------------
def test_adjust_refuses_to_make_an_exact_duplicate(store: Store) -> None:
    _, added = store.add_span("d1", *VSTR, "PER")
    store.adjust("d1", added.id, 16, 36)  # «Бастрыкин встретился»: fine
    before = store.get("d1")
    with pytest.raises(SpanError) as refused:
        store.adjust("d1", added.id, 16, 25)  # = natasha's pending PER «Бастрыкин»
    assert str(refused.value) == "'Бастрыкин' at 16..25 is already marked PER."
    assert store.get("d1") == before
    # the same bounds with another label are allowed (one range may carry two labels)
    store.relabel("d1", added.id, "ORG")
    store.adjust("d1", added.id, 16, 25)
    assert store.get("d1").span(added.id).key() == (16, 25, "ORG")
    # once the other span is rejected, the range is free
    store.reject("d1", "s1")
    store.relabel("d1", added.id, "PER")
    assert store.get("d1").span(added.id).key() == (16, 25, "PER")


def test_relabel_refuses_to_make_an_exact_duplicate(store: Store) -> None:
    _, added = store.add_span("d1", 16, 25, "LOC")
    before = store.get("d1")
    with pytest.raises(SpanError, match=r"^'Бастрыкин' at 16\.\.25 is already marked PER\.$"):
        store.relabel("d1", added.id, "PER")
    with pytest.raises(SpanError, match="already marked LOC"):
        store.relabel("d1", "s1", "LOC")  # the model's span onto the added one
    assert store.get("d1") == before
    store.relabel("d1", "s1", "PER")  # its own label again: an accept, no clash
    assert store.get("d1").span("s1").state == "accepted"


def test_reviving_a_rejected_span_onto_a_duplicate_is_refused(store: Store) -> None:
    store.reject("d1", "s1")
    store.add_span("d1", 16, 25, "PER")  # allowed: the model's span is rejected
    with pytest.raises(SpanError, match="already marked PER"):
        store.accept("d1", "s1")
    with pytest.raises(SpanError, match="already marked PER"):
        store.reset("d1", "s1")
    assert store.get("d1").span("s1").state == "rejected"


def test_spans_that_already_share_a_range_can_still_be_decided(store: Store) -> None:
    """Two origins proposing the same range were allowed before: deciding them stays possible."""
    store.load_predictions("d1", "other-1.0", [PER], origin="import:other")
    assert [x.key() for x in store.get("d1").spans] == [(16, 25, "PER")] * 2
    store.accept("d1", "s1")
    store.accept_all("d1")
    assert {x.state for x in store.get("d1").spans} == {"accepted"}


# -- 4. the report card asks once per document whether a model ran -------------------------------
def test_report_card_asks_once_per_document_whether_a_model_ran(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = " ".join(["Anna lives in Paris."] * 300)
    manual = [
        Span(id=f"s{i + 1}", start=i * 21 + 14, stop=i * 21 + 19, label="LOC", text="Paris",
             state="accepted", decision="added")
        for i in range(300)
    ]
    model = Span(id="s301", start=0, stop=4, label="PER", text="Anna", origin="natasha-1.6.0")
    hand_only = make_doc("hand", text, spans=manual)
    with_model = make_doc("model", text, spans=[*manual, model])
    asked: list[str] = []
    real = reportcard._model_ran

    def counting(doc: Document) -> bool:
        asked.append(doc.id)
        return real(doc)

    monkeypatch.setattr(reportcard, "_model_ran", counting)
    card = report_card([hand_only, with_model], ["PER", "LOC"])
    assert asked == ["hand", "model"]
    assert card.labels["LOC"].missed == 300  # only where a model ran
    assert (card.labels["PER"].model, card.labels["PER"].pending) == (1, 1)

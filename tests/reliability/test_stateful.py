"""A state machine drives random decisions, undo/redo and close/reopen against a simple model.

After every step: each span fits its text (``text[start:stop] == span.text``), the store agrees with
the model (states, labels, bounds, derived decision kinds, originals, status), the index agrees with
the document; undo gives back exactly the document before the action and redo exactly the one after
it (every field, times included), and a reopened store gives exactly the same documents.
"""

from __future__ import annotations

import copy
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from annotator.core.errors import SpanError, StoreError
from annotator.core.model import DOC_STATUSES, MANUAL_ORIGIN, DocStatus, DocSummary, Document
from annotator.core.shard import span_number
from annotator.core.store import Store

from .killharness import EXTRACTOR, make_document

USER = "anna"
LABELS = ["PER", "LOC", "ORG"]


@dataclass
class MSpan:
    """The model of one span: what the reviewer made of it, and what it was at first."""

    start: int
    stop: int
    label: str
    state: str
    origin: str
    first_label: str
    first_bounds: tuple[int, int]

    @property
    def is_model(self) -> bool:
        return self.origin != MANUAL_ORIGIN

    def expected(self, text: str) -> dict[str, Any]:
        relabeled = self.is_model and self.label != self.first_label
        moved = self.is_model and (self.start, self.stop) != self.first_bounds
        if self.state == "pending":
            decision = None
        elif self.state == "rejected":
            decision = "rejected"
        elif not self.is_model:
            decision = "added"
        elif relabeled:
            decision = "relabeled"
        elif moved:
            decision = "adjusted"
        else:
            decision = "accepted"
        decided = self.state != "pending"
        return {
            "start": self.start,
            "stop": self.stop,
            "label": self.label,
            "text": text[self.start : self.stop],
            "origin": self.origin,
            "state": self.state,
            "decision": decision,
            "original_label": self.first_label if relabeled and decided else None,
            "original_start": self.first_bounds[0] if moved and decided else None,
            "original_stop": self.first_bounds[1] if moved and decided else None,
            "annotator": USER if decided else None,
        }


@dataclass
class MDoc:
    status: str
    spans: dict[str, MSpan]


def _canonical(doc: Document) -> Document:
    return doc.model_copy(update={"spans": sorted(doc.spans, key=lambda s: span_number(s.id))})


class StoreMachine(RuleBasedStateMachine):
    base: ClassVar[Path]

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(dir=self.base))
        self.root = self.folder / "store"
        rng = random.Random(5)
        made = [make_document(i, 6, rng) for i in range(2)]
        self.store = Store.open(self.root, user=USER)
        self.store.sync(doc for doc, _ in made)
        self.models: dict[str, MDoc] = {}
        for doc, drafts in made:
            loaded = self.store.load_predictions(doc.id, EXTRACTOR, drafts)
            self.models[doc.id] = MDoc(
                "unreviewed",
                {
                    s.id: MSpan(
                        s.start, s.stop, s.label, "pending", s.origin, s.label, (s.start, s.stop)
                    )
                    for s in loaded.spans
                },
            )
        self.ids = sorted(self.models)
        # the highest span number each document ever used: new ids never reuse one
        self.high: dict[str, int] = {
            i: max(map(span_number, m.spans), default=0) for i, m in self.models.items()
        }
        # per document: (document before, model before, document after, model after)
        self.undo_stack: dict[str, list[tuple[Document, MDoc, Document, MDoc]]] = {
            i: [] for i in self.ids
        }
        self.redo_stack: dict[str, list[tuple[Document, MDoc, Document, MDoc]]] = {
            i: [] for i in self.ids
        }

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- helpers
    def _doc(self, pick: int) -> str:
        return self.ids[pick % len(self.ids)]

    def _span(self, doc_id: str, pick: int) -> str:
        ids = sorted(self.models[doc_id].spans, key=span_number)
        return ids[pick % len(ids)] if ids else "s1"

    def _act(
        self, doc_id: str, action: Any, change: Any, error: type[Exception] | None = None
    ) -> None:
        """Run a store call; when the store logged an event, apply ``change`` to the model."""
        before_doc = self.store.get(doc_id)
        before_model = copy.deepcopy(self.models[doc_id])
        logged = len(self.store.history(doc_id))
        if error is not None:
            with pytest.raises(error):
                action()
            assert self.store.get(doc_id) == before_doc
            assert len(self.store.history(doc_id)) == logged
            return
        action()
        after_doc = self.store.get(doc_id)
        if len(self.store.history(doc_id)) == logged:
            assert after_doc == before_doc  # nothing logged, nothing changed
            return
        assert len(self.store.history(doc_id)) == logged + 1
        change(self.models[doc_id])
        self.undo_stack[doc_id].append(
            (before_doc, before_model, after_doc, copy.deepcopy(self.models[doc_id]))
        )
        self.redo_stack[doc_id].clear()

    def _clash(self, doc_id: str, span_id: str, key: tuple[int, int, str], state: str) -> bool:
        """Whether a decision giving the span ``key`` and ``state`` would make it a second span
        (not rejected) of that key, which the store refuses (as it refuses adding one)."""
        model = self.models[doc_id]
        old = model.spans[span_id]
        if state == "rejected":
            return False
        if old.state != "rejected" and (old.start, old.stop, old.label) == key:
            return False
        return any(
            sid != span_id and s.state != "rejected" and (s.start, s.stop, s.label) == key
            for sid, s in model.spans.items()
        )

    @staticmethod
    def _progress(model: MDoc) -> None:
        if model.status == "unreviewed":
            model.status = "in_progress"

    # -- decisions
    @rule(d=st.integers(0, 9), s=st.integers(0, 99))
    def accept(self, d: int, s: int) -> None:
        doc_id, span_id = self._doc(d), self._span(self._doc(d), s)

        def change(m: MDoc) -> None:
            m.spans[span_id].state = "accepted"
            self._progress(m)

        span = self.models[doc_id].spans[span_id]
        clash = self._clash(doc_id, span_id, (span.start, span.stop, span.label), "accepted")
        error = SpanError if clash else None
        self._act(doc_id, lambda: self.store.accept(doc_id, span_id), change, error)

    @rule(d=st.integers(0, 9), s=st.integers(0, 99))
    def reject(self, d: int, s: int) -> None:
        doc_id, span_id = self._doc(d), self._span(self._doc(d), s)

        def change(m: MDoc) -> None:
            m.spans[span_id].state = "rejected"
            self._progress(m)

        self._act(doc_id, lambda: self.store.reject(doc_id, span_id), change)

    @rule(d=st.integers(0, 9), s=st.integers(0, 99), label=st.sampled_from([*LABELS, "BAD"]))
    def relabel(self, d: int, s: int, label: str) -> None:
        doc_id, span_id = self._doc(d), self._span(self._doc(d), s)

        def change(m: MDoc) -> None:
            m.spans[span_id].label = label
            m.spans[span_id].state = "accepted"
            self._progress(m)

        span = self.models[doc_id].spans[span_id]
        clash = self._clash(doc_id, span_id, (span.start, span.stop, label), "accepted")
        error = SpanError if label not in LABELS or clash else None
        self._act(doc_id, lambda: self.store.relabel(doc_id, span_id, label), change, error)

    @rule(d=st.integers(0, 9), s=st.integers(0, 99), da=st.integers(-4, 4), db=st.integers(-4, 4))
    def adjust(self, d: int, s: int, da: int, db: int) -> None:
        doc_id, span_id = self._doc(d), self._span(self._doc(d), s)
        text = self.store.get(doc_id).text
        span = self.models[doc_id].spans[span_id]
        start, stop = span.start + da, span.stop + db

        def change(m: MDoc) -> None:
            m.spans[span_id].start, m.spans[span_id].stop = start, stop
            m.spans[span_id].state = "accepted"
            self._progress(m)

        fits = 0 <= start < stop <= len(text)
        clash = fits and self._clash(doc_id, span_id, (start, stop, span.label), "accepted")
        error = None if fits and not clash else SpanError
        self._act(doc_id, lambda: self.store.adjust(doc_id, span_id, start, stop), change, error)

    @rule(
        d=st.integers(0, 9),
        at=st.integers(0, 10_000),
        width=st.integers(1, 12),
        label=st.sampled_from(LABELS),
    )
    def add_span(self, d: int, at: int, width: int, label: str) -> None:
        doc_id = self._doc(d)
        text = self.store.get(doc_id).text
        start = at % len(text)
        stop = min(len(text), start + width)
        model = self.models[doc_id]
        taken = any(
            (s.start, s.stop, s.label) == (start, stop, label) and s.state != "rejected"
            for s in model.spans.values()
        )
        number = max([self.high[doc_id], *map(span_number, model.spans)]) + 1
        new_id = f"s{number}"
        if not taken:
            self.high[doc_id] = number

        def change(m: MDoc) -> None:
            m.spans[new_id] = MSpan(
                start, stop, label, "accepted", MANUAL_ORIGIN, label, (start, stop)
            )
            self._progress(m)

        error = SpanError if taken else None
        self._act(doc_id, lambda: self.store.add_span(doc_id, start, stop, label), change, error)

    @rule(d=st.integers(0, 9), s=st.integers(0, 99), model_span=st.booleans())
    def delete(self, d: int, s: int, model_span: bool) -> None:
        doc_id = self._doc(d)
        manual_ids = sorted(
            (sid for sid, span in self.models[doc_id].spans.items() if not span.is_model),
            key=span_number,
        )
        if manual_ids and not model_span:
            span_id = manual_ids[s % len(manual_ids)]
        else:
            span_id = self._span(doc_id, s)
        manual = not self.models[doc_id].spans[span_id].is_model

        def change(m: MDoc) -> None:
            del m.spans[span_id]

        error = None if manual else SpanError
        self._act(doc_id, lambda: self.store.delete_span(doc_id, span_id), change, error)

    @rule(d=st.integers(0, 9), s=st.integers(0, 99))
    def reset(self, d: int, s: int) -> None:
        doc_id, span_id = self._doc(d), self._span(self._doc(d), s)

        def change(m: MDoc) -> None:
            span = m.spans[span_id]
            span.state = "pending"
            if span.is_model:  # a manual span has no original to go back to
                span.label = span.first_label
                span.start, span.stop = span.first_bounds
            self._progress(m)

        span = self.models[doc_id].spans[span_id]
        key = (*span.first_bounds, span.first_label) if span.is_model else \
            (span.start, span.stop, span.label)
        clash = self._clash(doc_id, span_id, key, "pending")
        error = SpanError if clash else None
        self._act(doc_id, lambda: self.store.reset(doc_id, span_id), change, error)

    @rule(d=st.integers(0, 9))
    def accept_all(self, d: int) -> None:
        doc_id = self._doc(d)

        def change(m: MDoc) -> None:
            for span in m.spans.values():
                if span.state == "pending":
                    span.state = "accepted"
            self._progress(m)

        self._act(doc_id, lambda: self.store.accept_all(doc_id), change)

    @rule(d=st.integers(0, 9), status=st.sampled_from(DOC_STATUSES))
    def set_status(self, d: int, status: DocStatus) -> None:
        doc_id = self._doc(d)
        pending = any(s.state == "pending" for s in self.models[doc_id].spans.values())

        def change(m: MDoc) -> None:
            m.status = status

        error = StoreError if status == "reviewed" and pending else None
        self._act(doc_id, lambda: self.store.set_status(doc_id, status), change, error)

    # -- undo, redo, restart
    @rule(d=st.integers(0, 9))
    def undo(self, d: int) -> None:
        doc_id = self._doc(d)
        assert self.store.can_undo(doc_id) == bool(self.undo_stack[doc_id])
        result = self.store.undo(doc_id)
        if not self.undo_stack[doc_id]:
            assert result is None
            return
        assert result is not None
        before_doc, before_model, after_doc, after_model = self.undo_stack[doc_id].pop()
        assert _canonical(self.store.get(doc_id)) == _canonical(before_doc)
        assert _canonical(result[0]) == _canonical(before_doc)
        self.models[doc_id] = copy.deepcopy(before_model)
        self.redo_stack[doc_id].append((before_doc, before_model, after_doc, after_model))

    @rule(d=st.integers(0, 9))
    def redo(self, d: int) -> None:
        doc_id = self._doc(d)
        assert self.store.can_redo(doc_id) == bool(self.redo_stack[doc_id])
        result = self.store.redo(doc_id)
        if not self.redo_stack[doc_id]:
            assert result is None
            return
        assert result is not None
        entry = self.redo_stack[doc_id].pop()
        assert _canonical(self.store.get(doc_id)) == _canonical(entry[2])
        assert _canonical(result[0]) == _canonical(entry[2])
        self.models[doc_id] = copy.deepcopy(entry[3])
        self.undo_stack[doc_id].append(entry)

    @rule()
    def reopen(self) -> None:
        before = {doc_id: self.store.get(doc_id) for doc_id in self.ids}
        logs = {doc_id: self.store.history(doc_id) for doc_id in self.ids}
        self.store.close()
        self.store = Store.open(self.root, user=USER)
        assert self.store.problems == []
        for doc_id in self.ids:
            assert self.store.get(doc_id) == before[doc_id]
            assert self.store.history(doc_id) == logs[doc_id]

    # -- after every step
    @invariant()
    def disk_matches_memory(self) -> None:
        """What a fresh reader gets from disk is exactly what the writer serves."""
        with Store.open(self.root, user=USER, readonly=True) as reader:
            assert reader.problems == []
            for doc_id in self.ids:
                assert reader.get(doc_id) == self.store.get(doc_id)
                assert reader.history(doc_id) == self.store.history(doc_id)

    @invariant()
    def agrees_with_the_model(self) -> None:
        for doc_id in self.ids:
            doc = self.store.get(doc_id)
            for span in doc.spans:
                assert doc.text[span.start : span.stop] == span.text
                assert (span.time is None) == (span.state == "pending")
            model = self.models[doc_id]
            assert doc.status == model.status
            skip = {"id", "normal", "original_normal", "time"}
            seen = {s.id: s.model_dump(exclude=skip) for s in doc.spans}
            want = {sid: m.expected(doc.text) for sid, m in model.spans.items()}
            assert seen == want
            assert self.store.summary(doc_id) == DocSummary.of(doc)


def test_store_state_machine(tmp_path: Path) -> None:
    StoreMachine.base = tmp_path
    run_state_machine_as_test(  # type: ignore[no-untyped-call, unused-ignore]
        StoreMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_undone_delete_gives_the_same_document_before_and_after_a_restart(tmp_path: Path) -> None:
    """A regression the machine finds only rarely: restored spans must not move to the end."""
    root = tmp_path / "store"
    doc, drafts = make_document(0, 4, random.Random(1))
    with Store.open(root, user=USER) as store:
        store.sync([doc])
        store.load_predictions(doc.id, EXTRACTOR, drafts)
        _, first = store.add_span(doc.id, 0, 3, "PER")
        store.add_span(doc.id, 0, 4, "PER")
        store.delete_span(doc.id, first.id)
        undone = store.undo(doc.id)
        assert undone is not None
        served = store.get(doc.id)
        assert undone[0] == served
        redone = store.redo(doc.id)
        assert redone is not None and redone[0] == store.get(doc.id)
        store.undo(doc.id)
    with Store.open(root, user=USER) as store:
        assert store.get(doc.id) == served

"""The store: round trips, decisions, undo/redo across restarts, stale documents, lock, versions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.core.errors import (
    SpanError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
)
from annotator.core.model import DocSummary, Document, LabelSet, Span, SpanDraft
from annotator.core.shard import shard_name
from annotator.core.store import Store
from tests.helpers import make_doc

TEXT = "Бастрыкин встретился в Марракеше\u00a0с главой Интерпола Юргеном Штоком.\r\nКонец."
PER = SpanDraft(start=0, stop=9, label="PER", normal="Бастрыкин")
LOC = SpanDraft(start=23, stop=32, label="LOC", normal="Марракеш")
ORG = SpanDraft(start=42, stop=51, label="ORG", normal="Интерпол")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(root: Path) -> Store:
    s = Store.open(root, user="anna")
    s.sync([make_doc("d1", TEXT)])
    s.load_predictions("d1", "natasha-1.6.0", [PER, LOC, ORG])
    return s


def surfaces_exact(store: Store, doc_id: str) -> bool:
    doc = store.get(doc_id)
    return all(doc.text[s.start : s.stop] == s.text for s in doc.spans)


def test_round_trip_keeps_exact_text_and_spans(store: Store, root: Path) -> None:
    before = store.get("d1")
    store.close()
    with Store.open(root, user="anna") as again:
        after = again.get("d1")
    assert after == before
    assert after.text == TEXT  # CRLF and the no-break space survive
    assert [s.text for s in after.sorted_spans()] == ["Бастрыкин", "Марракеше", "Интерпола"]
    assert all(s.state == "pending" and s.origin == "natasha-1.6.0" for s in after.spans)
    assert after.extractor == "natasha-1.6.0" and after.extraction == "done"


def test_load_predictions_is_idempotent(store: Store) -> None:
    store.load_predictions("d1", "natasha-1.6.0", [PER, LOC, ORG])
    assert len(store.get("d1").spans) == 3


def test_prediction_cache(store: Store) -> None:
    assert store.cached_predictions("abc", "natasha-1.6.0") is None
    store.cache_predictions("abc", "natasha-1.6.0", [PER, LOC])
    assert store.cached_predictions("abc", "natasha-1.6.0") == [PER, LOC]


def test_decisions_derive_their_kind(store: Store) -> None:
    store.accept("d1", "s1")
    store.relabel("d1", "s2", "ORG")
    store.adjust("d1", "s3", 42, 50)
    doc = store.get("d1")
    s1, s2, s3 = doc.span("s1"), doc.span("s2"), doc.span("s3")
    assert (s1.state, s1.decision, s1.annotator) == ("accepted", "accepted", "anna")
    assert (s2.label, s2.decision, s2.original_label) == ("ORG", "relabeled", "LOC")
    assert (s3.text, s3.decision, s3.original_start, s3.original_stop) == (
        "Интерпол", "adjusted", 42, 51,
    )
    assert doc.status == "in_progress"
    assert surfaces_exact(store, "d1")
    store.reject("d1", "s1")
    assert store.get("d1").span("s1").decision == "rejected"
    store.reset("d1", "s3")
    s3 = store.get("d1").span("s3")
    assert (s3.start, s3.stop, s3.state, s3.decision) == (42, 51, "pending", None)


def test_relabel_back_to_original_is_plain_accept(store: Store) -> None:
    store.relabel("d1", "s2", "ORG")
    store.relabel("d1", "s2", "LOC")
    s2 = store.get("d1").span("s2")
    assert (s2.decision, s2.original_label) == ("accepted", None)


def test_add_and_delete_manual_span(store: Store) -> None:
    doc, span = store.add_span("d1", 52, 59, "PER")
    assert span.text == "Юргеном" and span.decision == "added" and span.state == "accepted"
    with pytest.raises(SpanError, match="already marked"):
        store.add_span("d1", 52, 59, "PER")
    with pytest.raises(SpanError, match="reject it instead"):
        store.delete_span("d1", "s1")
    store.delete_span("d1", span.id)
    assert not any(s.id == span.id for s in store.get("d1").spans)


@pytest.mark.parametrize(
    ("start", "stop", "message"),
    [(-1, 3, "negative"), (5, 5, "empty or reversed"), (9, 3, "empty or reversed"),
     (0, 10_000, "past the end")],
)
def test_bad_spans_are_refused_naming_document(
    store: Store, start: int, stop: int, message: str
) -> None:
    with pytest.raises(SpanError, match=message) as info:
        store.add_span("d1", start, stop, "PER")
    assert "'d1'" in str(info.value)


def test_unknown_label_refused(store: Store) -> None:
    with pytest.raises(SpanError, match="not in the store's label set"):
        store.relabel("d1", "s1", "MISC")


def test_accept_all_and_reviewed(store: Store) -> None:
    with pytest.raises(StoreError, match="3 pending spans"):
        store.set_status("d1", "reviewed")
    store.accept_all("d1")
    assert store.set_status("d1", "reviewed").status == "reviewed"
    assert store.summary("d1").accepted == 3


def test_undo_redo_survive_restart(store: Store, root: Path) -> None:
    store.accept("d1", "s1")
    store.relabel("d1", "s2", "PER")
    store.add_span("d1", 52, 59, "PER")
    store.close()
    with Store.open(root, user="anna") as s:
        assert s.undo("d1") is not None  # the add
        assert not any(sp.id == "s4" for sp in s.get("d1").spans)
        result = s.undo("d1")  # the relabel
        assert result is not None and result[1].action == "relabel"
        assert s.get("d1").span("s2").state == "pending"
    with Store.open(root, user="anna") as s:
        assert s.can_redo("d1")
        s.redo("d1")
        assert s.get("d1").span("s2").label == "PER"
        s.redo("d1")
        assert s.get("d1").span("s4").text == "Юргеном"
        assert not s.can_redo("d1")
        s.undo("d1")
        s.undo("d1")
        s.undo("d1")
        doc = s.get("d1")
        assert all(sp.state == "pending" for sp in doc.spans)
        assert doc.status == "unreviewed"
        assert s.undo("d1") is None  # loading predictions is not undoable
        s.redo("d1")
        s.reject("d1", "s3")  # a new action clears the redo stack
        assert not s.can_redo("d1")
        actions = [e.action for e in s.history("d1")]
        assert actions[0] == "load_predictions" and actions.count("undo") == 5


def test_status_flags_comment_are_undoable(store: Store) -> None:
    store.set_flags("d1", ["needs-second-look"])
    store.set_comment("d1", "Штоком — фамилия в творительном падеже")
    store.set_status("d1", "ignored")
    store.undo("d1")
    assert store.get("d1").status == "unreviewed"
    store.undo("d1")
    assert store.get("d1").comment == ""
    store.undo("d1")
    assert store.get("d1").flags == []


def test_stale_document_keeps_annotations(store: Store, root: Path) -> None:
    store.accept("d1", "s1")
    store.close()
    changed = make_doc("d1", TEXT.replace("Конец", "Финал"))
    with Store.open(root, user="anna") as s:
        report = s.sync([changed])
        assert report.stale == ["d1"]
        doc = s.get("d1")
        assert doc.stale and doc.current_sha256 == changed.sha256
        assert doc.text == TEXT and doc.span("s1").state == "accepted"
        assert s.summary("d1").stale
        # back to the original text: no longer stale
        assert s.sync([make_doc("d1", TEXT)]).unchanged == ["d1"]
        assert not s.get("d1").stale


def test_position(store: Store, root: Path) -> None:
    assert store.position() is None
    store.set_position("d1", "s2")
    store.close()
    with Store.open(root, user="anna") as s:
        assert s.position() == ("d1", "s2")
    with Store.open(root, user="bob") as s:
        assert s.position() is None


def test_second_writer_is_refused_naming_holder(store: Store, root: Path) -> None:
    with pytest.raises(StoreLockedError) as info:
        Store.open(root, user="bob")
    message = str(info.value)
    assert "anna" in message and f"pid {os.getpid()}" in message and "since" in message
    holder = Store.lock_holder(root)
    assert holder is not None and holder.user == "anna"
    with Store.open(root, user="bob", readonly=True) as reader:
        assert reader.get("d1") == store.get("d1")
        with pytest.raises(StoreError, match="read-only"):
            reader.accept("d1", "s1")
    store.close()
    assert Store.lock_holder(root) is None
    Store.open(root, user="bob").close()


def test_lock_of_killed_process_is_taken_over(root: Path) -> None:
    Store.open(root, user="anna").close()
    script = textwrap.dedent(f"""
        import sys, time
        from annotator.core.store import Store
        s = Store.open({str(root)!r}, user="ghost")
        print("locked", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "locked"
    with pytest.raises(StoreLockedError, match="ghost"):
        Store.open(root, user="anna")
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Store.open(root, user="anna") as s:
        assert not s.readonly


def test_newer_schema_refused(root: Path) -> None:
    Store.open(root, user="anna").close()
    meta = json.loads((root / "store.json").read_text())
    meta["version"] = 99
    (root / "store.json").write_text(json.dumps(meta))
    with pytest.raises(StoreVersionError, match="newer annotator"):
        Store.open(root, user="anna")


def test_corrupt_shard_is_kept_and_reported(store: Store, root: Path) -> None:
    store.sync([make_doc("d2", "Путин приехал.")])
    store.close()
    shard = next(p for p in (root / "docs").glob("d1-*.json"))
    shard.write_bytes(shard.read_bytes()[:50])
    damaged = shard.read_bytes()
    with Store.open(root, user="anna") as s:
        assert len(s.problems) == 1 and shard.name in s.problems[0]
        assert "untouched" in s.problems[0]
        assert s.ids() == ["d2"]
        report = s.sync([make_doc("d1", TEXT), make_doc("d2", "Путин приехал.")])
        assert report.skipped == ["d1"]
    assert shard.read_bytes() == damaged


def test_not_a_store_folder_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreError, match="not an annotation store"):
        Store.open(tmp_path, user="anna")
    with pytest.raises(StoreError, match="no annotation store"):
        Store.open(tmp_path / "missing", user="anna", readonly=True)


def test_index_rebuilt_when_shard_changes_behind_its_back(store: Store, root: Path) -> None:
    store.close()
    with Store.open(root, user="anna") as s:
        s.flush_index()
        s.accept_all("d1")
        s._index_dirty = False  # as after a crash: the index still holds the old counts
    with Store.open(root, user="anna") as s:
        assert s.summary("d1").accepted == 3


def test_save_cost_does_not_depend_on_other_documents(root: Path) -> None:
    with Store.open(root, user="anna") as s:
        s.sync([make_doc(f"d{i:04}", f"Документ номер {i} о Москве.") for i in range(300)])
        s.load_predictions("d0001", "natasha-1.6.0", [SpanDraft(start=18, stop=24, label="LOC")])
        sizes_before = {p.name: p.stat().st_mtime_ns for p in (root / "docs").iterdir()}
        s.accept("d0001", "s1")
        sizes_after = {p.name: p.stat().st_mtime_ns for p in (root / "docs").iterdir()}
    touched = [name for name in sizes_after if sizes_after[name] != sizes_before.get(name)]
    # the document's file and its log, nothing of any other document
    assert sorted(touched) == [f"{shard_name('d0001')}", shard_name("d0001")[:-5] + ".log"]


def test_sigkill_mid_save_loses_no_acknowledged_decision(root: Path) -> None:
    with Store.open(root, user="anna") as s:
        text = " ".join(["Москва"] * 400)
        s.sync([make_doc("big", text)])
        drafts = [SpanDraft(start=i * 7, stop=i * 7 + 6, label="LOC") for i in range(400)]
        s.load_predictions("big", "natasha-1.6.0", drafts)
    script = textwrap.dedent(f"""
        from annotator.core.store import Store
        s = Store.open({str(root)!r}, user="anna")
        for i in range(1, 401):
            s.reject("big", f"s{{i}}")
            print(i, flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acked = 0
    for line in child.stdout:
        acked = int(line)
        if acked >= 40:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Store.open(root, user="anna") as s:
        doc = s.get("big")
        rejected = {sp.id for sp in doc.spans if sp.state == "rejected"}
        assert {f"s{i}" for i in range(1, acked + 1)} <= rejected
        assert all(doc.text[sp.start : sp.stop] == sp.text for sp in doc.spans)
    assert not list((root / "docs").glob(".*tmp-*"))


def test_corrupt_store_meta_is_refused_and_kept(root: Path) -> None:
    Store.open(root, user="anna").close()
    (root / "store.json").write_bytes(b"{not json")
    with pytest.raises(StoreCorruptError, match="damaged"):
        Store.open(root, user="anna")
    assert (root / "store.json").read_bytes() == b"{not json"


def test_store_meta_that_only_json_reads_opens_and_survives_a_change(root: Path) -> None:
    """What a user or a newer version may leave in store.json that orjson refuses (an integer
    past 64 bits, NaN) opens, and a label change writes it back as it was."""
    Store.open(root, user="anna").close()
    meta = json.loads((root / "store.json").read_text())
    meta.update(big=2**70, ratio=float("nan"))
    (root / "store.json").write_text(json.dumps(meta))
    with Store.open(root, user="anna") as s:
        s.set_labels(["PER", "LOC", "ORG", "MISC"])
    text = (root / "store.json").read_text()
    assert str(2**70) in text and "NaN" in text
    with Store.open(root, user="anna") as s:
        assert s.labels.labels == ["PER", "LOC", "ORG", "MISC"]


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf{}", b"\xff{}", b"[" * 5000 + b"]" * 5000, b"[]"])
def test_unreadable_store_meta_of_every_kind_is_refused(root: Path, data: bytes) -> None:
    Store.open(root, user="anna").close()
    (root / "store.json").write_bytes(data)
    with pytest.raises(StoreCorruptError):
        Store.open(root, user="anna")
    assert (root / "store.json").read_bytes() == data


def test_redo_never_overwrites_a_span_made_after_the_undo(store: Store) -> None:
    _, added = store.add_span("d1", 52, 59, "PER")
    store.undo("d1")
    doc = store.load_predictions("d1", "import:other", [SpanDraft(start=60, stop=66, label="PER")],
                                 origin="import:other")
    newer = next(s for s in doc.spans if s.origin == "import:other")
    assert newer.id != added.id
    store.redo("d1")
    ids = {s.id: s.text for s in store.get("d1").spans}
    assert ids[added.id] == "Юргеном" and ids[newer.id] == "Штоком"


def test_moved_bounds_drop_the_models_normal_form_until_moved_back(store: Store) -> None:
    store.adjust("d1", "s2", 23, 31)  # "Марракеше" -> "Марракеш": the lemma no longer applies
    moved = store.get("d1").span("s2")
    assert (moved.normal, moved.original_normal) == (None, "Марракеш")
    store.relabel("d1", "s2", "ORG")
    assert store.get("d1").span("s2").normal is None
    store.adjust("d1", "s2", 23, 32)
    back = store.get("d1").span("s2")
    assert (back.normal, back.original_normal, back.decision) == ("Марракеш", None, "relabeled")
    store.adjust("d1", "s2", 23, 31)
    store.reset("d1", "s2")
    reset = store.get("d1").span("s2")
    assert (reset.normal, reset.original_normal, reset.label) == ("Марракеш", None, "LOC")


def test_spans_saved_before_original_normal_existed_are_read_by_the_current_rule() -> None:
    from annotator.core.model import Span

    old = {"id": "s1", "start": 0, "stop": 8, "label": "LOC", "text": "Марракеш",
           "normal": "Марракеш", "origin": "natasha-1.6.0", "state": "accepted",
           "decision": "adjusted", "original_start": 0, "original_stop": 9}
    span = Span.model_validate(old)
    assert (span.normal, span.original_normal) == (None, "Марракеш")
    assert Span.model_validate(span.model_dump()) == span


def test_a_document_reads_the_same_constructed_or_validated(store: Store, root: Path) -> None:
    """Before pydantic's schemas are built the store makes a document it has checked with
    ``model_construct``; after, with the validator: both are the document as saved."""
    from annotator.core.shard import document_of, read_document_data

    store.accept("d1", "s1")
    store.relabel("d1", "s2", "ORG")
    store.set_flags("d1", ["check"])
    data = read_document_data(store.shard_path("d1"))
    validated = document_of(data)
    spans = [Span.model_construct(**span) for span in data["spans"]]
    constructed = Document.model_construct(**{**data, "spans": spans})
    assert validated == constructed == store.get("d1")
    assert Document.model_validate(constructed.model_dump()) == constructed
    store.close()
    with Store.open(root, user="anna") as again:
        assert again.get("d1") == validated


def test_a_malformed_index_summary_is_re_read_from_its_document(store: Store, root: Path) -> None:
    """The index passes its digest but a summary has a field of the wrong type: the store does
    not trust it and reads the document's file again."""
    from annotator.core.index import digest

    store.accept("d1", "s1")
    store.close()
    path = root / "index.json"
    for field, value in (("accepted", "1"), ("status", "done"), ("flags", [1]), ("extra", 0)):
        raw = json.loads(path.read_bytes())
        (entry,) = raw["shards"].values()
        entry["summary"][field] = value
        raw["digest"] = digest(raw["shards"])
        path.write_text(json.dumps(raw))
        with Store.open(root, user="anna") as again:
            summary = again.summary("d1")
            assert summary == DocSummary.of(again.get("d1"))
            assert summary.accepted == 1 and summary.status == "in_progress"


def test_label_sets_are_checked_without_the_validator() -> None:
    assert LabelSet.checked([" PER", "LOC", "PER"]) == LabelSet(labels=["PER", "LOC"])
    for bad in ([], ["two words"], [""], "PER", [1], None):
        with pytest.raises(ValueError):
            LabelSet.checked(bad)

"""Each document's event log in its own append-only file (store schema 2), and schema 1 stores.

The TinyDB file is the commit: it records where the log ends (``log_seq``, ``log_size``); bytes of
the log past that are a change that never completed, ignored by readers and cut off by the next
change. Schema 1 shards (the log a table of the TinyDB file) are read as they are and move their
log to its own file on their next change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.commands.export import run_export
from annotator.core import atomic
from annotator.core.errors import StoreCorruptError
from annotator.core.model import Document, SpanDraft
from annotator.core.shard import Shard, log_path, shard_name
from annotator.core.store import SCHEMA_VERSION, Store
from tests.helpers import make_doc

from ..reliability.support import store_to_schema1, tree

TEXT = "Бастрыкин встретился в Марракеше\u00a0с главой Интерпола Юргеном Штоком.\r\nКонец."
DRAFTS = [
    SpanDraft(start=0, stop=9, label="PER"),
    SpanDraft(start=23, stop=32, label="LOC"),
    SpanDraft(start=42, stop=51, label="ORG"),
]


def _build(root: Path) -> None:
    with Store.open(root, user="anna") as store:
        store.sync([make_doc("d1", TEXT), make_doc("d2", TEXT + " Ещё.")])
        for doc_id in ("d1", "d2"):
            store.load_predictions(doc_id, "natasha-1.6.0", DRAFTS)
        store.accept("d1", "s1")
        store.relabel("d1", "s2", "ORG")
        store.undo("d1")
        store.reject("d1", "s3")


def _files(root: Path, doc_id: str) -> tuple[Path, Path]:
    shard = root / "docs" / shard_name(doc_id)
    return shard, log_path(shard)


def _record(shard: Path) -> dict[str, object]:
    record: dict[str, object] = json.loads(shard.read_bytes())["document"]["1"]
    return record


def _snapshot(root: Path) -> dict[str, tuple[Document, list[dict[str, Any]]]]:
    with Store.open(root, user="anna", readonly=True) as store:
        return {
            doc_id: (store.get(doc_id), [e.model_dump() for e in store.history(doc_id)])
            for doc_id in store.ids()
        }


def test_the_log_is_its_own_file_and_the_shard_says_where_it_ends(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    shard, log = _files(root, "d1")
    assert set(json.loads(shard.read_bytes())) == {"document", "spans"}
    lines = log.read_bytes().splitlines(keepends=True)
    with Store.open(root, user="anna", readonly=True) as store:
        history = store.history("d1")
    assert [json.loads(line)["seq"] for line in lines] == [e.seq for e in history]
    assert [e.seq for e in history] == [1, 2, 3, 4, 5]
    assert [e.action for e in history] == [
        "load_predictions", "accept", "relabel", "undo", "reject"
    ]
    record = _record(shard)
    assert record["log_seq"] == 5 and record["log_size"] == log.stat().st_size
    assert json.loads((root / "store.json").read_bytes())["version"] == SCHEMA_VERSION == 2


def test_a_decision_appends_to_the_log_and_never_rewrites_it(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    _, log = _files(root, "d1")
    before = log.read_bytes()
    inode = log.stat().st_ino
    with Store.open(root, user="anna") as store:
        store.accept("d1", "s2")
    after = log.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    assert log.stat().st_ino == inode  # appended in place, not replaced


def test_an_export_does_not_read_the_log(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    with Store.open(root, user="anna") as store:
        store.accept_all("d1")
        store.set_status("d1", "reviewed")
    expected = tmp_path / "expected.json"
    run_export(store_dir=root, fmt="gold", output=expected, include_unreviewed=True, workers=1)
    for doc_id in ("d1", "d2"):
        _files(root, doc_id)[1].write_bytes(b"not a log")
    out = tmp_path / "out.json"
    run_export(store_dir=root, fmt="gold", output=out, include_unreviewed=True, workers=1)
    documents = json.loads(out.read_bytes())["documents"]
    assert documents == json.loads(expected.read_bytes())["documents"]


@pytest.mark.parametrize(
    "tail",
    [b'{"seq": 6, "doc', b"\x00\x00\x00", b"garbage\n", b"{}\n{}\n"],
    ids=["torn-line", "zeros", "garbage-line", "two-lines"],
)
def test_a_tail_past_the_recorded_end_is_ignored_then_cut_off(tmp_path: Path, tail: bytes) -> None:
    """What a change that died between its two writes left: never read, replaced by the next."""
    root = tmp_path / "store"
    _build(root)
    expected = _snapshot(root)
    _, log = _files(root, "d1")
    good = log.read_bytes()
    log.write_bytes(good + tail)
    assert _snapshot(root) == expected
    with Store.open(root, user="anna") as store:
        assert store.problems == []
        store.accept("d1", "s2")
        history = store.history("d1")
    assert [e.seq for e in history] == [1, 2, 3, 4, 5, 6] and history[-1].action == "accept"
    assert tail not in log.read_bytes()[len(good):]
    assert _snapshot(root)["d1"][1] == [e.model_dump() for e in history]


def test_a_change_that_dies_between_log_and_shard_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event reached the log but the TinyDB file was never replaced: the change did not
    happen (it was never acknowledged), for this process and the next."""
    root = tmp_path / "store"
    _build(root)
    expected = _snapshot(root)
    shard, log = _files(root, "d1")
    size = log.stat().st_size

    def die(path: Path, data: bytes, *, durable: bool = True) -> None:
        raise KeyboardInterrupt

    with Store.open(root, user="anna") as store:
        with monkeypatch.context() as patch:
            patch.setattr("annotator.core.shard_storage.write_atomic", die)
            with pytest.raises(KeyboardInterrupt):
                store.accept("d1", "s2")
        assert log.stat().st_size > size  # the event is in the file, past the recorded end
        assert store.get("d1") == expected["d1"][0]
        assert [e.model_dump() for e in store.history("d1")] == expected["d1"][1]
        store.reject("d1", "s2")  # the next change takes the same seq, cutting the tail off
        assert [e.seq for e in store.history("d1")][-1] == 6
    after = _snapshot(root)
    assert after["d1"][0].span("s2").state == "rejected"
    assert [e["action"] for e in after["d1"][1]][-1] == "reject"
    assert _record(shard)["log_size"] == log.stat().st_size


def test_a_missing_or_damaged_log_is_reported_and_left_alone(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    shard, log = _files(root, "d1")
    good = log.read_bytes()
    for damage in (None, good[:-10], good.replace(b'"seq":2', b'"seq":"x"', 1)):
        if damage is None:
            log.unlink()
        else:
            log.write_bytes(damage)
        before = tree(root / "docs")
        with Store.open(root, user="anna") as store:
            assert store.problems == []  # the document itself is intact
            assert store.get("d1").span("s1").state == "accepted"
            with pytest.raises(StoreCorruptError, match="event log") as caught:
                store.history("d1")
            assert "backup" in str(caught.value) and "\n" not in str(caught.value)
            with pytest.raises(StoreCorruptError):
                store.undo("d1")
            if damage is None or len(damage) < len(good):  # nowhere to append: refused
                with pytest.raises(StoreCorruptError, match="event log"):
                    store.accept("d1", "s2")
                assert tree(root / "docs") == before
            store.accept("d2", "s1")  # other documents go on
        log.write_bytes(good)
        with Store.open(root, user="anna") as store:
            store.undo("d2")


def test_a_schema1_store_is_read_as_it_is(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    expected = _snapshot(root)
    store_to_schema1(root)
    assert not list((root / "docs").glob("*.log"))
    before = tree(root)
    assert _snapshot(root) == expected
    assert tree(root) == before  # a read-only open writes nothing, not even the version


def test_a_schema1_store_moves_each_log_on_its_next_change(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    expected = _snapshot(root)
    store_to_schema1(root)
    shard1, log1 = _files(root, "d1")
    shard2, log2 = _files(root, "d2")
    untouched = shard2.read_bytes()
    with Store.open(root, user="anna") as store:
        assert json.loads((root / "store.json").read_bytes())["version"] == SCHEMA_VERSION
        assert store.history("d1") == [type(e).model_validate(e) for e in store.history("d1")]
        store.undo("d1")  # undoes the reject logged by schema 1
        store.redo("d1")
        store.accept("d1", "s2")
    assert set(json.loads(shard1.read_bytes())) == {"document", "spans"}
    assert log1.is_file() and not log2.exists()
    assert shard2.read_bytes() == untouched  # moved only when changed
    after = _snapshot(root)
    assert after["d2"] == expected["d2"]
    old = expected["d1"][1]
    assert after["d1"][1][: len(old)] == old
    assert [e["action"] for e in after["d1"][1][len(old):]] == ["undo", "redo", "accept"]


def test_a_schema1_shard_whose_move_died_halfway_is_still_schema1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log file was written, the TinyDB file not yet replaced: its table is still the log."""
    root = tmp_path / "store"
    _build(root)
    expected = _snapshot(root)
    store_to_schema1(root)
    shard, log = _files(root, "d1")
    real = atomic.write_atomic
    calls: list[Path] = []

    def once(path: Path, data: bytes, *, durable: bool = True) -> None:
        calls.append(path)
        if path.suffix == ".json":
            raise KeyboardInterrupt
        real(path, data, durable=durable)

    with Store.open(root, user="anna") as store:
        with monkeypatch.context() as patch:
            patch.setattr("annotator.core.shard.write_atomic", once)  # the log
            patch.setattr("annotator.core.shard_storage.write_atomic", once)  # the TinyDB file
            with pytest.raises(KeyboardInterrupt):
                store.accept("d1", "s2")
    assert calls and calls[0] == log and log.is_file()
    assert "events" in json.loads(shard.read_bytes())
    assert _snapshot(root) == expected
    with Store.open(root, user="anna") as store:
        store.accept("d1", "s2")
    after = _snapshot(root)
    assert after["d1"][1][:-1] == expected["d1"][1]
    assert "events" not in json.loads(shard.read_bytes())


def test_shard_load_without_events_does_not_open_the_log(tmp_path: Path) -> None:
    root = tmp_path / "store"
    _build(root)
    shard, log = _files(root, "d1")
    log.unlink()
    doc, events = Shard(shard, durable=False).load(events=False)
    assert events == [] and doc.span("s1").state == "accepted"
    with pytest.raises(StoreCorruptError, match="missing"):
        Shard(shard, durable=False).load()

"""Damaged stores: unreadable files are reported and kept byte for byte; caches are rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator.core.errors import StoreCorruptError, StoreError, StoreVersionError
from annotator.core.model import DocSummary, Event, SpanDraft
from annotator.core.shard import shard_name
from annotator.core.store import SCHEMA_VERSION, Store

from .support import corpus, sha, shard_path, small_store, temps_under, to_schema1, tree


def _check_index(store: Store) -> None:
    """The summaries served from the index are those of the documents themselves."""
    for doc_id in store.ids():
        assert store.summary(doc_id) == DocSummary.of(store.get(doc_id))


def _mangle_json(edit: Callable[[dict[str, object]], object]) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        data = json.loads(raw)
        return json.dumps(edit(data)).encode()

    return damage


def _first_span_text(data: dict[str, object]) -> object:
    spans = data["spans"]
    assert isinstance(spans, dict)
    first = spans[min(spans, key=int)]
    first["text"] = "не тот текст"[: first["stop"] - first["start"]].ljust(
        first["stop"] - first["start"], "x"
    )
    return data


SHARD_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "zeros": lambda raw: b"\x00" * len(raw),
    "not-json": lambda raw: b"<html>not a store</html>",
    "not-utf8": lambda raw: raw.decode().encode("utf-16"),
    "json-list": lambda raw: b"[]",
    "json-string": lambda raw: b'"document"',
    "no-document": _mangle_json(lambda d: {k: v for k, v in d.items() if k != "document"}),
    "document-is-list": _mangle_json(lambda d: {**d, "document": [1, 2]}),
    "span-key-not-int": _mangle_json(lambda d: {**d, "spans": {"x": {"id": "s1"}}}),
    "span-is-number": _mangle_json(lambda d: {**d, "spans": {"1": 5}}),
    "span-text-mismatch": _mangle_json(_first_span_text),
    "event-garbage": _mangle_json(lambda d: {**d, "events": {"1": {"seq": "one"}}}),
    "deep-nesting": lambda raw: b"[" * 200_000 + b"]" * 200_000,
}


@pytest.mark.parametrize("kind", sorted(SHARD_DAMAGE))
def test_damaged_shard_is_reported_and_kept_byte_for_byte(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "store"
    made = corpus(docs=3)
    docs = small_store(root)
    victim, other = docs[1], docs[0]
    path = shard_path(root, victim.id)
    path.write_bytes(SHARD_DAMAGE[kind](path.read_bytes()))
    digest = sha(path)

    with Store.open(root, user="anna") as store:
        assert len(store.problems) == 1
        problem = store.problems[0]
        assert str(path) in problem
        assert "backup" in problem and "left untouched" in problem
        assert victim.id not in store.ids()
        assert store.ids() == sorted(d.id for d in docs if d is not victim)
        with pytest.raises(StoreError):
            store.get(victim.id)
        # the damaged document is in the corpus again: it is skipped, never re-created
        report = store.sync(doc for doc, _ in made)
        assert victim.id in report.skipped and victim.id not in report.added
        with pytest.raises(StoreCorruptError):
            store.put(victim)
        # decisions elsewhere go on
        store.accept(other.id, "s1")
        store.add_span(other.id, 0, 5, "ORG")
        store.undo(other.id)
        store.set_position(other.id, "s1")
        store.flush_index()
        _check_index(store)
        assert sha(path) == digest
    assert sha(path) == digest
    with Store.open(root, user="anna", readonly=True) as reader:
        assert len(reader.problems) == 1 and str(path) in reader.problems[0]
        assert reader.get(other.id).span("s1").state == "accepted"
    with Store.open(root, user="anna") as store:
        assert len(store.problems) == 1
        store.sync(doc for doc, _ in made)
    assert sha(path) == digest
    # moved aside, the document starts afresh (as the hint says)
    path.rename(tmp_path / "aside.json")
    with Store.open(root, user="anna") as store:
        assert store.problems == []
        assert store.sync(doc for doc, _ in made).added == [victim.id]


def test_shard_holding_another_documents_record_is_not_used(tmp_path: Path) -> None:
    """A file restored to the wrong name must not receive another document's decisions."""
    root = tmp_path / "store"
    docs = small_store(root)
    first, second = shard_path(root, docs[0].id), shard_path(root, docs[1].id)
    second.write_bytes(first.read_bytes())  # docs[1]'s file now holds docs[0]
    digests = {first: sha(first), second: sha(second)}
    (root / "index.json").unlink()
    with Store.open(root, user="anna") as store:
        assert len(store.problems) == 1 and str(second) in store.problems[0]
        assert docs[1].id not in store.ids()
        store.accept(docs[0].id, "s1")
        store.sync(doc for doc, _ in corpus(docs=3))
    assert sha(second) == digests[second]
    with Store.open(root, user="anna", readonly=True) as store:
        assert store.get(docs[0].id).span("s1").state == "accepted"


STORE_JSON_DAMAGE: dict[str, bytes | Callable[[bytes], bytes]] = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": b"",
    "garbage": b"\x89PNG\r\n\x1a\n",
    "list": b"[]",
    "other-format": b'{"format": "something.else", "version": 1}',
    "no-format": b'{"version": 1, "labels": ["PER"]}',
    "deep-nesting": b"{" + b'"a":{' * 100_000,
}


@pytest.mark.parametrize("kind", sorted(STORE_JSON_DAMAGE))
@pytest.mark.parametrize("readonly", [False, True], ids=["writer", "reader"])
def test_damaged_store_json_refuses_to_open_and_is_kept(
    tmp_path: Path, kind: str, readonly: bool
) -> None:
    root = tmp_path / "store"
    small_store(root)
    meta = root / "store.json"
    damage = STORE_JSON_DAMAGE[kind]
    meta.write_bytes(damage(meta.read_bytes()) if callable(damage) else damage)
    before = tree(root)
    with pytest.raises(StoreCorruptError) as caught:
        Store.open(root, user="anna", readonly=readonly)
    assert str(meta) in str(caught.value)
    assert caught.value.exit_code == 4
    assert tree(root) == before  # nothing written, nothing removed
    assert Store.lock_holder(root) is None


@pytest.mark.parametrize("version", [SCHEMA_VERSION + 1, 99])
@pytest.mark.parametrize("readonly", [False, True], ids=["writer", "reader"])
def test_store_json_of_a_newer_version_refuses_to_open(
    tmp_path: Path, version: int, readonly: bool
) -> None:
    root = tmp_path / "store"
    small_store(root)
    meta = root / "store.json"
    data = json.loads(meta.read_bytes())
    meta.write_text(json.dumps({**data, "version": version, "new_field": {"x": 1}}))
    before = tree(root)
    with pytest.raises(StoreVersionError, match=f"schema version {version}") as caught:
        Store.open(root, user="anna", readonly=readonly)
    assert caught.value.exit_code == 5
    assert tree(root) == before
    assert Store.lock_holder(root) is None


def test_lost_store_json_is_not_recreated_over_documents(tmp_path: Path) -> None:
    root = tmp_path / "store"
    small_store(root)
    (root / "store.json").unlink()
    before = tree(root)
    with pytest.raises(StoreError, match="not an annotation store"):
        Store.open(root, user="anna")
    assert tree(root) == before


INDEX_DAMAGE: dict[str, bytes | Callable[[bytes], bytes]] = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": b"",
    "garbage": b"\xff\xfe\x00",
    "list": b"[]",
    "shards-list": b'{"version": 1, "shards": []}',
    "entry-not-dict": b'{"version": 1, "shards": {"x.json": 5}}',
    "deep-nesting": b"[" * 100_000,
    "huge-mtime": _mangle_json(
        lambda d: {
            "version": 1,
            "shards": {
                k: {**v, "mtime_ns": float("inf")}
                for k, v in d["shards"].items()  # type: ignore[attr-defined]
            },
        }
    ),
    "wrong-summaries": _mangle_json(
        lambda d: {
            "version": 1,
            "shards": {
                k: {**v, "summary": {**v["summary"], "pending": 99, "status": "reviewed"}}
                for k, v in d["shards"].items()  # type: ignore[attr-defined]
            },
        }
    ),
}


@pytest.mark.parametrize("kind", sorted(INDEX_DAMAGE))
def test_damaged_index_is_rebuilt(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    with Store.open(root, user="anna") as store:
        store.accept(docs[0].id, "s1")
    index = root / "index.json"
    damage = INDEX_DAMAGE[kind]
    raw = damage(index.read_bytes()) if callable(damage) else damage
    if kind == "wrong-summaries":  # a wrong summary is only trusted while the shard is unchanged;
        for doc in docs:  # here every shard changed after the index was written
            os.utime(shard_path(root, doc.id), ns=(1, 1))
    index.write_bytes(raw)
    with Store.open(root, user="anna", readonly=True) as reader:
        assert reader.ids() == sorted(d.id for d in docs)
        _check_index(reader)
    with Store.open(root, user="anna") as store:
        assert store.problems == []
        assert store.ids() == sorted(d.id for d in docs)
        _check_index(store)
        assert store.summary(docs[0].id).accepted == 1
    rebuilt = json.loads(index.read_bytes())
    assert set(rebuilt["shards"]) == {shard_name(d.id) for d in docs}


def test_stale_index_is_revalidated_against_the_shards(tmp_path: Path) -> None:
    root = tmp_path / "store"
    made = corpus(docs=4)
    docs = small_store(root, docs=3)
    index = root / "index.json"
    old_index = index.read_bytes()
    backup = shard_path(root, docs[1].id).read_bytes()
    with Store.open(root, user="anna") as store:
        store.accept(docs[0].id, "s1")
        store.reject(docs[0].id, "s2")
        store.accept_all(docs[1].id)
        store.set_status(docs[1].id, "reviewed")
        store.sync(doc for doc, _ in made)  # a fourth document
    index.write_bytes(old_index)  # as if the process had died before writing the index
    with Store.open(root, user="anna") as store:
        assert store.ids() == sorted(doc.id for doc, _ in made)
        _check_index(store)
        assert store.summary(docs[1].id).status == "reviewed"
    # a shard restored from a backup behind the store's back
    shard_path(root, docs[1].id).write_bytes(backup)
    shard_path(root, docs[2].id).unlink()
    with Store.open(root, user="anna") as store:
        _check_index(store)
        assert store.summary(docs[1].id).status == "unreviewed"
        assert docs[2].id not in store.ids()


@pytest.fixture
def live_pid() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=-1)
    yield proc.pid
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(60)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(60)
    return proc.pid


def test_leftover_temp_files_are_cleaned_only_when_their_writer_is_dead(
    tmp_path: Path, live_pid: int
) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    with Store.open(root, user="anna") as store:
        store.cache_predictions(
            docs[0].sha256, "natasha-1.6.0", [SpanDraft(start=0, stop=1, label="PER")]
        )
    dead = _dead_pid()
    cache_folder = next((root / "predictions").iterdir())
    folders = [root, root / "docs", root / "users", cache_folder]
    dead_temps = [f / f".x.json.tmp-{dead}-0" for f in folders]
    live_temps = [f / f".x.json.tmp-{live_pid}-3" for f in folders]
    for temp in dead_temps + live_temps:
        temp.write_bytes(b'{"half": ')
    with Store.open(root, user="anna", readonly=True) as reader:  # a reader never cleans
        assert reader.problems == []
    assert all(t.exists() for t in dead_temps + live_temps)
    with Store.open(root, user="anna") as store:
        assert store.problems == []
        assert not any(t.exists() for t in dead_temps)
        assert all(t.exists() for t in live_temps)
        assert store.ids() == sorted(d.id for d in docs)
    assert sorted(temps_under(root)) == sorted(live_temps)


def test_damaged_caches_are_ignored(tmp_path: Path) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    with Store.open(root, user="anna") as store:
        store.set_position(docs[0].id, "s2")
        store.cache_predictions(
            docs[0].sha256, "natasha-1.6.0", [SpanDraft(start=0, stop=1, label="PER")]
        )
    position = next((root / "users").iterdir())
    cached = next((root / "predictions").glob("*/*.json"))
    for payload in (b"", b"[", b"[]", b'{"doc_id": []}', b"[" * 100_000, b'"x"'):
        position.write_bytes(payload)
        cached.write_bytes(payload)
        with Store.open(root, user="anna") as store:
            assert store.position() is None
            assert store.cached_predictions(docs[0].sha256, "natasha-1.6.0") is None
            store.set_position(docs[1].id, "s1")  # a position is rewritten, not kept
            assert store.position() == (docs[1].id, "s1")


def _rekey(table: str, old: str, new: str) -> Callable[[bytes], bytes]:
    def edit(data: dict[str, object]) -> object:
        rows = data[table]
        assert isinstance(rows, dict)
        rows[new] = rows.pop(old)
        return data

    return _mangle_json(edit)


@pytest.mark.parametrize(
    ("damage", "schema1"),
    [(_rekey("spans", "1", "40"), False), (_rekey("events", "1", "2000"), True)],
    ids=["span-under-another-key", "event-under-another-key"],
)
def test_shard_whose_keys_disagree_with_ids_is_never_made_unreadable(
    tmp_path: Path, damage: Callable[[bytes], bytes], schema1: bool
) -> None:
    """If such a shard loads, writing to it must keep it loadable; else it is reported and kept."""
    root = tmp_path / "store"
    docs = small_store(root)
    path = shard_path(root, docs[0].id)
    if schema1:
        to_schema1(path)
    path.write_bytes(damage(path.read_bytes()))
    digest = sha(path)
    with Store.open(root, user="anna") as store:
        loaded = docs[0].id in store.ids()
        if loaded:
            for _ in range(3):
                store.accept(docs[0].id, "s1")
                store.undo(docs[0].id)
            expected = store.get(docs[0].id)
    with Store.open(root, user="anna") as store:
        if loaded:
            assert store.problems == []
            assert store.get(docs[0].id) == expected
        else:
            assert len(store.problems) == 1 and str(path) in store.problems[0]
            assert sha(path) == digest


def test_failed_write_leaves_no_half_applied_change_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    with Store.open(root, user="anna") as store:
        store.accept(docs[0].id, "s1")
        before = store.get(docs[0].id)
        bad = before.model_copy(
            update={
                "status": "reviewed",
                "spans": [s.model_copy(update={"id": f"T{s.id[1:]}"}) for s in before.spans],
            }
        )
        with pytest.raises(StoreError):
            store.put(bad)  # brat-style span ids the store cannot key
        assert store.get(docs[0].id) == before

        # a failure inside the write, after the record and the span were changed in memory
        # (an interrupt, no memory, a bug), before the event and the flush
        def fail(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        with monkeypatch.context() as patch:
            patch.setattr(Event, "model_dump", fail)
            with pytest.raises(KeyboardInterrupt):
                store.reject(docs[0].id, "s2")
        assert store.get(docs[0].id) == before
        store.set_comment(docs[0].id, "ok")
        after = store.get(docs[0].id)
        assert after.span("s2").state == "pending"
    with Store.open(root, user="anna") as store:
        assert store.get(docs[0].id) == after
        assert [e.action for e in store.history(docs[0].id)][-2:] == ["accept", "comment"]


def test_shard_that_is_a_folder_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    path = shard_path(root, docs[0].id)
    path.unlink()
    path.mkdir()
    (path / "keep").write_text("x")
    with Store.open(root, user="anna") as store:
        assert len(store.problems) == 1 and str(path) in store.problems[0]
        assert store.sync(doc for doc, _ in corpus(docs=3)).skipped == [docs[0].id]
    assert (path / "keep").read_text() == "x"

"""Fuzzing the store's loaders: whatever bytes a file holds, only the documented outcomes.

* a shard: the store opens; the file either loads as a valid document or is named in
  ``store.problems`` and kept byte for byte (through ``sync`` and other decisions); a shard that
  loads stays loadable after a decision on it;
* ``store.json``: the store opens, or StoreCorruptError / StoreVersionError, the file kept;
* ``index.json``, a prediction cache, ``users/<user>.json``: ignored when unusable (the index is
  rebuilt and agrees with the documents).

Each example works on a fresh copy of one small store built once per module.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator.core.errors import StoreCorruptError, StoreError, StoreVersionError
from annotator.core.model import DocSummary, SpanDraft
from annotator.core.shard import log_path
from annotator.core.store import Store

from .support import corpus, sha, shard_path, small_store

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ------------------------------------------------------------------------------------ strategies

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["s1", "s2", "pending", "accepted", "PER", "2026-01-01T00:00:00Z", ""])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


def _replace(value: Any, path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if delete and not rest:
            del out[head]
        else:
            out[head] = _replace(value[head], rest, new, delete)
        return out
    out_list = list(value)
    if delete and not rest:
        del out_list[head]
    else:
        out_list[head] = _replace(value[head], rest, new, delete)
    return out_list


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """Bytes that a damaged or tampered copy of ``original`` could hold."""
    kind = draw(st.sampled_from(["bytes", "json", "mutate", "mutate", "mutate", "cut", "flip"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "cut":
        return original[: draw(st.integers(0, max(0, len(original) - 1)))]
    if kind == "flip":
        at = draw(st.integers(0, len(original) - 1))
        return (
            original[:at] + bytes([original[at] ^ draw(st.integers(1, 255))]) + original[at + 1 :]
        )
    value = json.loads(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(value))
        path = draw(st.sampled_from(paths[1:] or paths))
        delete = bool(path) and draw(st.booleans())
        value = _replace(value, path, draw(json_values), delete)
    return json.dumps(value, ensure_ascii=draw(st.booleans())).encode()


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "template"
    docs = small_store(root, docs=3, spans=6)
    with Store.open(root, user="anna") as store:
        store.accept(docs[0].id, "s1")
        store.relabel(docs[0].id, "s2", "PER")  # (to ORG would duplicate s1: refused)
        store.add_span(docs[0].id, 0, 5, "LOC")
        store.undo(docs[0].id)
        store.set_position(docs[0].id, "s2")
        store.cache_predictions(
            docs[0].sha256, "natasha-1.6.0", [SpanDraft(start=0, stop=3, label="PER")]
        )
    return root


@pytest.fixture
def fresh(template: Path, tmp_path: Path) -> Iterator[Any]:
    """Call it to get a new copy of the template store (one per hypothesis example)."""
    made: list[Path] = []

    def copy() -> Path:
        target = Path(tempfile.mkdtemp(dir=tmp_path)) / "store"
        shutil.copytree(template, target)
        made.append(target.parent)
        return target

    yield copy
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


def _ids(template: Path) -> list[str]:
    return sorted(p.stem.rsplit("-", 1)[0] for p in (template / "docs").glob("*.json"))


def _check_summaries(store: Store) -> None:
    for doc_id in store.ids():
        assert store.summary(doc_id) == DocSummary.of(store.get(doc_id))


# ------------------------------------------------------------------------------------ tests


@FUZZ
@given(data=st.data())
def test_any_shard_bytes_load_or_are_reported_and_kept(
    template: Path, fresh: Any, data: st.DataObject
) -> None:
    root: Path = fresh()
    with Store.open(root, user="anna", readonly=True) as probe:
        victim = probe.ids()[0]
    path = shard_path(root, victim)
    payload = data.draw(damaged(path.read_bytes()), label="shard")
    path.write_bytes(payload)
    log = log_path(path)
    log_bytes = log.read_bytes() if log.exists() else None
    with Store.open(root, user="anna") as store:
        if victim in store.ids():  # the bytes happen to form a valid shard of this document
            assert store.problems == []
            doc = store.get(victim)
            for span in doc.spans:
                assert doc.text[span.start : span.stop] == span.text
            _check_summaries(store)
            try:
                store.history(victim)
            except StoreCorruptError as err:
                # A valid shard whose log mark (log_seq, log_size) the log does not match, as
                # when one of the two files is restored from another backup: the document
                # reads and exports, the error names the log, and nothing is written to either
                # file (no decision is saved on it).
                assert str(log) in str(err)
                assert store.get_data(victim)["spans"] == [s.model_dump() for s in doc.spans]
                with pytest.raises(StoreCorruptError):
                    store.set_status(victim, "ignored")
                assert path.read_bytes() == payload
                assert (log.read_bytes() if log.exists() else None) == log_bytes
                return
            if doc.spans:  # a shard that loads stays loadable once the store writes to it
                store.reject(victim, doc.spans[0].id)
                store.undo(victim)
            store.set_status(victim, "ignored")
            after = store.get(victim)
        else:
            assert len(store.problems) == 1 and str(path) in store.problems[0]
            other = store.ids()[0]
            store.accept(other, "s3")
            report = store.sync(doc for doc, _ in corpus(docs=3, spans=6))
            assert victim in report.skipped
            _check_summaries(store)
            after = None
    if after is None:
        assert path.read_bytes() == payload
    else:
        with Store.open(root, user="anna", readonly=True) as reader:
            assert reader.problems == []
            assert reader.get(victim) == after


@FUZZ
@given(data=st.data())
@example(data=None)
def test_any_store_json_bytes_open_or_raise_a_store_error(
    template: Path, fresh: Any, data: st.DataObject | None
) -> None:
    root: Path = fresh()
    meta = root / "store.json"
    if data is None:
        payload = b'{"format": "annotator.store", "version": 1, "labels": 5}'
    else:
        structured = st.fixed_dictionaries(
            {"format": st.just("annotator.store"), "version": json_values | st.integers(-2, 3)},
            optional={"labels": json_values | st.lists(st.text(max_size=5), max_size=4)},
        ).map(lambda d: json.dumps(d).encode())
        payload = data.draw(damaged(meta.read_bytes()) | structured, label="store.json")
    meta.write_bytes(payload)
    for readonly in (True, False):
        try:
            store = Store.open(root, user="anna", readonly=readonly)
        except (StoreCorruptError, StoreVersionError) as err:
            assert str(meta) in str(err) or "newer annotator" in str(err)
            assert meta.read_bytes() == payload
            assert Store.lock_holder(root) is None
            continue
        with store:
            assert store.labels.labels
            assert store.ids() == _ids(root)
            _check_summaries(store)
            if not readonly:
                label = store.labels.labels[0]
                store.relabel(store.ids()[0], "s3", label)  # s3: alone on its range
                store.widen_labels(["NEW"])
                assert "NEW" in store.labels


@FUZZ
@given(data=st.data())
@example(data=None)
def test_any_index_bytes_are_ignored_and_rebuilt(
    template: Path, fresh: Any, data: st.DataObject | None
) -> None:
    root: Path = fresh()
    index = root / "index.json"
    if data is None:  # an absurd mtime (1e999 parses as infinity)
        raw = json.loads(index.read_bytes())
        for item in raw["shards"].values():
            item["mtime_ns"] = math.inf
        payload = json.dumps(raw).encode()
    else:
        payload = data.draw(damaged(index.read_bytes()), label="index.json")
    index.write_bytes(payload)
    for readonly in (True, False):
        with Store.open(root, user="anna", readonly=readonly) as store:
            assert store.problems == []
            assert store.ids() == _ids(root)
            _check_summaries(store)
    json.loads(index.read_bytes())  # rewritten whole


@FUZZ
@given(data=st.data())
def test_any_cache_bytes_are_ignored(template: Path, fresh: Any, data: st.DataObject) -> None:
    root: Path = fresh()
    cached = next((root / "predictions").glob("*/*.json"))
    position = next((root / "users").glob("*.json"))
    cached.write_bytes(data.draw(damaged(cached.read_bytes()), label="prediction cache"))
    position.write_bytes(data.draw(damaged(position.read_bytes()), label="position"))
    with Store.open(root, user="anna") as store:
        assert store.problems == []
        doc_id = store.ids()[0]
        sha256 = store.get(doc_id).sha256
        got = store.cached_predictions(sha256, "natasha-1.6.0")
        assert got is None or all(isinstance(d, SpanDraft) for d in got)
        where = store.position()
        assert where is None or (where[0] in store.ids() and isinstance(where[1], str | None))
        store.cache_predictions(sha256, "natasha-1.6.0", [])
        assert store.cached_predictions(sha256, "natasha-1.6.0") == []
        store.set_position(doc_id, None)
        assert store.position() == (doc_id, None)


def test_fuzz_copies_are_independent(template: Path, fresh: Any) -> None:
    """The template is never modified by the examples (each works on its own copy)."""
    before = {p: sha(p) for p in template.rglob("*") if p.is_file()}
    root: Path = fresh()
    (root / "store.json").write_bytes(b"x")
    with pytest.raises(StoreError):
        Store.open(root, user="anna")
    assert {p: sha(p) for p in template.rglob("*") if p.is_file()} == before

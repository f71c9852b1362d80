"""The gold export written as it goes (forked workers, spool files, sendfile) gives what the export
in this process alone gives, byte for byte, with the same problems and notes; a worker that
fails or dies is an error that leaves neither the output nor any temp file behind.

Also :func:`~annotator.commands.forkmap.forked_each` on its own, ``read_document_data`` given a
string, and the index read with orjson.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from annotator.commands import gold_stream
from annotator.commands.export import (
    NOTHING_TO_EXPORT,
    encode_gold_documents,
    run_export,
    streams_gold,
)
from annotator.commands.forkmap import forked_each
from annotator.core import index
from annotator.core.atomic import TEMP_MARK
from annotator.core.errors import AnnotatorError, FormatError
from annotator.core.shard import read_document_data, shard_name
from annotator.core.store import Store
from tests.conftest import FIXED_TIME, sample_documents
from tests.helpers import damage_span_text


def _corpus(root: Path, count: int = 40, damaged: Sequence[int] = (3, 17, 18, 39),
            reviewed: bool = True) -> Path:
    """A store of ``count`` documents (some stale, some damaged, every third unreviewed)."""
    with Store.open(root, user="anna") as store:
        for n in range(count):
            doc = sample_documents()[n % 3]
            update: dict[str, Any] = {"id": f"x{n:03}"}
            if reviewed and n % 3 != 2:
                update["status"] = "reviewed"
            if n % 5 == 1:
                update["stale"] = True
            store.put(doc.model_copy(update=update))
    for n in damaged:
        damage_span_text(root, f"x{n:03}")
    return root


def _export(root: Path, out: Path, workers: int, *, include_unreviewed: bool = False
            ) -> tuple[int, bytes, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_export(store_dir=root, fmt="gold", output=out, workers=workers,
                          include_unreviewed=include_unreviewed)
    return code, out.read_bytes(), err.getvalue()


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


def _open_files() -> list[str]:
    """What this process's open descriptors point at (Linux)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the listing's own descriptor, closed since)
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
    return found


needs_fork = pytest.mark.skipif(not streams_gold(Path("x"), 2),
                                reason="the streamed export needs fork and sendfile")


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker counts :func:`write_gold_file` was called with (so a test knows it ran)."""
    calls: list[int] = []
    real = gold_stream.write_gold_file

    def spy(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs["workers"])
        real(*args, **kwargs)

    monkeypatch.setattr(gold_stream, "write_gold_file", spy)
    return calls


@needs_fork
@pytest.mark.parametrize("include_unreviewed", [False, True])
@pytest.mark.parametrize("workers", [2, 3])
def test_streamed_export_is_the_export_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            streamed: list[int], include_unreviewed: bool,
                                            workers: int) -> None:
    monkeypatch.setenv("ANNOTATOR_FIXED_TIME", FIXED_TIME)
    root = _corpus(tmp_path / "store")
    here = _export(root, tmp_path / "here.json", 1, include_unreviewed=include_unreviewed)
    assert streamed == []
    there = _export(root, tmp_path / "there.json", workers,
                    include_unreviewed=include_unreviewed)
    assert streamed == [workers]
    assert here == there
    code, data, err = there
    assert code == 1  # the damaged documents
    # x017 is unreviewed; the other damaged documents are reviewed
    assert err.count("was not exported") == (4 if include_unreviewed else 3)
    assert err.count("is stale") > 0
    body = json.loads(data)
    assert len(body["documents"]) == (36 if include_unreviewed else 24)
    assert _temps(tmp_path) == []


@needs_fork
def test_streamed_export_of_nothing_is_the_export_here(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       streamed: list[int]) -> None:
    """Every document damaged: the file with no documents, and the note that says so."""
    monkeypatch.setenv("ANNOTATOR_FIXED_TIME", FIXED_TIME)
    root = _corpus(tmp_path / "store", count=5, damaged=range(5), reviewed=True)
    here = _export(root, tmp_path / "here.json", 1, include_unreviewed=True)
    there = _export(root, tmp_path / "there.json", 2, include_unreviewed=True)
    assert streamed == [2]
    assert here == there
    assert json.loads(there[1])["documents"] == []
    assert NOTHING_TO_EXPORT in there[2].splitlines()


@needs_fork
def test_streamed_export_without_sendfile_is_the_same(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      streamed: list[int]) -> None:
    """Where the kernel refuses to copy between the spool and the file, it is read and written."""
    monkeypatch.setenv("ANNOTATOR_FIXED_TIME", FIXED_TIME)

    def refuse(*args: object) -> int:
        raise OSError(errno.EINVAL, "not between these files")

    root = _corpus(tmp_path / "store")
    here = _export(root, tmp_path / "here.json", 1, include_unreviewed=True)
    monkeypatch.setattr(os, "sendfile", refuse)
    assert _export(root, tmp_path / "there.json", 2, include_unreviewed=True) == here
    assert streamed == [2]


def _in_a_worker_only(action: str, parent: int, marker: Path) -> None:
    """Patch target: what a forked worker does on its first document. This process (which takes
    chunks too) waits until a forked one has taken one, so that one fails whatever the load:
    on a busy machine this process could otherwise take every chunk before a worker started."""
    if os.getpid() == parent:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        return
    marker.touch()
    if action == "die":
        os._exit(9)
    raise FormatError("document 'x': span 0..1 'x' does not match the text; nothing was written.")


@needs_fork
@pytest.mark.parametrize("action", ["die", "raise"])
def test_a_failing_worker_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                streamed: list[int], action: str) -> None:
    root = _corpus(tmp_path / "store", damaged=())
    out = tmp_path / "gold.json"
    out.write_bytes(b"the previous export\n")
    real = encode_gold_documents
    parent = os.getpid()

    def encode(jobs: Any, *, include_pending: bool) -> Any:
        _in_a_worker_only(action, parent, tmp_path / "a worker took a chunk")
        return real(jobs, include_pending=include_pending)

    monkeypatch.setattr(gold_stream, "encode_gold_documents", encode)
    expected: type[Exception] = AnnotatorError if action == "die" else FormatError
    with pytest.raises(expected) as caught:
        run_export(store_dir=root, fmt="gold", output=out, workers=2, include_unreviewed=True)
    if action == "die":
        assert "a worker process ended unexpectedly" in str(caught.value)
    else:
        assert "does not match the text; nothing was written." in str(caught.value)
    assert streamed == [2]
    assert out.read_bytes() == b"the previous export\n"
    assert _temps(tmp_path) == []
    leftover = [name for name in _open_files()  # the spools and the temp file are closed
                if "annotator-export" in name or name.startswith(str(tmp_path))]
    assert leftover == []


def _square(index: int, worker: int) -> tuple[int, int]:
    return index * index, worker


@needs_fork
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_forked_each_takes_every_result_here(workers: int) -> None:
    parent = os.getpid()
    taken: dict[int, tuple[int, int]] = {}
    where: list[int] = []

    def take(index: int, found: tuple[int, int]) -> None:
        where.append(os.getpid())
        assert index not in taken
        taken[index] = found

    forked_each(_square, 50, workers, take)
    assert {index: square for index, (square, _worker) in taken.items()} == {
        n: n * n for n in range(50)}
    assert {worker for _square, worker in taken.values()} <= set(range(workers))
    assert set(where) == {parent}


@needs_fork
def test_forked_each_raises_what_take_raises() -> None:
    def take(index: int, found: tuple[int, int]) -> None:
        if index == 7:
            raise ValueError("seven")

    with pytest.raises(ValueError, match="seven"):
        forked_each(_square, 30, 2, take)


def test_read_document_data_takes_a_string(annotated_store: Path) -> None:
    for doc_id in ("d1", "d2", "d3"):
        path = annotated_store / "docs" / shard_name(doc_id)
        assert read_document_data(str(path)) == read_document_data(path)
    with pytest.raises(Exception) as by_string:
        read_document_data(str(annotated_store / "docs" / "missing.json"))
    with pytest.raises(Exception) as by_path:
        read_document_data(annotated_store / "docs" / "missing.json")
    assert type(by_string.value) is type(by_path.value)
    assert str(by_string.value) == str(by_path.value)


def test_index_read_gives_the_summaries_written(annotated_store: Path) -> None:
    path = annotated_store / "index.json"
    with Store.open(annotated_store, user="anna", readonly=True) as store:
        summaries = {s.id: s for s in store.summaries()}
    entries = index._read(path)
    assert {e.summary.id: e.summary for e in entries.values()} == summaries
    assert all(shard_name(e.summary.id) == e.shard for e in entries.values())
    raw = json.loads(path.read_bytes())
    raw["shards"][next(iter(raw["shards"]))]["size"] += 1  # the digest no longer matches
    path.write_text(json.dumps(raw))
    assert index._read(path) == {}
    path.write_bytes(b'{"digest": NaN}')
    assert index._read(path) == {}

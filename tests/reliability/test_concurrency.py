"""Two processes on one store: one writer at a time, readers alongside, stale locks taken over."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.errors import StoreError, StoreLockedError
from annotator.core.store import Store

from .support import Workers, small_store, tree


@pytest.fixture
def workers() -> Iterator[Workers]:
    started = Workers()
    yield started
    started.close()


def test_second_writer_process_is_refused_with_the_holder_named(
    tmp_path: Path, workers: Workers
) -> None:
    root = tmp_path / "store"
    small_store(root)
    with Store.open(root, user="anna") as store:
        since = json.loads((root / "lock.json").read_bytes())["since"]
        other = workers.start("hold", root, "--user", "bob")
        said = other.line()
        assert other.finish() == 3
        assert store.ids()  # the holder is unaffected
    assert said.startswith("LOST StoreLockedError ")
    assert f"anna (pid {os.getpid()} on {socket.gethostname()}) since {since}" in said
    assert "wait until that process ends" in said and "--readonly" not in said


def test_writer_in_another_process_blocks_this_one_until_it_closes(
    tmp_path: Path, workers: Workers
) -> None:
    root = tmp_path / "store"
    small_store(root)
    holder = workers.start("hold", root, "--user", "bob")
    pid = int(holder.line().split()[1])
    info = Store.lock_holder(root)
    assert info is not None and (info.user, info.pid) == ("bob", pid)
    with pytest.raises(StoreLockedError) as caught:
        Store.open(root, user="anna")
    message = str(caught.value)
    assert f"bob (pid {pid} on {info.host}) since {info.since}" in message
    assert caught.value.exit_code == 3
    assert holder.finish() == 0
    assert Store.lock_holder(root) is None
    assert not (root / "lock.json").exists()
    with Store.open(root, user="anna") as store:
        assert len(store.ids()) == 3


def test_second_open_in_the_same_process_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "store"
    small_store(root)
    first = Store.open(root, user="anna")
    with pytest.raises(StoreLockedError, match=rf"anna \(pid {os.getpid()} "):
        Store.open(root, user="anna")
    first.close()
    Store.open(root, user="anna").close()


def test_stale_lock_of_a_killed_holder_is_taken_over(tmp_path: Path, workers: Workers) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    holder = workers.start("hold", root, "--user", "bob")
    pid = int(holder.line().split()[1])
    holder.kill()  # SIGKILL: no close, no clean-up
    stale = json.loads((root / "lock.json").read_bytes())
    assert (stale["user"], stale["pid"]) == ("bob", pid)  # still names the dead holder
    assert Store.lock_holder(root) is None  # but the kernel released the lock
    with Store.open(root, user="anna") as store:
        taken = json.loads((root / "lock.json").read_bytes())
        assert (taken["user"], taken["pid"]) == ("anna", os.getpid())
        store.accept(docs[0].id, "s1")
    with Store.open(root, user="anna", readonly=True) as store:
        assert store.get(docs[0].id).span("s1").state == "accepted"


def test_readonly_opens_alongside_a_writer_and_never_writes(
    tmp_path: Path, workers: Workers
) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    holder = workers.start("hold", root, "--user", "bob")
    holder.line()
    before = tree(root)
    with Store.open(root, user="anna", readonly=True) as reader:
        assert reader.readonly
        assert reader.ids() == sorted(d.id for d in docs)
        for doc in docs:
            assert reader.get(doc.id).text == doc.text
            assert reader.history(doc.id)
        reader.summaries()
        reader.position()
        reader.set_position(docs[0].id, "s1")  # a no-op when read-only
        with pytest.raises(StoreError, match="read-only"):
            reader.accept(docs[0].id, "s1")
        holder_info = Store.lock_holder(root)
        assert holder_info is not None and holder_info.user == "bob"
    assert tree(root) == before
    assert holder.finish() == 0


def test_reader_process_sees_whole_documents_while_a_writer_process_writes(
    tmp_path: Path, workers: Workers
) -> None:
    root = tmp_path / "store"
    small_store(root, docs=4, spans=10)
    writer = workers.start("writer", root, "--user", "bob", "--ops", "300", "--seed", "3")
    assert writer.line().startswith("READY")
    stop = tmp_path / "stop"
    reader = workers.start("reader", root, "--stop", str(stop))
    assert reader.line() == "READY"
    writer.send("go\n")
    assert writer.line() == "DONE 300"
    stop.touch()
    result = json.loads(reader.line())
    assert reader.finish() == 0
    assert writer.finish() == 0
    assert result["errors"] == []
    assert result["regressions"] == []
    assert result["changes"] > 0, result  # it did read while the writer was writing
    assert result["reads"] >= 4 * result["passes"]


@pytest.mark.parametrize("existing", [True, False], ids=["existing-store", "new-store"])
def test_writers_racing_to_open_exactly_one_wins(
    tmp_path: Path, workers: Workers, existing: bool
) -> None:
    for attempt in range(3):
        root = tmp_path / f"store{attempt}"
        if existing:
            small_store(root)
        racers = [workers.start("race", root, "--user", f"u{i}") for i in range(4)]
        for racer in racers:
            assert racer.line() == "WAITING"
        for racer in racers:
            racer.send("go\n")
        said = {racer.pid: racer.line() for racer in racers}
        winners = [pid for pid, line in said.items() if line.startswith("WON")]
        assert len(winners) == 1, said
        losers = [line for pid, line in said.items() if pid not in winners]
        for line in losers:
            assert line.startswith("LOST StoreLockedError "), said
            assert f"(pid {winners[0]} on " in line, said
        for racer in racers:
            assert racer.finish() in (0, 3)
        with Store.open(root, user="anna") as store:
            assert store.problems == []
            assert len(store.ids()) == (3 if existing else 0)

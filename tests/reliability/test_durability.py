"""What the store asks of the disk, in order: fsync the data, rename, fsync the folder.

kill -9 cannot show a missing fsync (the page cache survives a killed process), so these tests
watch the system calls instead: every file a store call writes is fsynced before its rename, and
every folder that gains an entry (a renamed file, a new sub-folder, a new store) is fsynced after.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator.core.atomic import write_atomic
from annotator.core.shard import log_path
from annotator.core.store import Store

from .support import corpus, shard_path, small_store


class Calls:
    """Records fsync (by inode) and os.replace, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[tuple[str, object]] = []
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            self.log.append(("fsync", os.fstat(fd).st_ino))
            real_fsync(fd)

        def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
            real_replace(src, dst)
            self.log.append(("replace", Path(dst)))

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def fsynced(self, path: Path) -> bool:
        return ("fsync", path.stat().st_ino) in self.log

    def index(self, entry: tuple[str, object]) -> int:
        return self.log.index(entry)


def test_atomic_write_fsyncs_file_then_renames_then_fsyncs_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    target = tmp_path / "x.json"
    write_atomic(target, b"{}")
    inode = target.stat().st_ino  # the temp file's inode, now under the final name
    assert calls.log == [
        ("fsync", inode),
        ("replace", target),
        ("fsync", tmp_path.stat().st_ino),
    ]


def test_a_decision_is_on_disk_when_the_call_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    docs = small_store(root)
    store = Store.open(root, user="anna")
    calls = Calls(monkeypatch)
    store.accept(docs[0].id, "s1")
    shard = shard_path(root, docs[0].id)
    log = log_path(shard)
    # the event appended to the log and fsynced, then the document's file replaced (the commit)
    assert calls.log == [
        ("fsync", log.stat().st_ino),
        ("fsync", shard.stat().st_ino),
        ("replace", shard),
        ("fsync", (root / "docs").stat().st_ino),
    ]
    calls.log.clear()
    store.set_position(docs[0].id, "s1")
    assert calls.log[-1] == ("fsync", (root / "users").stat().st_ino)
    store.close()


def test_a_documents_first_log_entry_makes_the_new_log_file_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    docs = corpus(docs=1)
    with Store.open(root, user="anna") as store:
        store.sync(doc for doc, _ in docs)
        calls = Calls(monkeypatch)
        store.load_predictions(docs[0][0].id, "natasha-1.6.0", docs[0][1])
        shard = shard_path(root, docs[0][0].id)
        folder = ("fsync", (root / "docs").stat().st_ino)
        assert calls.log == [
            ("fsync", log_path(shard).stat().st_ino),
            folder,  # the new log's entry in its folder
            ("fsync", shard.stat().st_ino),
            ("replace", shard),
            folder,
        ]


def test_a_new_store_makes_its_folders_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    root = tmp_path / "a" / "b" / "store"
    store = Store.open(root, user="anna")
    # each new folder's entry is fsynced in its parent
    for folder in (tmp_path, tmp_path / "a", tmp_path / "a" / "b"):
        assert calls.fsynced(folder), folder
    # and the store folder itself after docs/, users/, predictions/ were made in it
    made = calls.index(("replace", root / "store.json"))
    root_ino = root.stat().st_ino
    assert ("fsync", root_ino) in calls.log[made + 2 :]
    store.close()

"""Where ``annotator export -o`` writes: never inside the store; through symlinks; straight into
FIFOs and devices; ``-`` for standard output; a brat folder whole or not at all; and every failed
write is one sentence that leaves the old output as it was and no temp file behind."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from annotator.commands import gold_stream
from annotator.core import atomic
from annotator.core.store import Store
from tests.conftest import FIXED_TIME
from tests.helpers import make_doc, run_cli
from tests.helpers import one_sentence as shared_one_sentence

ENV = {"ANNOTATOR_FIXED_TIME": FIXED_TIME}
SINGLE_FILE = ["gold", "jsonl", "spacy", "doccano", "label-studio", "conll"]


run = run_cli


def one_sentence(result: Result, code: int, *fragments: str) -> None:
    """The command failed with ``code`` and said so in one line on stderr, and printed nothing."""
    shared_one_sentence(result, code, *fragments)
    assert result.stdout == ""


def export(store: Path, *args: str) -> Result:
    return run("export", "--store", str(store), *args)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: files with their bytes, folders and links as None."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() and not p.is_symlink()
            else None for p in sorted(folder.rglob("*"))}


def leftovers(folder: Path) -> list[str]:
    """Temp files or folders of a write (``.x.tmp-…``, ``.x.new-…``, ``.x.old-…``)."""
    return [p.name for p in folder.iterdir()
            if p.name.startswith(".") and any(m in p.name for m in (".tmp-", ".new-", ".old-"))]


def expected_gold(store: Path, *args: str) -> bytes:
    result = export(store, *args)
    assert result.exit_code == 0
    return result.stdout_bytes


def make_store(root: Path, ids: Sequence[str]) -> Path:
    with Store.open(root, user="anna") as store:
        for doc_id in ids:
            store.put(make_doc(doc_id, f"Текст {doc_id}.", status="reviewed"), action="import")
    return root


# -- 1. never inside the store ---------------------------------------------------------------

def test_output_inside_the_store_is_refused(annotated_store: Path, tmp_path: Path) -> None:
    before = snapshot(annotated_store)
    shard = next((annotated_store / "docs").glob("*.json"))
    (tmp_path / "link.json").symlink_to(annotated_store / "store.json")
    (tmp_path / "store-link").symlink_to(annotated_store)
    for out in [annotated_store / "store.json", shard, annotated_store / "new.json",
                tmp_path / "link.json", tmp_path / "store-link" / "index.json"]:
        one_sentence(export(annotated_store, "-o", str(out)), 2, "inside the store folder")
    for out in [annotated_store / "docs", annotated_store, tmp_path / "store-link"]:
        one_sentence(export(annotated_store, "--format", "brat", "-o", str(out)), 2,
                     "inside the store folder")
    one_sentence(export(annotated_store, "--format", "brat", "-o", str(tmp_path)), 2,
                 "holds the store folder")
    assert snapshot(annotated_store) == before
    assert os.readlink(tmp_path / "link.json") == str(annotated_store / "store.json")


# -- 2. symlinks, FIFOs, devices -----------------------------------------------------------------

@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_symlink_is_written_through(annotated_store: Path, tmp_path: Path,
                                      workers: str) -> None:
    expected = expected_gold(annotated_store)
    target = tmp_path / "real.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("made.json")
    for out in (link, dangling):
        result = export(annotated_store, "-o", str(out), "--workers", workers)
        assert result.exit_code == 0, result.output
        assert out.is_symlink()
    assert target.read_bytes() == expected
    assert (tmp_path / "made.json").read_bytes() == expected
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_fifo_is_written_to_not_replaced(annotated_store: Path, tmp_path: Path,
                                           workers: str) -> None:
    expected = expected_gold(annotated_store)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # a reader, and a writer of our own that holds the pipe open, so that nothing blocks: the
    # reader sees the end once the export and our writer have both closed it
    read_end = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    held = os.open(fifo, os.O_WRONLY)
    os.set_blocking(read_end, True)
    received: list[bytes] = []

    def read() -> None:
        with open(read_end, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        result = export(annotated_store, "-o", str(fifo), "--workers", workers)
    finally:
        os.close(held)
        reader.join()
    assert result.exit_code == 0, result.output
    assert received == [expected]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not (os.path.exists("/dev/full")
                         and stat.S_ISCHR(os.stat("/dev/full").st_mode)),
                    reason="no /dev/full character device here")
@pytest.mark.parametrize("fmt", ["gold", "conll"])
def test_a_full_device_is_one_sentence_and_stays_a_device(annotated_store: Path,
                                                          fmt: str) -> None:
    one_sentence(export(annotated_store, "--format", fmt, "-o", "/dev/full"), 1,
                 "cannot write /dev/full", os.strerror(errno.ENOSPC))
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="no /proc/self/fd here")
def test_dev_stdout_streams_to_a_pipe_and_to_a_file(annotated_store: Path,
                                                    tmp_path: Path) -> None:
    """``-o /dev/stdout`` writes to whatever standard output is, never resolving the link."""
    command = [sys.executable, "-c", "from annotator.cli import main; main()", "export",
               "--store", str(annotated_store), "-o", "/dev/stdout"]
    env = {**os.environ, **ENV}
    expected = expected_gold(annotated_store)
    piped = subprocess.run(command, capture_output=True, env=env, check=False)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == expected
    out = tmp_path / "out.json"
    with out.open("wb") as stream:
        to_file = subprocess.run(command, stdout=stream, stderr=subprocess.PIPE, env=env,
                                 check=False)
    assert to_file.returncode == 0, to_file.stderr
    assert out.read_bytes() == expected


# -- 3. ``-`` is standard output -----------------------------------------------------------------

@pytest.mark.parametrize("fmt", SINGLE_FILE)
def test_dash_is_standard_output(annotated_store: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    plain = export(annotated_store, "--format", fmt)
    dashed = export(annotated_store, "--format", fmt, "-o", "-")
    assert dashed.exit_code == plain.exit_code == 0
    assert dashed.stdout_bytes == plain.stdout_bytes and dashed.stdout_bytes
    assert dashed.stderr == plain.stderr
    assert not (tmp_path / "-").exists()


def test_dash_notes_go_to_stderr_only(tmp_path: Path) -> None:
    """What export says besides the export (here: nothing reviewed) never goes to stdout."""
    with Store.open(tmp_path / "s", user="anna") as store:
        store.sync([make_doc("a", "текст")])
    result = export(tmp_path / "s", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("{") and "no reviewed documents" not in result.stdout
    assert "no reviewed documents" in result.stderr


def test_dash_is_refused_for_brat(annotated_store: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one_sentence(export(annotated_store, "--format", "brat", "-o", "-"), 2,
                 "not standard output")
    assert not (tmp_path / "-").exists()


# -- 4. failed writes: one sentence, the old output kept, no temp file -----------------------

@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """``write_all`` in this process (not in forked workers, which write to their spools) fails
    with ENOSPC from its call number ``calls[0]`` on (after writing some of the bytes, as a real
    full disk does); the calls made are counted in ``calls[1]``."""
    calls = [1, 0]
    real = atomic.write_all
    parent = os.getpid()

    def write_all(fd: int, data: bytes | Sequence[bytes]) -> None:
        if os.getpid() == parent:
            calls[1] += 1
            if calls[1] >= calls[0]:
                os.write(fd, b"half")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(atomic, "write_all", write_all)
    monkeypatch.setattr(gold_stream, "write_all", write_all)
    yield calls


@pytest.mark.parametrize("fmt", SINGLE_FILE)
def test_disk_full_keeps_the_old_file(annotated_store: Path, tmp_path: Path,
                                      full_disk: list[int], fmt: str) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(b"the previous export")
    one_sentence(export(annotated_store, "--format", fmt, "-o", str(out)), 1,
                 f"cannot write {out}", os.strerror(errno.ENOSPC))
    assert out.read_bytes() == b"the previous export"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_disk_full_in_a_new_file_leaves_nothing(annotated_store: Path, tmp_path: Path,
                                                full_disk: list[int], workers: str) -> None:
    one_sentence(export(annotated_store, "-o", str(tmp_path / "new.json"), "--workers", workers),
                 1, "No space left")
    assert list(tmp_path.iterdir()) == [annotated_store]


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("fmt", ["gold", "brat"])
def test_unwritable_folder_is_one_sentence(annotated_store: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, code: int,
                                           fmt: str) -> None:
    """A read-only file system, or a folder without write permission (simulated: tests may run
    as root): creating the temp file or folder fails."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(path: object) -> None:
        if str(path).startswith(str(out_dir)):
            raise OSError(code, os.strerror(code), str(path))

    def fake_open(path: str, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            refuse(path)
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    def fake_mkdir(path: str, mode: int = 0o777, **kwargs: object) -> None:
        refuse(path)
        real_mkdir(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    out = out_dir / ("x.json" if fmt == "gold" else "brat")
    one_sentence(export(annotated_store, "--format", fmt, "-o", str(out)), 1,
                 f"cannot write {out}", os.strerror(code))
    assert list(out_dir.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions, which root ignores")
def test_read_only_folder_for_real(annotated_store: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        one_sentence(export(annotated_store, "-o", str(ro / "x.json")), 1, "cannot write")
        one_sentence(export(annotated_store, "--format", "brat", "-o", str(ro / "b")), 1,
                     "cannot write")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc here")
def test_a_path_that_cannot_be_created_is_one_sentence(annotated_store: Path) -> None:
    one_sentence(export(annotated_store, "-o", "/proc/annotator-x.json"), 1,
                 "cannot write /proc/annotator-x.json")


def test_an_interrupted_write_keeps_the_old_file(annotated_store: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash mid-write (here an interrupt) never leaves a half file or a temp file."""
    out = tmp_path / "out.json"
    out.write_bytes(b"the previous export")

    def interrupted(fd: int, data: bytes | Sequence[bytes]) -> None:
        os.write(fd, b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "write_all", interrupted)
    one_sentence(export(annotated_store, "-o", str(out)), 130, "interrupted")
    assert out.read_bytes() == b"the previous export"
    assert leftovers(tmp_path) == []


def test_file_targets_that_are_mistakes(annotated_store: Path, tmp_path: Path) -> None:
    one_sentence(export(annotated_store, "-o", str(tmp_path)), 2, "is a folder")
    one_sentence(export(annotated_store, "-o", str(tmp_path / "no" / "x.json")), 2,
                 "does not exist")
    assert list(tmp_path.iterdir()) == [annotated_store]


# -- 5. brat: the folder whole or not at all -----------------------------------------------------

def brat(store: Path, out: Path) -> Result:
    return export(store, "--format", "brat", "-o", str(out))


def test_brat_replaces_an_earlier_export(tmp_path: Path) -> None:
    first = make_store(tmp_path / "a", ["a1", "a2", "a3"])
    second = make_store(tmp_path / "b", ["b1"])
    out = tmp_path / "out"
    assert brat(first, out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "a1.ann", "a1.txt", "a2.ann", "a2.txt", "a3.ann", "a3.txt"]
    (out / "annotation.conf").write_text("[entities]\nPER\n", encoding="utf-8")
    assert brat(second, out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["annotation.conf", "b1.ann", "b1.txt"]
    assert (out / "annotation.conf").read_text(encoding="utf-8") == "[entities]\nPER\n"
    assert (out / "b1.txt").read_text(encoding="utf-8") == "Текст b1."
    assert leftovers(tmp_path) == []


def test_brat_into_an_empty_or_new_folder(annotated_store: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "deeper"):
        assert brat(annotated_store, out).exit_code == 0
        assert sorted(p.name for p in out.iterdir()) == ["d1.ann", "d1.txt", "d2.ann", "d2.txt"]
    assert leftovers(tmp_path) == []


def test_brat_through_a_symlinked_folder(annotated_store: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "old.txt").write_text("stale", encoding="utf-8")
    (real / "old.ann").write_text("", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to("real")
    assert brat(annotated_store, link).exit_code == 0
    assert link.is_symlink()
    assert sorted(p.name for p in real.iterdir()) == ["d1.ann", "d1.txt", "d2.ann", "d2.txt"]


@pytest.mark.parametrize("foreign", ["notes.md", "sub/", ".stats_cache", "link.txt@",
                                     "corpus.txt"])
def test_brat_refuses_a_folder_holding_anything_else(annotated_store: Path, tmp_path: Path,
                                                    foreign: str) -> None:
    """Anything but an earlier export's files; a .txt without its .ann is a document of a
    corpus folder, not an export's."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("kept", encoding="utf-8")
    (out / "old.ann").write_text("", encoding="utf-8")
    name = foreign.rstrip("/@")
    if foreign.endswith("/"):
        (out / name).mkdir()
    elif foreign.endswith("@"):
        (out / name).symlink_to("old.txt")
    else:
        (out / name).write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    one_sentence(brat(annotated_store, out), 2, str(out), repr(name),
                 "a brat export does not write")
    assert snapshot(tmp_path) == before


def test_brat_refuses_a_file(annotated_store: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    one_sentence(brat(annotated_store, tmp_path / "file"), 2, "is a file")
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("existing", [False, True])
@pytest.mark.parametrize("fail_at", [1, 2, 4])
def test_brat_disk_full_keeps_the_old_folder(annotated_store: Path, tmp_path: Path,
                                             full_disk: list[int], existing: bool,
                                             fail_at: int) -> None:
    """A full disk at the first .txt, its .ann, or the last file: no .txt without its .ann,
    the earlier export as it was (or no folder at all), no temp folder."""
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "old.txt").write_text("old", encoding="utf-8")
        (out / "old.ann").write_text("T1\tPER 0 3\told\n", encoding="utf-8")
    before = snapshot(tmp_path)
    full_disk[0] = fail_at
    one_sentence(brat(annotated_store, out), 1, f"cannot write {out}", "No space left")
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


def test_brat_failing_to_put_the_folder_in_place_keeps_the_old_one(
        annotated_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("old", encoding="utf-8")
    (out / "old.ann").write_text("", encoding="utf-8")
    before = snapshot(tmp_path)
    real_rename = os.rename

    def rename(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if ".new-" in os.fspath(src):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    one_sentence(brat(annotated_store, out), 1, f"cannot write {out}")
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []

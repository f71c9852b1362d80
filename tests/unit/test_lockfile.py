"""The store's file lock: a plain flock where it will do, filelock for everything else."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from filelock import FileLock, Timeout

from annotator.core import lockfile
from annotator.core.lockfile import FallbackLock, Flock, try_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


def failing_fcntl(err: int) -> SimpleNamespace:
    """A stand-in for the fcntl module whose flock fails with ``err`` (filelock keeps the real
    one)."""

    def flock(fd: int, op: int) -> None:
        if op & fcntl.LOCK_UN:
            fcntl.flock(fd, op)
            return
        raise OSError(err, "simulated")

    return SimpleNamespace(flock=flock, LOCK_EX=fcntl.LOCK_EX, LOCK_NB=fcntl.LOCK_NB,
                           LOCK_UN=fcntl.LOCK_UN)


def test_one_holder_at_a_time_within_a_process(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    first = try_lock(path)
    assert isinstance(first, Flock) and first.is_locked
    assert try_lock(path) is None  # a second open file is refused, even in the same process
    first.release()
    assert not first.is_locked
    again = try_lock(path)
    assert again is not None
    again.release()
    first.release()  # releasing twice is harmless


def test_a_plain_flock_and_filelock_exclude_each_other(tmp_path: Path) -> None:
    """An annotator that locks with filelock (an older one, or the fallback) and one that locks
    directly contend on the same lock."""
    path = tmp_path / ".lock"
    other = FileLock(str(path), timeout=0)
    other.acquire()
    assert try_lock(path) is None
    other.release()
    mine = try_lock(path)
    assert mine is not None
    with pytest.raises(Timeout):
        FileLock(str(path), timeout=0).acquire()
    mine.release()
    later = FileLock(str(path), timeout=0)
    later.acquire()
    later.release()


def test_a_filesystem_without_flock_is_left_to_filelock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".lock"
    monkeypatch.setattr(lockfile, "fcntl", failing_fcntl(errno.ENOSYS))
    held = try_lock(path)
    assert isinstance(held, FallbackLock) and held.is_locked
    monkeypatch.undo()
    assert try_lock(path) is None  # filelock's lock is a real flock here
    held.release()
    assert not held.is_locked
    assert try_lock(path) is not None


def test_eacces_from_flock_means_someone_else_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lockfile, "fcntl", failing_fcntl(errno.EACCES))
    assert try_lock(tmp_path / ".lock") is None


def test_a_symlinked_lock_file_is_not_followed_by_the_fast_path(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("")
    (tmp_path / ".lock").symlink_to(target)
    with pytest.raises(lockfile.FileLockUnavailable):
        Flock(tmp_path / ".lock").take()


def test_a_lock_file_unlinked_while_being_locked_goes_to_filelock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".lock"

    def flock(fd: int, op: int) -> None:
        path.unlink(missing_ok=True)  # another process removed it between open and flock
        fcntl.flock(fd, op)

    monkeypatch.setattr(lockfile, "fcntl", SimpleNamespace(
        flock=flock, LOCK_EX=fcntl.LOCK_EX, LOCK_NB=fcntl.LOCK_NB, LOCK_UN=fcntl.LOCK_UN))
    held = try_lock(path)
    monkeypatch.undo()
    assert isinstance(held, FallbackLock) and held.is_locked and path.exists()
    assert try_lock(path) is None
    held.release()


def test_a_forked_worker_does_not_keep_its_parents_lock(tmp_path: Path) -> None:
    """The holder forks a worker (as the extraction pool does), then dies: the lock is free at
    once, though the worker lives on; and the worker's release does not free the parent's."""
    path = tmp_path / ".lock"
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from annotator.core.lockfile import try_lock
        lock = try_lock(Path({str(path)!r}))
        assert lock is not None
        child = os.fork()
        if child == 0:
            assert not lock.is_locked
            lock.release()  # in the worker: must leave the parent's lock alone
            print("worker", os.getpid(), flush=True)
            time.sleep(60)
            os._exit(0)
        time.sleep(0.2)  # the worker has released its copy by now
        print("holder", flush=True)
        time.sleep(60)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    lines = [holder.stdout.readline().split() for _ in range(2)]
    worker_pid = int(next(line for line in lines if line[0] == "worker")[1])
    try:
        assert try_lock(path) is None  # the worker's release left the holder's lock held
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        deadline = time.monotonic() + 10
        while (mine := try_lock(path)) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mine is not None, "the forked worker kept the dead holder's lock"
        mine.release()
    finally:
        try:
            os.kill(worker_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

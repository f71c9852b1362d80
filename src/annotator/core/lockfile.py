"""An exclusive lock on a file, taken without waiting, that the kernel drops when its holder dies.

The common case on Linux and macOS is one ``flock`` on a file in the store's own folder, and this
module takes it directly. Every other case goes to filelock, which knows them: Windows (no
``fcntl``), a filesystem without ``flock`` (it falls back to a soft lock), and a lock file that
cannot be opened plainly (a symlink, a sticky-bit folder owned by someone else, a file unlinked
while it was being locked). Both take the same ``flock`` on the same path, so a lock taken here
and one taken by filelock exclude each other.

Why not filelock every time: importing it takes ~6 ms. That is 7% of what start-up may cost over a
bare Textual app (``bench/startup.py``), and the lock is taken once per open.

A process forked while it holds a lock (the extraction pool's workers) closes its copy of the
descriptor. The parent's lock is untouched (an ``flock`` belongs to the open file, which the
parent still has open), and a lock does not outlive its holder in a worker that lives on.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Protocol

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

CONTENTION = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES})
"""``flock`` errors that mean another open file holds the lock (some filesystems say EACCES)."""
MODE = 0o644

_OPEN_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | getattr(os, "O_NOFOLLOW", 0)  # a symlinked lock file goes to filelock
    | getattr(os, "O_NONBLOCK", 0)  # a lease on the file must not block the open
    | getattr(os, "O_CLOEXEC", 0)  # a program started by this one does not inherit it
)

_held: set[int] = set()
"""Descriptors holding a lock in this process (a forked child closes them: :func:`_after_fork`)."""


class Lock(Protocol):
    """What the store keeps of its lock."""

    @property
    def is_locked(self) -> bool: ...

    def release(self) -> None: ...


class FileLockUnavailable(Exception):
    """This platform or filesystem needs filelock for this path (raised by :meth:`Flock.take`)."""


class Flock:
    """An ``flock`` on ``path``, taken by :meth:`take` and dropped by :meth:`release`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0

    @property
    def is_locked(self) -> bool:
        return self._fd is not None and self._pid == os.getpid()

    def take(self) -> bool:
        """Take the lock: True, or False when another open file holds it. Raises
        :class:`FileLockUnavailable` for anything unusual (see the module's docstring)."""
        if fcntl is None:  # pragma: no cover - Windows
            raise FileLockUnavailable
        try:
            fd = os.open(self.path, _OPEN_FLAGS, MODE)
        except OSError:
            raise FileLockUnavailable from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in CONTENTION:
                return False
            raise FileLockUnavailable from None
        if os.fstat(fd).st_nlink == 0:  # unlinked between the open and the flock
            os.close(fd)
            raise FileLockUnavailable
        self._fd, self._pid = fd, os.getpid()
        _held.add(fd)
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None or self._pid != os.getpid():
            return  # never held, or held by the process this one was forked from
        _held.discard(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class FallbackLock:
    """filelock's :class:`~filelock.FileLock` on ``path``, with :class:`Flock`'s interface."""

    def __init__(self, path: Path) -> None:
        from filelock import FileLock

        self._lock = FileLock(str(path), timeout=0)

    @property
    def is_locked(self) -> bool:
        return self._lock.is_locked

    def take(self) -> bool:
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            return False
        return True

    def release(self) -> None:
        self._lock.release()


def try_lock(path: Path) -> Lock | None:
    """The exclusive lock on ``path``, held; None when another holds it."""
    fast = Flock(path)
    try:
        return fast if fast.take() else None
    except FileLockUnavailable:
        fallback = FallbackLock(path)
        return fallback if fallback.take() else None


def _after_fork() -> None:
    """In a forked child: close the inherited copies of the parent's lock descriptors (right
    after the fork, every descriptor in :data:`_held` is one)."""
    while _held:
        try:
            os.close(_held.pop())
        except OSError:
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)

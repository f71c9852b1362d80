"""The store's write lock: one writer at a time, named in ``lock.json``.

The lock is an ``flock`` on ``.lock`` (:mod:`annotator.core.lockfile`; filelock where a plain
``flock`` will not do): the kernel releases it when its holder dies, so a lock left by a killed
process is taken over by the next open. ``lock.json`` says who holds it.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from annotator.core.atomic import pid_alive, write_json_atomic
from annotator.core.errors import StoreLockedError
from annotator.core.lockfile import Lock, try_lock
from annotator.core.model import utc_now

HOLDER_WAIT = 2.0
"""Seconds to wait for the holder of the write lock to name itself in lock.json."""
LOCK_FILES = frozenset({".lock", "lock.json"})


class LockInfo(BaseModel):
    """Who holds a store's write lock (read from lock.json only when someone else holds it)."""

    model_config = ConfigDict(defer_build=True)

    user: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return f"{self.user} (pid {self.pid} on {self.host}) since {self.since}"


def read_holder(root: Path) -> LockInfo | None:
    """The holder named in lock.json, unless it is missing, unreadable or names a dead process."""
    try:
        info = LockInfo.model_validate_json((root / "lock.json").read_bytes())
    except (OSError, ValueError):
        return None
    if info.host == socket.gethostname() and (info.pid <= 0 or not pid_alive(info.pid)):
        return None
    return info


def acquire(root: Path, user: str) -> Lock:
    """Take the write lock of the store at ``root`` or raise :class:`StoreLockedError`."""
    path = root / ".lock"
    # A holder that has just taken the lock may not have written lock.json yet (or a dead one's
    # is still there): wait briefly for a live holder to name itself, so the message is right
    # and a lock held only for a moment (a lock_holder probe) does not refuse this open.
    deadline = time.monotonic() + HOLDER_WAIT
    while (lock := try_lock(path)) is None:
        holder = read_holder(root)
        if holder is None and time.monotonic() < deadline:
            time.sleep(0.01)
            continue
        who = holder.describe() if holder else "another process"
        raise StoreLockedError(
            f"The store {root} is in use by {who}; wait until that process ends (quit the "
            "annotator there), then try again."
        )
    info = {"user": user, "pid": os.getpid(), "host": socket.gethostname(), "since": utc_now()}
    # Not fsynced: it only names the live holder, and after a crash the lock itself is gone (a
    # stale file names a dead process and is ignored). Saves two fsyncs on every writable open.
    # A plain dict of LockInfo's fields: no pydantic schema is built to open a store.
    write_json_atomic(root / "lock.json", info, durable=False)
    return lock


def release(root: Path, lock: Lock | None) -> None:
    """Give the lock back (and forget who held it)."""
    if lock is not None and lock.is_locked:
        (root / "lock.json").unlink(missing_ok=True)
        lock.release()


def holder(root: Path) -> LockInfo | None:
    """Who holds the write lock now, or None when nobody does."""
    try:
        probe = try_lock(root / ".lock")
    except OSError:
        return None
    if probe is not None:
        probe.release()
        return None
    deadline = time.monotonic() + HOLDER_WAIT
    while (named := read_holder(root)) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return named or LockInfo(user="unknown", pid=0, host="unknown", since="unknown")

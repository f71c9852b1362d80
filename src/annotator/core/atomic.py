"""Atomic file writes: a temp file in the same folder, fsync, ``os.replace``, fsync of the folder.

After :func:`write_atomic` returns, the new contents survive a crash or power loss (as far as the
file system honours fsync); before it returns, readers see the old contents, never a mixture.
An interrupted write leaves a ``.<name>.tmp-<pid>-<n>`` file, cleaned by :func:`remove_stale_temps`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

TEMP_MARK = ".tmp-"
_counter = itertools.count()


def _iov_max() -> int:
    try:
        return max(16, min(1024, os.sysconf("SC_IOV_MAX")))
    except (AttributeError, OSError, ValueError):
        return 16  # POSIX's minimum


_IOV_MAX = _iov_max()
"""Pieces per ``writev`` call (Linux and macOS take 1,024)."""


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes | Sequence[bytes]) -> None:
    """Write ``data`` (bytes, or pieces written one after the other) to ``fd`` whole. Pieces go
    out with ``writev`` a batch at a time: a 137 MB gold export of 20,000 pieces is never joined
    into one more copy of itself (which cost ~0.3 s)."""
    pieces = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    views = [memoryview(piece) for piece in pieces if piece]
    writev = getattr(os, "writev", None)
    index = 0
    while index < len(views):
        if writev is None:
            written = os.write(fd, views[index])
        else:
            written = writev(fd, views[index:index + _IOV_MAX])
        while written:  # a short write ends anywhere: skip what went out
            size = len(views[index])
            if written < size:
                views[index] = views[index][written:]
                break
            written -= size
            index += 1


@contextmanager
def atomic_fd(path: Path, *, durable: bool = True) -> Iterator[int]:
    """A descriptor of a new temp file beside ``path``, to write the whole new contents to:
    when the block ends it is fsynced (unless ``durable`` is False), closed and renamed over
    ``path``, and the folder fsynced; when the block raises it is removed and ``path`` is left
    as it was."""
    folder = path.parent
    tmp = folder / f".{path.name}{TEMP_MARK}{os.getpid()}-{next(_counter)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            yield fd
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(folder)


def write_atomic(path: Path, data: bytes | Sequence[bytes], *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (bytes, or pieces that follow each other) atomically (and
    durably unless ``durable`` is False)."""
    with atomic_fd(path, durable=durable) as fd:
        write_all(fd, data)


def dump_json(value: Any) -> bytes:
    """Compact, deterministic, UTF-8 JSON (non-ASCII kept readable).

    orjson: a 2,000-span document's file encodes in ~1.5 ms instead of ~14 ms with ``json``.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def write_json_atomic(path: Path, value: Any, *, durable: bool = True) -> None:
    write_atomic(path, dump_json(value), durable=durable)


def temp_files(folder: Path) -> Iterator[Path]:
    """Leftover temp files of interrupted writes directly in ``folder``."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name.startswith(".") and TEMP_MARK in entry.name:
            yield entry


def _pid_of(temp: Path) -> int | None:
    tail = temp.name.rsplit(TEMP_MARK, 1)[-1]
    pid, _, _ = tail.partition("-")
    return int(pid) if pid.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (pids may be reused)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files whose writer process is dead; returns how many were removed."""
    removed = 0
    for temp in temp_files(folder):
        pid = _pid_of(temp)
        if pid is not None and pid != os.getpid() and pid_alive(pid):
            continue
        temp.unlink(missing_ok=True)
        removed += 1
    return removed

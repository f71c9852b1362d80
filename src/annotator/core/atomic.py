"""Atomic file writes: a temp file in the same folder, fsync, ``os.replace``, fsync of the folder.

After :func:`write_atomic` returns, the new contents survive a crash or power loss (as far as the
file system honours fsync); before it returns, readers see the old contents, never a mixture.
An interrupted write leaves a ``.<name>.tmp-<pid>-<n>`` file, cleaned by :func:`remove_stale_temps`.

Exports write where the user points: :func:`write_output` (a symlink written through, a FIFO or
device written as it is) and :func:`install_folder` (a folder put in place whole).
"""

from __future__ import annotations

import itertools
import os
import shutil
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
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


def sibling(path: Path, mark: str) -> Path:
    """A new name beside ``path`` for this process: ``.<name><mark><pid>-<n>``."""
    return path.parent / f".{path.name}{mark}{os.getpid()}-{next(_counter)}"


@contextmanager
def atomic_fd(path: Path, *, durable: bool = True) -> Iterator[int]:
    """A descriptor of a new temp file beside ``path``, to write the whole new contents to:
    when the block ends it is fsynced (unless ``durable`` is False), closed and renamed over
    ``path``, and the folder fsynced; when the block raises it is removed and ``path`` is left
    as it was."""
    folder = path.parent
    tmp = sibling(path, TEMP_MARK)
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


def _kernel_link(path: Path) -> bool:
    """Whether ``path`` is a link the kernel keeps to an open descriptor (``/dev/stdout``,
    ``/dev/fd/1``, ``/proc/self/fd/1``): what it points at may be a pipe, not a path."""
    if not path.is_symlink():
        return False
    where = os.path.realpath(path.absolute().parent)
    return where.startswith("/proc/") or os.readlink(path).startswith("/proc/")


def output_target(path: Path) -> tuple[Path, bool]:
    """Where an output named ``path`` is written, and whether it is streamed there.

    A symlink is written through: its target is replaced atomically, the link stays a link. An
    existing FIFO, device or socket (``/dev/null``, ``/dev/stdout`` on a terminal or a pipe), or
    a descriptor's link in ``/proc`` (``/dev/stdout``), is streamed to: opened and written as it
    is, never replaced. Anything else (a regular file or a new name) is replaced atomically.
    An OSError says why the path cannot be looked at (a symlink loop, no permission)."""
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None  # a new file, or a dangling symlink (its target is created)
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return path, True
    if _kernel_link(path):
        return path, True
    if path.is_symlink():
        return Path(os.path.realpath(path)), False
    return path, False


@contextmanager
def output_fd(path: Path, *, durable: bool = True) -> Iterator[int]:
    """A descriptor to write an output's whole contents to, as :func:`output_target` decides:
    a temp file renamed over the target when the block ends (:func:`atomic_fd`), or the FIFO or
    device itself (a regular file behind ``/dev/stdout`` is appended to, as the shell opened it).
    """
    target, streamed = output_target(path)
    if not streamed:
        with atomic_fd(target, durable=durable) as fd:
            yield fd
        return
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    if stat.S_ISREG(os.stat(path).st_mode):
        flags |= os.O_APPEND
    fd = os.open(path, flags)
    try:
        yield fd
    finally:
        os.close(fd)


def write_output(path: Path, data: bytes | Sequence[bytes], *, durable: bool = True) -> None:
    """Write an output's ``data`` (bytes, or pieces that follow each other) to ``path``, as
    :func:`output_fd` decides. Any OSError is raised; no temp file is left behind."""
    with output_fd(path, durable=durable) as fd:
        write_all(fd, data)


def write_new_file(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Create ``path`` (it must not exist) holding ``data``, fsynced unless ``durable`` is False."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        write_all(fd, data)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def install_folder(new: Path, folder: Path) -> str | None:
    """Put folder ``new`` (beside ``folder``, on the same file system) in place of ``folder``.

    A missing ``folder`` is simply renamed to; an existing one is renamed aside, ``new`` renamed
    in, and the old one deleted (between the two renames ``folder`` is briefly missing; if the
    second fails, the old one is put back). Returns None, or a sentence when the old folder could
    not be deleted (the new one is in place). ``new`` is left where it was when this raises.
    """
    parent = folder.parent
    if not os.path.lexists(folder):
        os.rename(new, folder)  # (onto a folder made meanwhile: only if it is empty)
        fsync_dir(parent)
        return None
    with suppress(OSError):  # (the old folder's permissions, where allowed)
        os.chmod(new, stat.S_IMODE(os.stat(folder).st_mode))
    aside = sibling(folder, ".old-")
    os.rename(folder, aside)
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    fsync_dir(parent)
    try:
        shutil.rmtree(aside)
    except OSError as err:
        return (f"the previous contents of {folder} could not all be deleted from {aside} "
                f"({err.strerror or err}).")
    return None


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

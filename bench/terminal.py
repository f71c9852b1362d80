"""Run a program in a pseudo-terminal of a fixed size, as a user's terminal would.

Both apps of a comparison are started by :func:`launch` the same way: a fresh process whose
stdin, stdout and stderr are the slave side of a new pty (``TERM=xterm-256color``, 120×40), with
the parent reading everything it writes. Nothing is added to the app under test: the first frame
is recognised by text of the document appearing in the terminal output, and a complete first
screen by every one of several markers (e.g. a word of the document and a key label of the
footer) having appeared.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

COLUMNS, LINES = 120, 40


class LaunchError(RuntimeError):
    """The program ended, or never showed its marker, before the time limit."""


@dataclass
class Launch:
    """One start of a program: when the marker appeared, and the process's memory then."""

    seconds: float
    """From just before ``fork`` to the read that completed the marker."""
    complete_seconds: float
    """From just before ``fork`` to the read that completed the last of the marker and the
    ``also`` markers (the first screen complete); ``seconds`` when there were none."""
    hwm_kib: int
    """Peak resident set size (VmHWM) once the output had settled after the first frame."""
    rss_kib: int
    """Resident set size (VmRSS) at the same moment."""
    numpy_mapped: bool
    """Whether numpy's extension is mapped into the process (natasha's models need it)."""


def child_env(extra: Mapping[str, str], pycache: Path) -> dict[str, str]:
    """The environment of a program under test: the caller's, minus settings that would make it
    unlike a user's (no bytecode cache, Textual debugging), with a private bytecode cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONDONTWRITEBYTECODE" and not key.startswith(("TEXTUAL", "COLUMNS", "LINES"))
    }
    env.update(TERM="xterm-256color", COLORTERM="truecolor", PYTHONPYCACHEPREFIX=str(pycache))
    env.update(extra)
    return env


def _open_pty() -> tuple[int, int]:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    return master, slave


def _status(pid: int) -> tuple[int, int]:
    hwm = rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
        elif line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return hwm, rss


def _numpy_mapped(pid: int) -> bool:
    try:
        return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def launch(
    argv: Sequence[str],
    marker: str,
    env: Mapping[str, str],
    cwd: Path,
    *,
    also: Sequence[str] = (),
    settle: float = 0.3,
    limit: float = 30.0,
) -> Launch:
    """Start ``argv`` in a new pty, wait for ``marker`` and every one of ``also`` in its output,
    then for the output to be quiet for ``settle`` seconds (at most 3 s), read its memory and
    kill it."""
    needle = marker.encode("utf-8")
    needles = {needle, *(m.encode("utf-8") for m in also)}
    found: dict[bytes, float] = {}
    longest = max(len(n) for n in needles)
    master, slave = _open_pty()
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    output = bytearray()
    seen: float | None = None
    try:
        while True:
            now = time.perf_counter()
            if now - started > limit:
                missing = [n.decode("utf-8") for n in needles if n not in found]
                raise LaunchError(f"{argv[0]} showed no {missing!r} within {limit:.0f} s")
            ready, _, _ = select.select([master], [], [], settle if seen else 0.05)
            if not ready:
                if seen is not None:
                    break  # quiet for `settle` seconds after the first frame
                if proc.poll() is not None:
                    raise LaunchError(_ended(argv, proc.returncode, output))
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                raise LaunchError(_ended(argv, proc.poll(), output))
            output += chunk
            if seen is None:
                now = time.perf_counter() - started
                tail = output[-(len(chunk) + longest) :]
                found.update((n, now) for n in needles if n not in found and n in tail)
                if len(found) == len(needles):
                    seen = now
            elif time.perf_counter() - started > seen + 3:
                break
        hwm, rss = _status(proc.pid)
        return Launch(found[needle], seen, hwm, rss, _numpy_mapped(proc.pid))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        os.close(master)


def _ended(argv: Sequence[str], code: int | None, output: bytearray) -> str:
    tail = output[-600:].decode("utf-8", errors="replace")
    return f"{argv[0]} ended (exit {code}) before its first frame; output ended with: {tail!r}"


def run_in_pty(argv: Sequence[str], env: Mapping[str, str], cwd: Path, limit: float) -> int:
    """Run ``argv`` to completion in a new pty, discarding what it draws; its exit status."""
    master, slave = _open_pty()
    proc = subprocess.Popen(
        list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env), cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    tail = bytearray()
    started = time.perf_counter()
    try:
        while proc.poll() is None or select.select([master], [], [], 0)[0]:
            if time.perf_counter() - started > limit:
                raise LaunchError(f"{argv[0]} did not finish within {limit:.0f} s")
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                tail = (tail + chunk)[-4000:]
        code = proc.wait()
        if code != 0:
            sys.stderr.write(tail.decode("utf-8", errors="replace")[-2000:] + "\n")
        return code
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        os.close(master)

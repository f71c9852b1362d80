"""The review app in a real pseudo-terminal, read back through a terminal emulator (pyte).

For tests that must see what a user sees (the status line's counts, the save indicator) from a
process that can be killed with SIGKILL at any instant, as a user's terminal can lose its app.
"""

from __future__ import annotations

import fcntl
import os
import selectors
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

WAIT = 60.0
"""Upper bound on waiting for the screen: generous, since the condition, not the clock, ends it."""

APP = "from annotator.cli import main; main()"


def _take_terminal() -> None:
    """In the child: a session of its own with the pty as its controlling terminal, as a shell
    gives it, so closing the pty (even by a test that dies) hangs the app up, as closing a
    terminal window does, instead of leaving it orphaned."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class AppInTerminal:
    """``annotator ARGS`` running in a pty of ``cols`` × ``rows``, its screen emulated by pyte."""

    def __init__(
        self, args: Sequence[str], *, config_dir: Path, cols: int = 120, rows: int = 40
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "ANNOTATOR_CONFIG_DIR": str(config_dir),
        }
        env.pop("TEXTUAL", None)  # no devtools
        self.proc = subprocess.Popen(
            [sys.executable, "-c", APP, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            preexec_fn=_take_terminal,
            close_fds=True,
        )
        os.close(slave)
        self._fd = master
        os.set_blocking(master, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(master, selectors.EVENT_READ)
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        """The screen as it is now, one line per row."""
        return "\n".join(self.screen.display)

    def pump(self, timeout: float) -> None:
        """Feed whatever the app writes within ``timeout`` seconds to the emulator."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._selector.select(max(deadline - time.monotonic(), 0.0)):
                return
            try:
                chunk = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError:  # EIO: the app is gone
                return
            if not chunk:
                return
            self._stream.feed(chunk)
            if time.monotonic() >= deadline:
                return

    def settle(self, quiet: float = 0.1, timeout: float = WAIT) -> None:
        """Pump until the app has written nothing for ``quiet`` seconds (its frame is complete)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._selector.select(quiet):
                return
            self.pump(0.0)

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = WAIT) -> str:
        """Pump until ``condition(screen text)`` holds; the screen text. Fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"the app never showed {what}; the screen:\n{screen}")
            if self.proc.poll() is not None:
                self.pump(0.05)
                raise AssertionError(f"the app ended before it showed {what}:\n{self.text()}")
            self.pump(0.05)

    def press(self, keys: str) -> None:
        os.write(self._fd, keys.encode("utf-8"))

    def kill(self) -> None:
        """SIGKILL, as a crash or a closed terminal window can."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(WAIT)
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(WAIT)
        self._selector.close()
        try:
            os.close(self._fd)
        except OSError:
            pass

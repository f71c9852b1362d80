"""Helpers shared by the reliability tests: worker processes, small stores, file fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
import random
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from annotator.core.model import Document, SpanDraft
from annotator.core.shard import LOG_FIELDS, log_path, shard_name
from annotator.core.store import Store

from .killharness import EXTRACTOR, make_document

PROCS = Path(__file__).with_name("procs.py")
WAIT = 60.0
"""Upper bound on any wait for a worker: generous, since the condition, not the clock, ends it."""


class Worker:
    """A process running one role of ``procs.py``; read what it says line by line."""

    def __init__(self, role: str, store: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(PROCS), role, "--store", str(store), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        os.set_blocking(self._fd, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._fd, selectors.EVENT_READ)
        self._buffer = bytearray()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def line(self, timeout: float = WAIT) -> str:
        """The next line the worker prints; fails the test on end of output or after ``timeout``."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"worker {self.pid} said nothing for {timeout} s")
            if not self._selector.select(left):
                continue
            try:
                chunk = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                raise AssertionError(f"worker {self.pid} ended: {self.stderr()}")
            self._buffer.extend(chunk)
        raw, _, rest = self._buffer.partition(b"\n")
        self._buffer[:] = rest
        return raw.decode()

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def finish(self, timeout: float = WAIT) -> int:
        """Close stdin (the signal to stop) and wait for the exit code."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL, and reap."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(WAIT)

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")[-3000:]

    def close(self) -> None:
        self.kill()
        self._selector.close()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class Workers:
    """Starts workers and kills whichever are still running when the test ends."""

    def __init__(self) -> None:
        self.started: list[Worker] = []

    def start(self, role: str, store: Path, *args: str) -> Worker:
        worker = Worker(role, store, *args)
        self.started.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.started:
            worker.close()


def small_store(root: Path, *, docs: int = 3, spans: int = 12, seed: int = 7) -> list[Document]:
    """A closed store of ``docs`` synthetic documents with pending spans; returns the documents."""
    rng = random.Random(seed)
    made = [make_document(i, spans, rng) for i in range(docs)]
    with Store.open(root, user="anna") as store:
        store.sync(doc for doc, _ in made)
        for doc, drafts in made:
            store.load_predictions(doc.id, EXTRACTOR, drafts)
    return [doc for doc, _ in made]


def corpus(docs: int = 3, spans: int = 12, seed: int = 7) -> list[tuple[Document, list[SpanDraft]]]:
    rng = random.Random(seed)
    return [make_document(i, spans, rng) for i in range(docs)]


def shard_path(root: Path, doc_id: str) -> Path:
    return root / "docs" / shard_name(doc_id)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``root``: (size, mtime_ns, sha256); to show nothing was written."""
    out: dict[str, tuple[int, int, str]] = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            stat = path.stat()
            out[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns, sha(path))
    return out


def temps_under(root: Path) -> Iterator[Path]:
    for folder, _, names in os.walk(root):
        for name in names:
            if ".tmp-" in name:
                yield Path(folder) / name


def to_schema1(shard: Path) -> None:
    """Rewrite a shard the way schema version 1 kept it: the log as a table ``events`` of the
    TinyDB file (rows keyed by seq), no ``.log`` file, no log fields in the document record."""
    data = json.loads(shard.read_bytes())
    log = log_path(shard)
    lines = log.read_bytes().splitlines() if log.exists() else []
    for name in LOG_FIELDS:
        data["document"]["1"].pop(name, None)
    if lines:
        events = [json.loads(line) for line in lines]
        data["events"] = {str(event["seq"]): event for event in events}
    shard.write_bytes(json.dumps(data, ensure_ascii=False).encode())
    log.unlink(missing_ok=True)


def store_to_schema1(root: Path) -> None:
    """A whole store as schema version 1 wrote it (see :func:`to_schema1`)."""
    for shard in sorted((root / "docs").glob("*.json")):
        to_schema1(shard)
    meta = json.loads((root / "store.json").read_bytes())
    (root / "store.json").write_text(json.dumps({**meta, "version": 1}))
    (root / "index.json").unlink(missing_ok=True)

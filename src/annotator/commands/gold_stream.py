"""A gold export to a file, written while it is computed: the export of a large store.

:func:`write_gold_file` gives the bytes of :func:`~annotator.commands.export.export_gold`, with
the same problems and notes in the same order, but the work is shared with forked processes
chunk by chunk (:func:`~annotator.commands.forkmap.forked_each`) and the file is written in
order as chunks arrive: each forked process appends its records to a spool file of its own
(memfd) and sends back only where they are; this process copies them into the output with
``sendfile`` between its own chunks. Used on Linux, to a file, with more than one worker (see
:func:`~annotator.commands.export.streams_gold`).
"""

from __future__ import annotations

import errno
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

from annotator.commands.export import (
    NOTHING_TO_EXPORT,
    created_stamp,
    encode_gold_documents,
    report_encoded,
)
from annotator.commands.forkmap import forked_each
from annotator.core.atomic import atomic_fd, write_all
from annotator.core.errors import AnnotatorError
from annotator.core.formats.gold import DOCUMENTS_END, RECORD_SEPARATOR, gold_head
from annotator.core.store import Store

CHUNKS_PER_WORKER = 32
"""Chunks of a gold export written as it goes (:func:`write_gold_file`), per process: ~160
documents each at 10,000 on two CPUs. Small, so that the last chunk a worker finishes after
this process ran out of them, and the records this process still has to write then, are
little (~30 ms); each costs a message of ~5 KB."""


class GoldChunk(NamedTuple):
    """A chunk of a gold export, encoded: each document's id, problem and staleness, and its
    records (each after :data:`~annotator.core.formats.gold.RECORD_SEPARATOR`), either here
    (``pieces``, by this process) or ``size`` bytes at ``offset`` in worker ``worker``'s spool
    file (a forked process: only this much is pickled back)."""

    docs: list[tuple[str, str | None, bool]]
    pieces: list[bytes] | None
    worker: int
    offset: int
    size: int


def _spool() -> int:
    """A file for a worker's encoded records that disappears with its last descriptor: memory
    (memfd) where the OS has it, else an unlinked temp file."""
    memfd_create: Callable[[str, int], int] | None = getattr(os, "memfd_create", None)
    if memfd_create is not None:
        try:
            return memfd_create("annotator-export", 0)
        except OSError:
            pass
    fd, name = tempfile.mkstemp(prefix="annotator-export-")
    os.unlink(name)
    return fd


_CUT_SHORT = "a worker's encoded documents were cut short; nothing was written."
_BLOCK = 1 << 20


def _copy_range(out_fd: int, in_fd: int, offset: int, size: int) -> None:
    """``size`` bytes at ``offset`` of ``in_fd`` appended to ``out_fd``, in the kernel where it
    can (sendfile: no copy through this process), else read and written a block at a time;
    ``in_fd``'s own position is left alone either way."""
    try:
        while size:
            sent = os.sendfile(out_fd, in_fd, offset, size)
            if not sent:
                raise AnnotatorError(_CUT_SHORT)
            offset += sent
            size -= sent
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
        while size:  # (nothing was written by the call that failed)
            block = os.pread(in_fd, min(size, _BLOCK), offset)
            if not block:
                raise AnnotatorError(_CUT_SHORT) from None
            write_all(out_fd, block)
            offset += len(block)
            size -= len(block)


class _GoldStream:
    """Writes a gold file's records to ``fd`` in order as chunks arrive (in any order), and
    gathers their problems and notes in the documents' order: what ``export_gold`` gives,
    written as it goes."""

    def __init__(self, fd: int, spools: Sequence[int], *, labels: Sequence[str], created: str,
                 problems: list[str], notes: list[str]) -> None:
        self.separator, self.end = RECORD_SEPARATOR, DOCUMENTS_END
        self.fd = fd
        self.spools = spools
        self.opening, self.empty = gold_head(labels=labels, created=created)
        self.problems = problems
        self.notes = notes
        self.waiting: dict[int, GoldChunk] = {}
        self.next = 0
        self.started = False

    def take(self, index: int, chunk: GoldChunk) -> None:
        self.waiting[index] = chunk
        while self.next in self.waiting:
            self._write(self.waiting.pop(self.next))
            self.next += 1

    def _write(self, chunk: GoldChunk) -> None:
        for doc_id, problem, stale in chunk.docs:
            report_encoded(doc_id, problem, stale, self.problems, self.notes)
        if not (chunk.pieces or chunk.size):
            return
        skip = 0  # the file's first record follows the opening, not a separator
        if not self.started:
            write_all(self.fd, self.opening)
            self.started = True
            skip = len(self.separator)
        if chunk.pieces is not None:
            write_all(self.fd, chunk.pieces[1:] if skip else chunk.pieces)
        else:
            _copy_range(self.fd, self.spools[chunk.worker - 1], chunk.offset + skip,
                        chunk.size - skip)

    def finish(self) -> None:
        assert not self.waiting
        if self.started:
            write_all(self.fd, self.end)
        else:
            write_all(self.fd, self.empty)
            self.notes.append(NOTHING_TO_EXPORT)


def write_gold_file(store: Store, ids: Sequence[str], output: Path, *, include_unreviewed: bool,
                    workers: int, problems: list[str], notes: list[str]) -> None:
    """:func:`~annotator.commands.export.export_gold` written to ``output`` (atomically, durably, as
    :func:`~annotator.core.atomic.write_atomic` does) while it is computed, in ``workers``
    forked processes (:func:`~annotator.commands.forkmap.forked_each`); the same bytes.

    Each forked process appends its chunks' records to a spool file of its own (memfd) and
    sends back only where they are; this process writes the file in order between its own
    chunks, its records from memory and a worker's straight from its spool (sendfile). At
    10,000 documents (137 MB) on two CPUs, against ``export_gold`` (whose worker pickled
    its ~68 MB of records through a pipe, ~0.27 s here, and whose file was written by this
    process alone once all was done, ~0.35 s with the other CPU idle), the whole command takes
    ~1.07 s instead of ~1.65 s.
    """
    size = max(1, math.ceil(len(ids) / (workers * CHUNKS_PER_WORKER)))
    bounds = [(start, min(start + size, len(ids))) for start in range(0, len(ids), size)]
    encode = partial(encode_gold_documents, include_pending=include_unreviewed)
    spools: list[int] = []

    def work(index: int, worker: int) -> GoldChunk:
        start, stop = bounds[index]  # (shard paths made in the workers: ~10 ms of joins)
        found = encode([(doc_id, str(store.shard_path(doc_id))) for doc_id in ids[start:stop]])
        docs = [(doc_id, problem, stale) for doc_id, _data, problem, stale in found]
        pieces: list[bytes] = []
        for _doc_id, data, _problem, _stale in found:
            if data is not None:
                pieces += (RECORD_SEPARATOR, data)
        if worker == 0:
            return GoldChunk(docs, pieces, 0, 0, 0)
        spool = spools[worker - 1]
        offset = os.lseek(spool, 0, os.SEEK_END)
        write_all(spool, pieces)
        return GoldChunk(docs, None, worker, offset, sum(map(len, pieces)))

    try:
        spools.extend(_spool() for _ in range(min(workers, len(bounds)) - 1))
        with atomic_fd(output) as fd:
            stream = _GoldStream(fd, spools, labels=store.labels.labels, created=created_stamp(),
                                 problems=problems, notes=notes)
            forked_each(work, len(bounds), workers, stream.take)
            stream.finish()
    finally:
        for spool in spools:
            os.close(spool)

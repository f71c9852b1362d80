"""Work in chunks shared by this process and forked copies of it.

:func:`forked_each` runs a function on chunk indexes: the children inherit everything (nothing
is pickled to them), and every process, this one included, takes the next chunk from one shared
counter until none is left, so a slow or late process never holds the others up. Each chunk's
result is sent here as soon as it is done and handed to a callback between this process's own
chunks (the gold export writes its file meanwhile). :func:`forked_map` is what
:func:`annotator.commands.bulk.parallel_map` does with it where processes can be forked.

A process pool was tried first and lost most of the gain on two cores: its manager thread, which
hands out chunks and unpickles results, needs the interpreter lock that this process's own share
of the work holds, so the worker sat idle between chunks (at 10,000 documents it took 4 or 5 of 16
chunks, this process the rest).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.sharedctypes import Synchronized
from typing import TypeVar

from annotator.core.errors import AnnotatorError

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M")

_DIED = "a worker process ended unexpectedly (out of memory, or killed); nothing was done."


def forked_map(work: Callable[[Sequence[T]], list[R]], items: Sequence[T],
               bounds: Sequence[tuple[int, int]], workers: int, *,
               meanwhile: Callable[[], object] | None = None) -> list[R]:
    """``work(items[start:stop])`` for each chunk of ``bounds``, in this process and
    ``workers - 1`` forked ones (:func:`forked_each`), joined in the order of ``bounds``. An
    exception raised by ``work`` (or ``meanwhile``) in any process is raised here (the other
    processes are stopped). ``meanwhile`` is called here once the forked processes have started,
    before this process takes chunks: they take more of them meanwhile."""
    results: dict[int, list[R]] = {}

    def chunk(index: int, _worker: int) -> list[R]:
        start, stop = bounds[index]
        return work(items[start:stop])

    forked_each(chunk, len(bounds), workers, results.__setitem__, meanwhile=meanwhile)
    return [result for index in range(len(bounds)) for result in results[index]]


def _next(counter: Synchronized[int], count: int) -> int | None:
    """The next chunk's index from the shared counter, or None when all ``count`` are taken."""
    with counter.get_lock():
        index = counter.value
        counter.value = index + 1
    return index if index < count else None


_RESULT, _DONE, _FAILED = range(3)
"""What a child of :func:`forked_each` sends: a chunk's result, the end, an exception."""

Message = tuple[int, int, object]
"""(kind, chunk index or -1, result or exception or None)."""


def forked_each(work: Callable[[int, int], M], count: int, workers: int,
                take: Callable[[int, M], object], *,
                meanwhile: Callable[[], object] | None = None) -> None:
    """``work(index, worker)`` for each chunk index in ``range(count)``, in this process (worker
    0) and ``workers - 1`` forked ones (1, 2, ...), each taking the next index from one shared
    counter; each result goes to ``take(index, result)``, always called in this process, in the
    order the chunks are done (not their indexes'): this process's own at once, a forked one's
    between this process's chunks and, once they run out, as they come. ``take`` can so do this
    process's share of something that must happen in order (writing a file) while the forked
    processes compute, and they take more of the chunks meanwhile.

    A forked process's result is pickled to this one: it should be small (``work`` can leave
    its bulk in a file the worker number picks, made before the call). An exception raised by
    ``work`` in any process, or by ``take``, is raised here (the forked processes are stopped);
    a forked process that dies is an :class:`AnnotatorError`. ``meanwhile`` is called here once
    the forked processes have started, before this process takes chunks."""
    context = multiprocessing.get_context("fork")
    counter: Synchronized[int] = context.Value("q", 0)
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    finished = False
    try:
        for worker in range(1, min(workers, count)):
            reader, writer = context.Pipe(duplex=False)
            child: multiprocessing.process.BaseProcess = context.Process(
                target=_each_child, args=(work, worker, count, counter, writer), daemon=True)
            child.start()
            writer.close()
            children.append((child, reader))
        if meanwhile is not None:
            meanwhile()
        running = [reader for _process, reader in children]
        while (index := _next(counter, count)) is not None:
            take(index, work(index, 0))
            _receive(running, take, block=False)
        while running:
            _receive(running, take, block=True)
        finished = True
    finally:
        for process, reader in children:
            if not finished:
                process.terminate()
            process.join()
            reader.close()


def _receive(running: list[Connection], take: Callable[[int, M], object], *,
             block: bool) -> None:
    """Hand the results the forked processes have sent to ``take`` (waiting for one when
    ``block``); a process that is done is removed from ``running``."""
    for ready in wait(running, timeout=None if block else 0):
        assert isinstance(ready, Connection)
        while ready in running and ready.poll():
            try:
                kind, index, found = ready.recv()
            except EOFError:
                raise AnnotatorError(_DIED) from None
            if kind == _FAILED:
                assert isinstance(found, BaseException)
                raise found
            if kind == _DONE:
                running.remove(ready)
            else:
                take(index, found)  # what work returned there


def _each_child(work: Callable[[int, int], M], worker: int, count: int,
                counter: Synchronized[int], writer: Connection) -> None:
    """A forked worker of :func:`forked_each`: each chunk's result sent when it is done, then
    the end (or the exception ``work`` raised)."""
    message: Message
    try:
        while (index := _next(counter, count)) is not None:
            found = work(index, worker)
            writer.send((_RESULT, index, found))
        message = (_DONE, -1, None)
    except BaseException as error:  # sent to the parent, which raises it
        message = (_FAILED, -1, error)
    try:
        writer.send(message)
    except Exception as error:  # noqa: BLE001 - an unpicklable result or exception
        writer.send((_FAILED, -1, RuntimeError(f"a worker's outcome could not be sent back: "
                                               f"{error}")))
    finally:
        writer.close()

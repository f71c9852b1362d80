"""A map over chunks of a sequence, shared by this process and forked copies of it.

What :func:`annotator.commands.bulk.parallel_map` does where processes can be forked. The
children inherit the items (nothing is pickled to them), and every process, this one included,
takes the next chunk from one shared counter until none is left, so a slow or late process never
holds the others up. Each child sends all its results at once, when the chunks run out.

A process pool was tried first and lost most of the gain on two cores: its manager thread, which
hands out chunks and unpickles results, needs the interpreter lock that this process's own share
of the work holds, so the worker sat idle between chunks (at 10,000 documents it took 4 or 5 of 16
chunks, this process the rest).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized
from typing import TypeVar

from annotator.core.errors import AnnotatorError

T = TypeVar("T")
R = TypeVar("R")

_DIED = "a worker process ended unexpectedly (out of memory, or killed); nothing was done."


def forked_map(work: Callable[[Sequence[T]], list[R]], items: Sequence[T],
               bounds: Sequence[tuple[int, int]], workers: int, *,
               meanwhile: Callable[[], object] | None = None) -> list[R]:
    """``work(items[start:stop])`` for each chunk of ``bounds``, in this process and
    ``workers - 1`` forked ones, joined in the order of ``bounds``. An exception raised by
    ``work`` (or ``meanwhile``) in any process is raised here (the other processes are stopped).
    ``meanwhile`` is called here once the forked processes have started, before this process
    takes chunks: they take more of them meanwhile."""
    context = multiprocessing.get_context("fork")
    counter: Synchronized[int] = context.Value("q", 0)
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    finished = False
    try:
        for _ in range(min(workers, len(bounds)) - 1):
            reader, writer = context.Pipe(duplex=False)
            child: multiprocessing.process.BaseProcess = context.Process(
                target=_child, args=(work, items, bounds, counter, writer), daemon=True)
            child.start()
            writer.close()
            children.append((child, reader))
        if meanwhile is not None:
            meanwhile()
        results = _take(work, items, bounds, counter)
        for _process, reader in children:
            try:
                ok, found = reader.recv()
            except EOFError:
                raise AnnotatorError(_DIED) from None
            if not ok:
                raise found
            results.update(found)
        finished = True
    finally:
        for process, reader in children:
            if not finished:
                process.terminate()
            process.join()
            reader.close()
    out: list[R] = []
    for index in range(len(bounds)):
        out.extend(results[index])
    return out


def _take(work: Callable[[Sequence[T]], list[R]], items: Sequence[T],
          bounds: Sequence[tuple[int, int]], counter: Synchronized[int]) -> dict[int, list[R]]:
    """Chunks taken from the shared counter until none is left: their results by index."""
    done: dict[int, list[R]] = {}
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value = index + 1
        if index >= len(bounds):
            return done
        start, stop = bounds[index]
        done[index] = work(items[start:stop])


def _child(work: Callable[[Sequence[T]], list[R]], items: Sequence[T],
           bounds: Sequence[tuple[int, int]], counter: Synchronized[int],
           writer: Connection) -> None:
    """A forked worker: its chunks' results, or the exception ``work`` raised, sent at once."""
    outcome: tuple[bool, object]
    try:
        outcome = (True, _take(work, items, bounds, counter))
    except BaseException as error:  # sent to the parent, which raises it
        outcome = (False, error)
    try:
        writer.send(outcome)
    except Exception as error:  # noqa: BLE001 - an unpicklable result or exception
        writer.send((False, RuntimeError(f"a worker's outcome could not be sent back: {error}")))
    finally:
        writer.close()

"""Bulk jobs over a whole corpus: sharing the work among worker processes, and (re-exported from
:mod:`annotator.core.gcpause`) pausing the cyclic garbage collector."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from annotator.core.errors import AnnotatorError, UsageError
from annotator.core.forking import can_fork
from annotator.core.gcpause import paused_gc

__all__ = ["available_cpus", "parallel_map", "paused_gc", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 200
"""With fewer documents than this, work stays in this process unless workers are asked for:
starting processes (~20-50 ms each) would cost more than they save."""
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 8


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(requested: int | None, jobs: int) -> int:
    """How many processes share ``jobs`` documents: ``requested`` when given (1: this process
    alone), else one per CPU (at most :data:`MAX_WORKERS`) once there are :data:`PARALLEL_FROM`
    documents or more, else 1. Never more than there are documents."""
    if requested is not None and requested < 1:
        raise UsageError(f"--workers must be at least 1 (got {requested}).")
    if requested is None:
        requested = min(available_cpus(), MAX_WORKERS) if jobs >= PARALLEL_FROM else 1
    return max(1, min(requested, jobs))


def parallel_map(work: Callable[[Sequence[T]], list[R]], items: Sequence[T],
                 workers: int, *, meanwhile: Callable[[], object] | None = None) -> list[R]:
    """``work(items)``, computed in ``workers`` processes on consecutive chunks of ``items`` when
    ``workers`` > 1: the results in order, the same as ``work(items)`` in this process when
    ``work`` treats each item on its own (``work`` must be a module-level function or a partial
    of one, and the results picklable). An exception raised by ``work`` is raised here.

    Where processes can be forked (:func:`~annotator.core.forking.can_fork`), this process and
    ``workers - 1`` forked copies share the chunks (:func:`~annotator.commands.forkmap.forked_map`):
    the copies inherit ``items``, nothing is pickled to them. Elsewhere (spawn) a pool of
    ``workers`` processes is sent the chunks, pickled.

    ``meanwhile``: other work for this process, called once the workers have started (before
    it takes chunks itself), or first when there are no workers; its result is not kept."""
    if workers <= 1 or len(items) <= 1:
        if meanwhile is not None:
            meanwhile()
        return work(items)
    size = max(1, math.ceil(len(items) / (workers * CHUNKS_PER_WORKER)))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    if can_fork():
        from annotator.commands.forkmap import forked_map

        return forked_map(work, items, bounds, workers, meanwhile=meanwhile)
    from annotator.core.extract import default_mp_context

    out: list[R] = []
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(bounds)),
                                 mp_context=default_mp_context()) as pool:
            parts = pool.map(work, [items[start:stop] for start, stop in bounds])
            if meanwhile is not None:
                meanwhile()
            for part in parts:
                out.extend(part)
    except BrokenProcessPool:
        raise AnnotatorError(
            "a worker process ended unexpectedly (out of memory, or killed); nothing was done."
        ) from None
    return out

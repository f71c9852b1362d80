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
from annotator.core.gcpause import paused_gc

__all__ = ["available_cpus", "parallel_map", "paused_gc", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 200
"""With fewer documents than this, work stays in this process unless workers are asked for:
starting processes (~20-50 ms each) would cost more than they save."""
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 4


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
                 workers: int) -> list[R]:
    """``work(items)``, computed in ``workers`` processes on consecutive chunks of ``items`` when
    ``workers`` > 1: the results in order, the same as ``work(items)`` in this process when
    ``work`` treats each item on its own (``work`` must be a module-level function, and items
    and results picklable). An exception raised by ``work`` is raised here."""
    if workers <= 1 or len(items) <= 1:
        return work(items)
    from annotator.core.extract import default_mp_context

    size = max(1, math.ceil(len(items) / (workers * CHUNKS_PER_WORKER)))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    out: list[R] = []
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks)),
                                 mp_context=default_mp_context()) as pool:
            for part in pool.map(work, chunks):
                out.extend(part)
    except BrokenProcessPool:
        raise AnnotatorError(
            "a worker process ended unexpectedly (out of memory, or killed); nothing was done."
        ) from None
    return out

"""Pausing the cyclic garbage collector for commands that hold a whole corpus in memory."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk job (usable as a decorator).

    A command that loads a whole corpus (millions of objects) and then allocates in a loop makes
    the collector rescan that heap again and again: at 10,000 documents it doubled
    ``evaluate --scheme token`` (30.7 s to 16.4 s) and took a fifth of ``export`` (14.5 s to
    12.0 s), see bench/RESULTS.md. These jobs make no reference cycles worth collecting early;
    reference counting frees everything else as usual, and the collector runs again after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

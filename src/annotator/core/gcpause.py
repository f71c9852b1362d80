"""Pausing Python's cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk job (usable as a decorator); it is enabled
    again afterwards if it was on.

    A process that holds a large heap (a whole corpus loaded, or natasha's models and a store) and
    allocates fast in a loop makes the collector rescan that heap again and again: at 10,000
    documents it doubled ``evaluate --scheme token`` (30.7 s to 16.4 s) and took a fifth of
    ``export``; in extraction it cost ~1 ms per document (bench/RESULTS.md). These jobs make no
    reference cycles worth collecting early; reference counting frees everything else as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

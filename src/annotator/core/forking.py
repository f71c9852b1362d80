"""Whether worker processes may be forked: one rule for extraction and the bulk commands.

Forking is the fast way to start workers, and forked workers inherit what this process holds
(nothing is pickled to them). It is safe only while this process runs a single thread: forking a
process that runs others (a Textual app, a live progress display) can copy a held lock into the
child. This module imports nothing heavy, so the bulk commands can ask without loading the
extractor (which imports the store and the models).
"""

from __future__ import annotations

import sys
import threading


def can_fork() -> bool:
    """Linux, and this process runs a single thread."""
    return sys.platform == "linux" and threading.active_count() == 1

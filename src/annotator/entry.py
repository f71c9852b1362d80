"""The ``annotator`` command's entry point: the command line is imported with the cyclic GC off.

Importing click and the command line allocates thousands of objects that live as long as the
process; collecting them as they are made is wasted work (~2 ms, 20-odd collections, before the
first frame of ``annotator seeds/``). They are frozen out of the GC, which is then turned back
on: the review command pauses it again for its own start-up, the bulk commands for their bulk
work (:mod:`annotator.core.gcpause`).
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from annotator.cli import main as cli
    finally:
        gc.freeze()
        gc.enable()
    cli()

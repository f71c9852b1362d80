"""Run ``annotator ARGS…`` and write every import of a heavy module to a file.

    ANNOTATOR_BENCH_IMPORT_LOG=FILE python bench/import_probe.py seeds/ --store STORE …

A finder at the front of ``sys.meta_path`` notes the top-level name of each import of natasha,
slovnet, navec, pymorphy2/3 or numpy (it never loads anything itself), appending it to FILE at
once, so the record survives the process being killed after its first frame.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from types import ModuleType

HEAVY = {"natasha", "slovnet", "navec", "pymorphy2", "pymorphy3", "numpy"}


class _Recorder(importlib.abc.MetaPathFinder):
    def __init__(self, path: str) -> None:
        self.path = path

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top in HEAVY and fullname == top:
            with open(self.path, "a") as out:
                out.write(f"{top}\n")
        return None


def main() -> None:
    log = os.environ.get("ANNOTATOR_BENCH_IMPORT_LOG")
    if log:
        sys.meta_path.insert(0, _Recorder(log))
    from annotator.cli import main as cli

    sys.argv = ["annotator", *sys.argv[1:]]
    cli()


if __name__ == "__main__":
    main()

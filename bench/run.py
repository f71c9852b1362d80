"""Run every benchmark and print one table: figures, baselines measured in the same run, goals.

    python bench/run.py                 # the full run (about six minutes on two cores)
    python bench/run.py --quick         # a smoke run of about a minute
    python bench/run.py --only keys,save
    python bench/run.py --write bench/RESULTS.md   # also write the figures and the machine

Sections: startup (start-up time and memory), keys (keystroke latency), save (save latency),
extraction (throughput), export (gold export and token evaluation). See bench/README.md for how
each figure is measured. The process exits 1 when a goal is missed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``bench`` and ``annotator`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import export_eval, extraction, keys, save_latency, startup  # noqa: E402
from bench.common import Figure, load_average, machine, render  # noqa: E402

KEEP_MARKER = "<!-- Everything below this line is kept when bench/run.py rewrites the file. -->"


def sections(quick: bool) -> dict[str, Callable[[], list[Figure]]]:
    if quick:
        return {
            "startup": lambda: startup.run(runs=5),
            "keys": lambda: keys.run(samples=15),
            "save": lambda: save_latency.run([100, 1_000], saves=100),
            "extraction": lambda: extraction.run(docs=32, rounds=1),
            "export": lambda: export_eval.run(docs=1_000, repeat=2, starts=2),
        }
    return {
        "startup": lambda: startup.run(runs=15),
        "keys": lambda: keys.run(samples=60),
        "save": lambda: save_latency.run([100, 1_000, 10_000], saves=300),
        "extraction": lambda: extraction.run(docs=200, rounds=5, end_to_end=True),
        "export": lambda: export_eval.run(docs=10_000, repeat=3, commands=3),
    }


def write_results(path: Path, header: list[str], table: str, command: str) -> None:
    """Rewrite ``path``: the machine and the table, then whatever followed KEEP_MARKER."""
    kept = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if KEEP_MARKER in old:
            kept = old.split(KEEP_MARKER, 1)[1]
    lines = ["# Benchmark results", "", f"Latest full run: `{command}`.", ""]
    lines += [f"- {fact}" for fact in header]
    lines += ["", table, "", KEEP_MARKER]
    path.write_text("\n".join(lines) + kept, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    parser.add_argument("--only", default="", help="comma-separated sections to run")
    parser.add_argument("--write", type=Path, default=None, help="write the results file")
    args = parser.parse_args()
    chosen = sections(args.quick)
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in names if name not in chosen]
        if unknown:
            parser.error(f"unknown section(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(chosen)}")
        chosen = {name: chosen[name] for name in names}
    header = machine()
    for fact in header:
        print(fact, file=sys.stderr)
    figures: list[Figure] = []
    started = time.perf_counter()
    for name, section in chosen.items():
        began = time.perf_counter()
        print(f"[{name}] running (load average {load_average()[0]:.2f})...", file=sys.stderr)
        got = section()
        print(render(got), file=sys.stderr)
        print(f"[{name}] {time.perf_counter() - began:.0f} s", file=sys.stderr)
        figures += got
    header.append(f"load average at end (1, 5, 15 min): "
                  f"{', '.join(f'{x:.2f}' for x in load_average())}; "
                  f"total {time.perf_counter() - started:.0f} s")
    table = render(figures)
    print(table)
    if args.write is not None:
        command = "python bench/run.py" + (" --quick" if args.quick else "") + (
            f" --only {args.only}" if args.only else "")
        write_results(args.write, header, table, command)
        print(f"wrote {args.write}", file=sys.stderr)
    sys.exit(1 if any(f.passed is False for f in figures) else 0)


if __name__ == "__main__":
    main()

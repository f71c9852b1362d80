"""Save latency: one decision saved durably, in stores of 100 / 1,000 / 10,000 documents.

Baseline: an atomic, fsynced replacement of a file of the same size as one document's shard, with
no store logic: the floor any durable save pays on this disk. Goal: p95 <= 5 ms and flat.

    python -m bench.save_latency [--sizes 100,1000,10000] [--saves 300]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from annotator.core.atomic import write_atomic
from annotator.core.model import SpanDraft
from annotator.core.store import Store
from bench.common import Figure, measure, render
from tests.helpers import make_doc

SPANS = 25
WORD = "Москва"


def build_store(root: Path, docs: int) -> None:
    text = " ".join([WORD] * (SPANS * 2))
    step = len(WORD) + 1
    drafts = [SpanDraft(start=i * 2 * step, stop=i * 2 * step + len(WORD), label="LOC")
              for i in range(SPANS)]
    with Store.open(root, user="bench") as store:
        store.sync(make_doc(f"doc{i:05}", text + f" {i}") for i in range(docs))
        for i in range(docs):
            store.load_predictions(f"doc{i:05}", "natasha-1.6.0", drafts)


def save_latency(root: Path, saves: int, seed: int = 1) -> tuple[list[float], list[float]]:
    """Store saves and bare atomic writes of one shard's size, interleaved (same disk state)."""
    rng = random.Random(seed)
    with Store.open(root, user="bench") as store:
        ids = store.ids()
        shard = next((root / "docs").glob("*.json"))
        payload = b"x" * shard.stat().st_size
        target = root.parent / f"baseline-{root.name}.json"
        ours: list[float] = []
        base: list[float] = []
        for i in range(saves):
            doc_id, span_id = rng.choice(ids), f"s{rng.randint(1, SPANS)}"
            start = time.perf_counter()
            if i % 2:
                store.accept(doc_id, span_id)
            else:
                store.reject(doc_id, span_id)
            ours.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            write_atomic(target, payload)
            base.append((time.perf_counter() - start) * 1000)
        return ours, base


def run(sizes: list[int], saves: int) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            root = Path(tmp) / f"store{n}"
            build_store(root, n)
            os.sync()  # measure steady state, not the write-back of the bulk load
            time.sleep(1)
            samples, base = save_latency(root, saves)
            fig = measure(samples, f"save one decision, {n:,} docs", "ms",
                          baseline=measure(base, "", "ms").median,
                          baseline_name="bare atomic write", goal="p95 <= 5 ms, flat")
            fig.passed = fig.p95 <= 5.0
            figures.append(fig)
    if len(figures) > 1:
        spread = max(f.median for f in figures) / min(f.median for f in figures)
        for f in figures:
            f.note = f"largest/smallest median {spread:.2f}x"
            f.passed = bool(f.passed) and spread <= 1.5
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args()
    print(render(run([int(x) for x in args.sizes.split(",")], args.saves)))


if __name__ == "__main__":
    main()

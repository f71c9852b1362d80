"""Save latency: one decision saved durably, in stores of 100 / 1,000 / 10,000 documents.

Each store holds documents of 50 words with 25 pending natasha-like spans. All are built first,
with fsync off (:func:`bench.common.no_fsync`, then ``os.sync()`` and a second's rest), then
reopened together, and ``saves`` decisions per store (accept and reject alternately, on random
documents and spans) are timed one by one, the stores taking turns, each save followed by the
baseline: an atomic, fsynced replacement of a file of the same size as one document's shard,
with no store logic, the floor any durable save pays on this disk. Taking turns puts every size
on the same disk weather, so the medians compare. Goal: p95 <= 5 ms and flat (largest median /
smallest median <= 1.5).

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
from bench.common import Figure, interleaved, measure, no_fsync, render
from bench.corpus import document

SPANS = 25
WORD = "Москва"


def build_store(root: Path, docs: int) -> None:
    text = " ".join([WORD] * (SPANS * 2))
    step = len(WORD) + 1
    drafts = [SpanDraft(start=i * 2 * step, stop=i * 2 * step + len(WORD), label="LOC")
              for i in range(SPANS)]
    with no_fsync(), Store.open(root, user="bench") as store:
        store.sync(document(f"doc{i:05}", text + f" {i}") for i in range(docs))
        for i in range(docs):
            store.load_predictions(f"doc{i:05}", "natasha-1.6.0", drafts)


class _Sampler:
    """One store and its baseline file, sampled one save (and one bare write) at a time."""

    def __init__(self, root: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.store = Store.open(root, user="bench")
        self.ids = self.store.ids()
        shard = next((root / "docs").glob("*.json"))
        self.payload = b"x" * shard.stat().st_size
        self.target = root.parent / f"baseline-{root.name}.json"
        self.ours: list[float] = []
        self.base: list[float] = []

    def sample(self, i: int) -> None:
        doc_id, span_id = self.rng.choice(self.ids), f"s{self.rng.randint(1, SPANS)}"
        start = time.perf_counter()
        if i % 2:
            self.store.accept(doc_id, span_id)
        else:
            self.store.reject(doc_id, span_id)
        self.ours.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        write_atomic(self.target, self.payload)
        self.base.append((time.perf_counter() - start) * 1000)


def save_latency(root: Path, saves: int, seed: int = 1) -> tuple[list[float], list[float]]:
    """Store saves and bare atomic writes of one shard's size, interleaved (same disk state)."""
    sampler = _Sampler(root, seed)
    try:
        for i in range(saves):
            sampler.sample(i)
    finally:
        sampler.store.close()
    return sampler.ours, sampler.base


def run(sizes: list[int], saves: int) -> list[Figure]:
    """Build every store first, then sample them all in turn (rotating which goes first), so
    the disk's drift over the minutes of a run falls on every size alike."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        roots = [Path(tmp) / f"store{n}" for n in sizes]
        for n, root in zip(sizes, roots, strict=True):
            build_store(root, n)
        os.sync()  # measure steady state, not the write-back of the bulk load
        time.sleep(1)
        samplers = [_Sampler(root, seed) for seed, root in enumerate(roots, 1)]
        try:
            interleaved(saves, *(sampler.sample for sampler in samplers))
        finally:
            for sampler in samplers:
                sampler.store.close()
        for n, sampler in zip(sizes, samplers, strict=True):
            fig = measure(sampler.ours, f"save one decision, {n:,} docs", "ms",
                          baseline=measure(sampler.base, "", "ms").median,
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

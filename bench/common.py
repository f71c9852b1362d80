"""Shared pieces of the benchmarks: timing statistics and the results table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Figure:
    """One measured quantity against its baseline and goal."""

    name: str
    unit: str
    median: float
    p95: float
    baseline: float | None = None
    baseline_name: str = ""
    goal: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.median / self.baseline


def measure(samples: list[float], name: str, unit: str, **extra: object) -> Figure:
    return Figure(name=name, unit=unit, median=statistics.median(samples),
                  p95=percentile(samples, 95), **extra)  # type: ignore[arg-type]


def time_calls(func: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls."""
    out: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def render(figures: list[Figure]) -> str:
    """A plain-text table (also valid Markdown)."""
    head = "| figure | median | p95 | baseline | ratio | goal | result |"
    rows = [head, "|---|---:|---:|---|---:|---|---|"]
    for f in figures:
        base = f"{f.baseline:.2f} {f.unit} ({f.baseline_name})" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        result = {True: "pass", False: "MISS", None: "-"}[f.passed]
        if f.note:
            result += f" ({f.note})"
        rows.append(
            f"| {f.name} | {f.median:.2f} {f.unit} | {f.p95:.2f} {f.unit} | {base} | {ratio} "
            f"| {f.goal} | {result} |"
        )
    return "\n".join(rows)

"""Shared pieces of the benchmarks: timing statistics and the results table."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


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
    higher_is_better: bool = False
    ratio_value: float | None = None
    """The ratio to show when it is not ``median / baseline`` (e.g. raw time over the floor)."""

    @property
    def ratio(self) -> float | None:
        if self.ratio_value is not None:
            return self.ratio_value
        if self.baseline is None or self.baseline == 0:
            return None
        return self.median / self.baseline


def measure(samples: list[float], name: str, unit: str, **extra: object) -> Figure:
    """Median and p95 of ``samples``; for a rate (``higher_is_better=True``) the "p95" is the
    5th percentile, the rate of the slow tail, so the column always shows the bad side."""
    tail = 5 if extra.get("higher_is_better") else 95
    return Figure(name=name, unit=unit, median=statistics.median(samples),
                  p95=percentile(samples, tail), **extra)  # type: ignore[arg-type]


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
    head = "| figure | median | p95 | baseline (same run) | ratio | goal | result |"
    rows = [head, "|---|---:|---:|---|---:|---|---|"]
    for f in figures:
        base = f"{fmt(f.baseline)} {f.unit} ({f.baseline_name})" if f.baseline is not None else "-"
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        result = {True: "pass", False: "MISS", None: "-"}[f.passed]
        if f.note:
            result += f" ({f.note})"
        rows.append(
            f"| {f.name} | {fmt(f.median)} {f.unit} | {fmt(f.p95)} {f.unit} | {base} | {ratio} "
            f"| {f.goal} | {result} |"
        )
    return "\n".join(rows)


def fmt(value: float) -> str:
    """A figure with as many decimals as its size deserves."""
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def interleaved(runs: int, *steps: Callable[[int], None]) -> None:
    """Call each step once per round, rotating which goes first, so slow phases of a shared machine
    fall on every side alike."""
    for i in range(runs):
        shift = i % len(steps)
        for step in steps[shift:] + steps[:shift]:
            step(i)


@contextmanager
def no_fsync() -> Iterator[None]:
    """Build a fixture without fsync, then ``os.sync()`` once: building a 10,000-document store
    with two fsynced writes per document would take minutes. Nothing is ever measured inside."""
    real = os.fsync
    setattr(os, "fsync", lambda fd: None)  # noqa: B010 - mypy refuses to assign to a function
    try:
        yield
    finally:
        setattr(os, "fsync", real)  # noqa: B010
        os.sync()


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
        # (the results page itself, rewritten by the last run, does not count as a change)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ":(top)",
             ":(top,exclude)bench/RESULTS.md"], capture_output=True,
            text=True, check=True, cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out + (" + uncommitted changes" if dirty else "")


def machine() -> list[str]:
    """Where the figures came from, one fact a line."""
    load = ", ".join(f"{x:.2f}" for x in load_average())
    return [
        f"date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
        f"{platform.system()} {platform.release()}",
        f"Python {platform.python_version()} ({sys.implementation.name}), "
        f"Textual {package_version('textual')}, natasha {package_version('natasha')}, "
        f"tinydb {package_version('tinydb')}",
        f"annotator revision: {git_revision()}",
        f"load average at start (1, 5, 15 min): {load}",
    ]

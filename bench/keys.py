"""Keystroke latency: from a key to the repainted screen, for ``n`` (move) and ``a`` (accept+save).

Two documents: the 2 KB seed (``000_…``, 2,033 characters, natasha's 40 spans) and a generated
100 KB document with 2,000 spans. The app runs in a child process in a pty with Textual's real
driver (frames are encoded and written to the terminal, as for a user). The child posts each key
event to the app as the driver would, then waits, event-driven, until the app is settled: every
message queue of the app and the screen's widgets is drained, no refresh is pending and the
screen's update timer is paused again, i.e. every frame caused by the key has been written. A key
with no binding (``f12``) is measured the same way in the same run, interleaved; its latency is
the floor of the method (posting, dispatching, detecting "settled") and is subtracted.

    python -m bench.keys [--samples 60]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.core.corpus import load_corpus
from annotator.core.model import SpanDraft
from annotator.core.store import Store
from bench.common import Figure, measure, no_fsync, percentile, render
from bench.corpus import EXTRACTOR, ROOT, SEED_PREDICTIONS, SEEDS, big_text, write_texts
from bench.terminal import child_env, run_in_pty

KEYS = {"n": "n", "a": "a", "noop": "f12"}
GOAL_MS = 16.0
SEED_ID = "000_47d0eeae892115b2"


# ---------------------------------------------------------------------- fixtures (parent)
def build_seed_store(root: Path, copies: int) -> None:
    """``copies`` documents with the seed's exact text and natasha's spans on it."""
    text = (SEEDS / f"{SEED_ID}.txt").read_bytes().decode("utf-8")
    corpus = root.parent / f"{root.name}-corpus"
    write_texts(corpus, [text] * copies, prefix="seed")
    _fill(root, corpus, {f"seed{i:05}": _seed_spans() for i in range(copies)})


def _seed_spans() -> list[SpanDraft]:
    predictions = json.loads(SEED_PREDICTIONS.read_text(encoding="utf-8"))
    return [SpanDraft.model_validate(s) for s in predictions["documents"][SEED_ID]["spans"]]


def build_big_store(root: Path) -> None:
    text, drafts = big_text(100_000, 2_000)
    corpus = root.parent / f"{root.name}-corpus"
    write_texts(corpus, [text], prefix="big")
    _fill(root, corpus, {"big00000": drafts})


def _fill(root: Path, corpus: Path, spans: dict[str, list[SpanDraft]]) -> None:
    with no_fsync(), Store.open(root, user="bench") as store:
        load = load_corpus([corpus])
        store.sync(load.documents)
        for doc_id, drafts in spans.items():
            store.load_predictions(doc_id, EXTRACTOR, drafts)


# ---------------------------------------------------------------------- in the child (in a pty)
def _busy(app: Any) -> bool:
    """Whether the app still has work from the last key: queued messages, pending callbacks, a
    pending layout/repaint, or the screen's update timer running."""
    screen = app.screen
    for pump in (app, *screen.walk_children(with_self=True)):
        if pump._message_queue.qsize() or pump._next_callbacks:
            return True
    return bool(
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._dirty_widgets
        or screen._callbacks
        or screen._update_timer._active.is_set()
    )


async def _settled(pilot: Any, activity: list[float], poll: float = 0.0002) -> float:
    """Wait until the app is settled; the moment it became so.

    Cheap polls of :func:`_busy` (every ``poll`` seconds) find the first moment with nothing left
    to do. That moment is confirmed by a round of Textual's ``Pilot._wait_for_screen`` (a callback
    queued behind every widget's messages, catching a handler that was suspended mid-await) during
    which no message other than those callbacks may be posted (``activity`` holds the times of all
    other messages, from ``run_test(message_hook=...)``); the round itself is not counted."""
    app = pilot.app
    while True:
        while _busy(app):
            await asyncio.sleep(poll)
        quiet_since = time.perf_counter()
        seen = len(activity)
        await pilot._wait_for_screen()
        if not _busy(app) and len(activity) == seen:
            return quiet_since


def _timed(call: Callable[..., Any], spans: list[tuple[float, float]]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spans.append((began, time.perf_counter()))

    return timed


def _within(spans: list[tuple[float, float]], start: float, stop: float) -> float:
    """Milliseconds of ``spans`` (begin, end) that fall between ``start`` and ``stop``."""
    return sum(max(0.0, min(b, stop) - max(a, start)) for a, b in spans) * 1000


async def _press(app: Any, key: str) -> None:
    from textual import events

    char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    app.post_message(event)


async def _make_pending(pilot: Any, activity: list[float]) -> None:
    """Put the cursor on a pending span (untimed): ``n`` through this document, else ``]``."""
    app = pilot.app
    for _ in range(3):
        screen = app.screen
        doc = screen.doc
        if doc is not None and any(s.state == "pending" for s in doc.spans):
            for _ in range(len(doc.spans)):
                span = screen.view.current_span
                if span is not None and span.state == "pending":
                    return
                await _press(app, "n")
                await _settled(pilot, activity)
        await _press(app, "right_square_bracket")
        await _settled(pilot, activity)
    raise RuntimeError("no pending span left to accept; build a store with more documents")


async def _child(store_dir: Path, samples: int, out: Path, seed: int) -> None:
    from textual import events

    from annotator.core.settings import Settings
    from annotator.tui.app import make_app
    from annotator.tui.context import ReviewContext

    rng = random.Random(seed)
    store = Store.open(store_dir, user="bench")
    results: dict[str, list[dict[str, float | int]]] = {name: [] for name in KEYS}
    try:
        context = ReviewContext(store, Settings.model_construct(), None, [], extractor_factory=None)
        app = make_app(context)
        frames: list[float] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                frames.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]
        # Attribution only (nothing in the app changes): time inside store writes, and
        # collections of Python's cyclic garbage collector.
        saving: list[tuple[float, float]] = []
        for method in ("accept", "reject"):
            setattr(store, method, _timed(getattr(store, method), saving))
        collecting: list[tuple[float, float]] = []
        gc_started: list[float] = []

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started[:] = [time.perf_counter()]
            elif gc_started:
                collecting.append((gc_started[0], time.perf_counter()))

        gc.callbacks.append(on_gc)
        activity: list[float] = []

        def hook(message: Any) -> None:
            if not isinstance(message, events.Callback):
                activity.append(time.perf_counter())

        async with app.run_test(headless=False, size=None, message_hook=hook) as pilot:
            await asyncio.sleep(0.5)
            await _settled(pilot, activity)
            if os.environ.get("ANNOTATOR_BENCH_GC_FREEZE"):  # what-if experiment, off by default
                gc.freeze()
            for _ in range(samples):
                order = list(KEYS)
                rng.shuffle(order)
                for name in order:
                    if name == "a":
                        await _make_pending(pilot, activity)
                    await asyncio.sleep(rng.uniform(0.03, 0.07))  # a typist's gap
                    before = len(frames)
                    start = time.perf_counter()
                    await _press(app, KEYS[name])
                    done = await _settled(pilot, activity)
                    drawn = frames[before:]
                    results[name].append({
                        "settled_ms": (done - start) * 1000,
                        "frame_ms": (drawn[-1] - start) * 1000 if drawn else 0.0,
                        "frames": len(drawn),
                        "save_ms": _within(saving, start, done),
                        "gc_ms": _within(collecting, start, done),
                    })
            app.exit()
    finally:
        if on_gc in gc.callbacks:
            gc.callbacks.remove(on_gc)
        store.close()
    out.write_text(json.dumps(results))


# ---------------------------------------------------------------------- figures (parent)
def measure_store(store_dir: Path, samples: int, seed: int, pycache: Path) -> dict[str, Any]:
    out = store_dir.parent / f"{store_dir.name}-keys.json"
    argv = [sys.executable, "-m", "bench.keys", "--child", str(store_dir), str(out),
            "--samples", str(samples), "--seed", str(seed)]
    env = child_env({"ANNOTATOR_CONFIG_DIR": str(store_dir.parent / "config")}, pycache)
    code = run_in_pty(argv, env, ROOT, limit=60 + samples * 3)
    if code != 0:
        raise RuntimeError(f"the keystroke child failed (exit {code})")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def figures_of(name: str, result: dict[str, Any]) -> list[Figure]:
    noop = [s["settled_ms"] for s in result["noop"]]
    floor = statistics.median(noop)
    figures: list[Figure] = []
    for key, what in (("n", "move"), ("a", "accept + save")):
        raw = [s["settled_ms"] for s in result[key]]
        net = [value - floor for value in raw]
        frames = statistics.median(s["frames"] for s in result[key])
        saves = [s["save_ms"] for s in result[key]]
        collected = [s["gc_ms"] for s in result[key] if s["gc_ms"] > 0]
        fig = measure(net, f"key `{key}` ({what}), {name}", "ms", baseline=floor,
                      baseline_name="unbound key", goal=f"<= {GOAL_MS:.0f} ms (p95)",
                      ratio_value=statistics.median(raw) / floor if floor else None)
        fig.passed = fig.p95 <= GOAL_MS
        fig.note = f"{frames:.0f} frame/key; raw median {statistics.median(raw):.1f} ms"
        if key == "a":
            fig.note += (f"; store write median {statistics.median(saves):.1f}, "
                         f"p95 {percentile(saves, 95):.1f} ms")
        if collected:
            long = sum(1 for ms in collected if ms > 10)
            fig.note += (f"; GC in {len(collected)}/{len(raw)} keys, over 10 ms in {long}, "
                         f"max {max(collected):.1f} ms")
        figures.append(fig)
    return figures


def run(samples: int, pycache: Path | None = None) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="annotator-keys-") as tmp:
        cache = pycache or Path(tmp) / "pycache"
        seed_root = Path(tmp) / "seed-store"
        big_root = Path(tmp) / "big-store"
        copies = max(3, samples * 2 // 40 + 2)
        build_seed_store(seed_root, copies)
        build_big_store(big_root)
        measure_store(seed_root, 3, 1, cache)  # warm-up: compiles bytecode, fills the page cache
        figures += figures_of("2 KB seed", measure_store(seed_root, samples, 2, cache))
        figures += figures_of("100 KB, 2,000 spans", measure_store(big_root, samples, 3, cache))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("STORE", "OUT"))
    args = parser.parse_args()
    if args.child:
        asyncio.run(_child(Path(args.child[0]), args.samples, Path(args.child[1]), args.seed))
        return
    print(render(run(args.samples)))


if __name__ == "__main__":
    main()

"""Gold export and token-scheme evaluation of a store of reviewed documents (10,000 by default).

The store: ``docs`` distinct news texts of a seed's size (:mod:`bench.corpus`, about 2,000
characters and 30 natasha spans each), every one *reviewed* the way the app leaves it: natasha's
spans loaded (one ``load_predictions`` event), then one decision per span (85% accepted, 10%
rejected, 5% relabeled), then ``status: reviewed``, each decision in the document's event log.
Each document's files (its spans and its log) are written with one ``Shard.save`` (what the store
would hold after its last decision), fsync off while building (:func:`bench.common.no_fsync`), and
the store is then opened once so its index is built, as after a review. One untimed export then
makes the gold file the evaluation reads; every timed run, command or in process, is interleaved
with the others and with the baselines.

Figures, each with a baseline measured in the same run:

* ``annotator export --format gold -o FILE``: the command as a user runs it (a fresh process:
  Python start, imports, reading every document, writing the file), and the same call in process
  (``run_export``), median of several runs. Baseline: ``json.dumps`` of the exported data and
  writing it, the floor of producing such a file.
* ``annotator evaluate GOLD PRED --scheme token --json``: GOLD the exported file, PRED natasha's
  spans as JSON Lines (``id``, ``sha256``, ``entities``); command and in-process
  (``run_evaluate``). Baseline: splitting the same texts into razdel tokens in a bare loop, which
  the token scheme (naeval's definition) cannot avoid.
* A reference row without a goal: ``annotator --store STORE`` (the review app on the whole store)
  from process start to its complete first screen, started like the start-up figure's programs
  (:mod:`bench.startup`, in a pty), against the same bare Textual app, interleaved.

    python -m bench.export_eval [--docs 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.model import Document, Event, Span
from annotator.core.shard import Shard, shard_name
from annotator.core.store import Store
from bench.common import Figure, interleaved, measure, no_fsync, render
from bench.corpus import EXTRACTOR, LABELS, ROOT, seed_sized_texts
from bench.startup import BARE_MARKER, FOOTER_MARKER, annotator_script, bare_app_command
from bench.terminal import child_env, launch

GOAL_S = 2.0
GOAL_DOCS = 10_000
USER = "bench"
WHEN = "2026-11-22T10:00:00Z"


# ---------------------------------------------------------------------- the reviewed store
def _reviewed(doc_id: str, text: str, drafts: list[Any], rng: random.Random
              ) -> tuple[Document, list[Event]]:
    """A document as the review app leaves it, and the event log that led there."""
    pending = [
        Span(id=f"s{i}", start=d.start, stop=d.stop, label=d.label, text=text[d.start:d.stop],
             normal=d.normal, origin=EXTRACTOR)
        for i, d in enumerate(drafts, 1)
    ]
    events = [Event(seq=1, doc_id=doc_id, user=USER, time=WHEN, action="load_predictions",
                    before={s.id: None for s in pending}, after={s.id: s for s in pending})]
    decided: list[Span] = []
    for span in pending:
        roll = rng.random()
        fields: dict[str, Any] = {"state": "accepted", "decision": "accepted",
                                  "annotator": USER, "time": WHEN}
        action = "accept"
        if roll < 0.10:
            fields.update(state="rejected", decision="rejected")
            action = "reject"
        elif roll < 0.15:
            other = rng.choice([label for label in LABELS if label != span.label])
            fields.update(label=other, decision="relabeled", original_label=span.label)
            action = "relabel"
        new = span.model_copy(update=fields)
        first = not decided
        events.append(Event(
            seq=len(events) + 1, doc_id=doc_id, user=USER, time=WHEN, action=action,
            before={span.id: span}, after={span.id: new},
            doc_before={"status": "unreviewed", "flags": [], "comment": ""} if first else {},
            doc_after={"status": "in_progress", "flags": [], "comment": ""} if first else {},
        ))
        decided.append(new)
    events.append(Event(seq=len(events) + 1, doc_id=doc_id, user=USER, time=WHEN,
                        action="status",
                        doc_before={"status": "in_progress", "flags": [], "comment": ""},
                        doc_after={"status": "reviewed", "flags": [], "comment": ""}))
    doc = Document(id=doc_id, source=f"{doc_id}.txt", text=text,
                   sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), lang="ru",
                   status="reviewed", extractor=EXTRACTOR, extraction="done", spans=decided)
    return doc, events


def build_store(root: Path, docs: int, pred: Path) -> int:
    """Write the reviewed store and natasha's predictions (JSON Lines); the number of spans."""
    rng = random.Random(5)
    spans = 0
    with no_fsync():
        Store.open(root, user=USER).close()
        with pred.open("w", encoding="utf-8") as out:
            for i, (text, drafts) in enumerate(seed_sized_texts(docs, seed=31)):
                doc_id = f"doc{i:05}"
                doc, events = _reviewed(doc_id, text, drafts, rng)
                Shard(root / "docs" / shard_name(doc_id)).save(doc, events=events)
                spans += len(drafts)
                entities = [{"start": d.start, "stop": d.stop, "label": d.label} for d in drafts]
                out.write(json.dumps({"id": doc_id, "sha256": doc.sha256,
                                      "entities": entities}, ensure_ascii=False) + "\n")
        with Store.open(root, user=USER) as store:  # builds and writes the index
            if len(store.ids()) != docs or store.problems:
                raise RuntimeError(f"the bench store is not what was written: {store.problems}")
    return spans


# ---------------------------------------------------------------------- what is timed
def _annotator(*args: str) -> float:
    script = Path(sys.executable).with_name("annotator")
    started = time.perf_counter()
    subprocess.run([str(script), *args], check=True, cwd=ROOT, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _export_in_process(store: Path, out: Path) -> float:
    from annotator.commands.export import run_export

    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        code = run_export(store_dir=store, fmt="gold", output=out, include_unreviewed=False)
    if code != 0:
        raise RuntimeError("the gold export reported problems")
    return time.perf_counter() - started


def _evaluate_in_process(gold: Path, pred: Path) -> float:
    from annotator.commands.evaluate import run_evaluate

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        run_evaluate(gold=gold, pred=pred, schemes=["token"], as_json=True)
    return time.perf_counter() - started


def _dump_baseline(data: Any, out: Path) -> float:
    with _collector_paused():  # as the commands run (annotator.commands.bulk)
        started = time.perf_counter()
        out.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return time.perf_counter() - started


def _tokenize_baseline(texts: list[str]) -> float:
    import razdel

    with _collector_paused():
        started = time.perf_counter()
        for text in texts:
            for _ in razdel.tokenize(text):
                pass
        return time.perf_counter() - started


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _review_startups(store: Path, tmp: Path, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds to the review app's complete first screen on ``store``, and to the bare
    app's line, ``runs`` of each interleaved (after one untimed start of each)."""
    env = child_env({"ANNOTATOR_CONFIG_DIR": str(tmp / "config")}, tmp / "pycache")
    app = [*annotator_script(), "--store", str(store), "--user", USER]
    bare = bare_app_command()
    apps: list[float] = []
    bares: list[float] = []

    def start_app(i: int) -> None:
        shown = launch(app, FOOTER_MARKER, env, ROOT, also=["docs reviewed"])
        if i >= 0:
            apps.append(shown.complete_seconds * 1000)

    def start_bare(i: int) -> None:
        shown = launch(bare, BARE_MARKER, env, ROOT)
        if i >= 0:
            bares.append(shown.seconds * 1000)

    start_app(-1)
    start_bare(-1)
    interleaved(runs, start_app, start_bare)
    return apps, bares


def run(docs: int, repeat: int, commands: int = 1, starts: int = 5) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="annotator-export-") as name:
        tmp = Path(name)
        store, pred, gold = tmp / "store", tmp / "pred.jsonl", tmp / "gold.json"
        spans = build_store(store, docs, pred)
        # one untimed export makes the gold file the rest reads (and warms the page cache for
        # every figure alike)
        _annotator("export", "--format", "gold", "--store", str(store), "-o", str(gold))
        data = json.loads(gold.read_bytes())
        if len(data["documents"]) != docs:
            raise RuntimeError(f"exported {len(data['documents'])} of {docs} documents")
        texts = [d["text"] for d in data["documents"]]
        export_cmd: list[float] = []
        evaluate_cmd: list[float] = []
        export_in, dump, evaluate_in, tokenize = [], [], [], []
        for turn in range(max(repeat, commands)):  # all interleaved with their baselines
            # Each timed step starts with no dirty pages of the steps before it (each writes a
            # 137 MB file): their writeback would otherwise land inside the next figure.
            if turn < commands:
                os.sync()
                export_cmd.append(_annotator("export", "--format", "gold", "--store",
                                             str(store), "-o", str(tmp / "gold-cmd.json")))
                os.sync()
                evaluate_cmd.append(_annotator("evaluate", str(gold), str(pred), "--scheme",
                                               "token", "--json"))
            if turn < repeat:
                os.sync()
                export_in.append(_export_in_process(store, tmp / "gold-again.json"))
                os.sync()
                dump.append(_dump_baseline(data, tmp / "dump.json"))
                os.sync()
                evaluate_in.append(_evaluate_in_process(gold, pred))
                tokenize.append(_tokenize_baseline(texts))
        os.sync()
        review_ms, bare_ms = _review_startups(store, tmp, starts)
    size = f"{docs:,} docs, {spans:,} spans"
    dump_s = sorted(dump)[len(dump) // 2]
    tokenize_s = sorted(tokenize)[len(tokenize) // 2]
    figures = [
        measure(export_cmd, f"`annotator export --format gold` ({size})", "s", baseline=dump_s,
                baseline_name="json.dumps + write", goal=f"<= {GOAL_S:.0f} s"),
        measure(export_in, "gold export in process (run_export)", "s", baseline=dump_s,
                baseline_name="json.dumps + write", goal=f"<= {GOAL_S:.0f} s"),
        measure(evaluate_cmd, "`annotator evaluate --scheme token`", "s", baseline=tokenize_s,
                baseline_name="razdel.tokenize loop", goal=f"<= {GOAL_S:.0f} s"),
        measure(evaluate_in, "token evaluation in process (run_evaluate)", "s",
                baseline=tokenize_s, baseline_name="razdel.tokenize loop",
                goal=f"<= {GOAL_S:.0f} s"),
    ]
    # The goal is on GOAL_DOCS documents: fewer are judged on the time scaled up to them, which
    # only the in-process figures allow (a command's time includes Python's start, which does
    # not grow with the documents: its row is then not judged).
    factor = GOAL_DOCS / docs
    for fig in (figures[1], figures[3]):
        fig.passed = fig.median * factor <= GOAL_S
        if factor != 1:
            fig.note = f"judged on {factor:.0f}x (the goal is on {GOAL_DOCS:,} documents)"
    for fig in (figures[0], figures[2]):
        fig.note = f"{commands} run(s), Python start included"
        if factor == 1:
            fig.passed = fig.median <= GOAL_S
        else:
            fig.note += "; not judged: Python's start does not grow with the documents"
    review = measure(review_ms, f"start-up of `annotator --store` on the {docs:,}-document store",
                     "ms", baseline=sorted(bare_ms)[len(bare_ms) // 2],
                     baseline_name="bare Textual app")
    review.note = "reference: to the complete first screen; the goal is on the seeds' start-up"
    figures.append(review)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--commands", type=int, default=1)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    print(render(run(args.docs, args.repeat, args.commands, args.starts)))


if __name__ == "__main__":
    main()

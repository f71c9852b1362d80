"""Extraction throughput: documents per second through ``extract_into_store`` against raw natasha.

The corpus: ``docs`` generated news texts of a seed's size (1,500-2,500 characters, shuffled seed
lines, :mod:`bench.corpus`), each one distinct, so the prediction cache never hits. Each run is a
fresh process (nothing warm is shared between the sides) and, for ours, a fresh store:

* ``raw1``: natasha as its README shows it, in a plain loop: ``Doc(text)``, ``segment``,
  ``tag_morph``, ``tag_ner``, and ``normalize`` of every span (what our extractor computes; it
  does less work for the same output, see ``core/natasha_pipeline.py``), with
  ``OPENBLAS_NUM_THREADS=1`` (and OMP/MKL), the BLAS set-up our extractor asks for: the
  like-for-like baseline the goals are judged against;
* ``raw``: the same loop out of the box (OpenBLAS picks one thread per core), for reference;
* ``raw2``: the ``raw1`` loop in two forked processes at once, each on half the texts (every
  other one): what two cores of this machine give natasha with nothing else running, measured in
  the same run. It is a reference, not a baseline: the 1.7x goal is judged against ``raw1``; the
  note of ``ours, 2 workers`` gives its share of this row and its rate over ``ours, 1 worker``
  (the pool's own scaling, since ours does less model work per document than the raw loop);
* ``ours, 1 worker``: ``extract_into_store(store, ids, NatashaExtractor(), workers=1)``: triage,
  natasha's pipeline without its repeated work (one tokenization, morphology in windows around
  entity tokens), offset checks, and two writes per document (the prediction cache, atomic;
  the document's spans, atomic and durable) made by a writer thread while the model works on
  the next document; the cyclic GC is paused for the run
  (the raw loops leave it on);
* ``ours, 2 workers``: the same with ``workers=2`` (a pool of two forked processes, chunks that
  shrink towards the end; the parent only writes the store).

Model load is **excluded from both sides**: each process loads natasha's models before its clock
starts (for the pool, the parent loads them and the forked workers inherit them). It is reported
on its own line. Runs of the four are interleaved, rotating which goes first. The corpus is read
and synced into the store before the clock starts.

    python -m bench.extraction [--docs 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Figure, interleaved, measure, render
from bench.corpus import ROOT, seed_sized_texts, write_texts

MODES = ("raw", "raw1", "raw2", "ours1", "ours2")
ONE_WORKER_GOAL = 0.9
TWO_WORKER_GOAL = 1.7
SINGLE_THREAD_BLAS = {v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                       "MKL_NUM_THREADS")}


# ---------------------------------------------------------------------- in a child process
def _raw(corpus: Path, processes: int = 1) -> dict[str, float]:
    started = time.perf_counter()
    from natasha import (
        Doc,
        MorphVocab,
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        Segmenter,
    )

    embedding = NewsEmbedding()
    segmenter, vocab = Segmenter(), MorphVocab()
    morph, ner = NewsMorphTagger(embedding), NewsNERTagger(embedding)
    loaded = time.perf_counter()
    texts = [p.read_bytes().decode("utf-8") for p in sorted(corpus.glob("*.txt"))]

    def loop(part: list[str]) -> int:
        spans = 0
        for text in part:
            doc = Doc(text)
            doc.segment(segmenter)
            doc.tag_morph(morph)
            doc.tag_ner(ner)
            for span in doc.spans:
                span.normalize(vocab)
                spans += 1
        return spans

    begin = time.perf_counter()
    spans = loop(texts) if processes == 1 else _forked_loops(loop, texts, processes)
    end = time.perf_counter()
    return {"load_s": loaded - started, "run_s": end - begin, "docs": len(texts), "spans": spans}


def _forked_loops(loop: Callable[[list[str]], int], texts: list[str], processes: int) -> int:
    """``loop`` over every ``processes``-th text in that many forked processes at once (they
    inherit the loaded models); the spans they found, once all have finished."""
    readers: list[int] = []
    pids: list[int] = []
    for i in range(processes):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run its share, report the span count, leave at once
            os.close(read)
            code = 1
            try:
                os.write(write, str(loop(texts[i::processes])).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        readers.append(read)
        pids.append(pid)
    spans = 0
    for read, pid in zip(readers, pids, strict=True):
        with os.fdopen(read, "rb") as out:
            answer = out.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not answer:
            raise RuntimeError(f"a raw natasha process failed (wait status {status})")
        spans += int(answer)
    return spans


def _ours(corpus: Path, store_dir: Path, workers: int) -> dict[str, float]:
    from annotator.core.corpus import load_corpus
    from annotator.core.extract import NatashaExtractor, extract_into_store
    from annotator.core.store import Store

    with Store.open(store_dir, user="bench") as store:
        load = load_corpus([corpus])
        store.sync(load.documents)
        ids = [d.id for d in load.documents]
        extractor = NatashaExtractor()
        started = time.perf_counter()
        extractor.prepare()
        loaded = time.perf_counter()
        report = extract_into_store(store, ids, extractor, workers=workers)
        end = time.perf_counter()
        spans = sum(store.summary(i).pending for i in ids)
    if report.extracted != len(ids):
        raise RuntimeError(f"expected {len(ids)} extracted, got: {report.summary()}")
    return {"load_s": loaded - started, "run_s": end - loaded, "docs": len(ids), "spans": spans}


def _child(mode: str, corpus: Path, store_dir: Path, out: Path) -> None:
    if mode.startswith("raw"):
        result = _raw(corpus, processes=2 if mode == "raw2" else 1)
    else:
        result = _ours(corpus, store_dir, int(mode[-1]))
    out.write_text(json.dumps(result))


# ---------------------------------------------------------------------- parent
def _run_child(mode: str, corpus: Path, tmp: Path, i: int) -> dict[str, float]:
    out = tmp / f"{mode}-{i}.json"
    env = {k: v for k, v in os.environ.items() if k not in SINGLE_THREAD_BLAS}
    if mode in ("raw1", "raw2"):
        env.update(SINGLE_THREAD_BLAS)
    subprocess.run(
        [sys.executable, "-m", "bench.extraction", "--child", mode, str(corpus),
         str(tmp / f"store-{mode}-{i}"), str(out)],
        check=True, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
    )
    result: dict[str, float] = json.loads(out.read_text())
    return result


def _command(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(docs: int, rounds: int, end_to_end: bool = False) -> list[Figure]:
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    commands: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="annotator-extract-") as name:
        tmp = Path(name)
        corpus = tmp / "corpus"
        write_texts(corpus, [text for text, _ in seed_sized_texts(docs, seed=23)])

        def step(mode: str) -> Any:
            return lambda i: results[mode].append(_run_child(mode, corpus, tmp, i))

        interleaved(rounds, *(step(mode) for mode in MODES))
        if end_to_end:
            commands = _end_to_end(corpus, tmp)
    return _figures(results, commands, docs)


def _end_to_end(corpus: Path, tmp: Path) -> dict[str, float]:
    """One run of each command as a user types it: Python start and model load included."""
    env = {k: v for k, v in os.environ.items() if k not in SINGLE_THREAD_BLAS}
    script = Path(sys.executable).with_name("annotator")
    raw = [sys.executable, "-c", "import sys, pathlib, bench.extraction as e; "
           "e._raw(pathlib.Path(sys.argv[1]))", str(corpus)]
    return {
        "raw": _command(raw, env),
        "ours1": _command([str(script), "extract", str(corpus), "--store", str(tmp / "e2e-1"),
                           "--user", "bench", "--workers", "1"], env),
        "ours2": _command([str(script), "extract", str(corpus), "--store", str(tmp / "e2e-2"),
                           "--user", "bench", "--workers", "2"], env),
    }


def _figures(results: dict[str, list[dict[str, float]]], commands: dict[str, float],
             docs: int) -> list[Figure]:
    def rates(mode: str) -> list[float]:
        return [r["docs"] / r["run_s"] for r in results[mode]]

    raw = statistics.median(rates("raw1"))
    ceiling = statistics.median(rates("raw2"))
    default = statistics.median(rates("raw"))
    spans = {mode: statistics.median(r["spans"] for r in results[mode]) for mode in MODES}
    figures: list[Figure] = []
    for mode, label, goal in (("ours1", "1 worker", ONE_WORKER_GOAL),
                              ("ours2", "2 workers", TWO_WORKER_GOAL)):
        fig = measure(rates(mode), f"extraction, {label} ({docs} docs)", "docs/s",
                      baseline=raw, baseline_name="raw natasha loop, 1 BLAS thread",
                      goal=f">= {goal}x raw", higher_is_better=True)
        fig.passed = fig.ratio is not None and fig.ratio >= goal
        fig.note = (f"{statistics.median(rates(mode)) / default:.2f}x the out-of-the-box loop; "
                    f"{spans[mode]:.0f} spans (raw {spans['raw1']:.0f})")
        if mode == "ours2":
            ours1 = statistics.median(rates("ours1"))
            fig.note += (f"; {statistics.median(rates(mode)) / ours1:.2f}x ours with 1 worker, "
                         f"{statistics.median(rates(mode)) / ceiling:.0%} of the raw loop "
                         "in 2 processes")
        figures.append(fig)
    fig = measure(rates("raw2"), "raw natasha loop in 2 processes at once (1 BLAS thread each)",
                  "docs/s", baseline=raw, baseline_name="raw natasha loop, 1 BLAS thread",
                  higher_is_better=True)
    fig.note = (f"reference: what two cores give the raw loop with nothing else running (ours "
                f"does less work per document; the pool's own scaling is ours with 2 workers "
                f"over ours with 1); {spans['raw2']:.0f} spans")
    figures.append(fig)
    fig = measure(rates("raw"), "raw natasha loop, out of the box (BLAS threads: default)",
                  "docs/s", baseline=raw, baseline_name="raw natasha loop, 1 BLAS thread",
                  higher_is_better=True)
    fig.note = "reference: why the extractor asks for one BLAS thread"
    figures.append(fig)
    loads = [r["load_s"] * 1000 for mode in MODES for r in results[mode]]
    load = measure(loads, "natasha model load (reported apart)", "ms")
    load.note = "in each process before its clock starts"
    figures.append(load)
    for mode, label in (("ours1", "1 worker"), ("ours2", "2 workers")):
        if mode in commands:
            fig = Figure(f"`annotator extract --workers {mode[-1]}` end to end ({docs} docs)",
                         "s", commands[mode], commands[mode], baseline=commands["raw"],
                         baseline_name="raw natasha script, out of the box, end to end",
                         note=f"one run, {label}; Python start and model load included")
            figures.append(fig)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "CORPUS", "STORE", "OUT"))
    args = parser.parse_args()
    if args.child:
        mode, corpus, store, out = args.child
        _child(mode, Path(corpus), Path(store), Path(out))
        return
    print(render(run(args.docs, args.rounds, args.end_to_end)))


if __name__ == "__main__":
    main()

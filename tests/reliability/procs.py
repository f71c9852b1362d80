"""Worker processes for the concurrency tests, run by path with ``sys.executable``.

Each role talks over stdin/stdout one line at a time, so a test waits on what a worker says instead
of sleeping. Only the standard library and ``annotator`` are imported.

* ``hold``: open the store for writing, say ``READY <pid>``, keep it open until stdin closes.
* ``race``: say ``WAITING``, wait for a line on stdin, then try to open for writing at once; say
  ``WON <pid>`` (and hold until stdin closes) or ``LOST <ErrorClass> <message>``.
* ``writer``: open for writing, say ``READY <pid>``, wait for a line on stdin, make ``--ops``
  random decisions, then say ``DONE <ops>``.
* ``reader``: open read-only, say ``READY``, read every document (through the store and as raw
  JSON) over and over until ``--stop`` exists, then print one JSON line with what it saw.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.shard import shard_name
from annotator.core.store import Store


def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def hold(root: Path, user: str) -> int:
    try:
        store = Store.open(root, user=user)
    except AnnotatorError as err:
        _say(f"LOST {type(err).__name__} {err}")
        return 3
    _say(f"READY {os.getpid()}")
    sys.stdin.read()
    store.close()
    return 0


def race(root: Path, user: str) -> int:
    _say("WAITING")
    sys.stdin.readline()
    try:
        store = Store.open(root, user=user)
    except AnnotatorError as err:
        _say(f"LOST {type(err).__name__} {err}")
        return 3
    _say(f"WON {os.getpid()}")
    sys.stdin.read()
    store.close()
    return 0


def writer(root: Path, user: str, ops: int, seed: int) -> int:
    rng = random.Random(seed)
    with Store.open(root, user=user) as store:
        _say(f"READY {os.getpid()}")
        sys.stdin.readline()
        ids = store.ids()
        labels = store.labels.labels
        for _ in range(ops):
            doc_id = rng.choice(ids)
            doc = store.get(doc_id)
            span = rng.choice(doc.spans)
            pick = rng.random()
            try:
                if pick < 0.3:
                    store.accept(doc_id, span.id)
                elif pick < 0.5:
                    store.reject(doc_id, span.id)
                elif pick < 0.65:
                    store.relabel(doc_id, span.id, rng.choice(labels))
                elif pick < 0.8:
                    store.undo(doc_id)
                elif pick < 0.9:
                    store.redo(doc_id)
                else:
                    words = [i for i, ch in enumerate(doc.text) if ch == " "]
                    start = rng.choice(words) + 1
                    store.add_span(doc_id, start, start + 1, rng.choice(labels))
            except AnnotatorError:
                pass
    _say(f"DONE {ops}")
    return 0


def reader(root: Path, stop: Path) -> int:
    store = Store.open(root, user="reader", readonly=True)
    _say("READY")
    reads = 0
    passes = 0
    errors: list[str] = []
    regressions: list[str] = []
    seqs: dict[str, int] = {}
    changes = 0
    while True:
        finished = stop.exists()  # one more full pass after the writer is done
        for doc_id in store.ids():
            try:
                doc = store.get(doc_id)
                events = store.history(doc_id)
                for span in doc.spans:
                    if doc.text[span.start : span.stop] != span.text:
                        errors.append(f"{doc_id}: span {span.id} does not fit")
                raw: Any = json.loads((root / "docs" / shard_name(doc_id)).read_bytes())
                if not isinstance(raw, dict) or set(raw) != {"document", "spans"}:
                    errors.append(f"{doc_id}: raw shard has keys {sorted(raw)}")
            except Exception as err:  # any failure to read is what this test looks for
                errors.append(f"{doc_id}: {type(err).__name__}: {err}")
                continue
            reads += 1
            seq = events[-1].seq if events else 0
            if seq < seqs.get(doc_id, 0):
                regressions.append(f"{doc_id}: log went back from {seqs[doc_id]} to {seq}")
            elif seq > seqs.get(doc_id, seq):
                changes += 1
            seqs[doc_id] = seq
        passes += 1
        if finished:
            break
    store.close()
    result = {
        "reads": reads,
        "passes": passes,
        "changes": changes,
        "errors": errors[:20],
        "regressions": regressions[:20],
    }
    _say(json.dumps(result))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["hold", "race", "writer", "reader"])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--user", default="worker")
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stop", type=Path)
    args = parser.parse_args()
    if args.role == "hold":
        return hold(args.store, args.user)
    if args.role == "race":
        return race(args.store, args.user)
    if args.role == "writer":
        return writer(args.store, args.user, args.ops, args.seed)
    assert args.stop is not None
    return reader(args.store, args.stop)


if __name__ == "__main__":
    raise SystemExit(main())

"""Kill -9 harness for the annotation store.

A child process (``sys.executable``) opens a store of synthetic Cyrillic documents and makes random
decisions as fast as it can. Before each store call it prints ``CALL``; after the call *returns* it
prints an acknowledgement (``ACK``/``POS``/``CACHE``) naming the document, the last event of its log
and a digest of the document as the call returned it. The parent reads those lines and kills the
child with SIGKILL at a random instant (during start-up, right after an acknowledgement, or after a
random delay, which mostly lands inside a write). After each kill it checks, on the same store:

* the write lock was released by the kernel and is taken over (``lock.json`` of the dead child is
  replaced by the verifier's), ``Store.open`` succeeds and reports no problem;
* every JSON file parses (no half-written file) and no ``.tmp-*`` file is left after the open;
* every acknowledged event is in its document's log with the same content, and each document is
  exactly as last acknowledged, or ahead by the one call that was in flight, never behind;
* the log written before this round is unchanged (a running digest of every event so far);
* the index agrees with the documents; positions and cached predictions are as acknowledged.

Run it directly for the long run::

    python -m tests.reliability.killharness --kills 200 --store DIR

``tests/reliability/test_killharness.py`` runs a short one in CI and the long one under ``-m slow``.
The child side of this file imports only the standard library and ``annotator``, so it runs by path.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.atomic import TEMP_MARK, dump_json
from annotator.core.errors import AnnotatorError
from annotator.core.model import DOC_STATUSES, DocSummary, Document, Event, SpanDraft
from annotator.core.shard import span_number
from annotator.core.store import Store

EXTRACTOR = "natasha-1.6.0"
CACHE_EXTRACTOR = "harness-0"
CHILD_USER = "harness"
VERIFIER_USER = "verifier"

# What each child operation writes to the log (None: it writes no document event).
OP_ACTIONS: dict[str, str | None] = {
    "accept": "accept",
    "reject": "reject",
    "relabel": "relabel",
    "adjust": "adjust",
    "add_span": "add",
    "delete": "delete",
    "reset": "reset",
    "accept_all": "accept_all",
    "set_status": "status",
    "set_flags": "flags",
    "set_comment": "comment",
    "undo": "undo",
    "redo": "redo",
    "set_position": None,
    "cache_predictions": None,
}
OP_WEIGHTS: dict[str, int] = {
    "accept": 20,
    "reject": 12,
    "relabel": 10,
    "adjust": 8,
    "add_span": 8,
    "delete": 5,
    "reset": 4,
    "accept_all": 2,
    "set_status": 5,
    "set_flags": 2,
    "set_comment": 2,
    "undo": 14,
    "redo": 7,
    "set_position": 3,
    "cache_predictions": 2,
}

# ---------------------------------------------------------------------------------------- corpus

PEOPLE = [
    "Владимир Путин",
    "Анна Ахматова",
    "Сергей Лавров",
    "Мария Захарова",
    "Пётр Чайковский",
    "Фёдор Достоевский",
    "Лев Толстой",
    "Юрий Гагарин",
    "Ии\u0306ка Ёлкина",  # a combining breve: offsets count code points, not graphemes
]
PLACES = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Ростов-на-Дону", "Байкал"]
ORGS = ["Газпром", "Сбербанк", "МГУ", "Роснефть", "Государственная дума", "ООН", "РЖД"]
FILLER = (
    "сообщил что в на вчера заявил встретился с представителями по словам агентства и также "
    "после переговоров 🙂 «цитата» — 2025 года"
).split()


def make_document(index: int, n_spans: int, rng: random.Random) -> tuple[Document, list[SpanDraft]]:
    """A synthetic Russian news text with ``n_spans`` distinct spans (some nested or doubled)."""
    pieces: list[str] = [f" date 2025-11-{1 + index % 28:02d} Новости №{index}\n"]
    offset = len(pieces[0])
    drafts: list[SpanDraft] = []
    keys: set[tuple[int, int, str]] = set()

    def add(start: int, stop: int, label: str) -> None:
        if len(drafts) < n_spans and (start, stop, label) not in keys:
            keys.add((start, stop, label))
            drafts.append(SpanDraft(start=start, stop=stop, label=label))

    while len(drafts) < n_spans:
        for _ in range(rng.randint(1, 4)):
            word = rng.choice(FILLER) + " "
            pieces.append(word)
            offset += len(word)
        label, surface = rng.choice(
            [("PER", rng.choice(PEOPLE)), ("LOC", rng.choice(PLACES)), ("ORG", rng.choice(ORGS))]
        )
        start = offset
        pieces.append(surface)
        offset += len(surface)
        add(start, offset, label)
        if rng.random() < 0.15:  # one range, two labels
            add(start, offset, "ORG" if label != "ORG" else "LOC")
        if label == "PER" and " " in surface and rng.random() < 0.3:  # nested surname
            add(start + surface.index(" ") + 1, offset, "PER")
        end = rng.choice([" ", ", ", ". ", ".\r\n", ".\n\n"])
        pieces.append(end)
        offset += len(end)
    text = "".join(pieces)
    doc_id = f"{index:03d}_{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    doc = Document(
        id=doc_id,
        source=f"{doc_id}.txt",
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        lang="ru",
        meta={"date": f"2025-11-{1 + index % 28:02d}"},
    )
    return doc, drafts


def seed_store(root: Path, *, docs: int = 20, spans: int = 25, seed: int = 0) -> list[str]:
    """Create a store of ``docs`` documents with ``spans`` pending model spans each."""
    rng = random.Random(seed)
    made = [make_document(i, spans, rng) for i in range(docs)]
    with Store.open(root, user=CHILD_USER) as store:
        store.sync(doc for doc, _ in made)
        for doc, drafts in made:
            store.load_predictions(doc.id, EXTRACTOR, drafts)
    return [doc.id for doc, _ in made]


# ---------------------------------------------------------------------------------------- digests


def _digest(value: Any) -> str:
    return hashlib.sha256(dump_json(value)).hexdigest()[:24]


def doc_digest(doc: Document) -> str:
    """A digest of everything in a document (spans in id order: the order is not part of it)."""
    data = doc.model_dump(mode="json")
    data["spans"] = sorted(data["spans"], key=lambda s: span_number(s["id"]))
    return _digest(data)


def event_digest(event: Event) -> str:
    return _digest(event.model_dump(mode="json"))


def drafts_digest(drafts: Sequence[SpanDraft]) -> str:
    return _digest([d.model_dump(mode="json") for d in drafts])


def log_digest(events: Sequence[Event]) -> str:
    """A running digest of a whole log: any change to an earlier event changes it."""
    running = hashlib.sha256()
    for event in events:
        running.update(event_digest(event).encode())
    return running.hexdigest()[:24]


# ---------------------------------------------------------------------------------------- child


def _emit(line: str) -> None:
    """One line, one write(2): shorter than PIPE_BUF, so never torn."""
    os.write(1, (line + "\n").encode())


class Child:
    """Random decisions on an open store; the child process of the harness."""

    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng
        self.ids = store.ids()
        self.labels = store.labels.labels
        self.ops = list(OP_WEIGHTS)
        self.weights = [OP_WEIGHTS[op] for op in self.ops]

    def _words(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in re.finditer(r"\w[\w-]*", text)]

    def step(self, n: int) -> None:
        rng, store = self.rng, self.store
        doc_id = rng.choice(self.ids)
        op = rng.choices(self.ops, self.weights)[0]
        doc = store.get(doc_id)
        span_ids = [s.id for s in doc.spans] or ["s1"]
        span_id = rng.choice(span_ids)
        if rng.random() < 0.03:
            span_id = "s9999"  # an unknown span: a SpanError, nothing written
        _emit(f"CALL {n} {doc_id} {op}")
        result: Document | None = None
        try:
            result = self._call(op, doc, span_id)
        except AnnotatorError:
            status = "ERR"
        else:
            status = "OK"
        if op == "set_position":
            where = store.position()
            assert where is not None
            _emit(f"POS {n} {where[0]} {where[1]}")
            return
        if op == "cache_predictions":
            cached = store.cached_predictions(doc.sha256, CACHE_EXTRACTOR)
            assert cached is not None
            _emit(f"CACHE {n} {doc.sha256} {drafts_digest(cached)}")
            return
        after = result if result is not None else store.get(doc_id)
        history = store.history(doc_id)
        last = history[-1]
        _emit(f"ACK {n} {doc_id} {op} {status} {last.seq} {event_digest(last)} {doc_digest(after)}")

    def _call(self, op: str, doc: Document, span_id: str) -> Document | None:
        rng, store, doc_id = self.rng, self.store, doc.id
        if op == "accept":
            return store.accept(doc_id, span_id)
        if op == "reject":
            return store.reject(doc_id, span_id)
        if op == "relabel":
            label = rng.choice(self.labels) if rng.random() > 0.05 else "NOT_A_LABEL"
            return store.relabel(doc_id, span_id, label)
        if op == "adjust":
            span = next((s for s in doc.spans if s.id == span_id), None)
            base = (span.start, span.stop) if span else (0, 1)
            start = max(0, base[0] + rng.randint(-3, 3))
            stop = base[1] + rng.randint(-3, 3)
            if rng.random() < 0.03:
                stop = len(doc.text) + 5  # out of range: a SpanError
            return store.adjust(doc_id, span_id, start, max(stop, start + 1))
        if op == "add_span":
            words = self._words(doc.text)
            first = rng.randrange(len(words))
            last = min(len(words) - 1, first + rng.randint(0, 2))
            added, _ = store.add_span(
                doc_id, words[first][0], words[last][1], rng.choice(self.labels)
            )
            return added
        if op == "delete":
            manual = [s.id for s in doc.spans if not s.is_model]
            pick = rng.choice(manual) if manual and rng.random() > 0.1 else span_id
            return store.delete_span(doc_id, pick)
        if op == "reset":
            return store.reset(doc_id, span_id)
        if op == "accept_all":
            return store.accept_all(doc_id)
        if op == "set_status":
            return store.set_status(doc_id, rng.choice(DOC_STATUSES))
        if op == "set_flags":
            return store.set_flags(doc_id, rng.sample(["check", "нечитаемо", "дубль"], 2))
        if op == "set_comment":
            return store.set_comment(doc_id, f"комментарий {rng.randint(0, 99)}")
        if op == "undo":
            undone = store.undo(doc_id)
            return undone[0] if undone else None
        if op == "redo":
            redone = store.redo(doc_id)
            return redone[0] if redone else None
        if op == "set_position":
            store.set_position(doc_id, span_id)
            return None
        if op == "cache_predictions":
            words = self._words(doc.text)
            picks = sorted(rng.sample(words, k=min(len(words), rng.randint(0, 6))))
            drafts = [SpanDraft(start=a, stop=b, label=rng.choice(self.labels)) for a, b in picks]
            store.cache_predictions(doc.sha256, CACHE_EXTRACTOR, drafts)
            return None
        raise ValueError(op)


def child_main(root: Path, seed: int, max_ops: int) -> int:
    store = Store.open(root, user=CHILD_USER)
    _emit(f"READY {os.getpid()}")
    child = Child(store, random.Random(seed))
    for n in range(max_ops):
        child.step(n)
    store.close()
    _emit("DONE")
    return 0


# ---------------------------------------------------------------------------------------- parent


@dataclass
class DocState:
    """What the verifier last saw of one document."""

    seq: int
    digest: str
    log: str


@dataclass
class Summary:
    kills: int = 0
    clean_exits: int = 0
    startup_kills: int = 0
    mid_write: int = 0
    stale_locks: int = 0
    calls: int = 0
    acks: int = 0
    verified: int = 0
    ahead: int = 0
    lost: int = 0
    unreadable: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def report(self) -> str:
        lines = [
            f"kills: {self.kills} (during start-up: {self.startup_kills}, "
            f"temp files left by a write in progress: {self.mid_write})",
            f"stale locks taken over: {self.stale_locks}",
            f"calls started: {self.calls}, acknowledged: {self.acks}",
            f"acknowledged decisions verified: {self.verified}",
            f"in-flight call found on disk after the kill: {self.ahead}",
            f"lost: {self.lost}",
            f"unreadable stores: {self.unreadable}",
            f"time: {self.seconds:.1f} s",
        ]
        if self.clean_exits:
            lines.append(f"child exited before the kill: {self.clean_exits}")
        lines += [f"FAILURE: {failure}" for failure in self.failures[:50]]
        return "\n".join(lines)


@dataclass
class Ack:
    n: int
    kind: str
    doc_id: str
    op: str
    fields: list[str]


@dataclass
class Round:
    lines: list[str] = field(default_factory=list)
    ready: bool = False
    done: bool = False

    def calls(self) -> Iterator[list[str]]:
        for line in self.lines:
            parts = line.split()
            if parts and parts[0] == "CALL":
                yield parts

    def acks(self) -> list[Ack]:
        out: list[Ack] = []
        for line in self.lines:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "ACK":
                out.append(Ack(int(parts[1]), "ACK", parts[2], parts[3], parts[4:]))
            elif parts[0] == "POS":
                out.append(Ack(int(parts[1]), "POS", parts[2], "set_position", parts[3:]))
            elif parts[0] == "CACHE":
                out.append(Ack(int(parts[1]), "CACHE", "", "cache_predictions", parts[2:]))
        return out


def _json_files(root: Path) -> Iterator[Path]:
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".json") and TEMP_MARK not in name:
                yield Path(folder) / name


def _temps(root: Path) -> list[Path]:
    return [
        Path(folder) / name
        for folder, _, names in os.walk(root)
        for name in names
        if TEMP_MARK in name
    ]


class Harness:
    """Runs kill rounds on one store and verifies it after each."""

    def __init__(
        self,
        root: Path,
        *,
        seed: int,
        max_delay: float = 0.4,
        docs: int = 20,
        spans: int = 25,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.max_delay = max_delay
        self.log = log or (lambda _msg: None)
        self.summary = Summary()
        if not (root / "store.json").is_file():
            seed_store(root, docs=docs, spans=spans, seed=seed)
        self.states: dict[str, DocState] = {}
        self.position: tuple[str, str] | None = None
        self.cache: dict[str, str] = {}
        self._verify(Round(), baseline=True)

    # -- one round
    def run(self, kills: int) -> Summary:
        began = time.monotonic()
        for k in range(kills):
            self._round(k)
        self.summary.seconds += time.monotonic() - began
        return self.summary

    def _round(self, k: int) -> None:
        seed = self.rng.randrange(2**32)
        mode = self.rng.choices(["startup", "ack", "timed"], [5, 30, 65])[0]
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(
                [sys.executable, __file__, "child", "--store", str(self.root), "--seed", str(seed)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            assert proc.stdout is not None
            record = Round()
            buffer = bytearray()
            fd = proc.stdout.fileno()
            os.set_blocking(fd, False)
            selector = selectors.DefaultSelector()
            selector.register(fd, selectors.EVENT_READ)

            def pump(timeout: float) -> bool:
                """Read what the child wrote within ``timeout``; False at end of file."""
                for _ in selector.select(timeout):
                    try:
                        chunk = os.read(fd, 1 << 16)
                    except BlockingIOError:
                        return True
                    if not chunk:
                        return False
                    buffer.extend(chunk)
                    *complete, rest = buffer.split(b"\n")
                    buffer[:] = rest
                    for raw in complete:
                        line = raw.decode()
                        record.lines.append(line)
                        record.ready |= line.startswith("READY")
                        record.done |= line == "DONE"
                return True

            deadline_ready = time.monotonic() + 60
            startup_delay = self.rng.uniform(0.0, 0.5)
            spawned = time.monotonic()
            open_ = True
            if mode == "startup":
                while open_ and time.monotonic() < spawned + startup_delay and not record.ready:
                    open_ = pump(max(0.0, spawned + startup_delay - time.monotonic()))
                self.summary.startup_kills += not record.ready
            else:
                while open_ and not record.ready and time.monotonic() < deadline_ready:
                    open_ = pump(deadline_ready - time.monotonic())
                if mode == "ack":
                    target = self.rng.randint(1, 150)
                    until = time.monotonic() + 30
                    while open_ and time.monotonic() < until:
                        if len(record.acks()) >= target:
                            break
                        open_ = pump(until - time.monotonic())
                else:
                    until = time.monotonic() + self.rng.uniform(0.0, self.max_delay)
                    while open_ and time.monotonic() < until:
                        open_ = pump(max(0.0, until - time.monotonic()))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                self.summary.kills += 1
            else:
                self.summary.clean_exits += 1
            proc.wait()
            while pump(5.0):
                pass
            selector.close()
            proc.stdout.close()
            if proc.returncode not in (0, -signal.SIGKILL):
                errors.seek(0)
                tail = errors.read().decode(errors="replace")[-2000:]
                self._fail(f"round {k}: child failed with {proc.returncode}: {tail}")
            if not record.ready and mode != "startup":
                self._fail(f"round {k}: the child never opened the store")
        self._verify(record, child_pid=proc.pid, round_no=k)

    # -- checks
    def _fail(self, message: str, *, lost: bool = False, unreadable: bool = False) -> None:
        self.summary.failures.append(message)
        self.summary.lost += lost
        self.summary.unreadable += unreadable
        self.log(f"FAILURE: {message}")

    def _verify(
        self, record: Round, *, baseline: bool = False, child_pid: int = 0, round_no: int = -1
    ) -> None:
        root, summary = self.root, self.summary
        where = f"round {round_no}"
        # The dead child's lock: the kernel released it; lock.json may still name the child.
        if Store.lock_holder(root) is not None:
            self._fail(f"{where}: the lock is still held after the holder died", unreadable=True)
        lock_json = root / "lock.json"
        if not baseline and lock_json.is_file():
            try:
                stale = json.loads(lock_json.read_bytes())
            except ValueError:
                self._fail(f"{where}: lock.json is half-written", unreadable=True)
            else:
                if stale.get("pid") == child_pid:
                    summary.stale_locks += 1
        temps = _temps(root)
        summary.mid_write += bool(temps) and not baseline
        for path in _json_files(root):
            try:
                json.loads(path.read_bytes())
            except ValueError as err:
                self._fail(f"{where}: {path} does not parse: {err}", unreadable=True)
        try:
            store = Store.open(root, user=VERIFIER_USER)
        except AnnotatorError as err:
            self._fail(f"{where}: the store does not open: {err}", unreadable=True)
            return
        try:
            self._check_store(store, record, where, baseline)
        finally:
            store.close()
        if Store.lock_holder(root) is not None:
            self._fail(f"{where}: the verifier's lock was not released")

    def _check_store(self, store: Store, record: Round, where: str, baseline: bool) -> None:
        summary = self.summary
        if store.problems:
            self._fail(f"{where}: problems on open: {store.problems}", unreadable=True)
        holder = json.loads((self.root / "lock.json").read_bytes())
        if holder.get("pid") != os.getpid() or holder.get("user") != VERIFIER_USER:
            self._fail(f"{where}: lock.json does not name the new holder: {holder}")
        left = _temps(self.root)
        if left:
            self._fail(f"{where}: temp files left after open: {[str(p) for p in left]}")
        calls = list(record.calls())
        acks = record.acks()
        summary.calls += len(calls)
        summary.acks += len(acks)
        acked_ns = {a.n for a in acks}
        in_flight = [c for c in calls if int(c[1]) not in acked_ns]
        if len(in_flight) > 1:
            self._fail(f"{where}: more than one call in flight: {in_flight}")
        flight_doc = in_flight[0][2] if in_flight else None
        flight_op = in_flight[0][3] if in_flight else None

        ids = store.ids()
        if not baseline and sorted(self.states) != ids:
            self._fail(f"{where}: documents changed: {sorted(self.states)} -> {ids}", lost=True)
        last: dict[str, Ack] = {}
        for ack in acks:
            if ack.kind == "ACK":
                last[ack.doc_id] = ack
        histories: dict[str, list[Event]] = {}
        for doc_id in ids:
            doc = store.get(doc_id)
            events = store.history(doc_id)
            histories[doc_id] = events
            self._check_doc(store, doc, events, where)
            by_seq = {e.seq: e for e in events}
            seq = events[-1].seq if events else 0
            digest = doc_digest(doc)
            previous = self.states.get(doc_id)
            if previous is not None and not baseline:
                prefix = [e for e in events if e.seq <= previous.seq]
                if len(prefix) != previous.seq or log_digest(prefix) != previous.log:
                    self._fail(f"{where}: {doc_id}: the log before this round changed", lost=True)
            # every acknowledged event is present, unchanged
            seen: set[int] = set()
            for ack in acks:
                if ack.kind != "ACK" or ack.doc_id != doc_id:
                    continue
                _status, ack_seq, ack_event = ack.fields[0], int(ack.fields[1]), ack.fields[2]
                event = by_seq.get(ack_seq)
                if event is None or event_digest(event) != ack_event:
                    self._fail(
                        f"{where}: {doc_id}: acknowledged event {ack_seq} ({ack.op}) "
                        f"{'missing' if event is None else 'differs'}",
                        lost=True,
                    )
                elif ack_seq not in seen:
                    seen.add(ack_seq)
                    summary.verified += 1
            # the document is as last acknowledged, or ahead by the call in flight
            if doc_id in last:
                want_seq, want_digest = int(last[doc_id].fields[1]), last[doc_id].fields[3]
            elif previous is not None:
                want_seq, want_digest = previous.seq, previous.digest
            else:
                want_seq, want_digest = seq, digest
            if (seq, digest) == (want_seq, want_digest):
                pass
            elif seq == want_seq + 1 and doc_id == flight_doc and flight_op is not None:
                action = OP_ACTIONS.get(flight_op)
                if events[-1].action != action:
                    self._fail(
                        f"{where}: {doc_id}: the extra event is {events[-1].action}, "
                        f"the call in flight was {flight_op}"
                    )
                summary.ahead += 1
            elif seq < want_seq:
                self._fail(
                    f"{where}: {doc_id}: log at {seq}, acknowledged up to {want_seq}", lost=True
                )
            else:
                self._fail(
                    f"{where}: {doc_id}: state differs from the last acknowledgement "
                    f"(disk seq {seq}, acknowledged {want_seq})",
                    lost=True,
                )
            self.states[doc_id] = DocState(seq, digest, log_digest(events))
        self._check_side_files(store, acks, flight_op, flight_doc, where, baseline)

    def _check_doc(self, store: Store, doc: Document, events: list[Event], where: str) -> None:
        for span in doc.spans:
            if doc.text[span.start : span.stop] != span.text:
                self._fail(f"{where}: {doc.id}: span {span.id} text does not match", lost=True)
        if [e.seq for e in events] != list(range(1, len(events) + 1)):
            self._fail(f"{where}: {doc.id}: the log has gaps", lost=True)
        if store.summary(doc.id) != DocSummary.of(doc):
            self._fail(f"{where}: {doc.id}: the index disagrees with the document")

    def _check_side_files(
        self,
        store: Store,
        acks: list[Ack],
        flight_op: str | None,
        flight_doc: str | None,
        where: str,
        baseline: bool,
    ) -> None:
        child_view = Store.open(self.root, user=CHILD_USER, readonly=True)
        found = child_view.position()
        position = (found[0], str(found[1])) if found is not None else None
        positions = [(a.doc_id, a.fields[0]) for a in acks if a.kind == "POS"]
        want = positions[-1] if positions else self.position
        if not baseline and position is not None and position != want:
            if flight_op != "set_position" or position[0] != flight_doc:
                self._fail(f"{where}: position is {position}, acknowledged {want}", lost=True)
        elif not baseline and position is None and want is not None:
            self._fail(f"{where}: position {want} was lost", lost=True)
        self.position = position
        cache_acks: dict[str, str] = {}
        for ack in acks:
            if ack.kind == "CACHE":
                cache_acks[ack.fields[0]] = ack.fields[1]
        self.cache.update(cache_acks)
        for sha, want_digest in self.cache.items():
            cached = store.cached_predictions(sha, CACHE_EXTRACTOR)
            got = drafts_digest(cached) if cached is not None else None
            if got != want_digest:
                if flight_op == "cache_predictions" and got is not None:
                    self.cache[sha] = got
                    continue
                self._fail(f"{where}: cached predictions for {sha[:12]} lost", lost=True)
        child_view.close()


def run(
    root: Path,
    kills: int,
    *,
    seed: int | None = None,
    max_delay: float = 0.4,
    docs: int = 20,
    spans: int = 25,
    log: Callable[[str], None] | None = None,
) -> Summary:
    """Run ``kills`` kill rounds on the store at ``root`` (created and seeded when missing)."""
    seed = random.randrange(2**32) if seed is None else seed
    harness = Harness(root, seed=seed, max_delay=max_delay, docs=docs, spans=spans, log=log)
    return harness.run(kills)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("child", help="(internal) the process that gets killed")
    child.add_argument("--store", type=Path, required=True)
    child.add_argument("--seed", type=int, required=True)
    child.add_argument("--max-ops", type=int, default=1_000_000)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--store", type=Path, help="store folder (created when missing)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-delay", type=float, default=0.4)
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--spans", type=int, default=25)
    args = parser.parse_args(argv)
    if args.command == "child":
        return child_main(args.store, args.seed, args.max_ops)
    seed = random.randrange(2**32) if args.seed is None else args.seed
    if args.store is None:
        args.store = Path(tempfile.mkdtemp(prefix="killharness-")) / "store"
    print(f"store: {args.store}  seed: {seed}", flush=True)
    summary = run(
        args.store,
        args.kills,
        seed=seed,
        max_delay=args.max_delay,
        docs=args.docs,
        spans=args.spans,
        log=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    print(summary.report())
    return 0 if not summary.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The fast paths of bulk export and evaluation give what the reference paths give, exactly.

- ``read_document_data`` (orjson + plain checks) against ``Shard.load`` (TinyDB + pydantic): the
  same document, or the same StoreCorruptError sentence, for valid and damaged shards;
- the gold writer from plain data, assembled from documents encoded apart, against orjson's dump
  of the whole file; worker processes against this process (export and token evaluation);
- ``token_starts`` against razdel itself; the gold reader's fast path against the models.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from annotator.cli import main
from annotator.commands.evaluate import run_evaluate
from annotator.commands.export import run_export
from annotator.core.errors import FormatError, StoreCorruptError
from annotator.core.evaluate import EvalDoc, doc_token_counts, evaluate, token_counts
from annotator.core.formats.common import Where
from annotator.core.formats.gold import assemble_gold, encode_record, gold_record, parse_gold
from annotator.core.formats.registry import sniff
from annotator.core.shard import Shard, read_document_data, shard_name
from annotator.core.store import Store
from annotator.core.tokens import razdel_token_starts, token_starts, token_starts_near
from tests.conftest import FIXED_TIME, sample_documents
from tests.helpers import damage_span_text

from ..reliability.support import to_schema1
from ..reliability.test_corrupt import SHARD_DAMAGE


def _store(root: Path) -> Path:
    with Store.open(root, user="anna") as store:
        for doc in sample_documents():
            store.put(doc, action="import")
        store.accept("d1", "s1")
        store.undo("d1")
        store.reject("d2", "s1")
    return root


def _shard(root: Path, doc_id: str) -> Path:
    return root / "docs" / shard_name(doc_id)


def _slow(path: Path) -> dict[str, Any] | str:
    try:
        return Shard(path, durable=False).load(events=False)[0].model_dump()
    except StoreCorruptError as err:
        return f"error: {err}"


def _fast(path: Path) -> dict[str, Any] | str:
    try:
        return read_document_data(path)
    except StoreCorruptError as err:
        return f"error: {err}"


def _edit(edit: Callable[[dict[str, Any]], object]) -> Callable[[bytes], bytes]:
    def damage(raw: bytes) -> bytes:
        data = json.loads(raw)
        edit(data)
        return json.dumps(data).encode()

    return damage


def _first_span(data: dict[str, Any]) -> dict[str, Any]:
    span: dict[str, Any] = data["spans"]["1"]
    return span


def _set(where: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any
         ) -> Callable[[bytes], bytes]:
    return _edit(lambda d: where(d).__setitem__(key, value))


def _drop(where: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Callable[[bytes], bytes]:
    return _edit(lambda d: where(d).pop(key))


def _record(data: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = data["document"]["1"]
    return record


def _rekey(table: str, old: str, new: str) -> Callable[[bytes], bytes]:
    return _edit(lambda d: d[table].__setitem__(new, d[table].pop(old)))


# Beyond tests/reliability's damage: values the model coerces or refuses, odd keys, legacy rows.
MORE_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "stale-as-int": _set(_record, "stale", 0),
    "stale-as-string": _set(_record, "stale", "yes"),
    "status-unknown": _set(_record, "status", "done"),
    "meta-number": _set(_record, "meta", {"year": 2025}),
    "flags-string": _set(_record, "flags", "x"),
    "no-lang": _drop(_record, "lang"),
    "no-text": _drop(_record, "text"),
    "extra-field": _set(_record, "surprise", [1]),
    "extractor-number": _set(_record, "extractor", 5),
    "start-float": _set(_first_span, "start", 0.0),
    "start-bool": _set(_first_span, "start", False),
    "start-string": _set(_first_span, "start", "0"),
    "stop-past-end": _set(_first_span, "stop", 10_000),
    "state-unknown": _set(_first_span, "state", "maybe"),
    "decision-unknown": _set(_first_span, "decision", "perhaps"),
    "origin-null": _set(_first_span, "origin", None),
    "no-origin": _drop(_first_span, "origin"),
    "no-state": _drop(_first_span, "state"),
    "span-extra-field": _set(_first_span, "colour", "red"),
    "legacy-moved-span": _edit(lambda d: (_first_span(d).pop("original_normal"),
                                          _first_span(d).update(original_start=0,
                                                                normal="lemma"))),
    "legacy-unmoved-span": _drop(_first_span, "original_normal"),
    "id-with-zero": _set(_first_span, "id", "s01"),
    "id-not-sn": _set(_first_span, "id", "T1"),
    "id-twice": _edit(lambda d: d["spans"]["2"].__setitem__("id", "s1")),
    "key-with-zero": _rekey("spans", "1", "01"),
    "key-negative": _edit(lambda d: _negative_key(d)),
    "span-under-another-key": _rekey("spans", "1", "40"),
    "log-seq-string": _set(_record, "log_seq", "2"),
    "log-size-negative": _set(_record, "log_size", -1),
    "log-size-float": _set(_record, "log_size", 100.0),
    "log-seq-without-size": _drop(_record, "log_size"),
    "log-size-bool": _set(_record, "log_size", True),
    "no-spans": _edit(lambda d: d.pop("spans")),
    "spans-null": _edit(lambda d: d.__setitem__("spans", None)),
    "document-key-2": _rekey("document", "1", "2"),
    "text-surrogate-escape": lambda raw: raw.replace(b'"text":"', b'"text":"\\ud800', 1),
}


# On a shard as schema version 1 wrote it (its log a table of the same file).
SCHEMA1_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "schema1-intact": lambda raw: raw,
    "event-under-another-key": _rekey("events", "1", "2000"),
    "event-seq-float": _edit(lambda d: d["events"]["1"].__setitem__("seq", 1.0)),
    "event-no-seq": _edit(lambda d: d["events"]["1"].pop("seq")),
    "event-is-list": _edit(lambda d: d["events"].__setitem__("1", [["seq", 1]])),
    "no-events": _edit(lambda d: d.pop("events")),
}


def _negative_key(data: dict[str, Any]) -> None:
    span = data["spans"].pop("1")
    span["id"] = "s-1"
    data["spans"]["-1"] = span


@pytest.mark.parametrize(
    "kind", ["intact", *sorted(SHARD_DAMAGE), *sorted(MORE_DAMAGE), *sorted(SCHEMA1_DAMAGE)]
)
def test_fast_read_is_the_models_read(tmp_path: Path, kind: str) -> None:
    root = _store(tmp_path / "store")
    path = _shard(root, "d1")
    if kind in SCHEMA1_DAMAGE:
        to_schema1(path)
    damage = {**SHARD_DAMAGE, **MORE_DAMAGE, **SCHEMA1_DAMAGE}.get(kind)
    if damage is not None:
        path.write_bytes(damage(path.read_bytes()))
    assert _fast(path) == _slow(path)
    if kind in ("intact", "schema1-intact"):
        assert isinstance(_fast(path), dict)


def test_fast_read_of_every_document_of_the_committed_store() -> None:
    docs = Path(__file__).resolve().parents[2] / "annotations" / "docs"
    paths = sorted(docs.glob("*.json"))
    assert paths
    for path in paths:
        assert _fast(path) == _slow(path)


def test_get_data_is_get_dumped(tmp_path: Path) -> None:
    root = _store(tmp_path / "store")
    with Store.open(root, user="anna", readonly=True) as reader, \
            Store.open(root, user="anna") as writer:
        for doc_id in reader.ids():
            assert reader.get_data(doc_id) == reader.get(doc_id).model_dump()
            assert writer.get_data(doc_id) == reader.get_data(doc_id)


def _export(root: Path, out: Path, workers: int, fmt: str = "gold",
            include_unreviewed: bool = False) -> tuple[int, bytes, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_export(store_dir=root, fmt=fmt, output=out, workers=workers,
                          include_unreviewed=include_unreviewed)
    return code, out.read_bytes(), err.getvalue()


@pytest.mark.parametrize("include_unreviewed", [False, True])
def test_export_in_workers_is_the_export_here(tmp_path: Path, include_unreviewed: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_FIXED_TIME", FIXED_TIME)
    root = _store(tmp_path / "store")
    with Store.open(root, user="anna") as store:
        store.set_status("d2", "reviewed")
        for n in range(12):  # more documents than workers, some damaged below
            doc = sample_documents()[n % 2].model_copy(update={"id": f"x{n:02}"})
            store.put(doc)
    for name in ("x03", "x07"):  # damaged behind the index's back (same size, same time)
        damage_span_text(root, name)
    here = _export(root, tmp_path / "here.json", 1, include_unreviewed=include_unreviewed)
    there = _export(root, tmp_path / "there.json", 2, include_unreviewed=include_unreviewed)
    assert here == there
    code, data, err = here
    assert code == 1
    for name in ("x03", "x07"):
        message = _slow(_shard(root, name))
        assert isinstance(message, str) and message.startswith("error: ")
        assert f"document {name!r} was not exported: {message[7:]}" in err.splitlines()
    body = json.loads(data)
    expected = {"d1", "d2", *(f"x{n:02}" for n in range(12))} - {"x03", "x07"}
    if include_unreviewed:
        expected.add("d3")
    assert [d["id"] for d in body["documents"]] == sorted(expected)
    # the same bytes as the reference writer (pydantic models, one orjson dump of the whole)
    jsonl = _export(root, tmp_path / "lines.jsonl", 1, fmt="jsonl",
                    include_unreviewed=include_unreviewed)[1]
    assert [json.loads(line) for line in jsonl.splitlines()] == body["documents"]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_assembled_gold_is_one_dump_of_the_whole(count: int) -> None:
    docs = [d.model_dump() for d in sample_documents()][:count]
    records = [gold_record(d, include_pending=True) for d in docs]
    body = {"format": "annotator.gold", "version": 1, "created": FIXED_TIME,
            "labels": ["LOC", "PER"], "documents": records}
    whole = orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"
    assembled = assemble_gold([encode_record(r) for r in records], labels=["PER", "LOC"],
                              created=FIXED_TIME)
    assert assembled == whole
    assert whole == (json.dumps(json.loads(whole), ensure_ascii=False, indent=2) + "\n").encode()


@pytest.mark.parametrize("short", [False, True])
@pytest.mark.parametrize("writev", [True, False])
def test_pieces_are_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, short: bool,
                                  writev: bool) -> None:
    """write_atomic of pieces writes their bytes in order, whatever the kernel takes per call
    (short writes that end mid-piece, more pieces than one writev takes, empty pieces)."""

    from annotator.core import atomic

    rng = random.Random(2)
    pieces = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    real_write, real_writev = os.write, os.writev

    def some_of(data: bytes | memoryview) -> bytes | memoryview:
        return data[: max(1, len(data) // 3)] if short else data

    def fake_writev(fd: int, buffers: list[memoryview]) -> int:
        assert len(buffers) <= 1024
        joined = b"".join(buffers)
        return real_writev(fd, [some_of(joined)])

    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, some_of(data)))
    if writev:
        monkeypatch.setattr(os, "writev", fake_writev)
    else:
        monkeypatch.delattr(os, "writev")
    target = tmp_path / "out.bin"
    atomic.write_atomic(target, pieces)
    assert target.read_bytes() == b"".join(pieces)
    atomic.write_atomic(target, b"whole")
    assert target.read_bytes() == b"whole"


def test_export_to_a_file_and_to_stdout_are_the_same_bytes(annotated_store: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "gold.json"
    to_file = CliRunner().invoke(main, ["export", "--format", "gold", "--store",
                                        str(annotated_store), "-o", str(out)])
    to_stdout = CliRunner().invoke(main, ["export", "--format", "gold", "--store",
                                          str(annotated_store)])
    assert to_file.exit_code == 0 and to_stdout.exit_code == 0
    written, printed = json.loads(out.read_bytes()), json.loads(to_stdout.stdout_bytes)
    written.pop("created")
    printed.pop("created")
    assert written == printed and written["documents"]


def test_gold_record_refuses_what_does_not_match() -> None:
    doc = sample_documents()[0].model_dump()
    doc["spans"][0]["text"] = "x" * len(doc["spans"][0]["text"])
    with pytest.raises(FormatError, match="does not match the text; nothing was written"):
        gold_record(doc, include_pending=False)
    doc = sample_documents()[0].model_dump()
    doc["sha256"] = "0" * 64
    with pytest.raises(FormatError, match="its sha256 does not match its text"):
        gold_record(doc, include_pending=False)


# -- evaluate ------------------------------------------------------------------------------------

def _texts(rng: random.Random, count: int) -> list[EvalDoc]:
    words = ["Москва", "ООО", "«Газпром»", "5,5", "1/2", "Yahoo!", "Δσ", "-", "—", "a-b", "...",
             ":-)", "😀", "\u00a0", "\r\n", "т.е.", "Санкт-Петербург", "(", ")", "x_y", "42"]
    docs = []
    for n in range(count):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        spans: list[tuple[int, int, str]] = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randrange(len(text))
            stop = min(len(text), start + rng.randint(1, 12))
            spans.append((start, stop, rng.choice(["PER", "LOC", "ORG"])))
        pred = [s for s in spans if rng.random() < 0.7] + [
            (s[0], s[1], "ORG") for s in spans if rng.random() < 0.2]
        docs.append(EvalDoc(f"d{n}", text, spans, pred))
    return docs


def test_token_counts_in_workers_are_the_counts_here() -> None:
    from annotator.commands.bulk import parallel_map

    docs = _texts(random.Random(7), 60)
    here = evaluate(docs, "token")
    there = evaluate(docs, "token",
                     token_counter=lambda d: parallel_map(token_counts, d, workers=2))
    assert there.as_json() == here.as_json()
    assert parallel_map(token_counts, docs, workers=3) == token_counts(docs)


def test_evaluate_command_with_workers_is_the_same(annotated_store: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    result = CliRunner().invoke(main, ["export", "--format", "gold", "--store",
                                       str(annotated_store), "-o", str(gold)])
    assert result.exit_code == 0
    outputs = []
    for workers in (1, 2):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            run_evaluate(gold=gold, pred=gold, schemes=["token", "strict"], as_json=True,
                         workers=workers)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]


def test_token_starts_are_razdels() -> None:
    rng = random.Random(3)
    pieces = ["а", "Ё", "слово", "abc", "Yahoo", "yahoo", "K", "ſ", "ᲀ", "0", "12", "٣", "²",
              "Δ", "😀", "🏛️", "\u0301", "©", "->", ":)", ":-(", "))", ";)", "...", "?!", "--",
              "**", "_", "\\", "/", ",", ".", "-", "—", "−", "‑", "–", "'", '"', "«", "»", "(",
              ")", "[", "}", "!", "?", "…", "№", "%", "&", "+", " ", " ", "\n", "\r\n", "\t",
              "\u00a0", "\u2028"]
    texts = ["", " ", "Привет, мир!", "5, 6 и 7.8 - 9/10", "yahoo! Yahoo !", "a -b", "x- y"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
              for _ in range(20_000)]
    texts += ["".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(0, 20)))
              for _ in range(2_000)]
    for text in texts:
        assert token_starts(text) == razdel_token_starts(text), repr(text)
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_bytes().decode("utf-8")
        assert token_starts(text) == razdel_token_starts(text)


def _in_ranges(starts: list[int], ranges: list[tuple[int, int]]) -> set[int]:
    return {s for s in starts if any(a <= s < b for a, b in ranges)}


def test_token_starts_near_spans_are_razdels() -> None:
    """Tokenizing only windows around the ranges finds exactly razdel's starts inside them (and
    nothing that is not one of razdel's starts), for texts built to hit every rule near a cut."""
    rng = random.Random(11)
    pieces = ["а", "слово", "abc", "Yahoo", "yahoo", "0", "12", "😀", "->", ":)", ":-(", "...",
              "--", "**", "_", "\\", "/", ",", ".", "-", "—", "«", "»", "(", ")", "!", "?",
              "©", " ", " ", " ", "\n", "\r\n", "\u00a0"]
    for _ in range(6_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        whole = razdel_token_starts(text)
        ranges: list[tuple[int, int]] = []
        for _ in range(rng.randint(0, 4)):
            start = rng.randint(-2, len(text) + 1)
            ranges.append((start, start + rng.randint(0, 10)))
        near = token_starts_near(text, ranges)
        assert near == sorted(near), repr(text)
        assert set(near) <= set(whole), (text, ranges)
        clipped = [(max(0, a), min(len(text), b)) for a, b in ranges]
        assert _in_ranges(near, clipped) == _in_ranges(whole, clipped), (text, ranges)
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_bytes().decode("utf-8")
        whole = razdel_token_starts(text)
        ranges = [(a, a + rng.randint(1, 40)) for a in rng.sample(range(len(text)), 50)]
        assert _in_ranges(token_starts_near(text, ranges), ranges) == _in_ranges(whole, ranges)


def test_token_counts_near_spans_are_the_whole_texts() -> None:
    """The token scheme's counts are those of counting over razdel's tokens of the whole text."""
    for doc in _texts(random.Random(5), 300):
        starts = razdel_token_starts(doc.text or "")
        expected: dict[str, tuple[int, int, int]] = {}
        for label in sorted({e[2] for e in (*doc.gold, *doc.pred)}):
            g = {s for s in starts for a, b, name in doc.gold if name == label and a <= s < b}
            p = {s for s in starts for a, b, name in doc.pred if name == label and a <= s < b}
            expected[label] = (len(g & p), len(p - g), len(g - p))
        assert doc_token_counts(doc) == expected, doc


# -- the gold reader -----------------------------------------------------------------------------

def _gold_text() -> str:
    from annotator.core.formats.gold import write_gold

    return write_gold(sample_documents(), labels=["PER", "LOC", "ORG"], created=FIXED_TIME,
                      include_pending=True).data.decode()


GOLD_EDITS: dict[str, Callable[[dict[str, Any]], object]] = {
    "intact": lambda b: None,
    "start-float": lambda b: b["documents"][0]["entities"][0].__setitem__("start", 1.0),
    "start-bool": lambda b: b["documents"][0]["entities"][0].__setitem__("start", True),
    "huge-int": lambda b: b["documents"][0]["entities"][0].__setitem__("stop", 10**30),
    "extra-key": lambda b: b["documents"][0].__setitem__("surprise", 1),
    "no-status": lambda b: b["documents"][0].pop("status"),
    "status-odd": lambda b: b["documents"][0].__setitem__("status", "done"),
    "decision-odd": lambda b: b["documents"][0]["entities"][0].__setitem__("decision", "x"),
    "rejected-decision": lambda b: b["documents"][0]["rejected"][0].__setitem__("decision",
                                                                               "rejected"),
    "meta-number": lambda b: b["documents"][0].__setitem__("meta", {"a": 1}),
    "pending-null": lambda b: b["documents"][0].__setitem__("pending", None),
    "no-lists": lambda b: [b["documents"][0].pop(k) for k in ("entities", "rejected", "pending")],
    "version-2": lambda b: b.__setitem__("version", 2),
    "version-true": lambda b: b.__setitem__("version", True),
    "labels-number": lambda b: b.__setitem__("labels", [1]),
    "no-created": lambda b: b.pop("created"),
    "documents-dict": lambda b: b.__setitem__("documents", {}),
}


@pytest.mark.parametrize("kind", sorted(GOLD_EDITS))
@pytest.mark.parametrize("accepted_only", [False, True])
def test_fast_gold_reading_is_the_models(kind: str, accepted_only: bool,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from annotator.core.formats import gold

    body = json.loads(_gold_text())
    GOLD_EDITS[kind](body)
    raw = json.dumps(body, ensure_ascii=False)

    def outcome() -> object:
        try:
            return parse_gold(raw, Where("g.json"), accepted_only=accepted_only)
        except FormatError as err:
            return str(err)

    fast = outcome()
    monkeypatch.setattr(gold, "_fast_gold", lambda value, accepted_only: None)
    assert fast == outcome()


def test_sniffed_gold_is_parsed_once(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(_gold_text(), encoding="utf-8")
    sniffed = sniff(path)
    assert sniffed.fmt == "gold" and isinstance(sniffed.value, dict)
    lines = tmp_path / "p.jsonl"
    lines.write_text('{"id": "a", "entities": []}\n{"id": "b", "entities": []}\n')
    assert sniff(lines).fmt == "jsonl"

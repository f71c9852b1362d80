"""``evaluate``'s plain-data reading (gold JSON and JSON Lines read as tuples, spans checked by
``check_plain``) gives what the readers' models give: the same scores, the same sentences."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.commands.evaluate import run_evaluate
from annotator.core.errors import AnnotatorError
from annotator.core.formats import registry
from annotator.core.formats.common import ImportedDoc, ImportedSpan, check_doc, check_plain
from annotator.core.formats.gold import write_gold
from annotator.core.formats.jsonl import plain_jsonl
from tests.conftest import FIXED_TIME, sample_documents

SCHEMES = ["token", "strict", "partial"]


def _gold_body() -> dict[str, Any]:
    data = write_gold(sample_documents(), labels=["PER", "LOC", "ORG"], created=FIXED_TIME,
                      include_pending=True).data
    body: dict[str, Any] = json.loads(data)
    return body


def _pred_lines(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Predictions: each gold document's entities moved by one character, some kept."""
    lines = []
    for n, doc in enumerate(body["documents"]):
        entities = [{"start": e["start"], "stop": e["stop"] + (k % 2), "label": e["label"]}
                    for k, e in enumerate(doc["entities"])]
        record: dict[str, Any] = {"id": doc["id"], "entities": entities}
        if n % 2:
            record["sha256"] = doc["sha256"]
        lines.append(record)
    return lines


def _outcome(gold: Path, pred: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run_evaluate(gold=gold, pred=pred, schemes=SCHEMES, as_json=True, workers=1)
        except AnnotatorError as error:
            return "", f"{type(error).__name__}: {error}"
    return out.getvalue(), err.getvalue()


def _both_ways(gold: Path, pred: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    fast = _outcome(gold, pred)
    with monkeypatch.context() as patch:
        patch.setattr(registry, "read_plain", lambda sniffed: None)
        from annotator.commands import evaluate

        patch.setattr(evaluate, "read_gold_pieces", lambda *args, **kwargs: None)
        slow = _outcome(gold, pred)
    assert fast == slow
    return fast


Edit = Callable[[dict[str, Any], list[dict[str, Any]]], object]


def _entity(body: dict[str, Any], doc: int = 0, n: int = 0) -> dict[str, Any]:
    entity: dict[str, Any] = body["documents"][doc]["entities"][n]
    return entity


EDITS: dict[str, Edit] = {
    "intact": lambda b, p: None,
    "gold-surface-wrong": lambda b, p: _entity(b).__setitem__("text", "nope"),
    "gold-past-end": lambda b, p: _entity(b).__setitem__("stop", 10**6),
    "gold-label-space": lambda b, p: _entity(b).__setitem__("label", "A B"),
    "gold-label-empty": lambda b, p: _entity(b).__setitem__("label", ""),
    "gold-extra-key": lambda b, p: b["documents"][0].__setitem__("surprise", 1),
    "gold-sha-wrong": lambda b, p: b["documents"][0].__setitem__("sha256", "0" * 64),
    "gold-duplicate": lambda b, p: b["documents"][0]["entities"].append(_entity(b)),
    "pred-negative": lambda b, p: p[0]["entities"].append({"start": -1, "stop": 2, "label": "X"}),
    "pred-reversed": lambda b, p: p[0]["entities"].append({"start": 5, "stop": 2, "label": "X"}),
    "pred-past-end": lambda b, p: p[0]["entities"].append({"start": 0, "stop": 10**6,
                                                           "label": "X"}),
    "pred-surface": lambda b, p: p[0]["entities"].append({"start": 0, "stop": 2, "label": "X",
                                                          "text": "zz"}),
    "pred-label-tab": lambda b, p: p[0]["entities"].append({"start": 0, "stop": 2,
                                                            "label": "X\tY"}),
    "pred-end-type": lambda b, p: p[0]["entities"].append({"start": 0, "end": 2, "type": "X"}),
    "pred-spans-key": lambda b, p: p[0].__setitem__("spans", [{"start": 0, "stop": 2,
                                                              "label": "Y"}]),
    "pred-rejected": lambda b, p: p[0].__setitem__("rejected", [{"start": 0, "stop": 2,
                                                                 "label": "Y"}]),
    "pred-start-bool": lambda b, p: p[0]["entities"].append({"start": True, "stop": 2,
                                                             "label": "X"}),
    "pred-start-float": lambda b, p: p[0]["entities"].append({"start": 0.0, "stop": 2,
                                                              "label": "X"}),
    "pred-huge-int": lambda b, p: p[0]["entities"].append({"start": 0, "stop": 10**30,
                                                           "label": "X"}),
    "pred-label-number": lambda b, p: p[0]["entities"].append({"start": 0, "stop": 2,
                                                               "label": 3}),
    "pred-normal-number": lambda b, p: p[0]["entities"].append({"start": 0, "stop": 2,
                                                                "label": "X", "normal": 1}),
    "pred-int-id": lambda b, p: p[0].__setitem__("id", 7),
    "pred-no-id": lambda b, p: p[1].pop("id"),
    "pred-no-id-no-sha": lambda b, p: p[0].pop("id"),
    "pred-blank-id": lambda b, p: p[0].__setitem__("id", " "),
    "pred-text": lambda b, p: p[0].__setitem__("text", b["documents"][0]["text"]),
    "pred-other-text": lambda b, p: p[0].__setitem__("text", "другой текст"),
    "pred-entities-dict": lambda b, p: p[0].__setitem__("entities", {}),
    "pred-twice": lambda b, p: p.append(dict(p[0])),
    "pred-missing": lambda b, p: p.pop(),
    "pred-unknown": lambda b, p: p.append({"id": "nowhere", "entities": []}),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_plain_reading_is_the_readers(kind: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    body = _gold_body()
    lines = _pred_lines(body)
    EDITS[kind](body, lines)
    gold, pred = tmp_path / "gold.json", tmp_path / "pred.jsonl"
    gold.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    pred.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
                    + "\n", encoding="utf-8")
    out, err = _both_ways(gold, pred, monkeypatch)
    if kind == "intact":
        assert out and not err
    if kind.startswith("pred-") and kind not in ("pred-text", "pred-spans-key", "pred-int-id",
                                                 "pred-no-id", "pred-end-type",
                                                 "pred-rejected"):
        assert err


def test_plain_paths_are_taken(tmp_path: Path) -> None:
    body = _gold_body()
    lines = _pred_lines(body)
    gold, pred = tmp_path / "gold.json", tmp_path / "pred.jsonl"
    gold.write_text(json.dumps(body), encoding="utf-8")
    pred.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    plain_gold = registry.read_plain(registry.sniff(gold))
    plain_pred = registry.read_plain(registry.sniff(pred))
    assert plain_gold is not None and len(plain_gold) == len(body["documents"])
    assert plain_pred is not None and len(plain_pred) == len(lines)
    assert plain_gold[0].spans == [(e["start"], e["stop"], e["label"], e["text"])
                                   for e in body["documents"][0]["entities"]]


def test_plain_jsonl_leaves_out_rejected_and_pending() -> None:
    raw = json.dumps({"id": 3, "entities": [{"start": 0, "stop": 1, "label": "A"}],
                      "spans": [{"start": 1, "end": 2, "type": "B", "text": "b"}],
                      "rejected": [{"start": 2, "stop": 3, "label": "C"}],
                      "pending": [{"start": 3, "stop": 4, "label": "D"}]})
    docs = plain_jsonl(f"\n  \n{raw}\r\n")
    assert docs is not None and len(docs) == 1
    assert docs[0].id == "3"
    assert docs[0].spans == [(0, 1, "A", None), (1, 2, "B", "b")]
    assert plain_jsonl("{\"id\": \"a\", \"entities\": [{\"start\": NaN}]}") is None
    assert plain_jsonl("[1]") is None


def test_check_plain_is_check_doc() -> None:
    text = "Мама мыла раму"
    spans = [(0, 4, "PER", "Мама"), (0, 4, "PER", "Мама"), (-1, 2, "X", None),
             (5, 5, "X", None), (3, 99, "X", None), (0, 4, "PER", "Папа"), (0, 4, "", None),
             (0, 4, "A B", None), (0, 4, "A\u00a0B", None), (5, 9, "LOC", None),
             (5, 9, "ORG", "мыла")]
    doc = ImportedDoc("d", text, None, None,
                      [ImportedSpan(s, e, label, text=surface, state="accepted")
                       for s, e, label, surface in spans])
    good, problems = check_doc(doc, text)
    plain_good, plain_problems = check_plain("d", text, spans, {})
    assert plain_problems == problems
    assert plain_good == [span.key() for span in good]

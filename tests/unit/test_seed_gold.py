"""The committed gold for the five seeds (annotations/seeds.gold.json) is sound.

It validates against the JSON Schema shipped in the package, every entity's text is its document's
text at its offsets, each document is the seed file byte for byte, all five are reviewed, and the
file agrees with the committed store it was exported from (opened read-only: this test never writes
to the repository). Paths are relative to this file, so it runs from any working directory.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from annotator.core.formats.gold import FORMAT, VERSION, shipped_schema_text
from annotator.core.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
STORE = ROOT / "annotations"
GOLD = STORE / "seeds.gold.json"
SEED_IDS = sorted(path.stem for path in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def gold() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(GOLD.read_text(encoding="utf-8"))
    return body


@pytest.fixture(scope="module")
def gold_docs(gold: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {doc["id"]: doc for doc in gold["documents"]}


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and mtime, to prove nothing was written."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_five_seeds_are_present() -> None:
    assert len(SEED_IDS) == 5


def test_gold_validates_against_the_shipped_schema(gold: dict[str, Any]) -> None:
    schema = json.loads(shipped_schema_text())
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(gold)
    assert gold["format"] == FORMAT
    assert gold["version"] == VERSION
    assert gold["labels"] == ["LOC", "ORG", "PER"]


def test_every_entity_is_its_text(gold: dict[str, Any]) -> None:
    for doc in gold["documents"]:
        for span in [*doc["entities"], *doc["rejected"]]:
            assert 0 <= span["start"] < span["stop"] <= len(doc["text"]), (doc["id"], span)
            assert doc["text"][span["start"] : span["stop"]] == span["text"], (doc["id"], span)
            assert span["label"] in gold["labels"], (doc["id"], span)


def test_entities_are_sorted_and_flat(gold: dict[str, Any]) -> None:
    """docs/GUIDELINES.md rule 1: at most one entity per stretch of text."""
    for doc in gold["documents"]:
        keys = [(e["start"], e["stop"]) for e in doc["entities"]]
        assert keys == sorted(keys), doc["id"]
        for (_, stop), (start, _) in zip(keys, keys[1:], strict=False):
            assert stop <= start, (doc["id"], stop, start)


def test_documents_are_the_seed_files(gold_docs: dict[str, dict[str, Any]]) -> None:
    assert sorted(gold_docs) == SEED_IDS
    for doc_id, doc in gold_docs.items():
        raw = (SEEDS / f"{doc_id}.txt").read_bytes()
        assert doc["text"].encode("utf-8") == raw, doc_id
        assert doc["sha256"] == hashlib.sha256(raw).hexdigest(), doc_id
        assert doc["source"] == f"{doc_id}.txt", doc_id


def test_all_documents_are_reviewed(gold_docs: dict[str, dict[str, Any]]) -> None:
    assert {doc_id: doc["status"] for doc_id, doc in gold_docs.items()} == {
        doc_id: "reviewed" for doc_id in SEED_IDS
    }


def test_every_decision_is_the_reviewers(gold: dict[str, Any]) -> None:
    for doc in gold["documents"]:
        for span in [*doc["entities"], *doc["rejected"]]:
            assert span["annotator"] == "reviewer", (doc["id"], span)


def test_gold_agrees_with_the_store(gold_docs: dict[str, dict[str, Any]]) -> None:
    before = _tree(STORE)
    store = Store.open(STORE, readonly=True, user="test-seed-gold", create=False)
    try:
        assert store.readonly
        assert store.problems == []
        assert store.ids() == SEED_IDS
        for doc_id in SEED_IDS:
            stored = store.get(doc_id)
            doc = gold_docs[doc_id]
            assert stored.status == doc["status"] == "reviewed", doc_id
            assert stored.sha256 == doc["sha256"], doc_id
            assert stored.text == doc["text"], doc_id
            assert not [s for s in stored.spans if s.state == "pending"], doc_id
            accepted = sorted(s.key() for s in stored.spans if s.state == "accepted")
            entities = sorted((e["start"], e["stop"], e["label"]) for e in doc["entities"])
            assert accepted == entities, doc_id
            rejected = sorted(s.key() for s in stored.spans if s.state == "rejected")
            assert rejected == sorted((r["start"], r["stop"], r["label"]) for r in doc["rejected"])
    finally:
        store.close()
    assert _tree(STORE) == before

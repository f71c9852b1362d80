"""The gold format: its shipped JSON Schema, validation on write and on read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from annotator.cli import main
from annotator.core.errors import FormatError
from annotator.core.formats.common import Where, check_doc
from annotator.core.formats.gold import (
    GoldDocument,
    GoldEntity,
    check_gold_document,
    gold_schema,
    parse_gold,
    schema_text,
    shipped_schema_text,
    write_gold,
)
from annotator.core.formats.jsonl import write_jsonl
from tests.conftest import FIXED_TIME, sample_documents

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "src/annotator/core/schema/gold.schema.json"


def test_shipped_schema_is_the_generated_one() -> None:
    assert shipped_schema_text() == schema_text()
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    Draft202012Validator.check_schema(gold_schema())


def test_schema_command_prints_it() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == gold_schema()


@pytest.mark.parametrize("include_pending", [False, True])
def test_exports_validate_against_the_schema(include_pending: bool) -> None:
    written = write_gold(sample_documents(), labels=["PER", "LOC", "ORG"], created=FIXED_TIME,
                         include_pending=include_pending)
    body = json.loads(written.data)
    Draft202012Validator(gold_schema()).validate(body)
    assert body["labels"] == ["LOC", "ORG", "PER"]
    assert all(("pending" in d) == include_pending for d in body["documents"])
    for doc in body["documents"]:
        keys = [(e["start"], e["stop"]) for e in doc["entities"]]
        assert keys == sorted(keys)
        assert all(doc["text"][e["start"] : e["stop"]] == e["text"] for e in doc["entities"])


def test_jsonl_lines_are_gold_documents() -> None:
    schema = gold_schema()
    line_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/GoldDocument"}
    for line in write_jsonl(sample_documents(), include_pending=True).data.splitlines():
        Draft202012Validator(line_schema).validate(json.loads(line))


def test_schema_rejects_a_broken_file() -> None:
    validator = Draft202012Validator(gold_schema())
    body: dict[str, Any] = json.loads(write_gold(sample_documents(), labels=["PER"],
                                                 created=FIXED_TIME, include_pending=False).data)
    body["documents"][0]["entities"][0]["start"] = "0"
    assert not validator.is_valid(body)
    body["documents"][0]["entities"][0]["start"] = 0
    body["documents"][0]["surprise"] = True
    assert not validator.is_valid(body)


def test_write_refuses_a_span_that_does_not_match_the_text() -> None:
    doc = sample_documents()[0]
    bad = GoldDocument(id="d", source="d.txt", sha256=doc.sha256, text=doc.text,
                       status="reviewed",
                       entities=[GoldEntity(start=0, stop=9, label="PER", text="Бастрыкан")])
    with pytest.raises(FormatError, match="does not match the text"):
        check_gold_document(bad)
    with pytest.raises(FormatError, match="sha256"):
        check_gold_document(bad.model_copy(update={"sha256": "0" * 64}))


def test_read_reports_mismatching_spans_and_keeps_the_rest() -> None:
    body = json.loads(write_gold(sample_documents(), labels=["PER"], created=FIXED_TIME,
                                 include_pending=False).data)
    body["documents"][0]["entities"][0]["text"] = "Бастрыкан"
    body["documents"][0]["entities"][1]["start"] = 40  # reversed: 40..32
    result = parse_gold(json.dumps(body), Where("g.json"))
    doc = result.docs[0]
    assert doc.text is not None
    good, problems = check_doc(doc, doc.text)
    assert len(problems) == 2
    assert "says 'Бастрыкан' but the text there is 'Бастрыкин'" in problems[0]
    assert "span 40..32 is empty or reversed" in problems[1]
    assert all(p.endswith("; not imported.") for p in problems)
    assert {s.label for s in good} == {"PER", "ORG", "LOC"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "g.json line 1 is not valid JSON"),
        ("[]", "is not an annotator gold file"),
        ('{"format": "annotator.gold", "version": 7}', "newer annotator (gold version 7)"),
        ('{"format": "annotator.gold", "version": 1, "created": "x", "labels": [],'
         ' "documents": [{"id": "a"}]}', "documents.0.source"),
        ('{"format": "annotator.gold", "version": 1, "created": "x", "labels": [],'
         ' "documents": [], "extra": 1}', "extra"),
    ],
)
def test_read_refuses_what_is_not_gold(raw: str, message: str) -> None:
    with pytest.raises(FormatError, match=re.escape(message)) as caught:
        parse_gold(raw, Where("g.json"))
    assert str(caught.value).startswith("g.json")
    assert "\n" not in str(caught.value)

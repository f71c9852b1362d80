"""A reviewer's flags and comment on a document leave the store: the gold file (and JSON Lines)
carries them when there are any, and importing that file as gold brings them back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.store import Store
from tests.helpers import run_cli as run


@pytest.fixture
def noted_store(annotated_store: Path) -> Path:
    with Store.open(annotated_store, user="anna") as store:
        store.set_flags("d1", ["flagged"])
        store.set_comment("d1", "check «Уркизой» spelling")
    return annotated_store


@pytest.mark.parametrize("fmt", ["gold", "jsonl"])
def test_flags_and_comment_round_trip(noted_store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("export", "--store", str(noted_store), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    records = json.loads(text)["documents"] if fmt == "gold" else \
        [json.loads(line) for line in text.splitlines()]
    by_id = {r["id"]: r for r in records}
    assert by_id["d1"]["flags"] == ["flagged"]
    assert by_id["d1"]["comment"] == "check «Уркизой» spelling"
    assert "flags" not in by_id["d2"] and "comment" not in by_id["d2"]  # left out when none
    again = tmp_path / "again"
    result = run("import", str(out), "--format", fmt, "--as", "accepted", "--store", str(again))
    assert result.exit_code == 0, result.output
    with Store.open(again, user="bob", readonly=True) as store:
        d1, d2 = store.get("d1"), store.get("d2")
    assert (d1.flags, d1.comment) == (["flagged"], "check «Уркизой» spelling")
    assert (d2.flags, d2.comment) == ([], "")


def test_the_schema_describes_them(noted_store: Path, tmp_path: Path) -> None:
    schema = json.loads(run("schema").stdout)
    doc = schema["$defs"]["GoldDocument"]["properties"]
    assert {"flags", "comment"} <= doc.keys()
    out = tmp_path / "gold.json"
    run("export", "--store", str(noted_store), "-o", str(out))
    body = json.loads(out.read_text(encoding="utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(body, schema)


def test_stats_shows_them(noted_store: Path) -> None:
    body = json.loads(run("stats", "--store", str(noted_store), "--json").stdout)
    by_id = {d["id"]: d for d in body["documents"]}
    assert (by_id["d1"]["flags"], by_id["d1"]["comment"]) == (["flagged"],
                                                              "check «Уркизой» spelling")
    assert (by_id["d2"]["flags"], by_id["d2"]["comment"]) == ([], "")
    table = run("stats", "--store", str(noted_store)).stdout
    assert "flagged" in table and "['flagged']" not in table

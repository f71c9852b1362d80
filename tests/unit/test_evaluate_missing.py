"""``annotator evaluate``: GOLD documents PRED does not have are left out and said so, or scored
as predicting nothing with ``--missing-as-empty`` (so leaving predictions out cannot raise a
score)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli as run
from tests.unit.test_cli_formats import write_jsonl


def _preds(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "p.jsonl", [
        {"id": "d1", "entities": [{"start": 0, "stop": 9, "type": "PER"},
                                  {"start": 23, "stop": 32, "type": "LOC"}]},
    ])


def test_missing_documents_are_left_out_and_the_title_says_so(annotated_store: Path,
                                                              tmp_path: Path) -> None:
    result = run("evaluate", str(annotated_store), str(_preds(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "strict — 1 documents" in result.stdout
    assert ("1 more in GOLD but not in PRED, not scored (--missing-as-empty scores them as "
            "predicting nothing).") in result.stdout
    assert "--missing-as-empty scores it as predicting nothing" in result.stderr


def test_missing_as_empty_scores_them_as_nothing_predicted(annotated_store: Path,
                                                           tmp_path: Path) -> None:
    preds = _preds(tmp_path)
    left_out = json.loads(run("evaluate", str(annotated_store), str(preds), "--json").stdout)
    result = run("evaluate", str(annotated_store), str(preds), "--json", "--missing-as-empty")
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    gold = tmp_path / "gold.json"
    run("export", "--store", str(annotated_store), "-o", str(gold))
    d2 = next(d for d in json.loads(gold.read_text(encoding="utf-8"))["documents"]
              if d["id"] == "d2")
    assert d2["entities"]  # the test means something: d2 has entities to miss
    assert scored["documents"] == left_out["documents"] + 1 == 2
    assert scored["missing_in_pred"] == 1 and scored["missing_as_empty"] is True
    assert scored["micro"]["tp"] == left_out["micro"]["tp"]
    assert scored["micro"]["fp"] == left_out["micro"]["fp"]
    assert scored["micro"]["fn"] == left_out["micro"]["fn"] + len(d2["entities"])
    assert scored["micro"]["recall"] < left_out["micro"]["recall"]
    assert "document 'd2' is in GOLD but not in PRED; scored as predicting nothing." \
        in result.stderr
    table = run("evaluate", str(annotated_store), str(preds), "--missing-as-empty",
                "--scheme", "token")
    assert table.exit_code == 0, table.output
    assert "token — 2 documents" in table.stdout
    assert "1 of these documents missing in PRED, scored as predicting nothing." in table.stdout


def test_a_document_whose_text_differs_is_reported_once(annotated_store: Path,
                                                         tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "d1", "entities": [{"start": 0, "stop": 9, "type": "PER"}]},
        {"id": "d2", "text": "Совсем другой текст.\n", "entities": []},
    ])
    result = run("evaluate", str(annotated_store), str(preds))
    assert result.exit_code == 0, result.output
    about_d2 = [line for line in result.stderr.splitlines() if "'d2'" in line]
    assert about_d2 == ["document 'd2': its text in PRED differs from GOLD's (another sha256); "
                        "not scored."]


def test_predicted_spans_that_do_not_fit_are_counted(annotated_store: Path,
                                                      tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "d1", "entities": [{"start": 0, "stop": 9, "type": "PER"},
                                  {"start": 5, "stop": 5000, "type": "LOC"}]},
    ])
    body = json.loads(run("evaluate", str(annotated_store), str(preds), "--json").stdout)
    assert body["pred_spans_left_out"] == 1
    table = run("evaluate", str(annotated_store), str(preds))
    assert table.exit_code == 0, table.output
    assert ("1 predicted span did not fit its text and was left out (see above): the scores "
            "do not count it.") in table.stdout
    assert "PRED: document 'd1': span 5..5000" in table.stderr

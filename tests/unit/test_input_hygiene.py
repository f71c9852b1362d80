"""Input files that are valid JSON but not usable text, or in another format than the one named,
and a store held by another process: one sentence on stderr, a non-zero exit, nothing written.

Lone surrogates: JSON may escape half of a UTF-16 pair alone (``"\\ud800"``); ``json`` decodes it
to a string UTF-8 cannot encode, which used to end in a UnicodeEncodeError traceback (sha256).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.store import Store
from tests.conftest import FIXED_TIME
from tests.helpers import one_sentence, run_cli

ENV = {"ANNOTATOR_FIXED_TIME": FIXED_TIME}
TEXT = "Анна живёт в Москве."


run = run_cli





def jsonl(path: Path, *records: Any) -> Path:
    """JSON Lines as ``json`` writes it by default: non-ASCII (and lone surrogates) escaped."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def record(**changes: Any) -> dict[str, Any]:
    """A jsonl record of TEXT with one PER span, with ``changes``."""
    body: dict[str, Any] = {"id": "doc1", "text": TEXT,
                            "entities": [{"start": 0, "stop": 4, "label": "PER", "text": "Анна"}]}
    body.update(changes)
    return body


def gold_body(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "doc1", "source": "doc1.txt",
        "sha256": "0" * 64, "text": TEXT, "status": "reviewed", "meta": {},
        "entities": [{"start": 0, "stop": 4, "label": "PER", "text": "Анна"}],
    }
    doc.update(changes)
    return {"format": "annotator.gold", "version": 1, "created": FIXED_TIME,
            "labels": ["PER"], "documents": [doc]}


def export(store: Path, fmt: str, out: Path) -> Path:
    result = run("export", "--store", str(store), "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


# -- lone surrogates: import ---------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field", "char"), [
    ({"text": TEXT + "\ud800"}, '"text"', "\\ud800"),
    ({"id": "doc\udc00"}, '"id"', "\\udc00"),
    ({"entities": [{"start": 0, "stop": 4, "label": "PER\ud83d"}]}, '"entities[0].label"',
     "\\ud83d"),
    ({"entities": [{"start": 0, "stop": 4, "label": "PER", "text": "Ан\udfff"}]},
     '"entities[0].text"', "\\udfff"),
    ({"meta": {"title": "\ud800"}}, '"meta.title"', "\\ud800"),
    ({"meta": {"\ud800": "x"}}, 'a key of "meta"', "\\ud800"),
])
def test_jsonl_lone_surrogate_is_refused(tmp_path: Path, changes: dict[str, Any], field: str,
                                         char: str) -> None:
    path = jsonl(tmp_path / "preds.jsonl", record(), record(**changes))
    store = tmp_path / "S"
    result = run("import", str(path), "--format", "jsonl", "--store", str(store))
    one_sentence(result, 1, f"{path} line 2: {field} holds a lone surrogate ({char})",
                 "not a character")
    assert not store.exists()  # nothing was written, not even a store


@pytest.mark.parametrize(("changes", "place", "field"), [
    ({"text": TEXT + "\ud800"}, "document 'doc1'", '"text"'),
    ({"id": "doc\ud800"}, "documents[0]", '"id"'),
    ({"meta": {"title": "\udc00"}}, "document 'doc1'", '"meta.title"'),
    ({"entities": [{"start": 0, "stop": 4, "label": "PER", "text": "Анн\ud800"}]},
     "document 'doc1'", '"entities[0].text"'),
])
def test_gold_lone_surrogate_is_refused(tmp_path: Path, changes: dict[str, Any], place: str,
                                        field: str) -> None:
    path = tmp_path / "corpus.gold.json"
    path.write_text(json.dumps(gold_body(**changes), indent=2), encoding="utf-8")
    store = tmp_path / "S"
    result = run("import", str(path), "--format", "gold", "--as", "accepted",
                 "--store", str(store))
    one_sentence(result, 1, f"{path} {place}: {field} holds a lone surrogate")
    assert not store.exists()


@pytest.mark.parametrize(("line", "field", "char"), [
    ({"id": "d1", "text": "Анна \ud83d", "label": [[0, 4, "PER"]]}, '"text"', "\\ud83d"),
    ({"id": "d\udc00", "text": "Анна", "label": [[0, 4, "PER"]]}, '"id"', "\\udc00"),
    ({"text": "Анна", "label": [[0, 4, "PER\ud800"]]}, '"label[0][2]"', "\\ud800"),
])
def test_doccano_lone_surrogate_is_refused(tmp_path: Path, line: dict[str, Any], field: str,
                                           char: str) -> None:
    path = jsonl(tmp_path / "x.doccano.jsonl", line)
    result = run("import", str(path), "--format", "doccano", "--store", str(tmp_path / "S"))
    one_sentence(result, 1, f"{path} line 1: {field} holds a lone surrogate ({char})")
    assert not (tmp_path / "S").exists()


def test_spacy_and_label_studio_lone_surrogates_are_refused(tmp_path: Path) -> None:
    spacy = jsonl(tmp_path / "x.spacy.jsonl",
                  {"text": "Анна", "spans": [{"start": 0, "end": 4, "label": "PER"}],
                   "meta": {"id": "d\ud800"}})
    one_sentence(run("import", str(spacy), "--format", "spacy", "--store", str(tmp_path / "S")),
                 1, f"{spacy} line 1: \"meta.id\" holds a lone surrogate (\\ud800)")
    tasks = [{"data": {"text": "Анна"}}, {"data": {"text": "Анна\udc01"}}]
    studio = tmp_path / "tasks.json"
    studio.write_text(json.dumps(tasks, indent=2), encoding="utf-8")
    one_sentence(run("import", str(studio), "--format", "label-studio",
                     "--store", str(tmp_path / "S")),
                 1, f"{studio} task 1: \"data.text\" holds a lone surrogate (\\udc01)")
    assert not (tmp_path / "S").exists()


def test_surrogate_pair_as_two_escapes_is_one_character(tmp_path: Path) -> None:
    text = "Анна 😀 живёт в Москве."
    path = jsonl(tmp_path / "emoji.jsonl", {"id": "doc1", "text": text, "entities": [
        {"start": 0, "stop": 4, "label": "PER"}, {"start": 5, "stop": 6, "label": "MISC"}]})
    assert "\\ud83d\\ude00" in path.read_text(encoding="utf-8")  # written as two escapes
    store = tmp_path / "S"
    result = run("import", str(path), "--format", "jsonl", "--as", "accepted", "--widen-labels",
                 "--store", str(store))
    assert result.exit_code == 0, result.output
    with Store.open(store, user="anna", readonly=True) as opened:
        doc = opened.get("doc1")
    assert doc.text == text
    assert sorted((s.start, s.stop, s.label) for s in doc.spans) == [(0, 4, "PER"),
                                                                     (5, 6, "MISC")]


# -- lone surrogates: evaluate -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "spacy", "label-studio"])
def test_evaluate_refuses_pred_with_lone_surrogate(annotated_store: Path, tmp_path: Path,
                                                   fmt: str) -> None:
    gold = export(annotated_store, "gold", tmp_path / "gold.json")
    pred = export(annotated_store, fmt, tmp_path / f"pred.{fmt}")
    raw = pred.read_text(encoding="utf-8")
    assert raw.count("Бастрыкин") >= 1
    pred.write_text(raw.replace("Бастрыкин", "Бастрыкин\\ud800", 1), encoding="utf-8")
    result = run("evaluate", str(gold), str(pred))
    one_sentence(result, 1, str(pred), "holds a lone surrogate (\\ud800)", "not a character")
    assert result.stdout == ""


@pytest.mark.parametrize("indent", [True, False])
def test_evaluate_refuses_gold_with_lone_surrogate(annotated_store: Path, tmp_path: Path,
                                                   indent: bool) -> None:
    gold = export(annotated_store, "gold", tmp_path / "gold.json")  # the layout read in pieces
    pred = export(annotated_store, "jsonl", tmp_path / "pred.jsonl")
    body = gold.read_text(encoding="utf-8")
    label = '"label": "PER"' if indent else '"label":"PER"'
    if not indent:
        body = json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":"))
    assert label in body
    gold.write_text(body.replace(label, label[:-1] + '\\udbff"', 1), encoding="utf-8")
    result = run("evaluate", str(gold), str(pred))
    where = f"{gold} document 'd1'" if indent else f"{gold} line 1 document 'd1'"
    one_sentence(result, 1, f"{where}: \"entities[0].label\" holds a lone surrogate (\\udbff)")


# -- a file in another format than the one named ------------------------------------------------

@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "spacy"])
def test_gold_file_given_as_json_lines(annotated_store: Path, tmp_path: Path, fmt: str) -> None:
    gold = export(annotated_store, "gold", tmp_path / "gold.json")
    result = run("import", str(gold), "--format", fmt, "--store", str(tmp_path / "S"))
    one_sentence(result, 1, f"{gold} is one JSON document, not JSON Lines (one record per "
                 "line); is it a gold file? try --format gold.")
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(json.loads(gold.read_text(encoding="utf-8"))) + "\n",
                       encoding="utf-8")
    result = run("import", str(compact), "--format", fmt, "--store", str(tmp_path / "S"))
    one_sentence(result, 1, f"{compact} line 1 is one whole JSON document", "try --format gold")
    assert not (tmp_path / "S").exists()


def test_label_studio_export_given_as_json_lines(annotated_store: Path, tmp_path: Path) -> None:
    tasks = export(annotated_store, "label-studio", tmp_path / "tasks.json")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(tasks.read_text(encoding="utf-8")), indent=2),
                      encoding="utf-8")
    result = run("import", str(pretty), "--format", "jsonl", "--store", str(tmp_path / "S"))
    one_sentence(result, 1, f"{pretty} is one JSON document, not JSON Lines",
                 "try --format label-studio")


@pytest.mark.parametrize(("fmt", "advice"), [("jsonl", "try --format jsonl."),
                                             ("doccano", "try --format doccano."),
                                             ("spacy", "try --format spacy.")])
def test_json_lines_given_as_gold(annotated_store: Path, tmp_path: Path, fmt: str,
                                  advice: str) -> None:
    lines = export(annotated_store, fmt, tmp_path / f"x.{fmt}")
    assert len(lines.read_text(encoding="utf-8").splitlines()) > 1
    result = run("import", str(lines), "--format", "gold", "--store", str(tmp_path / "S"))
    one_sentence(result, 1, f"{lines} looks like JSON Lines (one record per line), not a gold "
                 f"file; {advice}")
    assert not (tmp_path / "S").exists()


def test_broken_json_keeps_its_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "d1", "text": "x"\n{"id": "d2"}\n', encoding="utf-8")
    one_sentence(run("import", str(path), "--format", "jsonl", "--store", str(tmp_path / "S")),
                 1, f"{path} line 1 is not valid JSON")
    one_sentence(run("import", str(path), "--format", "gold", "--store", str(tmp_path / "S")),
                 1, f"{path} line 2 is not valid JSON (Expecting ',' delimiter).")


# -- a store held by another process -------------------------------------------------------------

def test_import_into_locked_store_says_to_wait(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "preds.jsonl", record())
    root = tmp_path / "S"
    with Store.open(root, user="anna"):  # as the review app holds it while it runs
        result = run("import", str(path), "--format", "jsonl", "--store", str(root))
        line = one_sentence(result, 3, f"The store {root} is in use by anna (pid ",
                            "nothing was imported", "wait until that process ends")
    assert "--readonly" not in line
    with Store.open(root, user="anna", readonly=True) as store:
        assert list(store.summaries()) == []
    result = run("import", str(path), "--format", "jsonl", "--store", str(root))
    assert result.exit_code == 0, result.output

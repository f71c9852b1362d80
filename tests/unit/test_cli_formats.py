"""export, import, evaluate, stats from the command line: results, and one sentence per mistake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.core.model import Span
from annotator.core.store import Store
from tests.conftest import FIXED_TIME
from tests.helpers import make_doc, one_sentence, run_cli

ENV = {"ANNOTATOR_FIXED_TIME": FIXED_TIME}


run = run_cli





def entities(path: Path) -> set[tuple[str, int, int, str]]:
    body = json.loads(path.read_text(encoding="utf-8"))
    return {(d["sha256"], e["start"], e["stop"], e["label"])
            for d in body["documents"] for e in d["entities"]}


# -- export ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["gold", "jsonl", "spacy", "doccano", "label-studio", "conll"])
def test_export_to_stdout(annotated_store: Path, fmt: str) -> None:
    result = run("export", "--store", str(annotated_store), "--format", fmt)
    assert result.exit_code == 0 and result.stdout and result.stderr == ""


def test_export_usage_mistakes(annotated_store: Path, tmp_path: Path) -> None:
    store = str(annotated_store)
    one_sentence(run("export", "--store", store, "--format", "brat"), 2, "give it with -o")
    one_sentence(run("export", "--store", store, "-o", str(tmp_path)), 2, "is a folder")
    one_sentence(run("export", "--store", store, "-o", str(tmp_path / "no" / "x.json")), 2,
                 "does not exist")
    (tmp_path / "file").write_text("x")
    one_sentence(run("export", "--store", store, "--format", "brat", "-o",
                     str(tmp_path / "file")), 2, "is a file")
    one_sentence(run("export", "--store", str(tmp_path / "nowhere")), 1,
                 "no annotation store")


def test_export_nothing_reviewed_says_so(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s", user="anna") as store:
        store.sync([make_doc("a", "текст")])
    result = run("export", "--store", str(tmp_path / "s"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["documents"] == []
    assert "no reviewed documents" in result.stderr


def test_brat_never_writes_outside_the_folder(tmp_path: Path) -> None:
    ids = ["../escape", "a/b", "/etc/evil", "..", ".hidden", "C:\\win"]
    with Store.open(tmp_path / "s", user="anna") as store:
        for doc_id in ids:
            store.put(make_doc(doc_id, f"Текст {doc_id}", status="reviewed"), action="import")
    before = {p for p in tmp_path.rglob("*") if "s" not in p.relative_to(tmp_path).parts[:1]}
    out = tmp_path / "out" / "brat"
    result = run("export", "--store", str(tmp_path / "s"), "--format", "brat", "-o", str(out))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 2 * len(ids)
    after = {p for p in tmp_path.rglob("*") if "s" not in p.relative_to(tmp_path).parts[:1]}
    assert {p for p in after - before if out not in p.parents} == {out.parent, out}
    assert not (tmp_path / "escape.txt").exists() and not Path("/etc/evil.txt").exists()
    # and the documents come back, matched by their text
    back = run("import", str(out), "--format", "brat", "--as", "accepted", "--store",
               str(tmp_path / "s"))
    assert back.exit_code == 0, back.output
    with Store.open(tmp_path / "s", user="anna", readonly=True) as store:
        assert sorted(store.ids()) == sorted(ids)


def test_conll_reports_spans_it_cannot_carry_and_exits_1(tmp_path: Path) -> None:
    text = "Иван Петров живёт в Нижнем Новгороде."
    spans = [Span(id="s1", start=0, stop=11, label="PER", text=text[0:11], state="accepted"),
             Span(id="s2", start=21, stop=26, label="LOC", text=text[21:26], state="accepted")]
    with Store.open(tmp_path / "s", user="anna") as store:
        store.put(make_doc("c", text, status="reviewed", spans=spans), action="import")
    out = tmp_path / "c.conll"
    result = run("export", "--store", str(tmp_path / "s"), "--format", "conll", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == ("document 'c': span 21..26 LOC 'ижнем' does not fall on token "
                             "boundaries; not exported.\n")
    assert "Иван\tB-PER\nПетров\tI-PER\n" in out.read_text(encoding="utf-8")


# -- import ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["gold", "jsonl", "spacy", "doccano", "label-studio", "brat"])
def test_export_import_round_trip_through_a_store(annotated_store: Path, tmp_path: Path,
                                                  fmt: str) -> None:
    out = tmp_path / f"export-{fmt}"
    assert run("export", "--store", str(annotated_store), "--format", fmt,
               "-o", str(out)).exit_code == 0
    fresh = tmp_path / "fresh"
    result = run("import", str(out), "--format", fmt, "--as", "accepted", "--store", str(fresh),
                 "--user", "boris")
    assert result.exit_code == 0, result.output
    spans = 8 if fmt in ("gold", "jsonl") else 7  # these two carry the rejected span too
    assert f"imported {spans} spans of a gold corpus into 2 documents (2 new)." in result.stdout
    run("export", "--store", str(annotated_store), "-o", str(tmp_path / "a.json"))
    run("export", "--store", str(fresh), "-o", str(tmp_path / "b.json"))
    assert entities(tmp_path / "a.json") == entities(tmp_path / "b.json")


def test_import_gold_adds_labels_once(tmp_path: Path) -> None:
    text = "Газпром и Сбер."
    gold = {"format": "annotator.gold", "version": 1, "created": FIXED_TIME, "labels": ["COMPANY"],
            "documents": [{"id": "g", "source": "g.txt", "sha256": make_doc("g", text).sha256,
                           "text": text, "status": "reviewed",
                           "entities": [{"start": 0, "stop": 7, "label": "COMPANY",
                                         "text": "Газпром"},
                                        {"start": 10, "stop": 14, "label": "BANK",
                                         "text": "Сбер"}]}]}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    result = run("import", str(path), "--format", "gold", "--as", "accepted",
                 "--store", str(tmp_path / "s"))
    assert result.exit_code == 0
    assert result.stdout.count("added labels COMPANY, BANK to the store") == 1


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_import_reports_each_bad_span_and_imports_the_rest(annotated_store: Path,
                                                           tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "rival.jsonl", [
        {"id": "d1", "entities": [
            {"start": 0, "stop": 9, "type": "PER"},
            {"start": -2, "stop": 3, "type": "PER"},
            {"start": 9, "stop": 2, "type": "PER"},
            {"start": 70, "end": 900, "label": "LOC"},
            {"start": 0, "stop": 9, "type": "PER", "text": "Путин"},
            {"start": 10, "stop": 20, "type": "EVENT"},
        ]},
        {"id": "nobody", "entities": [{"start": 0, "stop": 1, "type": "PER"}]},
        {"id": "d2", "sha256": "f" * 64, "entities": []},
    ])
    result = run("import", str(preds), "--format", "jsonl", "--store", str(annotated_store))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 7
    for line, fragment in zip(sorted(lines), [
        "document 'd1': span -2..3 has a negative offset; not imported.",
        "document 'd1': span 0..9 says 'Путин' but the text there is 'Бастрыкин'",
        "document 'd1': span 10..20 has label 'EVENT', which is not in the store's label set",
        "document 'd1': span 70..900 ends past the end of the text",
        "document 'd1': span 9..2 is empty or reversed",
        "document 'd2': its text differs from the stored document",
        "document 'nobody' is not in the store",
    ], strict=True):
        assert line.startswith(fragment)
    assert "imported 1 pending spans (origin import:rival) into 1 documents" in result.stdout
    with Store.open(annotated_store, user="anna", readonly=True) as store:
        rival = [s for s in store.get("d1").spans if s.origin == "import:rival"]
    assert [(s.key(), s.state) for s in rival] == [((0, 9, "PER"), "pending")]


def test_import_widen_labels_and_name(annotated_store: Path, tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "d1", "entities": [{"start": 10, "stop": 20, "type": "EVENT"}]}])
    result = run("import", str(preds), "--format", "jsonl", "--widen-labels", "--name", "slovnet",
                 "--store", str(annotated_store))
    assert result.exit_code == 0, result.output
    assert "added labels EVENT to the store" in result.stdout
    assert "origin import:slovnet" in result.stdout


@pytest.mark.parametrize(("content", "fmt", "fragments"), [
    ("{not json", "gold", ("bad.txt line 1 is not valid JSON",)),
    ('{"id": "d1", "entities": [{"start": "0", "stop": 9, "type": "PER"}]}\n', "jsonl",
     ("bad.txt line 1", "'start' = '0', which is not an integer")),
    ('{"id": "d1", "entities": []}\n[1, 2]\n', "jsonl", ("bad.txt line 2", "JSON object")),
    ('{"id": "d1", "entities": {"start": 0}}\n', "jsonl", ("bad.txt line 1", "JSON list")),
    ('{"text": "x", "label": [[0, 1]]}\n', "doccano", ("should be [start, end, label]",)),
    ('{"data": {}}', "label-studio", ("task 0 data has no 'text'",)),
    ('[{"data": {"text": "ab"}, "annotations": [{"result": [{"value": {"start": 0, '
     '"labels": ["PER"]}}]}]}]', "label-studio", ("has no 'end'",)),
    ('{"tokens": []}\n', "spacy", ("the task has no 'text'",)),
    ("[]", "gold", ("is not an annotator gold file",)),
])
def test_malformed_files_are_one_sentence(annotated_store: Path, tmp_path: Path, content: str,
                                          fmt: str, fragments: tuple[str, ...]) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    result = run("import", str(path), "--format", fmt, "--store", str(annotated_store))
    one_sentence(result, 1, *fragments)


def test_import_missing_and_not_utf8_files(annotated_store: Path, tmp_path: Path) -> None:
    one_sentence(run("import", str(tmp_path / "none.json"), "--format", "gold",
                     "--store", str(annotated_store)), 1, "does not exist")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"id": "d1"}\n{"id": "caf\xe9"}\n')
    one_sentence(run("import", str(latin), "--format", "jsonl", "--store",
                     str(annotated_store)), 1, "line 2 is not valid UTF-8")
    one_sentence(run("import", str(tmp_path), "--format", "jsonl", "--store",
                     str(annotated_store)), 1, "is a folder")


def test_import_documents_with_odd_ids_stay_in_the_store(tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "../../outside", "text": "Анна.", "entities": [{"start": 0, "stop": 4,
                                                               "label": "PER"}]}])
    store = tmp_path / "store"
    result = run("import", str(preds), "--format", "jsonl", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert not (tmp_path.parent / "outside.json").exists()
    with Store.open(store, user="anna", readonly=True) as opened:
        assert opened.ids() == ["../../outside"]


# -- evaluate -------------------------------------------------------------------------------------

def test_evaluate_against_a_store_and_a_gold_file(annotated_store: Path, tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "d1", "entities": [{"start": 0, "stop": 9, "type": "PER"},
                                  {"start": 23, "stop": 32, "type": "LOC"}]},
        {"id": "elsewhere", "entities": []},
    ])
    result = run("evaluate", str(annotated_store), str(preds), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["scheme"] == "strict" and body["documents"] == 1
    assert (body["missing_in_pred"], body["missing_in_gold"]) == (1, 1)
    assert body["micro"]["tp"] == 2 and body["micro"]["fn"] == 2 and body["micro"]["fp"] == 0
    assert set(body["labels"]) == {"PER", "LOC", "ORG"}
    assert "document 'elsewhere' is in PRED but not in GOLD; not scored." in result.stderr
    assert ("document 'd2' is in GOLD but not in PRED; not scored (--missing-as-empty scores it "
            "as predicting nothing).") in result.stderr
    gold = tmp_path / "gold.json"
    run("export", "--store", str(annotated_store), "-o", str(gold))
    again = json.loads(run("evaluate", str(gold), str(preds), "--json").stdout)
    assert again["micro"] == body["micro"]


def test_evaluate_all_schemes_and_table(annotated_store: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    run("export", "--store", str(annotated_store), "-o", str(gold))
    result = run("evaluate", str(gold), str(gold), "--all-schemes", "--json")
    body = json.loads(result.stdout)
    assert [r["scheme"] for r in body["schemes"]] == ["strict", "exact", "partial", "type",
                                                      "token"]
    assert all(r["micro"]["f1"] == 1.0 for r in body["schemes"])
    table = run("evaluate", str(gold), str(gold), "--scheme", "token")
    assert table.exit_code == 0 and "token" in table.stdout and "micro" in table.stdout
    two = json.loads(run("evaluate", str(gold), str(gold), "--scheme", "type", "--scheme",
                         "strict", "--json").stdout)
    assert [r["scheme"] for r in two["schemes"]] == ["type", "strict"]
    default = json.loads(run("evaluate", str(gold), str(gold), "--json").stdout)
    assert default["scheme"] == "strict"


def test_evaluate_matches_by_sha256(annotated_store: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.json"
    run("export", "--store", str(annotated_store), "-o", str(gold))
    body = json.loads(gold.read_text(encoding="utf-8"))
    first = body["documents"][0]
    preds = write_jsonl(tmp_path / "p.jsonl", [{"id": "another-name", "sha256": first["sha256"],
                                                "entities": first["entities"]}])
    result = json.loads(run("evaluate", str(gold), str(preds), "--json").stdout)
    assert result["documents"] == 1 and result["micro"]["f1"] == 1.0


def test_evaluate_mistakes(annotated_store: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('{"hello": 1}')
    one_sentence(run("evaluate", str(annotated_store), str(odd)), 1, "cannot tell its format")
    one_sentence(run("evaluate", str(annotated_store), str(tmp_path / "none.jsonl")), 1,
                 "does not exist")
    one_sentence(run("evaluate", str(odd), str(annotated_store)), 1, "cannot tell its format")
    preds = write_jsonl(tmp_path / "p.jsonl", [{"id": "d1", "entities": []}])
    one_sentence(run("evaluate", str(preds), str(annotated_store)), 2, "only GOLD may be a store")
    nothing = write_jsonl(tmp_path / "n.jsonl", [{"id": "zzz", "entities": []}])
    result = run("evaluate", str(annotated_store), str(nothing))
    assert result.exit_code == 2 and "nothing to score" in result.stderr


def test_evaluate_reports_bad_prediction_spans(annotated_store: Path, tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "d1", "entities": [{"start": 0, "stop": 900, "type": "PER"},
                                  {"start": 0, "stop": 9, "type": "PER"}]},
        {"id": "d2", "entities": []}])
    result = run("evaluate", str(annotated_store), str(preds), "--json")
    assert result.exit_code == 0
    assert "PRED: document 'd1': span 0..900 ends past the end of the text" in result.stderr
    assert "not scored." in result.stderr
    assert json.loads(result.stdout)["micro"]["tp"] == 1


# -- stats ----------------------------------------------------------------------------------------

def test_stats_json_shape_and_report_card(annotated_store: Path) -> None:
    result = run("stats", "--store", str(annotated_store), "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["documents"][0] == {"id": "d1", "lang": "ru", "status": "reviewed",
                                    "extractor": None, "pending": 0, "accepted": 4,
                                    "rejected": 1, "added": 1, "stale": False,
                                    "flags": [], "comment": ""}
    assert [d["id"] for d in body["documents"]] == ["d1", "d2", "d3"]
    # natasha's spans by its own label: PER — d1 accepted, d2 "Газпром" relabeled to ORG,
    # d3 pending; one PER added by hand (missed). LOC — two accepted, one rejected, one pending.
    assert body["labels"]["PER"] == {"model": 3, "accepted": 1, "relabeled": 1,
                                     "relabeled_to": {"ORG": 1}, "adjusted": 0, "rejected": 0,
                                     "pending": 1, "missed": 1}
    assert body["labels"]["LOC"] == {"model": 4, "accepted": 2, "relabeled": 0,
                                     "relabeled_to": {}, "adjusted": 0, "rejected": 1,
                                     "pending": 1, "missed": 0}
    assert body["labels"]["ORG"]["adjusted"] == 1
    assert set(body["origins"]) == {"natasha-1.6.0"}


def test_stats_tables_and_missing_store(annotated_store: Path, tmp_path: Path) -> None:
    result = run("stats", "--store", str(annotated_store))
    assert result.exit_code == 0
    assert "3 documents: 2 reviewed, 1 unreviewed" in result.stdout
    assert "model report card" in result.stdout
    one_sentence(run("stats", "--store", str(tmp_path / "none")), 1, "no annotation store")


def test_import_refuses_a_document_whose_sha256_does_not_match_its_text(
        annotated_store: Path, tmp_path: Path) -> None:
    preds = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "new", "text": "Анна.", "sha256": "0" * 64,
         "entities": [{"start": 0, "stop": 4, "label": "PER"}]},
        {"id": "fine", "text": "Борис.", "entities": [{"start": 0, "stop": 5, "label": "PER"}]}])
    result = run("import", str(preds), "--format", "jsonl", "--store", str(annotated_store))
    assert result.exit_code == 1
    assert result.stderr.startswith("document 'new': its sha256 000000000000… does not match")
    assert len(result.stderr.splitlines()) == 1
    with Store.open(annotated_store, user="anna", readonly=True) as store:
        assert store.has("fine") and not store.has("new")


def test_workers_option_gives_the_same_export_and_scores(annotated_store: Path,
                                                         tmp_path: Path) -> None:
    store = str(annotated_store)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"gold-{workers}.json"
        result = run("export", "--store", store, "-o", str(out), "--workers", workers)
        assert result.exit_code == 0, result.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    gold = tmp_path / "gold-1.json"
    scores = [run("evaluate", str(gold), str(gold), "--scheme", "token", "--json",
                  "--workers", workers).stdout for workers in ("1", "2")]
    assert scores[0] == scores[1] and json.loads(scores[0])["labels"]
    one_sentence(run("export", "--store", store, "--workers", "0"), 2, "--workers")

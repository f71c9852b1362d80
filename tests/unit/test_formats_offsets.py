"""Format details: UTF-16 offsets (doccano), brat names and parsing, CoNLL and spaCy limits,
detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.errors import FormatError
from annotator.core.formats.brat import brat_files, parse_ann, read_brat, safe_name
from annotator.core.formats.common import Utf16
from annotator.core.formats.conll import write_conll
from annotator.core.formats.doccano import parse_doccano, write_doccano
from annotator.core.formats.label_studio import parse_label_studio, write_label_studio
from annotator.core.formats.registry import detect_format, export_bytes
from annotator.core.formats.spacy import write_spacy
from annotator.core.model import Span
from tests.conftest import sample_documents
from tests.helpers import make_doc

EMOJI_TEXT = "😀 Анна и 𝔸 Борис"  # 😀 and 𝔸 are outside the BMP: two UTF-16 code units each


def accepted(text: str, start: int, stop: int, label: str, n: int = 1) -> Span:
    return Span(id=f"s{n}", start=start, stop=stop, label=label, text=text[start:stop],
                state="accepted", decision="accepted")


# -- UTF-16 ---------------------------------------------------------------------------------------

def test_utf16_offsets_around_astral_characters() -> None:
    utf16 = Utf16(EMOJI_TEXT)
    assert EMOJI_TEXT[2:6] == "Анна" and EMOJI_TEXT[11:16] == "Борис"
    assert (utf16.to_utf16(2), utf16.to_utf16(6)) == (3, 7)
    assert (utf16.to_utf16(11), utf16.to_utf16(16)) == (13, 18)
    assert utf16.from_utf16(3) == 2 and utf16.from_utf16(18) == 16
    assert utf16.from_utf16(1) is None  # between the two halves of 😀
    assert utf16.from_utf16(10) == 9 and utf16.from_utf16(11) is None  # 𝔸 and its second half
    assert utf16.from_utf16(30) == 28  # past the end stays past the end
    assert len(EMOJI_TEXT.encode("utf-16-le")) // 2 == utf16.to_utf16(len(EMOJI_TEXT))


@given(st.text(alphabet="аб😀𝔸\r\n ", max_size=30))
def test_utf16_matches_python_utf16_encoding(text: str) -> None:
    utf16 = Utf16(text)
    for i in range(len(text) + 1):
        units = len(text[:i].encode("utf-16-le")) // 2
        assert utf16.to_utf16(i) == units
        assert utf16.from_utf16(units) == i


def test_doccano_writes_utf16_offsets_and_label_studio_code_points_and_both_read_back() -> None:
    doc = make_doc("e", EMOJI_TEXT, status="reviewed", spans=[
        accepted(EMOJI_TEXT, 2, 6, "PER", 1), accepted(EMOJI_TEXT, 11, 16, "PER", 2)])
    record = json.loads(write_doccano([doc]).data)
    assert record["label"] == [[3, 7, "PER"], [13, 18, "PER"]]
    tasks = json.loads(write_label_studio([doc]).data)
    values = [r["value"] for r in tasks[0]["annotations"][0]["result"]]
    assert [(v["start"], v["end"], v["text"]) for v in values] == [(2, 6, "Анна"),
                                                                  (11, 16, "Борис")]
    back = parse_doccano(write_doccano([doc]).data.decode(), "x.jsonl").docs[0]
    assert [s.key() for s in back.spans] == [(2, 6, "PER"), (11, 16, "PER")]
    back = parse_label_studio(write_label_studio([doc]).data.decode(), "x.json").docs[0]
    assert [s.key() for s in back.spans] == [(2, 6, "PER"), (11, 16, "PER")]


def test_utf16_offsets_inside_a_pair_are_reported() -> None:
    line = json.dumps({"id": "e", "text": EMOJI_TEXT, "label": [[1, 7, "PER"], [13, 18, "PER"]]})
    result = parse_doccano(line, "x.jsonl")
    assert [s.key() for s in result.docs[0].spans] == [(11, 16, "PER")]
    assert result.problems == [
        "document 'e': span 1..7 (UTF-16 offsets) splits a character outside the BMP; "
        "not imported."
    ]


def test_label_studio_predictions_carry_the_models_original_spans() -> None:
    tasks = json.loads(write_label_studio(sample_documents()[1:2]).data)
    predictions = tasks[0]["predictions"]
    assert [p["model_version"] for p in predictions] == ["natasha-1.6.0"]
    values = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
              for r in predictions[0]["result"]]
    # d2 (code points, 😀 counts one): "Газпром" was PER, "Рога и копыта" was 37..50
    assert values == [(12, 18, "LOC"), (21, 28, "PER"), (37, 50, "ORG")]
    assert tasks[0]["annotations"][0]["result"][1]["value"]["labels"] == ["ORG"]


# -- brat -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc_id", ["../x", "a/b", "/etc/passwd", "C:\\x", "..", ".hidden", "con",
                                    "", " ", "a\x00b", "ок/../../ok", "x" * 400])
def test_safe_names_stay_inside_the_folder(doc_id: str, tmp_path: Path) -> None:
    name = safe_name(doc_id)
    assert name and not name.startswith(".") and "/" not in name and "\\" not in name
    assert ":" not in name and "\x00" not in name and len(name) <= 120
    assert (tmp_path / f"{name}.ann").resolve().parent == tmp_path.resolve()


def test_safe_names_keep_plain_ids_and_never_collide() -> None:
    assert safe_name("000_47d0eeae892115b2") == "000_47d0eeae892115b2"
    assert safe_name("Новости-2025.01") == "Новости-2025.01"
    ids = ["a/b", "a_b", "a:b", "a b", "A/B"]
    names = [n for n, _ in brat_files([make_doc(i, "текст") for i in ids])]
    assert len({n.lower() for n in names}) == len(names)


def test_brat_reads_crlf_text_exactly_and_reports_what_it_skips(tmp_path: Path) -> None:
    text = "Анна\r\nи Борис"
    (tmp_path / "doc.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "doc.ann").write_bytes(
        "T1\tPER 0 4\tАнна\r\nT2\tPER 8 13\tБорис\r\n#1\tAnnotatorNotes T2\tБорис\r\n"
        "T3\tPER 0 2;3 4\tАн на\r\nR1\tRel Arg1:T1 Arg2:T2\r\n".encode())
    result = read_brat(tmp_path / "doc.ann")
    doc = result.docs[0]
    assert doc.text == text and doc.id == "doc"
    assert [(s.key(), s.normal) for s in doc.spans] == [((0, 4, "PER"), None),
                                                       ((8, 13, "PER"), "Борис")]
    assert any("discontinuous" in p for p in result.problems)
    assert any("1 relation" in p for p in result.problems)
    assert read_brat(tmp_path).docs[0].spans == doc.spans  # the folder reads the same


def test_brat_surfaces_across_line_breaks() -> None:
    text = "Нижний\r\nНовгород"
    doc = make_doc("n", text, status="reviewed", spans=[accepted(text, 0, 16, "LOC")])
    files = dict(brat_files([doc]))
    assert files["n.ann"].decode() == "T1\tLOC 0 16\tНижний  Новгород\n"
    back, problems = parse_ann("n", text, files["n.ann"].decode(), "n.ann")
    assert problems == [] and back.spans[0].text == text


@pytest.mark.parametrize(("ann", "message"), [
    ("T1\n", "x.ann line 1: is not a brat annotation"),
    ("T1\tPER zero 4\tАнна\n", "x.ann line 1: T1 should read LABEL START END"),
    ("T1\tPER 0 4\tАнна\nT2\tPER 1\tx\n", "x.ann line 2"),
])
def test_brat_malformed_lines(ann: str, message: str) -> None:
    with pytest.raises(FormatError, match=message.replace("(", r"\(")):
        parse_ann("x", "Анна", ann, "x.ann")


def test_brat_missing_text_file(tmp_path: Path) -> None:
    (tmp_path / "a.ann").write_text("")
    with pytest.raises(FormatError, match="has no a.txt beside it"):
        read_brat(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FormatError, match="holds no .ann files"):
        read_brat(tmp_path / "empty")
    with pytest.raises(FormatError, match="does not exist"):
        read_brat(tmp_path / "nothing-here")


# -- CoNLL and spaCy ------------------------------------------------------------------------------

def test_conll_reports_and_skips_misaligned_and_nested_spans() -> None:
    text = "Иван Петров живёт в Нижнем Новгороде."
    doc = make_doc("c", text, status="reviewed", spans=[
        accepted(text, 0, 11, "PER", 1),
        accepted(text, 5, 11, "PER", 2),  # nested in the first
        accepted(text, 20, 36, "LOC", 3),
        accepted(text, 21, 26, "LOC", 4),  # starts inside "Нижнем"
    ])
    written = write_conll([doc])
    assert written.data.decode() == (
        "-DOCSTART- -X- O O\n\n"
        "Иван\tB-PER\nПетров\tI-PER\nживёт\tO\nв\tO\nНижнем\tB-LOC\nНовгороде\tI-LOC\n.\tO\n\n"
    )
    assert written.problems == [
        "document 'c': span 5..11 PER 'Петров' overlaps span 0..11 PER, and CoNLL cannot nest "
        "spans; not exported.",
        "document 'c': span 21..26 LOC 'ижнем' does not fall on token boundaries; not exported.",
    ]


def test_conll_sentences_are_separated_by_blank_lines() -> None:
    text = "Анна пришла. Борис ушёл."
    out = write_conll([make_doc("s", text)]).data.decode()
    assert out.split("\n\n")[1:3] == ["Анна\tO\nпришла\tO\n.\tO", "Борис\tO\nушёл\tO\n.\tO"]


def test_spacy_misaligned_span_keeps_offsets_without_token_indices() -> None:
    text = "Иван Петров"
    doc = make_doc("p", text, status="reviewed", spans=[accepted(text, 0, 4, "PER", 1),
                                                       accepted(text, 5, 8, "PER", 2)])
    written = write_spacy([doc])
    task = json.loads(written.data)
    assert task["spans"] == [
        {"start": 0, "end": 4, "label": "PER", "token_start": 0, "token_end": 0},
        {"start": 5, "end": 8, "label": "PER"},
    ]
    assert task["answer"] == "accept"
    assert written.notes and "does not fall on token boundaries" in written.notes[0]
    assert written.problems == []


# -- detection ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["gold", "jsonl", "spacy", "doccano", "label-studio"])
def test_detects_each_written_format(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "export.out"
    path.write_bytes(export_bytes(fmt, sample_documents(), labels=["PER"], created="t",
                                  include_pending=False).data)
    assert detect_format(path) == fmt


def test_detects_folders_and_natasha_style_lines(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "store.json").write_text("{}")
    assert detect_format(tmp_path / "store") == "store"
    (tmp_path / "brat").mkdir()
    assert detect_format(tmp_path / "brat") == "brat"
    preds = tmp_path / "preds.jsonl"
    preds.write_text('{"id": "a", "entities": []}\n{"id": "b", "entities": []}\n')
    assert detect_format(preds) == "jsonl"


@pytest.mark.parametrize(("content", "message"), [
    ("", "is empty"),
    ('{"id": "a"}', "cannot tell its format"),
    ("not json\n", "line 1 is not valid JSON"),
    ('{"id": "a", "entities": []}\n{oops\n', None),
])
def test_detection_failures(content: str, message: str | None, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(content)
    if message is None:
        assert detect_format(path) == "jsonl"  # the first line decides; reading reports line 2
        return
    with pytest.raises(FormatError, match=message):
        detect_format(path)

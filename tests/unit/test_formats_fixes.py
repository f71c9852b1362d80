"""QA's format defects, each reproduced: Label Studio counts code points, readers refuse foreign
files, spaCy tokens rebuild the text, CoNLL keeps an entity in one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import FormatError
from annotator.core.formats.common import check_doc
from annotator.core.formats.conll import DOCSTART, write_conll
from annotator.core.formats.jsonl import write_jsonl
from annotator.core.formats.label_studio import parse_label_studio, write_label_studio
from annotator.core.formats.spacy import parse_spacy, spacy_tokens, task, write_spacy
from annotator.core.model import Document, Span
from annotator.core.store import Store
from annotator.core.tokens import tokens
from tests.conftest import sample_documents
from tests.helpers import make_doc, one_sentence, run_cli

CAT_TEXT = "🐱 Warning: This is a test text"  # Label Studio's own emoji test: 'test' is 21..25
EMOJI_TEXT = "😀 Анна и 𝔸 Борис"


def accepted(text: str, start: int, stop: int, label: str, n: int = 1) -> Span:
    return Span(id=f"s{n}", start=start, stop=stop, label=label, text=text[start:stop],
                state="accepted", decision="accepted")


run = run_cli





def stored_ids(store: Path) -> list[str]:
    if not (store / "store.json").is_file():
        return []
    with Store.open(store, user="anna", readonly=True) as opened:
        return opened.ids()


def ls_task(text: str, start: int, end: int, surface: str | None) -> str:
    value: dict[str, object] = {"start": start, "end": end, "labels": ["PER"]}
    if surface is not None:
        value["text"] = surface
    return json.dumps([{"id": 7, "data": {"text": text}, "annotations": [{"result": [
        {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": value}]}]}], ensure_ascii=False)


# -- 1. Label Studio offsets are code points ------------------------------------------------------

def test_label_studio_reads_a_genuine_task_in_code_points() -> None:
    doc = parse_label_studio(ls_task(CAT_TEXT, 21, 25, "test"), "ls.json").docs[0]
    assert [s.key() for s in doc.spans] == [(21, 25, "PER")]
    assert CAT_TEXT[21:25] == "test"


def test_label_studio_reads_old_utf16_exports_when_the_surface_says_so() -> None:
    doc = parse_label_studio(ls_task(CAT_TEXT, 22, 26, "test"), "ls.json").docs[0]
    assert [s.key() for s in doc.spans] == [(21, 25, "PER")]


def test_label_studio_without_a_surface_reads_code_points() -> None:
    doc = parse_label_studio(ls_task(CAT_TEXT, 21, 25, None), "ls.json").docs[0]
    assert [s.key() for s in doc.spans] == [(21, 25, "PER")]


def test_label_studio_surface_matching_neither_reading_is_refused_by_the_check() -> None:
    doc = parse_label_studio(ls_task(CAT_TEXT, 21, 25, "text"), "ls.json").docs[0]
    assert doc.text is not None
    good, problems = check_doc(doc, doc.text)
    assert good == [] and len(problems) == 1 and "21..25" in problems[0]


def test_label_studio_writes_code_points() -> None:
    doc = make_doc("e", EMOJI_TEXT, status="reviewed", spans=[
        accepted(EMOJI_TEXT, 2, 6, "PER", 1), accepted(EMOJI_TEXT, 11, 16, "PER", 2)])
    values = [r["value"] for r in json.loads(write_label_studio([doc]).data)[0]["annotations"][0]
              ["result"]]
    assert [(v["start"], v["end"], v["text"]) for v in values] == [(2, 6, "Анна"),
                                                                  (11, 16, "Борис")]
    for v in values:
        assert EMOJI_TEXT[v["start"]:v["end"]] == v["text"]


def test_label_studio_genuine_task_imports_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "ls.json"
    path.write_text(ls_task(CAT_TEXT, 21, 25, "test"), encoding="utf-8")
    store = tmp_path / "S"
    result = run("import", str(path), "--format", "label-studio", "--as", "accepted",
                 "--store", str(store))
    assert result.exit_code == 0, result.output
    with Store.open(store, user="anna", readonly=True) as opened:
        doc = opened.get("7")
    assert [(s.start, s.stop, s.text) for s in doc.spans] == [(21, 25, "test")]


# -- 2. readers refuse a file in another format ---------------------------------------------------

DOCCANO_LINE = '{"id": "d1", "text": "Анна пришла.", "label": [[0, 4, "PER"]]}\n'


def test_spacy_reader_refuses_a_doccano_record() -> None:
    with pytest.raises(FormatError) as err:
        parse_spacy(DOCCANO_LINE, "d.jsonl")
    message = str(err.value)
    assert message.startswith("d.jsonl line 1: ") and message.endswith(".")
    assert "'spans'" in message and "--format doccano" in message


def test_spacy_reader_refuses_a_jsonl_export() -> None:
    raw = write_jsonl(sample_documents()[:2], include_pending=False).data.decode()
    with pytest.raises(FormatError, match=r"line 1: .*'spans'.*--format jsonl"):
        parse_spacy(raw, "x.jsonl")


def test_spacy_reader_takes_a_task_with_no_spans_marked() -> None:
    line = json.dumps({"text": "Анна пришла.", "spans": [], "answer": "accept"})
    doc = parse_spacy(line, "p.jsonl").docs[0]
    assert doc.spans == [] and doc.status == "reviewed"


def test_spacy_import_of_a_doccano_file_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(DOCCANO_LINE, encoding="utf-8")
    store = tmp_path / "S"
    result = run("import", str(path), "--format", "spacy", "--as", "accepted",
                 "--store", str(store))
    one_sentence(result, 1, "d.jsonl line 1", "'spans'", "doccano")
    assert stored_ids(store) == []


@pytest.mark.parametrize(("content", "fragments"), [
    ('[{"id": 1, "text": "Анна.", "label": [[0, 4, "PER"]]}]', ("task 0", "'data'", "doccano")),
    ('{"format": "annotator.gold", "version": 1, "documents": []}', ("task 0", "'data'",
                                                                     "--format gold")),
    ('[{"data": {"text": "Анна."}}]', ("task 0", "'annotations'")),
    ('[{"data": {"text": "Анна."}, "predictions": [{"result": []}]}]',
     ("task 0", "'annotations'", "predictions")),
])
def test_label_studio_reader_refuses_foreign_tasks(content: str, fragments: tuple[str, ...],
                                                   tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    store = tmp_path / "S"
    result = run("import", str(path), "--format", "label-studio", "--as", "accepted",
                 "--store", str(store))
    one_sentence(result, 1, "x.json", *fragments)
    assert stored_ids(store) == []


def test_label_studio_task_nobody_annotated_is_not_reviewed() -> None:
    raw = json.dumps([{"data": {"text": "Анна."}, "annotations": []},
                      {"data": {"text": "Борис."}, "annotations": [{"result": [],
                                                                    "was_cancelled": True}]},
                      {"data": {"text": "Ива."}, "annotations": [{"result": []}]}])
    docs = parse_label_studio(raw, "x.json").docs
    assert [d.status for d in docs] == ["unreviewed", "unreviewed", None]


# -- 3. spaCy tokens rebuild the text -------------------------------------------------------------

def rebuilt(record: dict[str, object]) -> str:
    toks = record["tokens"]
    assert isinstance(toks, list)
    return "".join(t["text"] + (" " if t["ws"] else "") for t in toks)


# what spaCy 3.8's own tokenizer (spacy.blank) makes of the whitespace in these texts
@pytest.mark.parametrize(("text", "expected"), [
    ("a   b", [("a", True), ("  ", False), ("b", False)]),
    ("a \n b", [("a", True), ("\n ", False), ("b", False)]),
    ("  a", [("  ", False), ("a", False)]),
    (" a", [(" ", False), ("a", False)]),
    ("a  ", [("a", True), (" ", False)]),
    ("a\nb", [("a", False), ("\n", False), ("b", False)]),
    ("Москва\rПетербург\r\nКазань\n", [("Москва", False), ("\r", False), ("Петербург", False),
                                        ("\r\n", False), ("Казань", False), ("\n", False)]),
    ("a\u00a0b", [("a", False), ("\u00a0", False), ("b", False)]),
    ("a \u00a0b", [("a", True), ("\u00a0", False), ("b", False)]),
    ("   ", [("   ", False)]),
    ("a\t b", [("a", False), ("\t ", False), ("b", False)]),
    ("", []),
])
def test_spacy_whitespace_tokens_as_spacy_makes_them(text: str,
                                                     expected: list[tuple[str, bool]]) -> None:
    assert [(t.text, ws) for t, ws in spacy_tokens(text)] == expected


def test_spacy_tokens_rebuild_crlf_text_and_cover_the_span() -> None:
    text = "Москва\rПетербург\r\nКазань\n"
    doc = make_doc("k", text, status="reviewed", spans=[accepted(text, 18, 24, "LOC")])
    notes: list[str] = []
    record = task(doc, notes)
    assert notes == [] and rebuilt(record) == text
    toks = record["tokens"]
    span = record["spans"][0]
    assert toks[span["token_start"]]["start"] == 18 and toks[span["token_end"]]["end"] == 24
    assert [t["text"] for t in toks[span["token_start"]:span["token_end"] + 1]] == ["Казань"]


PIECES = (
    list("абвгдеёжзАБВЖЯabcXYZ019.,;:!?«»()-—\"'")
    + ["Анна", "Москва", "Inc.", " ", " ", " ", "   ", "\u00a0", "\t", "\r", "\n", "\r\n",
       "😀", "𝔸", "🏛️"]
)


@st.composite
def documents_with_spans(draw: st.DrawFn) -> Document:
    text = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=40)))
    toks = tokens(text)
    spans: list[Span] = []
    for k in range(draw(st.integers(0, 6))):
        on_tokens = draw(st.booleans())
        if toks and on_tokens:  # on token boundaries
            i = draw(st.integers(0, len(toks) - 1))
            j = draw(st.integers(i, min(len(toks) - 1, i + 4)))
            start, stop = toks[i].start, toks[j].stop
        elif text:
            start = draw(st.integers(0, len(text) - 1))
            stop = draw(st.integers(start + 1, len(text)))
        else:
            continue
        spans.append(accepted(text, start, stop, draw(st.sampled_from(["PER", "LOC"])), k + 1))
    return make_doc("h", text, status="reviewed", spans=spans)


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(documents_with_spans())
def test_spacy_tokens_rebuild_any_text_and_spans_cover_their_characters(doc: Document) -> None:
    text = doc.text
    record = json.loads(write_spacy([doc]).data)
    assert record["text"] == text
    assert rebuilt(record) == text
    position = 0
    for n, tok in enumerate(record["tokens"]):
        assert tok["id"] == n and tok["text"]
        assert tok["start"] == position and text[tok["start"]:tok["end"]] == tok["text"]
        position = tok["end"]
        if tok["ws"]:
            assert text[position] == " "
            position += 1
    assert position == len(text)
    razdel_starts = {t.start for t in tokens(text)}
    razdel_stops = {t.stop for t in tokens(text)}
    for span in record["spans"]:
        on_tokens = span["start"] in razdel_starts and span["end"] in razdel_stops
        if on_tokens:
            assert "token_start" in span
        if "token_start" in span:
            first, last = record["tokens"][span["token_start"]], record["tokens"][span["token_end"]]
            assert span["token_start"] <= span["token_end"]
            assert (first["start"], last["end"]) == (span["start"], span["end"])


# -- 4. CoNLL keeps an entity inside one sentence -------------------------------------------------

def blocks(conll: str) -> list[list[tuple[str, str]]]:
    """The sentences of a one-document CoNLL file: (token, tag) lines between blank lines."""
    assert conll.startswith(DOCSTART + "\n\n")
    body = conll[len(DOCSTART) + 2:]
    return [[(line.split("\t")[0], line.split("\t")[1]) for line in block.split("\n")]
            for block in body.split("\n\n") if block.strip("\n")]


def iob2_entities(sentences: list[list[tuple[str, str]]]) -> set[tuple[int, int, str]]:
    """Entities as token ranges ``(first, stop, label)``, read as seqeval reads IOB2 (an entity
    never runs over a sentence break)."""
    found: set[tuple[int, int, str]] = set()
    index = 0
    for sentence in sentences:
        current: tuple[int, str] | None = None
        for _, tag in sentence:
            inside = tag.startswith("I-") and current is not None and current[1] == tag[2:]
            if current is not None and not inside:
                found.add((current[0], index, current[1]))
                current = None
            if tag != "O" and current is None:
                current = (index, tag[2:])
            index += 1
        if current is not None:
            found.add((current[0], index, current[1]))
    return found


def test_conll_keeps_an_entity_across_a_sentence_break_in_one_sentence() -> None:
    text = "Офис Apple Inc. Russia открылся.\n"
    doc = make_doc("o", text, status="reviewed", spans=[accepted(text, 5, 22, "ORG")])
    written = write_conll([doc])
    assert written.problems == []
    assert written.notes == ["document 'o': span 5..22 ORG 'Apple Inc. Russia' crosses a sentence "
                             "break; its sentences are written as one."]
    assert written.data.decode() == (
        f"{DOCSTART}\n\n"
        "Офис\tO\nApple\tB-ORG\nInc\tI-ORG\n.\tI-ORG\nRussia\tI-ORG\nоткрылся\tO\n.\tO\n\n"
    )


def test_conll_still_breaks_sentences_outside_entities() -> None:
    text = "Офис Apple Inc. Russia открылся. Анна пришла."
    doc = make_doc("o", text, status="reviewed", spans=[accepted(text, 5, 22, "ORG", 1),
                                                       accepted(text, 33, 37, "PER", 2)])
    sentences = blocks(write_conll([doc]).data.decode())
    assert [[t for t, _ in s] for s in sentences] == [
        ["Офис", "Apple", "Inc", ".", "Russia", "открылся", "."], ["Анна", "пришла", "."]]


SENTENCE_PIECES = ["Анна", "Борис", "Apple", "Inc.", "ООО", "т.е.", "ул.", "Москва", ".", "!",
                   "?", " ", " ", " ", "\n", "\r\n", "\u00a0", "«", "»", "1.", "😀"]


@st.composite
def sentence_documents(draw: st.DrawFn) -> Document:
    text = "".join(draw(st.lists(st.sampled_from(SENTENCE_PIECES), min_size=1, max_size=40)))
    toks = tokens(text)
    spans: list[Span] = []
    free = 0
    for k in range(draw(st.integers(0, 5))):
        if free >= len(toks):
            break
        i = draw(st.integers(free, len(toks) - 1))
        j = draw(st.integers(i, min(len(toks) - 1, i + 5)))
        spans.append(accepted(text, toks[i].start, toks[j].stop,
                              draw(st.sampled_from(["PER", "ORG"])), k + 1))
        free = j + 1
    return make_doc("c", text, status="reviewed", spans=spans)


@PROPERTY
@given(sentence_documents())
def test_conll_entities_read_back_as_written_over_any_sentence_breaks(doc: Document) -> None:
    written = write_conll([doc])
    assert written.problems == []
    sentences = blocks(written.data.decode())
    toks = tokens(doc.text)
    assert [t for s in sentences for t, _ in s] == [t.text for t in toks]
    expected = set()
    for span in doc.spans:
        first = next(n for n, t in enumerate(toks) if t.start == span.start)
        stop = next(n for n, t in enumerate(toks) if t.stop == span.stop) + 1
        expected.add((first, stop, span.label))
    assert iob2_entities(sentences) == expected


def test_json_lines_read_as_label_studio_says_what_it_looks_like(tmp_path: Path) -> None:
    lines = tmp_path / "p.jsonl"
    lines.write_text('{"id": "a", "text": "Анна.", "entities": []}\n'
                     '{"id": "b", "text": "Пётр.", "entities": []}\n', encoding="utf-8")
    one_sentence(run("import", str(lines), "--format", "label-studio", "--store",
                     str(tmp_path / "s")), 1,
                 "looks like JSON Lines (one record per line), not a Label Studio export",
                 "try --format jsonl")
    assert not (tmp_path / "s").exists()

"""Round trips: writing documents in a format and reading them back gives the same spans.

Texts mix Cyrillic, no-break spaces, CRLF, emoji and other characters outside the BMP (two UTF-16
code units each: doccano offsets differ from ours after them; Label Studio counts code points, as
we do); spans are random, adjacent, nested and overlapping, and may carry two labels on one range.
"""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.formats.brat import brat_files, parse_ann
from annotator.core.formats.common import ImportedDoc, ReadResult, check_doc, one_line
from annotator.core.formats.registry import export_bytes, parse_text
from annotator.core.model import DOC_STATUSES, DecisionKind, Document, Span, SpanState

PIECES = (
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЖЯabcXYZ019.,;:!?«»()-—\"'\\/")
    + [" ", " ", "\u00a0", "\r\n", "\n", "\r", "\t", "😀", "𝔸", "🏛️", "👩‍👩‍👧", "\u2028", "\u200b"]
)
LABELS = ["PER", "LOC", "ORG", "GEO_POL", "Тип"]
NORMALS = st.none() | st.text(alphabet="абвгд ЁЖ😀xyz-\t\n", min_size=1, max_size=8)


@st.composite
def documents(draw: st.DrawFn) -> list[Document]:
    docs: list[Document] = []
    for n in range(draw(st.integers(1, 3))):
        text = "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40)))
        spans: list[Span] = []
        seen: set[tuple[int, int, str]] = set()
        for k in range(draw(st.integers(0, 8))):
            start = draw(st.integers(0, len(text) - 1))
            stop = draw(st.integers(start + 1, min(len(text), start + 12)))
            label = draw(st.sampled_from(LABELS))
            if (start, stop, label) in seen:
                continue
            seen.add((start, stop, label))
            state: SpanState = draw(st.sampled_from(["accepted", "accepted", "rejected",
                                                     "pending"]))
            decision: DecisionKind | None = {"accepted": "accepted", "rejected": "rejected",
                                             "pending": None}[state]
            spans.append(Span(
                id=f"s{k + 1}", start=start, stop=stop, label=label, text=text[start:stop],
                normal=draw(NORMALS), origin=draw(st.sampled_from(["natasha-1.6.0", "manual"])),
                state=state, decision=decision,
                annotator=None if state == "pending" else "anna",
                time=None if state == "pending" else "2026-11-22T10:00:00Z",
            ))
        docs.append(Document(
            id=f"doc-{n}", source=f"doc-{n}.txt", text=text,
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            status=draw(st.sampled_from(DOC_STATUSES)), spans=spans,
        ))
    return docs


def keys(spans: list[Span], state: str) -> set[tuple[int, int, str]]:
    return {s.key() for s in spans if s.state == state}


def checked(result: ReadResult) -> list[ImportedDoc]:
    """Every read span must pass the same checks the importer applies."""
    assert result.problems == []
    for doc in result.docs:
        assert doc.text is not None
        good, problems = check_doc(doc, doc.text)
        assert problems == []
        assert len(good) == len(doc.spans)
    return result.docs


def read_back(fmt: str, docs: list[Document]) -> list[ImportedDoc]:
    written = export_bytes(fmt, docs, labels=LABELS, created="2026-11-22T10:00:00Z",
                           include_pending=True)
    assert written.problems == []
    return checked(parse_text(fmt, written.data.decode("utf-8"), f"export.{fmt}"))


ROUND = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same_accepted(docs: list[Document], back: list[ImportedDoc]) -> None:
    assert [d.id for d in back] == [d.id for d in docs]
    for doc, got in zip(docs, back, strict=True):
        assert got.text == doc.text
        assert {s.key() for s in got.spans if s.state == "accepted"} == keys(doc.spans, "accepted")


@ROUND
@given(documents())
def test_gold_and_jsonl_keep_everything(docs: list[Document]) -> None:
    for fmt in ("gold", "jsonl"):
        back = read_back(fmt, docs)
        _same_accepted(docs, back)
        for doc, got in zip(docs, back, strict=True):
            assert got.status == doc.status and got.sha256 == doc.sha256
            for state in ("rejected", "pending"):
                assert {s.key() for s in got.spans if s.state == state} == keys(doc.spans, state)
            normals = {(s.key(), s.normal) for s in got.spans if s.state != "rejected"}
            assert normals == {(s.key(), s.normal) for s in doc.spans if s.state != "rejected"}
            decided = {(s.key(), s.state, s.origin, s.annotator, s.time) for s in got.spans}
            assert decided == {(s.key(), s.state, s.origin, s.annotator, s.time)
                               for s in doc.spans}


@ROUND
@given(documents())
def test_spacy_doccano_label_studio_keep_accepted_spans_and_status(docs: list[Document]) -> None:
    for fmt in ("spacy", "doccano", "label-studio"):
        back = read_back(fmt, docs)
        _same_accepted(docs, back)
        for doc, got in zip(docs, back, strict=True):
            assert got.status == doc.status
            assert got.sha256 == doc.sha256


@ROUND
@given(documents())
def test_brat_keeps_accepted_spans_and_normal_forms(docs: list[Document]) -> None:
    files = dict(brat_files(docs))
    back: list[ImportedDoc] = []
    for doc in docs:
        text = files[f"{doc.id}.txt"].decode("utf-8")
        assert text == doc.text  # exact bytes, CRLF and all
        got, problems = parse_ann(doc.id, text, files[f"{doc.id}.ann"].decode("utf-8"), "x.ann")
        assert problems == []
        back.append(got)
    checked(ReadResult(docs=back))
    _same_accepted(docs, back)
    for doc, got in zip(docs, back, strict=True):
        normals = {(s.key(), s.normal) for s in doc.spans if s.state == "accepted"}
        # brat notes hold one line: tabs and line breaks in a normal form become spaces
        assert {(s.key(), s.normal) for s in got.spans} == {
            (k, None if n is None else one_line(n)) for k, n in normals
        }


def test_adjacent_nested_and_doubly_labelled_spans_survive_every_format() -> None:
    text = "Санкт-Петербург 😀\r\nи Москва\u00a0Сити 𝔸."
    ranges = [(0, 5, "LOC"), (5, 15, "ORG"), (0, 15, "LOC"), (0, 15, "GEO_POL"),
              (16, 17, "PER"), (22, 33, "LOC"), (22, 28, "LOC"), (28, 29, "ORG"), (34, 35, "Тип")]
    spans = [Span(id=f"s{n}", start=a, stop=b, label=label, text=text[a:b], state="accepted",
                  decision="accepted", normal=text[a:b].upper())
             for n, (a, b, label) in enumerate(ranges, start=1)]
    doc = Document(id="spb", source="spb.txt", text=text, status="reviewed", spans=spans,
                   sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    for fmt in ("gold", "jsonl", "spacy", "doccano", "label-studio"):
        _same_accepted([doc], read_back(fmt, [doc]))
    files = dict(brat_files([doc]))
    back, problems = parse_ann("spb", text, files["spb.ann"].decode("utf-8"), "spb.ann")
    assert problems == []
    _same_accepted([doc], [back])

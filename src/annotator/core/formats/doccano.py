"""doccano sequence-labeling JSON Lines: ``{"id", "text", "label": [[start, end, "PER"], ...]}``.

**Offsets in this format are UTF-16 code units**, as doccano's browser front end counts them: a
character outside the Basic Multilingual Plane (an emoji, ``𝔸``) counts 2, so every offset after it
is one larger than the code-point offset annotator uses. The writer converts code points to UTF-16;
the reader converts back (an offset that falls between the two halves of such a character is
reported and the span left out).

Written records carry the accepted spans, plus ``sha256`` and ``status`` (doccano keeps unknown
keys as metadata). The reader also takes doccano's newer ``"entities": [{"start_offset",
"end_offset", "label"}]`` shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    ReadResult,
    Utf16,
    Where,
    Written,
    as_list,
    as_object,
    doc_id_of,
    dumps_line,
    get_int,
    get_str,
    inside_pair,
    jsonl_records,
    opt_str,
    sha256_of,
    status_or_none,
)
from annotator.core.model import Document


def record(doc: Document) -> dict[str, Any]:
    utf16 = Utf16(doc.text)
    labels = sorted(
        (utf16.to_utf16(s.start), utf16.to_utf16(s.stop), s.label)
        for s in doc.spans if s.state == "accepted"
    )
    return {"id": doc.id, "text": doc.text, "label": [list(t) for t in labels],
            "sha256": doc.sha256, "status": doc.status}


def write_doccano(docs: Sequence[Document]) -> Written:
    return Written("".join(dumps_line(record(d)) + "\n" for d in docs).encode("utf-8"))


def _triples(item: Mapping[str, Any], where: Where) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    if item.get("label") is not None or item.get("labels") is not None:
        key = "label" if item.get("label") is not None else "labels"
        for n, raw in enumerate(as_list(item[key], where, f"{key!r}")):
            triple = as_list(raw, where, f"{key}[{n}]")
            if len(triple) != 3:
                where.fail(f"{key}[{n}] should be [start, end, label]")
            obj = {"start": triple[0], "end": triple[1], "label": triple[2]}
            what = f"{key}[{n}]"
            out.append((get_int(obj, ("start",), where, what), get_int(obj, ("end",), where, what),
                        get_str(obj, ("label",), where, what)))
    for n, raw in enumerate(as_list(item.get("entities") or [], where, "'entities'")):
        what = f"entities[{n}]"
        entity = as_object(raw, where, what)
        out.append((get_int(entity, ("start_offset", "start"), where, what),
                    get_int(entity, ("end_offset", "end"), where, what),
                    get_str(entity, ("label",), where, what)))
    return out


def read_record(obj: Any, where: Where) -> tuple[ImportedDoc, list[str]]:
    item = as_object(obj, where, "the line")
    text = get_str(item, ("text", "data"), where, "the record")
    doc_id = doc_id_of(item["id"], where, "the record") if item.get("id") is not None \
        else sha256_of(text)[:16]
    utf16 = Utf16(text)
    spans: list[ImportedSpan] = []
    problems: list[str] = []
    for start16, stop16, label in _triples(item, where):
        start, stop = utf16.from_utf16(start16), utf16.from_utf16(stop16)
        if start is None or stop is None:
            problems.append(inside_pair(doc_id, start16, stop16))
            continue
        spans.append(ImportedSpan(start, stop, label, state="accepted"))
    doc = ImportedDoc(
        id=doc_id,
        text=text,
        sha256=opt_str(item, ("sha256",), where, "the record"),
        status=status_or_none(item.get("status")),
        spans=spans,
    )
    return doc, problems


def parse_doccano(raw: str, name: str) -> ReadResult:
    result = ReadResult()
    for where, obj in jsonl_records(raw, name):
        doc, problems = read_record(obj, where)
        result.docs.append(doc)
        result.problems.extend(problems)
    return result

"""Label Studio JSON: a list of tasks for a ``<Labels name="label" toName="text">`` config.

Each task: ``data`` (``text``, and our ``id``, ``source``, ``sha256``, ``status``, ``meta``), one
entry in ``annotations`` whose ``result`` holds the accepted spans, and one entry in
``predictions`` per extractor (``model_version`` = the span origin, e.g. ``natasha-1.6.0``) with
what that extractor proposed — its original label and bounds, whatever the reviewer decided.

**Offsets in this format are UTF-16 code units**, as Label Studio's browser front end counts them:
a character outside the Basic Multilingual Plane (an emoji, ``𝔸``) counts 2. The writer converts
annotator's code-point offsets to UTF-16; the reader converts back (an offset that falls between the
two halves of such a character is reported and the span left out).

The reader takes the first annotation of a task that was not cancelled (older exports call them
``completions``); predictions are not read back.
"""

from __future__ import annotations

import json
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
    get_int,
    get_str,
    inside_pair,
    opt_str,
    parse_json,
    sha256_of,
    status_or_none,
    str_meta,
)
from annotator.core.model import Document, Span

FROM_NAME = "label"
TO_NAME = "text"


def _region(region_id: str, utf16: Utf16, text: str, start: int, stop: int,
            label: str) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {
            "start": utf16.to_utf16(start),
            "end": utf16.to_utf16(stop),
            "text": text[start:stop],
            "labels": [label],
        },
    }


def _order(span: Span) -> tuple[int, int, str, str]:
    return (span.start, span.stop, span.label, span.id)


def task(doc: Document) -> dict[str, Any]:
    utf16 = Utf16(doc.text)
    spans = sorted(doc.spans, key=_order)
    result = [_region(s.id, utf16, doc.text, s.start, s.stop, s.label)
              for s in spans if s.state == "accepted"]
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for s in spans:
        if not s.is_model:
            continue
        start = s.original_start if s.original_start is not None else s.start
        stop = s.original_stop if s.original_stop is not None else s.stop
        label = s.original_label or s.label
        by_origin.setdefault(s.origin, []).append(
            _region(f"{s.id}-p", utf16, doc.text, start, stop, label)
        )
    return {
        "data": {"text": doc.text, "id": doc.id, "source": doc.source, "sha256": doc.sha256,
                 "status": doc.status, "meta": dict(doc.meta)},
        "annotations": [{"result": result}],
        "predictions": [{"model_version": origin, "result": regions}
                        for origin, regions in sorted(by_origin.items())],
    }


def write_label_studio(docs: Sequence[Document]) -> Written:
    tasks = [task(d) for d in docs]
    return Written((json.dumps(tasks, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _annotation(item: Mapping[str, Any], where: Where, what: str) -> list[Any]:
    """The result list of the first annotation that was not cancelled (empty if none)."""
    key = "annotations" if item.get("annotations") is not None else "completions"
    for n, raw in enumerate(as_list(item.get(key) or [], where, f"{what} {key}")):
        annotation = as_object(raw, where, f"{what} {key}[{n}]")
        if not annotation.get("was_cancelled"):
            return as_list(annotation.get("result") or [], where, f"{what} {key}[{n}] result")
    return []


def read_task(raw: Any, where: Where, index: int) -> tuple[ImportedDoc, list[str]]:
    what = f"task {index}"
    item = as_object(raw, where, what)
    data = as_object(item.get("data"), where, f"{what} data")
    text = get_str(data, ("text",), where, f"{what} data")
    if data.get("id") is not None:
        doc_id = doc_id_of(data["id"], where, f"{what} data")
    elif item.get("id") is not None:
        doc_id = doc_id_of(item["id"], where, what)
    else:
        doc_id = sha256_of(text)[:16]
    utf16 = Utf16(text)
    spans: list[ImportedSpan] = []
    problems: list[str] = []
    for n, region_raw in enumerate(_annotation(item, where, what)):
        region = as_object(region_raw, where, f"{what} result[{n}]")
        value = region.get("value")
        if not isinstance(value, dict) or "labels" not in value:
            continue  # choices, text areas, relations: not spans
        start16 = get_int(value, ("start",), where, f"{what} result[{n}] value")
        stop16 = get_int(value, ("end",), where, f"{what} result[{n}] value")
        start, stop = utf16.from_utf16(start16), utf16.from_utf16(stop16)
        if start is None or stop is None:
            problems.append(inside_pair(doc_id, start16, stop16))
            continue
        surface = opt_str(value, ("text",), where, f"{what} result[{n}] value")
        for label in as_list(value["labels"], where, f"{what} result[{n}] labels"):
            if not isinstance(label, str):
                where.fail(f"{what} result[{n}] has label {label!r}, which is not a string")
            spans.append(ImportedSpan(start, stop, label, text=surface, state="accepted"))
    source = data.get("source")
    sha = data.get("sha256")
    doc = ImportedDoc(
        id=doc_id,
        text=text,
        sha256=sha if isinstance(sha, str) else None,
        status=status_or_none(data.get("status")),
        spans=spans,
        source=source if isinstance(source, str) else None,
        meta=str_meta(data.get("meta"), where, what) if isinstance(data.get("meta"), dict) else {},
    )
    return doc, problems


def parse_label_studio(raw: str, name: str) -> ReadResult:
    where = Where(name)
    tasks = parse_json(raw, where)
    if isinstance(tasks, dict):
        tasks = [tasks]
    result = ReadResult()
    for index, item in enumerate(as_list(tasks, where, "the file")):
        doc, problems = read_task(item, where, index)
        result.docs.append(doc)
        result.problems.extend(problems)
    return result

"""Label Studio JSON: a list of tasks for a ``<Labels name="label" toName="text">`` config.

Each task: ``data`` (``text``, and our ``id``, ``source``, ``sha256``, ``status``, ``meta``), one
entry in ``annotations`` whose ``result`` holds the accepted spans, and one entry in
``predictions`` per extractor (``model_version`` = the span origin, e.g. ``natasha-1.6.0``) with
what that extractor proposed — its original label and bounds, whatever the reviewer decided.

**Offsets in this format are code points**, as in annotator: Label Studio's Text tag has counted
``value.start``/``value.end`` in code points since 2022 (label-studio#1559,
label-studio-frontend#308; its own test "Should calculate offsets by code points in text" puts
``test`` at 21..25 in ``"🐱 Warning: This is a test text"``), so a character outside the Basic
Multilingual Plane (an emoji, ``𝔸``) counts 1. The writer writes annotator's offsets as they are.
Exports from older Label Studio versions counted UTF-16 code units (such a character counts 2):
when a region's code-point reading does not give its ``value.text`` but the UTF-16 reading does,
the reader takes the UTF-16 one. (doccano, unlike Label Studio, still counts UTF-16.)

The reader takes the first annotation of a task that was not cancelled (older exports call them
``completions``); predictions are not read back. A task with no annotation that was not cancelled
and no ``data.status`` of ours is ``unreviewed`` (nobody annotated it). A task without ``data`` or
without ``annotations``/``completions`` — a doccano or gold file, or Label Studio tasks to be
annotated, read with the wrong ``--format`` — stops the reading with one sentence naming it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from annotator.core.errors import FormatError
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
    format_hint,
    get_int,
    get_str,
    json_lines_hint,
    opt_str,
    parse_json,
    sha256_of,
    status_or_none,
    str_meta,
)
from annotator.core.model import Document, Span

FROM_NAME = "label"
TO_NAME = "text"


def _region(region_id: str, text: str, start: int, stop: int, label: str) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {"start": start, "end": stop, "text": text[start:stop], "labels": [label]},
    }


def _order(span: Span) -> tuple[int, int, str, str]:
    return (span.start, span.stop, span.label, span.id)


def task(doc: Document) -> dict[str, Any]:
    spans = sorted(doc.spans, key=_order)
    result = [_region(s.id, doc.text, s.start, s.stop, s.label)
              for s in spans if s.state == "accepted"]
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for s in spans:
        if not s.is_model:
            continue
        start = s.original_start if s.original_start is not None else s.start
        stop = s.original_stop if s.original_stop is not None else s.stop
        label = s.original_label or s.label
        by_origin.setdefault(s.origin, []).append(
            _region(f"{s.id}-p", doc.text, start, stop, label)
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


def _annotation(item: Mapping[str, Any], where: Where, what: str) -> list[Any] | None:
    """The result list of the first annotation that was not cancelled (None if none)."""
    key = "annotations" if item.get("annotations") is not None else "completions"
    if item.get(key) is None:
        only = " (only 'predictions', which annotator does not read)" \
            if item.get("predictions") is not None else ""
        where.fail(f"{what} has no 'annotations'{only}, so it is not an exported Label Studio "
                   "task")
    for n, raw in enumerate(as_list(item[key], where, f"{what} {key}")):
        annotation = as_object(raw, where, f"{what} {key}[{n}]")
        if not annotation.get("was_cancelled"):
            return as_list(annotation.get("result") or [], where, f"{what} {key}[{n}] result")
    return None


def _fits(text: str, start: int | None, stop: int | None, surface: str) -> bool:
    return start is not None and stop is not None and 0 <= start < stop <= len(text) \
        and text[start:stop] == surface


def _bounds(text: str, start: int, stop: int, surface: str | None,
            utf16: list[Utf16]) -> tuple[int, int]:
    """A region's code-point bounds: as given, unless only their UTF-16 reading (an export from
    Label Studio before 2022) gives the region's surface text. ``utf16``: built once per task."""
    if surface is None or _fits(text, start, stop, surface):
        return start, stop
    if not utf16:
        utf16.append(Utf16(text))
    start16, stop16 = utf16[0].from_utf16(start), utf16[0].from_utf16(stop)
    if start16 is not None and stop16 is not None and _fits(text, start16, stop16, surface):
        return start16, stop16
    return start, stop


def read_task(raw: Any, where: Where, index: int) -> ImportedDoc:
    what = f"task {index}"
    item = as_object(raw, where, what)
    if not isinstance(item.get("data"), dict):
        where.fail(f"{what} has no 'data' object, so it is not a Label Studio task"
                   f"{format_hint(item, but='label-studio')}")
    data = as_object(item.get("data"), where, f"{what} data")
    text = get_str(data, ("text",), where, f"{what} data")
    if data.get("id") is not None:
        doc_id = doc_id_of(data["id"], where, f"{what} data")
    elif item.get("id") is not None:
        doc_id = doc_id_of(item["id"], where, what)
    else:
        doc_id = sha256_of(text)[:16]
    utf16: list[Utf16] = []
    spans: list[ImportedSpan] = []
    result = _annotation(item, where, what)
    for n, region_raw in enumerate(result or []):
        region = as_object(region_raw, where, f"{what} result[{n}]")
        value = region.get("value")
        if not isinstance(value, dict) or "labels" not in value:
            continue  # choices, text areas, relations: not spans
        surface = opt_str(value, ("text",), where, f"{what} result[{n}] value")
        start, stop = _bounds(
            text,
            get_int(value, ("start",), where, f"{what} result[{n}] value"),
            get_int(value, ("end",), where, f"{what} result[{n}] value"),
            surface, utf16,
        )
        for label in as_list(value["labels"], where, f"{what} result[{n}] labels"):
            if not isinstance(label, str):
                where.fail(f"{what} result[{n}] has label {label!r}, which is not a string")
            spans.append(ImportedSpan(start, stop, label, text=surface, state="accepted"))
    source = data.get("source")
    sha = data.get("sha256")
    status = status_or_none(data.get("status"))
    return ImportedDoc(
        id=doc_id,
        text=text,
        sha256=sha if isinstance(sha, str) else None,
        status=status if status is not None or result is not None else "unreviewed",
        spans=spans,
        source=source if isinstance(source, str) else None,
        meta=str_meta(data.get("meta"), where, what) if isinstance(data.get("meta"), dict) else {},
    )


def parse_label_studio(raw: str, name: str) -> ReadResult:
    where = Where(name)
    try:
        tasks = parse_json(raw, where)
    except FormatError:
        hint = json_lines_hint(raw, name, what="a Label Studio export")
        if hint is not None:  # JSON Lines given as Label Studio: say so
            raise FormatError(hint) from None
        raise
    if isinstance(tasks, dict):
        tasks = [tasks]
    result = ReadResult()
    for index, item in enumerate(as_list(tasks, where, "the file")):
        result.docs.append(read_task(item, where, index))
    return result

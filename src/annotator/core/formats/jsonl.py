"""JSON Lines: one document a line.

Written lines are gold documents (the same fields as in the gold format, ``pending`` only with
``--include-unreviewed``). Read lines are more tolerant, to take other extractors' output as is:
``{"id", "sha256"?, "text"?, "status"?, "entities" | "spans": [{"start", "stop" | "end",
"label" | "type", "text"?, "normal"?}], "rejected"?, "pending"?}`` — natasha's, spaCy's and our own
shapes. Offsets are code points (Python string indices).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    PlainDoc,
    PlainSpan,
    ReadResult,
    Where,
    Written,
    as_list,
    as_object,
    doc_id_of,
    dumps_line,
    get_int,
    get_str,
    jsonl_records,
    opt_str,
    status_or_none,
    str_meta,
)

if TYPE_CHECKING:
    from annotator.core.model import Document, SpanState

_LISTS: tuple[tuple[str, SpanState], ...] = (
    ("entities", "accepted"),
    ("spans", "accepted"),
    ("rejected", "rejected"),
    ("pending", "pending"),
)


def write_jsonl(docs: Sequence[Document | Mapping[str, Any]], *, include_pending: bool
                ) -> Written:
    """Gold documents, one a line (``docs``: models, or plain data as Store.get_data gives)."""
    from annotator.core.formats.gold import as_data, gold_record  # pydantic: only to write

    lines = [
        dumps_line(gold_record(as_data(d), include_pending=include_pending)) + "\n"
        for d in docs
    ]
    return Written("".join(lines).encode("utf-8"))


def read_span(obj: Any, where: Where, what: str, state: SpanState) -> ImportedSpan:
    item = as_object(obj, where, what)
    start = get_int(item, ("start",), where, what)
    stop = get_int(item, ("stop", "end"), where, what)
    label = get_str(item, ("label", "type"), where, what)
    return ImportedSpan(
        start,
        stop,
        label,
        text=opt_str(item, ("text",), where, what),
        normal=opt_str(item, ("normal",), where, what),
        state=state,
        decision="rejected" if state == "rejected" else opt_str(item, ("decision",), where, what),
        origin=opt_str(item, ("origin",), where, what),
        annotator=opt_str(item, ("annotator",), where, what),
        time=opt_str(item, ("time",), where, what),
    )


def read_record(obj: Mapping[str, Any], where: Where) -> ImportedDoc:
    """One line's document."""
    sha256 = opt_str(obj, ("sha256",), where, "the document")
    if "id" in obj:
        doc_id = doc_id_of(obj["id"], where, "the document")
    elif sha256:
        doc_id = sha256
    else:
        where.fail("the document has neither an \"id\" nor a \"sha256\"")
    spans: list[ImportedSpan] = []
    for key, state in _LISTS:
        if obj.get(key) is None:
            continue
        for n, item in enumerate(as_list(obj[key], where, f"{key!r}")):
            spans.append(read_span(item, where, f"{key}[{n}]", state))
    return ImportedDoc(
        id=doc_id,
        text=opt_str(obj, ("text",), where, "the document"),
        sha256=sha256,
        status=status_or_none(obj.get("status")),
        spans=spans,
        source=opt_str(obj, ("source",), where, "the document"),
        meta=str_meta(obj.get("meta"), where, "the document"),
        flags=_flags(obj.get("flags"), where),
        comment=opt_str(obj, ("comment",), where, "the document"),
    )


def _flags(value: Any, where: Where) -> list[str] | None:
    """A document's ``flags``: a list of strings, or None when the line has none."""
    if value is None:
        return None
    flags = as_list(value, where, "'flags'")
    for flag in flags:
        if not isinstance(flag, str):
            where.fail(f"the document has a flag {flag!r}, which is not a string")
    return flags


def parse_jsonl(raw: str, name: str) -> ReadResult:
    result = ReadResult()
    for where, obj in jsonl_records(raw, name):
        result.docs.append(read_record(as_object(obj, where, "the line"), where))
    return result


_OPTIONAL_SPAN_STR = ("text", "normal", "decision", "origin", "annotator", "time")


def plain_jsonl(raw: str) -> list[PlainDoc] | None:
    """The documents of JSON Lines text as plain data (accepted spans: ``entities`` and
    ``spans``), for ``evaluate``, when every line passes the checks :func:`read_record` makes
    (each value of its exact type); else None, and :func:`parse_jsonl` reads it and words the
    error. Rejected and pending spans are checked and left out."""
    docs: list[PlainDoc] = []
    loads = orjson.loads
    for line in raw.split("\n"):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except orjson.JSONDecodeError:
            return None
        if type(obj) is not dict:
            return None
        get = obj.get
        sha256, text, source, meta = get("sha256"), get("text"), get("source"), get("meta")
        if (sha256 is not None and type(sha256) is not str) \
                or (text is not None and type(text) is not str) \
                or (source is not None and type(source) is not str) \
                or (meta is not None and type(meta) is not dict):
            return None
        if "id" in obj:
            doc_id = obj["id"]
            if type(doc_id) is int:
                doc_id = str(doc_id)
            elif type(doc_id) is not str or not doc_id.strip():
                return None
        elif sha256:
            doc_id = sha256
        else:
            return None
        spans: list[PlainSpan] = []
        for key, _state in _LISTS:
            items = get(key)
            if items is None:
                continue
            if type(items) is not list:
                return None
            accepted = key in ("entities", "spans")
            for item in items:
                if type(item) is not dict:
                    return None
                start = item.get("start")
                stop = item["stop"] if "stop" in item else item.get("end")
                label = item.get("label")
                if label is None:
                    label = item.get("type")
                if type(start) is not int or type(stop) is not int or type(label) is not str:
                    return None
                for name in _OPTIONAL_SPAN_STR:
                    value = item.get(name)
                    if value is not None and type(value) is not str:
                        return None
                if accepted:
                    spans.append((start, stop, label, item.get("text")))
        docs.append(PlainDoc(doc_id, text, sha256, spans))
    return docs

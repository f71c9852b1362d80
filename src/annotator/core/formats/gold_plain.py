"""Reading a gold file as plain data, without pydantic: the strict checks the gold models make,
as type tests on parsed JSON, for the bulk readers (``evaluate``, the fast import path).

A value these checks accept is certainly valid for :class:`~annotator.core.formats.gold.GoldFile`
(every field of the models, of its exact type, nothing else; tests keep the key sets equal to the
models' fields and the value sets to the model's literals); anything else is left to the models,
which word the error. Importing this module does not import pydantic (``evaluate``'s start-up).
Values parsed by orjson never hold a lone surrogate (orjson refuses ``"\\ud800"``; the readers
then parse with ``common.parse_json``, which refuses it with one sentence), so no check here.
"""

from __future__ import annotations

import mmap
from typing import Any

import orjson

from annotator.core.formats.common import PlainDoc, PlainSpan

FORMAT = "annotator.gold"
VERSION = 1

FILE_KEYS = frozenset(("format", "version", "created", "labels", "documents"))
DOC_KEYS = frozenset(("id", "source", "sha256", "text", "status", "meta", "flags", "comment",
                      "entities", "rejected", "pending"))
DOC_REQUIRED = frozenset(("id", "source", "sha256", "text", "status"))
ENTITY_KEYS = frozenset(("start", "stop", "label", "text", "normal", "origin", "decision",
                         "annotator", "time"))
REJECTED_KEYS = frozenset(("start", "stop", "label", "text", "origin", "annotator", "time"))
PENDING_KEYS = frozenset(("start", "stop", "label", "text", "normal", "origin"))
SPAN_REQUIRED = frozenset(("start", "stop", "label", "text"))
STATUSES = frozenset(("unreviewed", "in_progress", "reviewed", "ignored"))
DECISIONS = frozenset(("accepted", "relabeled", "adjusted", "added", "rejected", None))
_OPTIONAL_STR = (str, type(None))


def spans_ok(items: Any, keys: frozenset[str]) -> bool:
    """Each item is a span object of the model with these ``keys``: the required ones of their
    types, the others a string or null (``decision`` one of its values)."""
    if type(items) is not list:
        return False
    for item in items:
        if type(item) is not dict or not SPAN_REQUIRED <= item.keys() <= keys \
                or type(item["start"]) is not int or type(item["stop"]) is not int \
                or type(item["label"]) is not str or type(item["text"]) is not str:
            return False
        for key, val in item.items():
            if key not in SPAN_REQUIRED and type(val) not in _OPTIONAL_STR:
                return False
        if item.get("decision") not in DECISIONS:
            return False
    return True


def file_ok(value: Any) -> bool:
    """The file object's own fields are certainly valid for :class:`GoldFile` (its documents
    are checked by :func:`document_fields_ok` and their entities apart)."""
    return type(value) is dict and value.keys() == FILE_KEYS and value["format"] == FORMAT \
        and type(value["version"]) is int and value["version"] == VERSION \
        and type(value["created"]) is str and type(value["labels"]) is list \
        and all(type(label) is str for label in value["labels"]) \
        and type(value["documents"]) is list


def document_fields_ok(doc: Any) -> bool:
    """A document object's own fields, its rejected and its pending spans are certainly valid
    for :class:`GoldDocument` (its entities are checked apart)."""
    if type(doc) is not dict or not DOC_REQUIRED <= doc.keys() <= DOC_KEYS:
        return False
    meta = doc.get("meta", {})
    pending = doc.get("pending")
    flags = doc.get("flags")
    comment = doc.get("comment")
    return type(doc["id"]) is str \
        and (flags is None or (type(flags) is list and all(type(f) is str for f in flags))) \
        and (comment is None or type(comment) is str) and type(doc["source"]) is str \
        and type(doc["sha256"]) is str and type(doc["text"]) is str \
        and type(doc["status"]) is str and doc["status"] in STATUSES \
        and type(meta) is dict and all(type(v) is str for v in meta.values()) \
        and spans_ok(doc.get("rejected", []), REJECTED_KEYS) \
        and (pending is None or spans_ok(pending, PENDING_KEYS))


def checked_documents(value: Any) -> list[dict[str, Any]] | None:
    """The document objects of a parsed gold file when it is certainly valid for the models
    (strict: exact types, no other keys), else None (then the models decide, and word the
    error). Used by the gold reader's fast path (``gold._fast_gold``); :func:`plain_document`
    makes the same checks document by document."""
    if not file_ok(value):
        return None
    for doc in value["documents"]:
        if not document_fields_ok(doc) or not spans_ok(doc.get("entities", []), ENTITY_KEYS):
            return None
    documents: list[dict[str, Any]] = value["documents"]
    return documents


def plain_document(doc: Any) -> PlainDoc | None:
    """One document object of a gold file as plain data (its accepted spans as ``(start, stop,
    label, text)``) when :func:`checked_documents` would accept it, else None: the checks and
    the tuples in one pass over its entities."""
    if not document_fields_ok(doc):
        return None
    entities = doc.get("entities", [])
    if type(entities) is not list:
        return None
    spans: list[PlainSpan] = []
    append = spans.append
    for item in entities:
        if type(item) is dict and item.keys() == ENTITY_KEYS:  # every field, as written
            start, stop, label, text = item["start"], item["stop"], item["label"], item["text"]
            decision = item["decision"]
            if type(start) is not int or type(stop) is not int or type(label) is not str \
                    or type(text) is not str or type(item["normal"]) not in _OPTIONAL_STR \
                    or type(item["origin"]) not in _OPTIONAL_STR \
                    or type(item["annotator"]) not in _OPTIONAL_STR \
                    or type(item["time"]) not in _OPTIONAL_STR \
                    or type(decision) not in _OPTIONAL_STR or decision not in DECISIONS:
                return None
        elif spans_ok([item], ENTITY_KEYS):  # some optional field left out
            start, stop, label, text = item["start"], item["stop"], item["label"], item["text"]
        else:
            return None
        append((start, stop, label, text))
    return PlainDoc(doc["id"], doc["text"], doc["sha256"], spans)


LAYOUT_START = b'{\n  "format": "annotator.gold",\n'
"""How a gold file written by ``gold.write_gold`` starts (see :func:`document_pieces`)."""
_LIST_OPENS = b'"documents": [\n'
_DOCUMENTS_GAP = b"\n    },\n    {\n"
_FILE_TAILS = (b"\n  ]\n}\n", b"\n  ]\n}")


def document_pieces(data: bytes | mmap.mmap) -> list[memoryview] | None:
    """The documents of a gold file laid out as ``gold.write_gold`` writes it, each as the bytes
    of its JSON object (to be parsed apart, e.g. in worker processes), when the rest of the file
    is certainly valid (:func:`file_ok`); else None, and the file is read whole.

    Why the pieces are the file's documents: the file is ``H "[" M "]" T`` where ``H + "[]" + T``
    parses to a valid file object whose last key is ``documents`` (T is only the closing brace),
    and ``M`` is cut at each ``"\\n    },\\n    {\\n"`` just after the ``}``, so the pieces
    joined by commas are ``M`` itself. A raw newline never occurs inside a JSON string, so the
    cuts fall between tokens; if every piece parses as one JSON value, ``M`` is the comma-separated
    list of those values and the whole file parses to the file object with them as its
    documents (a cut anywhere else leaves a piece that does not parse, or is not a document
    object, and the caller reads the file whole). Files written by ``gold.write_gold`` have this
    layout (two-space indent, documents last); any other is read whole. ``data``: the file's
    bytes, or the file mapped into memory.
    """
    if data[: len(LAYOUT_START)] != LAYOUT_START:
        return None
    tail = next((tail for tail in _FILE_TAILS if data[-len(tail):] == tail), None)
    opening = data.find(_LIST_OPENS)
    if tail is None or opening < 0:
        return None
    try:
        head = orjson.loads(data[:opening] + b'"documents": []\n}')
    except orjson.JSONDecodeError:
        return None
    if not file_ok(head):
        return None
    begin, end = opening + len(_LIST_OPENS), len(data) - len(tail)
    if begin >= end:
        return None
    whole = memoryview(data)
    pieces: list[memoryview] = []
    gap = data.find(_DOCUMENTS_GAP, begin, end)
    while gap >= 0:
        pieces.append(whole[begin : gap + 6])  # through the closing brace
        begin = gap + 7  # after the comma
        gap = data.find(_DOCUMENTS_GAP, begin, end)
    pieces.append(whole[begin:end])
    return pieces

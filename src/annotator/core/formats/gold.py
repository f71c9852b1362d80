"""The gold JSON format (``annotator.gold`` version 1): the contract extractor projects consume.

The pydantic models below *are* the format: the JSON Schema shipped in
``annotator/core/schema/gold.schema.json`` (printed by ``annotator schema``) is generated from them
with ``model_json_schema()``, and a test keeps the two equal.

Offsets are code points into ``text`` (Python string indices); ``stop`` is exclusive and
``text[start:stop] == text`` of every span, checked on write (a mismatch is a bug and raises) and on
read (a mismatching span is reported and left out). ``entities`` holds the accepted spans sorted by
(start, stop), ``rejected`` the rejected ones, and ``pending`` — only with
``--include-unreviewed`` — the spans nobody decided yet.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from annotator.core.errors import FormatError
from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    ReadResult,
    Where,
    Written,
    parse_json,
    sha256_of,
)
from annotator.core.model import DecisionKind, DocStatus, Document, Span

FORMAT = "annotator.gold"
VERSION = 1
SCHEMA_ID = "https://annotator.invalid/schema/gold-1.json"
SCHEMA_FILE = "schema/gold.schema.json"

_STRICT = ConfigDict(extra="forbid", strict=True)


class GoldEntity(BaseModel):
    """An accepted span: gold."""

    model_config = _STRICT

    start: int = Field(description="Code-point offset of the first character.")
    stop: int = Field(description="Code-point offset just past the last character (exclusive).")
    label: str
    text: str = Field(description="The surface: always equal to the document's text[start:stop].")
    normal: str | None = Field(default=None, description="Normal (lemmatized) form, if known.")
    origin: str | None = Field(
        default=None, description="Who proposed it: an extractor such as natasha-1.6.0, "
        "'manual' for spans added by hand, or import:<name>."
    )
    decision: DecisionKind | None = None
    annotator: str | None = None
    time: str | None = Field(default=None, description="When it was decided (ISO 8601 UTC).")


class GoldRejected(BaseModel):
    """A proposed span the reviewer rejected."""

    model_config = _STRICT

    start: int
    stop: int
    label: str
    text: str
    origin: str | None = None
    annotator: str | None = None
    time: str | None = None


class GoldPending(BaseModel):
    """A proposed span nobody decided yet (exported only with --include-unreviewed)."""

    model_config = _STRICT

    start: int
    stop: int
    label: str
    text: str
    normal: str | None = None
    origin: str | None = None


class GoldDocument(BaseModel):
    """One document: its exact text and the decisions made on it."""

    model_config = _STRICT

    id: str
    source: str = Field(description="Path of the text file, relative to the corpus root.")
    sha256: str = Field(description="Hex SHA-256 of the text encoded as UTF-8.")
    text: str = Field(description="The exact file contents (no newline translation).")
    status: DocStatus
    meta: dict[str, str] = Field(default_factory=dict)
    entities: list[GoldEntity] = Field(default_factory=list)
    rejected: list[GoldRejected] = Field(default_factory=list)
    pending: list[GoldPending] | None = None


class GoldFile(BaseModel):
    """A gold corpus written by ``annotator export --format gold``."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="annotator gold corpus",
    )

    format: Literal["annotator.gold"]
    version: Literal[1]
    created: str = Field(description="When the export was written (ISO 8601 UTC).")
    labels: list[str]
    documents: list[GoldDocument]


def gold_schema() -> dict[str, Any]:
    """The JSON Schema of the gold format, generated from the models."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **GoldFile.model_json_schema()}


def schema_text() -> str:
    """The schema generated now, as it is shipped: indented JSON with a trailing newline."""
    return json.dumps(gold_schema(), ensure_ascii=False, indent=2) + "\n"


def shipped_schema_text() -> str:
    """The schema file shipped in the package (``annotator/core/schema/gold.schema.json``)."""
    return resources.files("annotator.core").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


# -- writing -------------------------------------------------------------------------------------


def _order(span: Span) -> tuple[int, int, str, str]:
    return (span.start, span.stop, span.label, span.id)


def gold_document(doc: Document, *, include_pending: bool) -> GoldDocument:
    """The gold record of a stored document."""
    spans = sorted(doc.spans, key=_order)
    gold = GoldDocument(
        id=doc.id,
        source=doc.source,
        sha256=doc.sha256,
        text=doc.text,
        status=doc.status,
        meta=dict(doc.meta),
        entities=[
            GoldEntity(start=s.start, stop=s.stop, label=s.label, text=s.text, normal=s.normal,
                       origin=s.origin, decision=s.decision, annotator=s.annotator, time=s.time)
            for s in spans if s.state == "accepted"
        ],
        rejected=[
            GoldRejected(start=s.start, stop=s.stop, label=s.label, text=s.text, origin=s.origin,
                         annotator=s.annotator, time=s.time)
            for s in spans if s.state == "rejected"
        ],
        pending=[
            GoldPending(start=s.start, stop=s.stop, label=s.label, text=s.text, normal=s.normal,
                        origin=s.origin)
            for s in spans if s.state == "pending"
        ] if include_pending else None,
    )
    check_gold_document(gold)
    return gold


def check_gold_document(gold: GoldDocument) -> None:
    """Raise :class:`FormatError` unless every span's text is the document's text at its offsets."""
    if sha256_of(gold.text) != gold.sha256:
        raise FormatError(f"document {gold.id!r}: its sha256 does not match its text.")
    spans: list[GoldEntity | GoldRejected | GoldPending] = [
        *gold.entities, *gold.rejected, *(gold.pending or [])
    ]
    for span in spans:
        if not 0 <= span.start < span.stop <= len(gold.text) or \
                gold.text[span.start : span.stop] != span.text:
            raise FormatError(
                f"document {gold.id!r}: span {span.start}..{span.stop} {span.text!r} does not "
                "match the text; nothing was written."
            )


def document_record(gold: GoldDocument) -> dict[str, Any]:
    """A gold document as a JSON object (``pending`` left out unless asked for)."""
    record = gold.model_dump(mode="json")
    if gold.pending is None:
        del record["pending"]
    return record


def write_gold(docs: Sequence[Document], *, labels: Sequence[str], created: str,
               include_pending: bool) -> Written:
    """The gold JSON of ``docs``: indented, UTF-8, non-ASCII kept readable, ending in a newline."""
    body = {
        "format": FORMAT,
        "version": VERSION,
        "created": created,
        "labels": sorted(set(labels)),
        "documents": [
            document_record(gold_document(d, include_pending=include_pending)) for d in docs
        ],
    }
    # orjson's two-space indent gives the same bytes as json.dumps(ensure_ascii=False, indent=2)
    # for these records (no floats), in a tenth of the time: json's pure-Python indenting
    # encoder took ~2.8 s of a 10,000-document export (bench/RESULTS.md).
    return Written(orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")


# -- reading -------------------------------------------------------------------------------------


def _location(err: ValidationError) -> str:
    first = err.errors()[0]
    path = ".".join(str(part) for part in first["loc"])
    return f"{path}: {first['msg']}" if path else str(first["msg"])


def imported_document(gold: GoldDocument) -> ImportedDoc:
    spans = [
        ImportedSpan(e.start, e.stop, e.label, text=e.text, normal=e.normal, state="accepted",
                     decision=e.decision, origin=e.origin, annotator=e.annotator, time=e.time)
        for e in gold.entities
    ]
    spans += [
        ImportedSpan(r.start, r.stop, r.label, text=r.text, state="rejected", decision="rejected",
                     origin=r.origin, annotator=r.annotator, time=r.time)
        for r in gold.rejected
    ]
    spans += [
        ImportedSpan(p.start, p.stop, p.label, text=p.text, normal=p.normal, state="pending",
                     origin=p.origin)
        for p in gold.pending or []
    ]
    return ImportedDoc(gold.id, gold.text, gold.sha256, gold.status, spans, source=gold.source,
                       meta=dict(gold.meta))


def parse_gold(raw: str, where: Where) -> ReadResult:
    """Read a gold file's text; spans are checked against the text later (see common.check_doc)."""
    value = parse_json(raw, where)
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        where.fail(f"is not an annotator gold file (no \"format\": \"{FORMAT}\")")
    version = value.get("version")
    if isinstance(version, int) and version > VERSION:
        where.fail(f"was written by a newer annotator (gold version {version}); upgrade to read it")
    try:
        gold = GoldFile.model_validate(value)
    except ValidationError as err:
        where.fail(f"is not a valid gold file ({_location(err)})")
    return ReadResult(docs=[imported_document(d) for d in gold.documents])

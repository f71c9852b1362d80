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
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from annotator.core.errors import FormatError
from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    PlainDoc,
    ReadResult,
    Where,
    Written,
    json_lines_hint,
    parse_json,
    parse_json_fast,
    sha256_of,
    status_or_none,
)
from annotator.core.formats.gold_plain import FORMAT as FORMAT
from annotator.core.formats.gold_plain import VERSION as VERSION
from annotator.core.formats.gold_plain import checked_documents, file_ok, plain_document
from annotator.core.model import DecisionKind, DocStatus, Document, Span

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
    flags: list[str] | None = Field(
        default=None, description="The reviewer's flags on the document (left out when none).")
    comment: str | None = Field(
        default=None, description="The reviewer's note on the document (left out when none).")
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
        flags=list(doc.flags) or None,
        comment=doc.comment or None,
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
    for key in ("flags", "comment", "pending"):
        if record[key] is None:
            del record[key]
    return record


def gold_record(doc: Mapping[str, Any], *, include_pending: bool) -> dict[str, Any]:
    """The gold record of a document given as plain data (``Document.model_dump()``, or what
    :meth:`~annotator.core.store.Store.get_data` reads): the same dict as
    ``document_record(gold_document(doc))``, built without pydantic. The checks of
    :func:`check_gold_document` are made, with the same messages (FormatError).

    The store's reader has already checked every field's type, so the models' strict validation
    could not fail here; what guards the output is checked again: the sha256 and every span's
    offsets against the text.
    """
    doc_id, text = doc["id"], doc["text"]
    spans = sorted(doc["spans"], key=_order_of_data)
    entities = [
        {"start": s["start"], "stop": s["stop"], "label": s["label"], "text": s["text"],
         "normal": s["normal"], "origin": s["origin"], "decision": s["decision"],
         "annotator": s["annotator"], "time": s["time"]}
        for s in spans if s["state"] == "accepted"
    ]
    rejected = [
        {"start": s["start"], "stop": s["stop"], "label": s["label"], "text": s["text"],
         "origin": s["origin"], "annotator": s["annotator"], "time": s["time"]}
        for s in spans if s["state"] == "rejected"
    ]
    record: dict[str, Any] = {
        "id": doc_id,
        "source": doc["source"],
        "sha256": doc["sha256"],
        "text": text,
        "status": doc["status"],
        "meta": dict(doc["meta"]),
    }
    if doc.get("flags"):
        record["flags"] = list(doc["flags"])
    if doc.get("comment"):
        record["comment"] = doc["comment"]
    record["entities"] = entities
    record["rejected"] = rejected
    checked = [entities, rejected]
    if include_pending:
        record["pending"] = pending = [
            {"start": s["start"], "stop": s["stop"], "label": s["label"], "text": s["text"],
             "normal": s["normal"], "origin": s["origin"]}
            for s in spans if s["state"] == "pending"
        ]
        checked.append(pending)
    if sha256_of(text) != record["sha256"]:
        raise FormatError(f"document {doc_id!r}: its sha256 does not match its text.")
    size = len(text)
    for group in checked:
        for span in group:
            start, stop = span["start"], span["stop"]
            if not 0 <= start < stop <= size or text[start:stop] != span["text"]:
                raise FormatError(
                    f"document {doc_id!r}: span {start}..{stop} {span['text']!r} does not "
                    "match the text; nothing was written."
                )
    return record


def _order_of_data(span: Mapping[str, Any]) -> tuple[int, int, str, str]:
    return (span["start"], span["stop"], span["label"], span["id"])


def as_data(doc: Document | Mapping[str, Any]) -> Mapping[str, Any]:
    """A document as plain data (a model is dumped; plain data is returned as it is)."""
    return doc.model_dump() if isinstance(doc, Document) else doc


_DOCUMENTS_TAIL = b'"documents": []\n}'


_NESTED_HEAD, _NESTED_TAIL = b"[\n  [\n", b"\n  ]\n]"


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One gold document's JSON as it appears inside the gold file: indented by two spaces per
    level, starting at the depth of the ``documents`` list (two levels, four spaces)."""
    # dumped two lists deep, orjson indents it as the whole file's dump would: cut out, it is
    # the record (~20 µs a document; re-indenting a plain dump with bytes.replace took ~23)
    return orjson.dumps([[record]], option=orjson.OPT_INDENT_2)[
        len(_NESTED_HEAD): -len(_NESTED_TAIL)]


def assemble_gold(encoded: Sequence[bytes], *, labels: Sequence[str], created: str) -> bytes:
    """The gold file from its documents encoded by :func:`encode_record`: the same bytes as
    ``orjson.dumps(body, option=OPT_INDENT_2) + b"\\n"`` of the whole body (tested), so the
    documents can be encoded apart (in worker processes) and joined."""
    return b"".join(gold_parts(encoded, labels=labels, created=created))


RECORD_SEPARATOR = b",\n"
"""What comes between two encoded records in the gold file."""
DOCUMENTS_END = b"\n  ]\n}\n"
"""What follows the last record: the end of the ``documents`` list and of the file."""


def gold_head(*, labels: Sequence[str], created: str) -> tuple[bytes, bytes]:
    """The gold file's start when it has documents (up to the first record), and the whole file
    when it has none: what :func:`gold_parts` is made of, for a writer that streams the records
    (``annotator export`` writes them as worker processes finish them)."""
    head = orjson.dumps(
        {"format": FORMAT, "version": VERSION, "created": created,
         "labels": sorted(set(labels)), "documents": []},
        option=orjson.OPT_INDENT_2,
    )
    assert head.endswith(_DOCUMENTS_TAIL)
    return head[: -len(_DOCUMENTS_TAIL)] + b'"documents": [\n', head + b"\n"


def gold_parts(encoded: Sequence[bytes], *, labels: Sequence[str], created: str) -> list[bytes]:
    """:func:`assemble_gold`'s bytes as the pieces that follow each other, not joined (a file
    is written from them directly, see :func:`annotator.core.atomic.write_all`)."""
    opening, empty = gold_head(labels=labels, created=created)
    if not encoded:
        return [empty]
    pieces = [opening]
    for index, record in enumerate(encoded):
        if index:
            pieces.append(RECORD_SEPARATOR)
        pieces.append(record)
    pieces.append(DOCUMENTS_END)
    return pieces


def write_gold(docs: Sequence[Document | Mapping[str, Any]], *, labels: Sequence[str],
               created: str, include_pending: bool) -> Written:
    """The gold JSON of ``docs`` (models, or plain data as :meth:`Store.get_data` gives):
    indented, UTF-8, non-ASCII kept readable, ending in a newline."""
    # orjson's two-space indent gives the same bytes as json.dumps(ensure_ascii=False, indent=2)
    # for these records (no floats), in a tenth of the time: json's pure-Python indenting
    # encoder took ~2.8 s of a 10,000-document export (bench/RESULTS.md).
    encoded = [encode_record(gold_record(as_data(d), include_pending=include_pending))
               for d in docs]
    return Written(assemble_gold(encoded, labels=labels, created=created))


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
                       meta=dict(gold.meta), flags=gold.flags, comment=gold.comment)


def parse_gold(raw: str, where: Where, *, value: Any = None, accepted_only: bool = False
               ) -> ReadResult:
    """Read a gold file's text; spans are checked against the text later (see common.check_doc).

    ``value``: the text already parsed (by ``registry.sniff``, which parsed it to name the
    format), so a 144 MB file is not parsed twice. ``accepted_only``: leave the rejected and
    pending spans out of the result (they are still validated): what ``evaluate`` needs.

    A file the plain checks of :func:`_fast_gold` accept (every field of the models, of its exact
    type, nothing else) is read without pydantic; any other is parsed again with ``json`` and
    validated by the models, which word the error, exactly as before.
    """
    if value is None:
        try:
            value = parse_json_fast(raw, where)
        except FormatError:
            hint = json_lines_hint(raw, where.path)  # JSON Lines given as gold: say so
            if hint is not None:
                raise FormatError(hint) from None
            raise
    docs = _fast_gold(value, accepted_only)
    if docs is not None:
        return ReadResult(docs=docs)
    value = parse_json(raw, where)  # the reference reading (orjson differs on huge integers)
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        where.fail(f"is not an annotator gold file (no \"format\": \"{FORMAT}\")")
    version = value.get("version")
    if isinstance(version, int) and version > VERSION:
        where.fail(f"was written by a newer annotator (gold version {version}); upgrade to read it")
    try:
        gold = GoldFile.model_validate(value)
    except ValidationError as err:
        where.fail(f"is not a valid gold file ({_location(err)})")
    docs = [imported_document(d) for d in gold.documents]
    if accepted_only:
        for doc in docs:
            doc.spans = [span for span in doc.spans if span.state == "accepted"]
    return ReadResult(docs=docs)


def _fast_gold(value: Any, accepted_only: bool) -> list[ImportedDoc] | None:
    """The documents of a parsed gold file when :func:`_checked_documents` accepts it, else
    None."""
    documents = checked_documents(value)
    if documents is None:
        return None
    docs: list[ImportedDoc] = []
    get = dict.get
    for doc in documents:
        spans = [
            ImportedSpan(e["start"], e["stop"], e["label"], e["text"], get(e, "normal"),
                         "accepted", get(e, "decision"), get(e, "origin"), get(e, "annotator"),
                         get(e, "time"))
            for e in doc.get("entities", [])
        ]
        if not accepted_only:
            spans += [
                ImportedSpan(r["start"], r["stop"], r["label"], r["text"], None, "rejected",
                             "rejected", get(r, "origin"), get(r, "annotator"), get(r, "time"))
                for r in doc.get("rejected", [])
            ]
            spans += [
                ImportedSpan(q["start"], q["stop"], q["label"], q["text"], get(q, "normal"),
                             "pending", None, get(q, "origin"))
                for q in doc.get("pending") or []
            ]
        docs.append(ImportedDoc(doc["id"], doc["text"], doc["sha256"],
                                status_or_none(doc["status"]), spans,
                                source=doc["source"], meta=dict(doc.get("meta", {})),
                                flags=get(doc, "flags"), comment=get(doc, "comment")))
    return docs


def plain_gold(value: Any) -> list[PlainDoc] | None:
    """``_fast_gold(value, accepted_only=True)`` as plain data (each document's accepted spans as
    ``(start, stop, label, text)``), for ``evaluate``: the same checks, None when one fails."""
    if not file_ok(value):
        return None
    docs: list[PlainDoc] = []
    for doc in value["documents"]:
        plain = plain_document(doc)
        if plain is None:
            return None
        docs.append(plain)
    return docs



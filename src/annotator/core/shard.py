"""One document's TinyDB file: tables ``document``, ``spans`` and ``events``.

Writes go through TinyDB's ``CachingMiddleware`` over :class:`AtomicJSONStorage`, and each change is
flushed once: one decision is one atomic, fsynced file replacement. A file that cannot be parsed
raises :class:`StoreCorruptError` and is never written over.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage
from tinydb.table import Document as TinyDocument

from annotator.core.atomic import dump_json, write_atomic
from annotator.core.errors import StoreCorruptError
from annotator.core.model import Document, Event, Span

DOC_FIELDS = (
    "id",
    "source",
    "text",
    "sha256",
    "meta",
    "lang",
    "status",
    "flags",
    "comment",
    "extractor",
    "extraction",
    "stale",
    "current_sha256",
)


def recover_hint(path: Path) -> str:
    return (
        f"it was left untouched; restore {path.name} from a backup, or move it aside to start "
        "that document afresh (its decisions would be lost)"
    )


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes in place and refuses to read a damaged file."""

    def __init__(self, path: str, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:  # a folder, no permission, an I/O error: report, never overwrite
            raise StoreCorruptError(
                f"The store file {self.path} cannot be read ({err.strerror}); "
                f"{recover_hint(self.path)}."
            ) from None
        try:
            # orjson, as for writing: half the time of json.loads on a reviewed document's file,
            # which is most of reading a store (an export reads them all). Invalid UTF-8, NaN
            # and nesting deeper than 1,024 are JSONDecodeError (a json.JSONDecodeError) here.
            data = orjson.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
            raise StoreCorruptError(
                f"The store file {self.path} is damaged ({err.__class__.__name__}); "
                f"{recover_hint(self.path)}."
            ) from None
        if not isinstance(data, dict):
            raise StoreCorruptError(
                f"The store file {self.path} does not hold a TinyDB database; "
                f"{recover_hint(self.path)}."
            )
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, dump_json(data), durable=self.durable)

    def close(self) -> None:
        return None


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def shard_name(doc_id: str) -> str:
    """A safe, unique file name for a document id (no separators, no leading dot)."""
    stem = _UNSAFE.sub("_", doc_id).strip("._")[:80] or "doc"
    digest = format(zlib.crc32(doc_id.encode("utf-8")), "08x")
    return f"{stem}-{digest}.json"


@lru_cache(maxsize=1 << 16)
def span_number(span_id: str) -> int:
    """TinyDB document id for a span id ``sN`` (cached: every save of a document sorts all its
    spans by it, 2,000 calls for a large one)."""
    if span_id[:1] == "s" and span_id[1:].isdigit():
        return int(span_id[1:])
    raise StoreCorruptError(f"span id {span_id!r} is not of the form sN")


class Shard:
    """Read and write one document file. Keep one open only while holding the store's write lock."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = path
        self.durable = durable
        self._db: TinyDB | None = None
        self._cache: CachingMiddleware | None = None

    def _open(self) -> TinyDB:
        if self._db is None:
            cache = CachingMiddleware(AtomicJSONStorage)  # type: ignore[no-untyped-call]
            cache.WRITE_CACHE_SIZE = 1_000_000
            self._db = TinyDB(str(self.path), storage=cache, durable=self.durable)
            self._cache = cache
        return self._db

    def load(self, *, events: bool = True) -> tuple[Document, list[Event]]:
        """The document and its event log; StoreCorruptError if the file is damaged.

        ``events=False`` returns no events and leaves the log's rows unvalidated (their keys are
        still checked against their ``seq``): for readers that only need the document, such as
        an export, to which validating the log was half the cost of reading a reviewed document.
        """
        db = self._open()
        try:
            record = db.table("document").get(doc_id=1)
            if record is None:
                raise StoreCorruptError(
                    f"The store file {self.path} has no document record; {recover_hint(self.path)}."
                )
            rows = sorted(db.table("spans").all(), key=lambda row: row.doc_id)
            spans = [Span.model_validate(dict(row)) for row in rows]
            event_rows = db.table("events").all()
            log = [Event.model_validate(dict(row)) for row in event_rows] if events else []
            seqs = [e.seq for e in log] if events else [row["seq"] for row in event_rows]
            doc = Document.model_validate({**dict(record), "spans": spans})
            # a write files rows under the span number and event seq: keys must agree with ids
            if [row.doc_id for row in rows] != [span_number(s.id) for s in spans] or [
                row.doc_id for row in event_rows
            ] != seqs:
                raise ValueError("rows are filed under keys that disagree with their ids")
        except StoreCorruptError:
            self.forget()
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            self.forget()
            raise StoreCorruptError(
                f"The store file {self.path} holds invalid data ({str(err).splitlines()[0]}); "
                f"{recover_hint(self.path)}."
            ) from None
        log.sort(key=lambda e: e.seq)
        return doc, log

    def save(
        self,
        doc: Document,
        *,
        changed: Mapping[str, Span | None] | None = None,
        events: Iterable[Event] = (),
    ) -> None:
        """Write the document record, the changed spans (all when None) and new events, at once."""
        try:
            self._write(doc, changed, events)
        except BaseException:
            self.forget()  # never leave a half-applied change in memory for the next write
            raise

    def _write(
        self, doc: Document, changed: Mapping[str, Span | None] | None, events: Iterable[Event]
    ) -> None:
        db = self._open()
        fields = doc.model_dump(include=set(DOC_FIELDS))
        db.table("document").upsert(TinyDocument(fields, doc_id=1))
        spans = db.table("spans")
        # Many rows change in one or two TinyDB operations, not one each: every operation copies
        # the whole table, so writing a document's n spans one by one cost O(n²) (0.7 s to load
        # 2,000 predictions).
        if changed is None:
            spans.truncate()
            spans.insert_multiple(
                TinyDocument(span.model_dump(), doc_id=span_number(span.id)) for span in doc.spans
            )
        elif len(changed) == 1:  # one decision: the common case
            [(span_id, maybe)] = changed.items()
            number = span_number(span_id)
            if maybe is None:
                if spans.contains(doc_id=number):
                    spans.remove(doc_ids=[number])
            else:
                spans.upsert(TinyDocument(maybe.model_dump(), doc_id=number))
        elif changed:  # many (predictions loaded, accept all, undo): replace them in two steps
            numbers = {span_id: span_number(span_id) for span_id in changed}
            present = {row.doc_id for row in spans.all()}
            replaced = [n for n in numbers.values() if n in present]
            if replaced:
                spans.remove(doc_ids=replaced)
            spans.insert_multiple(
                TinyDocument(span.model_dump(), doc_id=numbers[span_id])
                for span_id, span in changed.items()
                if span is not None
            )
        table = db.table("events")
        for event in events:
            table.insert(TinyDocument(event.model_dump(), doc_id=event.seq))
        if self._cache is not None:
            self._cache.flush()  # type: ignore[no-untyped-call]

    def forget(self) -> None:
        """Drop the in-memory copy (after a failure, or when another process may write)."""
        self._db = None
        self._cache = None


# -- read-only bulk reading -------------------------------------------------------------------

DocData = dict[str, Any]
"""A document as plain data: the fields of ``Document.model_dump()``, spans as dicts."""

_MISSING: Any = object()
_STATUSES = frozenset(("unreviewed", "in_progress", "reviewed", "ignored"))
_EXTRACTIONS = frozenset(("pending", "done", "unsupported"))
_STATES = frozenset(("pending", "accepted", "rejected"))
_DECISIONS = frozenset(("accepted", "relabeled", "adjusted", "added", "rejected"))
_first = itemgetter(0)


def read_document_data(path: Path) -> DocData:
    """The document of a shard as plain data, for bulk readers (export, evaluate): what
    ``Shard(path).load(events=False)[0].model_dump()`` gives, without TinyDB or pydantic.

    The file is parsed once with orjson and checked with plain comparisons: every field has the
    type the model keeps as is, every span fits the text (``text[start:stop]`` is its text, in
    range, not empty, ids unique and of the form ``sN``), rows and events are filed under keys
    that agree with their ids. Anything these checks do not accept as certainly valid is read
    again the slow way, :meth:`Shard.load`, which gives the same document or raises the same
    :class:`StoreCorruptError` (same sentence) as reading it through the store ever did.
    """
    try:
        data = _fast_document_data(orjson.loads(path.read_bytes()))
    except Exception:  # anything odd: the model's own reading decides (and words the error)
        data = None
    if data is None:
        return Shard(path, durable=False).load(events=False)[0].model_dump()
    return data


def _opt_str(row: Mapping[str, Any], key: str) -> str | None:
    """``row[key]`` when it is a string or null (or absent: None); else ValueError."""
    value = row.get(key)
    if value is None or type(value) is str:
        return value
    raise ValueError(key)


def _opt_int(row: Mapping[str, Any], key: str) -> int | None:
    value = row.get(key)
    if value is None or type(value) is int:
        return value
    raise ValueError(key)


_SPAN_FIELDS = (  # Span's fields, in its order; the first five have no default
    "id", "start", "stop", "label", "text", "normal", "origin", "state", "decision",
    "original_label", "original_start", "original_stop", "original_normal", "annotator", "time",
)
_SPAN_KEYS = frozenset(_SPAN_FIELDS)
_SPAN_SIZE = len(_SPAN_FIELDS)
_span_values = itemgetter(*_SPAN_FIELDS)
_NONE = type(None)
_SPAN_TYPES = frozenset(  # the types of a valid span's values, field by field
    (str, int, int, str, str, normal, str, str, decision, original_label, original_start,
     original_stop, original_normal, annotator, time)
    for normal in (str, _NONE)
    for decision in (str, _NONE)
    for original_label in (str, _NONE)
    for original_start in (int, _NONE)
    for original_stop in (int, _NONE)
    for original_normal in (str, _NONE)
    for annotator in (str, _NONE)
    for time in (str, _NONE)
)
_DECISIONS_OR_NONE = frozenset((*_DECISIONS, None))


def _span_row(row: Mapping[str, Any]) -> dict[str, Any] | None:
    """A span row with fields left out (their defaults) or extra ones (ignored), or one written
    before ``original_normal`` existed: the span's fields, or None / an exception when unsure."""
    span_id, start, stop, label, surface = row["id"], row["start"], row["stop"], \
        row["label"], row["text"]
    if type(span_id) is not str or type(start) is not int or type(stop) is not int \
            or type(label) is not str or type(surface) is not str:
        return None
    normal = _opt_str(row, "normal")
    original_normal = _opt_str(row, "original_normal")
    original_start = _opt_int(row, "original_start")
    if "original_normal" not in row and original_start is not None:
        normal, original_normal = None, normal  # Span._upgrade: a record from before it
    origin = row.get("origin", "manual")
    state = row.get("state", "pending")
    decision = row.get("decision")
    if type(origin) is not str or type(state) is not str or state not in _STATES \
            or decision not in _DECISIONS_OR_NONE or (decision is not None
                                                      and type(decision) is not str):
        return None
    return {
        "id": span_id,
        "start": start,
        "stop": stop,
        "label": label,
        "text": surface,
        "normal": normal,
        "origin": origin,
        "state": state,
        "decision": decision,
        "original_label": _opt_str(row, "original_label"),
        "original_start": original_start,
        "original_stop": _opt_int(row, "original_stop"),
        "original_normal": original_normal,
        "annotator": _opt_str(row, "annotator"),
        "time": _opt_str(row, "time"),
    }


def _fast_document_data(data: Any) -> DocData | None:
    """The document if ``data`` (a parsed shard) is certainly valid, else None or an exception
    (both mean: let :meth:`Shard.load` decide). Mirrors Shard.load(events=False) and the model's
    validators; only exact types are accepted (pydantic would coerce some others: those go the
    slow way)."""
    if type(data) is not dict:
        return None
    table = data.get("document", _MISSING)
    span_table = data.get("spans", {})
    event_table = data.get("events", {})
    if type(table) is not dict or type(span_table) is not dict or type(event_table) is not dict:
        return None
    record = table.get("1")
    if type(record) is not dict:
        return None
    doc_id, source, text, sha256 = record["id"], record["source"], record["text"], \
        record["sha256"]
    if type(doc_id) is not str or type(source) is not str or type(text) is not str \
            or type(sha256) is not str:
        return None
    meta = record.get("meta", _MISSING)
    if meta is _MISSING:
        meta = {}
    elif type(meta) is not dict or any(type(v) is not str for v in meta.values()):
        return None
    lang = record.get("lang", "und")
    status = record.get("status", "unreviewed")
    flags = record.get("flags", _MISSING)
    if flags is _MISSING:
        flags = []
    elif type(flags) is not list or any(type(v) is not str for v in flags):
        return None
    comment = record.get("comment", "")
    extraction = record.get("extraction", "pending")
    stale = record.get("stale", False)
    if type(lang) is not str or type(status) is not str or status not in _STATUSES \
            or type(comment) is not str or type(extraction) is not str \
            or extraction not in _EXTRACTIONS or type(stale) is not bool:
        return None
    extractor = _opt_str(record, "extractor")
    current_sha256 = _opt_str(record, "current_sha256")

    # TinyDB files rows under their keys as numbers; Shard.load sorts by them (stably)
    rows = sorted(((int(key), row) for key, row in span_table.items()), key=_first)
    spans: list[dict[str, Any]] = []
    seen: set[str] = set()
    size = len(text)
    for number, row in rows:
        if type(row) is not dict:
            return None
        try:
            # as the store writes a span: every field (else KeyError), no other (the size)
            values = _span_values(row) if len(row) == _SPAN_SIZE else None
        except KeyError:
            values = None
        if values is not None:
            if tuple(map(type, values)) not in _SPAN_TYPES:
                return None
            span_id, start, stop, _, surface, _, _, state, decision = values[:9]
            if state not in _STATES or decision not in _DECISIONS_OR_NONE:
                return None
            span: dict[str, Any] = row  # a fresh dict of exactly the model's fields and types
        else:
            maybe = _span_row(row)
            if maybe is None:
                return None
            span = maybe
            span_id, start, stop, surface = span["id"], span["start"], span["stop"], \
                span["text"]
        # the bounds (Span, check_span_fits), the key (span_number: "sN", N its key; an id
        # such as "s01" is left to it), the id used once
        if not 0 <= start < stop <= size or len(surface) != stop - start \
                or text[start:stop] != surface or number < 0 or span_id != f"s{number}" \
                or span_id in seen:
            return None
        seen.add(span_id)
        spans.append(span)
    for key, event in event_table.items():  # unvalidated, as with events=False: keys only
        if type(event) is not dict or int(key) != event["seq"]:
            return None
    return {
        "id": doc_id,
        "source": source,
        "text": text,
        "sha256": sha256,
        "meta": meta,
        "lang": lang,
        "status": status,
        "flags": flags,
        "comment": comment,
        "extractor": extractor,
        "extraction": extraction,
        "stale": stale,
        "current_sha256": current_sha256,
        "spans": spans,
    }

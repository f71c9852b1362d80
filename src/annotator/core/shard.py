"""One document's files: a TinyDB file (tables ``document`` and ``spans``) and its event log.

The TinyDB file ``<name>.json`` holds the document and its spans. Writes go through TinyDB's
``CachingMiddleware`` over :class:`AtomicJSONStorage`, and each change is flushed once: one atomic,
fsynced file replacement. A file that cannot be parsed raises :class:`StoreCorruptError` and is
never written over.

The event log ``<name>.log`` is append-only JSON Lines, one event per line. A change appends its
events (fsynced) *before* it replaces the TinyDB file, whose document record names the end of the
log it goes with (``log_seq``, the last event's seq, and ``log_size``, the log's length in bytes).
The TinyDB file is the commit: bytes past ``log_size`` belong to a change that never completed
(the process died between the two writes); readers ignore them and the next change cuts them off.
So the log of a document is never rewritten, readers that only need the spans (an export) never
read it, and a decision on a large document writes its spans plus one line, not its whole history.

Shards written by schema version 1 keep their log in a TinyDB table ``events``; they are read as
they are, and the first change moves the log to its own file (the log first, atomically, then the
TinyDB file without the table: until that replacement the table is the log).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from annotator.core.atomic import dump_json, fsync_dir, write_atomic
from annotator.core.errors import StoreCorruptError
from annotator.core.model import Document, Event, Span

if TYPE_CHECKING:
    from tinydb import TinyDB
    from tinydb.middlewares import CachingMiddleware

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


LOG_FIELDS = ("log_seq", "log_size")
"""Fields of a shard's document record that say where its event log ends."""


def recover_hint(path: Path) -> str:
    return (
        f"it was left untouched; restore {path.name} from a backup, or move it aside to start "
        "that document afresh (its decisions would be lost)"
    )


def log_hint(path: Path) -> str:
    return (
        f"it was left untouched; the document's spans and decisions are intact and export "
        f"normally, but its undo history cannot be read and no decision is saved on it until "
        f"{path.name} is restored from a backup"
    )


def log_path(shard_path: Path) -> Path:
    """The event log that goes with a shard: ``<name>.log`` beside ``<name>.json``."""
    return shard_path.with_suffix(".log")


def log_mark(record: Mapping[str, Any]) -> tuple[int, int]:
    """``(log_seq, log_size)`` of a document record (0, 0 when absent: no log yet, or schema 1);
    ValueError when they are not two non-negative integers, both zero or neither."""
    seq = record.get("log_seq", 0)
    size = record.get("log_size", 0)
    if type(seq) is not int or type(size) is not int or seq < 0 or size < 0 \
            or (seq == 0) != (size == 0):
        raise ValueError("the end of its event log is recorded wrongly")
    return seq, size


def log_line(event: Event | Mapping[str, Any]) -> bytes:
    """One event as a line of the log."""
    data = event.model_dump() if isinstance(event, Event) else event
    return dump_json(data) + b"\n"


def read_shard_file(path: Path) -> dict[str, Any] | None:
    """A shard's TinyDB file parsed (None when it does not exist); StoreCorruptError when it
    cannot be read or is not a TinyDB database. What :class:`AtomicJSONStorage` reads."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:  # a folder, no permission, an I/O error: report, never overwrite
        raise StoreCorruptError(
            f"The store file {path} cannot be read ({err.strerror}); {recover_hint(path)}."
        ) from None
    try:
        # orjson, as for writing: half the time of json.loads on a reviewed document's file,
        # which is most of reading a store (an export reads them all). Invalid UTF-8, NaN
        # and nesting deeper than 1,024 are JSONDecodeError (a json.JSONDecodeError) here.
        data = orjson.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise StoreCorruptError(
            f"The store file {path} is damaged ({err.__class__.__name__}); "
            f"{recover_hint(path)}."
        ) from None
    if not isinstance(data, dict):
        raise StoreCorruptError(
            f"The store file {path} does not hold a TinyDB database; {recover_hint(path)}."
        )
    return data


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


@dataclass
class Loaded:
    """A document as read from its shard: ``seq`` is the last event's seq (0: none yet) and
    ``events`` the log, or None when it was not read."""

    doc: Document
    seq: int
    events: list[Event] | None


class Shard:
    """Read and write one document's files. Keep one open only while holding the store's write
    lock."""

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = path
        self.log_path = log_path(path)
        self.durable = durable
        self._db: TinyDB | None = None
        self._cache: CachingMiddleware | None = None
        self._parsed: dict[str, Any] | None = None
        """The file as :meth:`read` parsed it before TinyDB was opened (TinyDB starts from it)."""

    def _open(self) -> TinyDB:
        if self._db is None:
            # TinyDB is imported on the first write or slow read, not to read a document: the
            # review app's first frame does without it
            from tinydb import TinyDB
            from tinydb.middlewares import CachingMiddleware

            from annotator.core.shard_storage import AtomicJSONStorage

            cache = CachingMiddleware(AtomicJSONStorage)  # type: ignore[no-untyped-call]
            cache.WRITE_CACHE_SIZE = 1_000_000
            self._db = TinyDB(str(self.path), storage=cache, durable=self.durable)
            if self._parsed is not None:
                cache.cache = self._parsed  # what it would read from the file: read already
                self._parsed = None
            self._cache = cache
        return self._db

    def load(self, *, events: bool = True) -> tuple[Document, list[Event]]:
        """The document and its event log; StoreCorruptError if a file is damaged.

        ``events=False`` returns no events and does not read the log (a schema 1 shard's log rows
        are not validated, but their keys are still checked against their ``seq``): for readers
        that only need the document, such as an export.
        """
        loaded = self.read(events=events)
        return loaded.doc, loaded.events or []

    def read(self, *, events: bool) -> Loaded:
        """The document, the seq of its last event and (``events=True``) its event log."""
        if self._db is None:
            try:
                self._parsed = read_shard_file(self.path)  # TinyDB starts from it when opened
            except StoreCorruptError:
                self._parsed = None  # worded by TinyDB's reading below
            raw: Any = self._parsed
        else:
            assert self._cache is not None
            raw = self._cache.read()  # type: ignore[no-untyped-call]
        quick = self._read_checked(raw, events=events)
        if quick is not None:
            return quick
        db = self._open()
        try:
            record = db.table("document").get(doc_id=1)
            if record is None:
                raise StoreCorruptError(
                    f"The store file {self.path} has no document record; {recover_hint(self.path)}."
                )
            rows = sorted(db.table("spans").all(), key=lambda row: row.doc_id)
            spans = [Span.model_validate(dict(row)) for row in rows]
            fields = {k: v for k, v in record.items() if k not in LOG_FIELDS}
            doc = Document.model_validate({**fields, "spans": spans})
            # a write files rows under the span number: keys must agree with ids
            try:
                numbers = [span_number(s.id) for s in spans]
            except StoreCorruptError as err:  # worded below, with the file and what to do
                raise ValueError(str(err)) from None
            if [row.doc_id for row in rows] != numbers:
                raise ValueError("rows are filed under keys that disagree with their ids")
            seq, log = self._log(db, record, validate=events)
        except StoreCorruptError:
            self.forget()
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            self.forget()
            raise StoreCorruptError(
                f"The store file {self.path} holds invalid data ({str(err).splitlines()[0]}); "
                f"{recover_hint(self.path)}."
            ) from None
        return Loaded(doc, seq, log)

    def _read_checked(self, raw: Any, *, events: bool) -> Loaded | None:
        """:meth:`read` through the plain checks of :func:`read_document_data`, on the parsed
        file ``raw``; None when they are unsure (or for a schema 1 file, whose log is a table),
        and :meth:`read` then validates the rows with the model."""
        try:
            if type(raw) is not dict or "events" in raw:
                return None
            data = _fast_document_data(raw)
            if data is None:
                return None
            seq, size = log_mark(raw["document"]["1"])
        except Exception:  # anything odd: the model's own reading decides (and words the error)
            return None
        log = self._read_log(seq, size) if events else None
        return Loaded(document_of(data), seq, log)

    def events(self) -> list[Event]:
        """The event log, in order (read from the log file up to where the shard says it ends)."""
        db = self._open()
        try:
            record = db.table("document").get(doc_id=1)
            if record is None:
                raise StoreCorruptError(
                    f"The store file {self.path} has no document record; {recover_hint(self.path)}."
                )
            log = self._log(db, record, validate=True)[1]
        except StoreCorruptError:
            self.forget()
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            self.forget()
            raise StoreCorruptError(
                f"The store file {self.path} holds invalid data ({str(err).splitlines()[0]}); "
                f"{recover_hint(self.path)}."
            ) from None
        return log or []

    def _log(
        self, db: TinyDB, record: Mapping[str, Any], *, validate: bool
    ) -> tuple[int, list[Event] | None]:
        """(seq of the last event, the events when ``validate``) of a shard's record."""
        if "events" in db.tables():  # schema 1: the log is a table of the same file
            event_rows = db.table("events").all()
            seqs = [row["seq"] for row in event_rows]
            if [row.doc_id for row in event_rows] != seqs:
                raise ValueError("rows are filed under keys that disagree with their ids")
            log = [Event.model_validate(dict(row)) for row in event_rows] if validate else None
            if log is not None:
                log.sort(key=lambda e: e.seq)
            return max(seqs, default=0), log
        seq, size = log_mark(record)
        return seq, (self._read_log(seq, size) if validate else None)

    def _read_log(self, seq: int, size: int) -> list[Event]:
        """The first ``size`` bytes of the log file as events, the last of them ``seq``."""
        if size == 0:
            return []
        path = self.log_path
        try:
            with path.open("rb") as handle:
                data = handle.read(size)
        except FileNotFoundError:
            raise StoreCorruptError(
                f"The event log {path} is missing; {log_hint(path)}."
            ) from None
        except OSError as err:
            raise StoreCorruptError(
                f"The event log {path} cannot be read ({err.strerror}); {log_hint(path)}."
            ) from None
        try:
            if len(data) < size or not data.endswith(b"\n"):
                raise ValueError("it is shorter than its document file records")
            log = [Event.model_validate(orjson.loads(line)) for line in data.split(b"\n")[:-1]]
            seqs = [event.seq for event in log]
            if seqs != sorted(set(seqs)) or seqs[-1] != seq:
                raise ValueError("its entries are out of order or end elsewhere than recorded")
        except (ValueError, TypeError, RecursionError) as err:
            raise StoreCorruptError(
                f"The event log {path} is damaged ({str(err).splitlines()[0]}); {log_hint(path)}."
            ) from None
        return log

    def save(
        self,
        doc: Document,
        *,
        changed: Mapping[str, Span | None] | None = None,
        events: Iterable[Event] = (),
    ) -> None:
        """Write the document record, the changed spans (all when None) and new events, at once:
        the events are appended to the log first, then the TinyDB file is replaced."""
        try:
            self._write(doc, changed, list(events))
        except BaseException:
            self.forget()  # never leave a half-applied change in memory for the next write
            raise

    def _write(
        self, doc: Document, changed: Mapping[str, Span | None] | None, events: list[Event]
    ) -> None:
        db = self._open()
        table = db.table("document")
        old = table.get(doc_id=1)
        seq, size = log_mark(old) if old is not None else (0, 0)
        if "events" in db.tables():  # schema 1: move the log to its own file, then drop the table
            rows = sorted(db.table("events").all(), key=lambda row: row.doc_id)
            lines = [log_line(Event.model_validate(dict(row)).model_dump()) for row in rows]
            lines.extend(log_line(event) for event in events)
            data = b"".join(lines)
            if data:
                write_atomic(self.log_path, data, durable=self.durable)
            db.drop_table("events")
            seq = events[-1].seq if events else (rows[-1]["seq"] if rows else 0)
            size = len(data)
        elif events:
            data = b"".join(log_line(event) for event in events)
            self._append(size, data)
            seq, size = events[-1].seq, size + len(data)
        fields = doc.model_dump(include=set(DOC_FIELDS))
        if size:
            fields.update(log_seq=seq, log_size=size)
        from tinydb.table import Document as TinyDocument

        table.upsert(TinyDocument(fields, doc_id=1))
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
        if self._cache is not None:
            self._cache.flush()  # type: ignore[no-untyped-call]

    def _append(self, end: int, data: bytes) -> None:
        """Write ``data`` at byte ``end`` of the log (cutting off what a change that never
        completed left past it) and make it durable."""
        path = self.log_path
        created = end == 0 and not path.exists()
        try:  # a log that should hold something is never created afresh
            fd = os.open(path, os.O_WRONLY | (os.O_CREAT if end == 0 else 0), 0o644)
        except FileNotFoundError:
            raise StoreCorruptError(
                f"The event log {path} is missing; {log_hint(path)}."
            ) from None
        try:
            length = os.fstat(fd).st_size
            if length < end:
                raise StoreCorruptError(
                    f"The event log {path} is shorter than its document file records; "
                    f"{log_hint(path)}."
                )
            if length > end:
                os.ftruncate(fd, end)
            view = memoryview(data)
            offset = end
            while view:
                written = os.pwrite(fd, view, offset)
                view = view[written:]
                offset += written
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if created and self.durable:
            fsync_dir(path.parent)

    def forget(self) -> None:
        """Drop the in-memory copy (after a failure, or when another process may write)."""
        self._db = None
        self._cache = None
        self._parsed = None


# -- read-only bulk reading -------------------------------------------------------------------

DocData = dict[str, Any]
"""A document as plain data: the fields of ``Document.model_dump()``, spans as dicts."""

_MISSING: Any = object()
_STATUSES = frozenset(("unreviewed", "in_progress", "reviewed", "ignored"))
_EXTRACTIONS = frozenset(("pending", "done", "unsupported"))
_STATES = frozenset(("pending", "accepted", "rejected"))
_DECISIONS = frozenset(("accepted", "relabeled", "adjusted", "added", "rejected"))
_first = itemgetter(0)


def read_document_data(path: Path | str) -> DocData:
    """The document of a shard as plain data, for bulk readers (export, evaluate): what
    ``Shard(path).load(events=False)[0].model_dump()`` gives, without TinyDB or pydantic.

    The file is parsed once with orjson and checked with plain comparisons: every field has the
    type the model keeps as is, every span fits the text (``text[start:stop]`` is its text, in
    range, not empty, ids unique and of the form ``sN``), rows and events are filed under keys
    that agree with their ids. Anything these checks do not accept as certainly valid is read
    again the slow way, :meth:`Shard.load`, which gives the same document or raises the same
    :class:`StoreCorruptError` (same sentence) as reading it through the store ever did.

    ``path`` may be a string: a bulk reader of 10,000 documents then builds no Path objects
    (~10 ms of joins), and the file is read unbuffered (``readall``, ~10% less than
    ``Path.read_bytes`` at ~15 KB a file).
    """
    try:
        with open(path, "rb", buffering=0) as file:
            data = _fast_document_data(orjson.loads(file.readall()))
    except Exception:  # anything odd: the model's own reading decides (and words the error)
        data = None
    if data is None:
        return Shard(Path(path), durable=False).load(events=False)[0].model_dump()
    return data


def import_write_modules() -> None:
    """Import what a shard's first write needs (TinyDB and :class:`AtomicJSONStorage`); a
    document is read without them (see :meth:`Shard.read`)."""
    import tinydb.middlewares  # noqa: F401
    import tinydb.table  # noqa: F401

    import annotator.core.shard_storage  # noqa: F401


def document_of(data: DocData) -> Document:
    """The :class:`Document` of ``data`` that :func:`_fast_document_data` has accepted.

    Before the model's schema is built (pydantic builds it on first use, see
    :func:`~annotator.core.model.build_models`) it is made with ``model_construct``, which
    needs none: the checks were the validators'. That is how the review app reads the document
    of its first frame without paying for the build. Once built, validating is ~20% faster than
    constructing, and gives the same document.
    """
    if Document.__pydantic_complete__ and Span.__pydantic_complete__:
        return Document.model_validate(data)
    spans = [Span.model_construct(**span) for span in data["spans"]]
    # (the lists and dicts of ``data`` may be TinyDB's own: the document gets copies)
    return Document.model_construct(
        **{**data, "meta": dict(data["meta"]), "flags": list(data["flags"]), "spans": spans}
    )


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
    log_mark(record)  # (the log itself is not read: the spans are all an export needs)

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
    for key, event in event_table.items():  # schema 1, unvalidated as with events=False: keys
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

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

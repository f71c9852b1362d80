"""The annotation store: one TinyDB file per document, atomic writes, one writer at a time.

Layout (see docs/ARCHITECTURE.md)::

    store.json                      format, schema version, labels
    docs/<safe-id>.json             one TinyDB file per document (document, spans)
    docs/<safe-id>.log              its event log, append-only JSON Lines (see core/shard.py)
    predictions/<extractor>/<sha>.json   the extractor's cached output
    users/<user>.json               where each user left off
    index.json                      a cache of document summaries, checked against the shards
    .lock, lock.json                the write lock and who holds it

Every mutating call appends its events to the document's log and replaces the document's file
atomically and durably before it returns, so a decision that was acknowledged survives ``kill -9``;
the cost does not grow with the corpus, nor with a document's history.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from annotator.core import index, lock
from annotator.core.atomic import (
    TEMP_MARK,
    fsync_dir,
    remove_stale_temps,
    write_atomic,
    write_json_atomic,
)
from annotator.core.decisions import (
    already_marked,
    decided,
    doc_fields,
    duplicate_of,
    fresh_number,
    pending,
    plan_additions,
    progressed,
)
from annotator.core.errors import (
    SpanError,
    StoreCorruptError,
    StoreError,
    StoreVersionError,
)
from annotator.core.history import replay
from annotator.core.lock import LockInfo
from annotator.core.lockfile import Lock
from annotator.core.model import (
    DEFAULT_LABELS,
    MANUAL_ORIGIN,
    DocStatus,
    DocSummary,
    Document,
    Event,
    EventAction,
    LabelSet,
    Span,
    SpanDraft,
    build_models,
    check_span_fits,
    utc_now,
)
from annotator.core.shard import (
    DocData,
    Loaded,
    Shard,
    import_write_modules,
    read_document_data,
    shard_name,
    span_number,
)

STORE_FORMAT = "annotator.store"
SCHEMA_VERSION = 2
"""1: each document's log was a table of its TinyDB file; 2: the log is its own file. Version 2
reads version 1 shards (and moves their log on their next change); a writable open of a version 1
store records version 2 first, so that an older annotator refuses it rather than mixing layouts."""
STORE_FOLDERS = ("docs", "users", "predictions")


def _meta_hint(path: Path) -> str:
    """What to do about a damaged ``store.json``: it only holds the label set and the version,
    so no document or decision is lost by writing a fresh one."""
    return (
        f"it was left untouched; restore it from a backup, or write a fresh one: "
        f'{{"format": "{STORE_FORMAT}", "version": {SCHEMA_VERSION}, "labels": ["PER", "LOC", '
        f'"ORG"]}} (it only holds the label set and version; no document or decision is lost)'
    )


def warm_up() -> None:
    """Do now what the first decision would otherwise pay for: build the models' schemas
    (:func:`~annotator.core.model.build_models`) and import TinyDB with the shards' storage.
    The review app draws its first frame without both and calls this right after it."""
    build_models()
    import_write_modules()


@dataclass
class AddedSpans:
    """What :meth:`Store.add_spans` did: the document as saved, the spans added (in text order)
    and the ranges skipped because they overlap a span that is not rejected."""

    doc: Document
    spans: list[Span]
    overlapping: list[tuple[int, int]]


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    same_as: dict[str, str] = field(default_factory=dict)
    """Documents not added because the store holds the same file under another id: the same
    text at a path that is the stored one seen from another folder (``x.txt`` opened from
    ``dup/a/`` is ``a/x.txt`` stored from ``dup/``). Their id → the stored id. (A copy under
    another name is a document of its own; its predictions come from the cache.)"""

    def stored_id(self, doc_id: str) -> str:
        """The id a loaded document has in the store."""
        return self.same_as.get(doc_id, doc_id)

    def same_as_note(self) -> str | None:
        """One sentence about :attr:`same_as`, or None."""
        if not self.same_as:
            return None
        pairs = ", ".join(f"{new} = {old}" for new, old in list(self.same_as.items())[:5])
        more = f" and {len(self.same_as) - 5} more" if len(self.same_as) > 5 else ""
        return (
            f"{len(self.same_as)} document{'' if len(self.same_as) == 1 else 's'} "
            f"{'is' if len(self.same_as) == 1 else 'are'} already in the store, opened from "
            f"another folder: kept under the stored id ({pairs}{more})."
        )


def _same_file(source: str, stored: list[tuple[str, str]]) -> str | None:
    """The id of a stored document with the same text (``stored``: their ids and sources) whose
    source is ``source`` seen from another folder: one path ends with the other."""
    for doc_id, other in stored:
        if other.endswith("/" + source) or source.endswith("/" + other):
            return doc_id
    return None


def _foreign(entry: Path) -> bool:
    """A file in a would-be store folder that is not the lock or a temp file of a store write."""
    return entry.name not in lock.LOCK_FILES and TEMP_MARK not in entry.name


def _make_dirs(folder: Path) -> None:
    """``mkdir -p``, making each new directory entry durable (fsync of its parent)."""
    if folder.is_dir():
        return
    _make_dirs(folder.parent)
    folder.mkdir(exist_ok=True)
    fsync_dir(folder.parent)


class Store:
    """A folder of per-document TinyDB files. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, root: Path, user: str, readonly: bool, lock: Lock | None) -> None:
        self.root = root
        self._docs = root / "docs"
        self.user = user
        self.readonly = readonly
        self.problems: list[str] = []
        self._lock = lock
        self._meta: dict[str, Any] = {}
        self._entries: dict[str, index.Entry] = {}
        self._shards: dict[str, Shard] = {}
        self._cache: dict[str, Loaded] = {}
        self._index_dirty = False
        self._closed = False

    # ------------------------------------------------------------------ opening and closing
    @classmethod
    def open(
        cls,
        root: Path | str,
        *,
        user: str,
        readonly: bool = False,
        create: bool = True,
        labels: Sequence[str] | None = None,
    ) -> Store:
        """Open (or create) the store at ``root``; see docs/ARCHITECTURE.md for the rules."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise StoreError(f"The store path {root} is a file, not a folder.")
        has_meta = (root / "store.json").is_file()
        if not has_meta:
            if readonly or not create:
                raise StoreError(
                    f"There is no annotation store at {root}; open documents with "
                    f"`annotator PATH --store {root}` or run `annotator extract` first."
                )
            # (what another process creating this store writes first is not foreign)
            if (
                root.is_dir()
                and any(_foreign(p) for p in root.iterdir())
                and not (root / "store.json").is_file()
            ):
                raise StoreError(
                    f"{root} is not an annotation store (it has no store.json) and is not empty; "
                    "choose another --store folder."
                )
        held: Lock | None = None
        if not readonly:
            _make_dirs(root)
            held = lock.acquire(root, user)
            has_meta = (root / "store.json").is_file()  # another process may have made it since
        store = cls(root, user, readonly, held)
        try:
            store._load_meta(create=not has_meta, labels=labels)
            if not readonly:
                made = False
                for folder in (root / "docs", root / "users", root / "predictions"):
                    made |= not folder.is_dir()
                    folder.mkdir(exist_ok=True)
                if made:
                    fsync_dir(root)
                for folder in (root, root / "docs", root / "users", root / "predictions"):
                    remove_stale_temps(folder)
                for folder in (root / "predictions").iterdir():
                    if folder.is_dir():
                        remove_stale_temps(folder)
            store._load_index()
        except BaseException:
            store._release()
            raise
        if labels is not None and has_meta and not readonly:
            store.set_labels(labels)
        return store

    @staticmethod
    def lock_holder(root: Path) -> LockInfo | None:
        """Who holds the write lock now, or None when nobody does."""
        return lock.holder(Path(root))

    def close(self) -> None:
        if self._closed:
            return
        try:
            if not self.readonly and self._index_dirty:
                self._write_index()
        finally:
            self._release()
            self._closed = True

    def _release(self) -> None:
        lock.release(self.root, self._lock)
        self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ meta and labels
    def _load_meta(self, *, create: bool, labels: Sequence[str] | None) -> None:
        path = self.root / "store.json"
        if create:
            label_set = LabelSet(labels=list(labels)) if labels else LabelSet()
            self._meta = {
                "format": STORE_FORMAT,
                "version": SCHEMA_VERSION,
                "created": utc_now(),
                "labels": label_set.labels,
            }
            self._write_meta()
            return
        try:
            meta = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise StoreCorruptError(
                f"The store file {path} is damaged; {_meta_hint(path)}."
            ) from None
        if not isinstance(meta, dict) or meta.get("format") != STORE_FORMAT:
            raise StoreCorruptError(f"{path} is not an annotator store file; {_meta_hint(path)}.")
        version = meta.get("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise StoreCorruptError(
                f"{path} has no valid schema version ({version!r}); {_meta_hint(path)}."
            )
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"The store {self.root} was written by a newer annotator (schema version "
                f"{version}, this one reads up to {SCHEMA_VERSION}); upgrade annotator to open it."
            )
        if meta.get("labels") is not None:
            try:
                LabelSet.checked(meta["labels"])
            except ValueError:
                raise StoreCorruptError(
                    f"{path} holds an invalid label set; {_meta_hint(path)}."
                ) from None
        self._meta = meta
        if version < SCHEMA_VERSION and not self.readonly:
            self._meta = {**meta, "version": SCHEMA_VERSION}
            self._write_meta()

    def _write_meta(self) -> None:
        """Write store.json. With :mod:`json`, which read it: whatever else a user or a newer
        version left in it (an integer past 64 bits, NaN) is written back as it was read."""
        data = json.dumps(self._meta, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8")
        write_atomic(self.root / "store.json", data)

    @property
    def labels(self) -> LabelSet:
        try:
            return LabelSet.checked(self._meta.get("labels") or [])
        except ValueError:
            return LabelSet.checked(DEFAULT_LABELS)

    def set_labels(self, labels: Sequence[str]) -> None:
        self._writable()
        try:
            label_set = LabelSet(labels=list(labels))
        except ValidationError as err:
            raise StoreError(f"Bad label set: {err.errors()[0]['msg']}.") from None
        if label_set.labels != self.labels.labels:
            self._meta["labels"] = label_set.labels
            self._write_meta()

    def widen_labels(self, extra: Sequence[str]) -> list[str]:
        current = self.labels
        added = [label for label in dict.fromkeys(extra) if label not in current]
        if added:
            self.set_labels([*current.labels, *added])
        return added

    # ------------------------------------------------------------------ index
    def _index_path(self) -> Path:
        return self.root / "index.json"

    def _load_index(self) -> None:
        found = index.scan(self._index_path(), self.root / "docs")
        self._entries = found.entries
        self.problems.extend(found.problems)
        self._index_dirty = found.changed

    def _write_index(self) -> None:
        index.write(self._index_path(), self._entries)
        self._index_dirty = False

    def flush_index(self) -> None:
        """Write the document index now (it is otherwise written on close)."""
        if not self.readonly:
            self._write_index()

    # ------------------------------------------------------------------ documents
    def ids(self) -> list[str]:
        return sorted(self._entries)

    def summaries(self) -> list[DocSummary]:
        return [self._entries[doc_id].summary for doc_id in self.ids()]

    def summary(self, doc_id: str) -> DocSummary:
        return self._entry(doc_id).summary

    def has(self, doc_id: str) -> bool:
        return doc_id in self._entries

    def _entry(self, doc_id: str) -> index.Entry:
        try:
            return self._entries[doc_id]
        except KeyError:
            raise StoreError(f"The store has no document {doc_id!r}.") from None

    def _shard(self, doc_id: str) -> Shard:
        entry = self._entries.get(doc_id)
        name = entry.shard if entry else shard_name(doc_id)
        if self.readonly:
            return Shard(self.root / "docs" / name, durable=False)
        shard = self._shards.get(name)
        if shard is None:
            shard = self._shards[name] = Shard(self.root / "docs" / name)
        return shard

    def _load(self, doc_id: str, *, events: bool = False) -> Loaded:
        """The document as saved; its log is read only with ``events`` (or when cached already:
        a decision needs only the last event's seq, undo and new span numbers need the log)."""
        self._entry(doc_id)
        if self.readonly:  # nothing is cached: document and log are read in one go
            return self._shard(doc_id).read(events=events)
        loaded = self._cache.get(doc_id)
        if loaded is None:
            loaded = self._cache[doc_id] = self._shard(doc_id).read(events=events)
        elif events and loaded.events is None:
            loaded.events = self._shard(doc_id).events()
        return loaded

    def _events(self, doc_id: str) -> list[Event]:
        events = self._load(doc_id, events=True).events
        assert events is not None
        return events

    def get(self, doc_id: str) -> Document:
        """The document with its spans, as last saved."""
        return self._load(doc_id).doc

    def shard_path(self, doc_id: str) -> Path:
        """The file a stored document is kept in (StoreError if the id is unknown)."""
        return self._docs / self._entry(doc_id).shard

    def get_data(self, doc_id: str) -> DocData:
        """``get(doc_id).model_dump()``: the document as plain data, for bulk readers (export,
        evaluate). Read-only, a shard is read without TinyDB or pydantic when plain checks show it
        is valid (:func:`~annotator.core.shard.read_document_data`); the same errors otherwise."""
        if self.readonly:
            return read_document_data(self.shard_path(doc_id))
        return self._load(doc_id).doc.model_dump()

    def history(self, doc_id: str) -> list[Event]:
        return list(self._events(doc_id))

    def _save(
        self,
        doc: Document,
        loaded: Loaded | None,
        new_events: list[Event],
        changed: dict[str, Span | None] | None,
        *,
        in_place: bool = False,
    ) -> Document:
        """Write one atomic change of a document and refresh the index entry. ``in_place``: the
        change replaced spans where they were (no span added or removed): their order holds."""
        self._writable()
        if not in_place:
            # spans in id order, as a reload gives them (an undone delete would otherwise come
            # last); skipped for a decision, where it was ~0.8 ms of a 2,000-span document's save
            doc = doc.model_copy(
                update={"spans": sorted(doc.spans, key=lambda s: span_number(s.id))}
            )
        shard = self._shard(doc.id)
        self._cache.pop(doc.id, None)
        shard.save(doc, changed=changed, events=new_events)
        stat = shard.path.stat()
        self._entries[doc.id] = index.Entry(
            DocSummary.of(doc), shard.path.name, stat.st_mtime_ns, stat.st_size
        )
        seq = new_events[-1].seq if new_events else (loaded.seq if loaded else 0)
        events = None
        if loaded is None:
            events = list(new_events)
        elif loaded.events is not None:
            events = [*loaded.events, *new_events]
        self._cache[doc.id] = Loaded(doc, seq, events)
        self._index_dirty = True
        return doc

    def sync(self, docs: Iterable[Document]) -> SyncReport:
        """Add new documents; mark the ones whose text changed as stale (never re-mapped)."""
        self._writable()
        report = SyncReport()
        broken = {shard for shard in self._broken_shards()}
        # sha256 -> [(id, source)] of the documents stored before this call (two files of one
        # corpus are two documents, whatever their paths and texts)
        by_text: dict[str, list[tuple[str, str]]] | None = None
        for doc in docs:
            if not self.has(doc.id):
                if by_text is None:
                    by_text = {}
                    for summary in self.summaries():
                        by_text.setdefault(summary.sha256, []).append((summary.id, summary.source))
                known = _same_file(doc.source, by_text.get(doc.sha256, []))
                if known is not None:
                    report.same_as[doc.id] = known
                    continue
                if shard_name(doc.id) in broken:
                    report.skipped.append(doc.id)
                    continue
                self._save(doc.model_copy(update={"spans": []}), None, [], None)
                report.added.append(doc.id)
                continue
            stored = self.summary(doc.id)
            if doc.sha256 == stored.sha256:
                if stored.stale:
                    loaded = self._load(doc.id)
                    fresh = loaded.doc.model_copy(update={"stale": False, "current_sha256": None})
                    self._save(fresh, loaded, [], {})
                report.unchanged.append(doc.id)
            else:
                loaded = self._load(doc.id)
                current = loaded.doc
                if not current.stale or current.current_sha256 != doc.sha256:
                    marked = current.model_copy(
                        update={"stale": True, "current_sha256": doc.sha256}
                    )
                    self._save(marked, loaded, [], {})
                report.stale.append(doc.id)
        if report.added:
            self._write_index()
        return report

    def _broken_shards(self) -> list[str]:
        known = {entry.shard for entry in self._entries.values()}
        docs = self.root / "docs"
        if not docs.is_dir():
            return []
        return [p.name for p in docs.glob("*.json") if p.name not in known]

    def _is_broken_shard(self, name: str) -> bool:
        """``name in self._broken_shards()`` without listing the folder (``put`` is called once
        per document of an import: listing made importing n documents cost O(n²))."""
        if not (self.root / "docs" / name).is_file():
            return False
        return all(entry.shard != name for entry in self._entries.values())

    def put(self, doc: Document, *, action: EventAction = "import") -> Document:
        """Write a whole document (an import); the change is logged."""
        if not self.has(doc.id):
            if self._is_broken_shard(shard_name(doc.id)):
                raise StoreCorruptError(
                    f"The store file for document {doc.id!r} is damaged and was left untouched; "
                    "move it aside before importing this document."
                )
            event = self._event(doc.id, None, action, before={}, after={s.id: s for s in doc.spans})
            return self._save(doc, None, [event], None)
        loaded = self._load(doc.id)
        old = loaded.doc
        before = {s.id: s for s in old.spans}
        after = {s.id: s for s in doc.spans}
        changed: dict[str, Span | None] = {
            sid: after.get(sid)
            for sid in set(before) | set(after)
            if before.get(sid) != after.get(sid)
        }
        event = self._event(
            doc.id,
            loaded,
            action,
            before={sid: before.get(sid) for sid in changed},
            after=dict(changed),
            doc_before=doc_fields(old),
            doc_after=doc_fields(doc),
        )
        return self._save(doc, loaded, [event], changed)

    # ------------------------------------------------------------------ predictions
    def _prediction_path(self, sha256: str, extractor: str) -> Path:
        folder = shard_name(extractor).removesuffix(".json")
        return self.root / "predictions" / folder / f"{sha256}.json"

    def cached_predictions(self, sha256: str, extractor: str) -> list[SpanDraft] | None:
        path = self._prediction_path(sha256, extractor)
        try:
            raw = json.loads(path.read_bytes())
            return [SpanDraft.model_validate(item) for item in raw["spans"]]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None  # a damaged cache entry is recomputed, never trusted

    def cache_predictions(self, sha256: str, extractor: str, spans: Sequence[SpanDraft]) -> None:
        self._writable()
        path = self._prediction_path(sha256, extractor)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "extractor": extractor,
            "sha256": sha256,
            "spans": [s.model_dump() for s in spans],
        }
        # Atomic but not fsynced: this is a cache. After a power cut an entry may be missing or
        # damaged, and cached_predictions then recomputes it; the document's own write (made
        # right after by load_predictions) stays durable. Saves two fsyncs per extracted document.
        write_json_atomic(path, payload, durable=False)

    def load_predictions(
        self,
        doc_id: str,
        extractor: str,
        spans: Sequence[SpanDraft],
        *,
        origin: str | None = None,
    ) -> Document:
        """Add an extractor's spans as pending (idempotent) and record that it ran."""
        loaded = self._load(doc_id)
        doc = loaded.doc
        origin = origin or extractor
        present = {(s.start, s.stop, s.label, s.origin) for s in doc.spans}
        new_spans: list[Span] = []
        number = fresh_number(doc, self._events(doc_id) if loaded.seq else [])
        for draft in spans:
            if (draft.start, draft.stop, draft.label, origin) in present:
                continue
            check_span_fits(doc_id, doc.text, draft.start, draft.stop)
            present.add((draft.start, draft.stop, draft.label, origin))
            new_spans.append(
                Span(
                    id=f"s{number}",
                    start=draft.start,
                    stop=draft.stop,
                    label=draft.label,
                    text=doc.text[draft.start : draft.stop],
                    normal=draft.normal,
                    origin=origin,
                )
            )
            number += 1
        update: dict[str, Any] = {"spans": [*doc.spans, *new_spans]}
        if not origin.startswith("import:"):
            update.update(extractor=extractor, extraction="done")
        elif doc.extractor is None:
            update.update(extractor=extractor)
        new_doc = doc.model_copy(update=update)
        if not new_spans and new_doc == doc:
            return doc
        event = self._event(
            doc_id,
            loaded,
            "load_predictions",
            before={s.id: None for s in new_spans},
            after={s.id: s for s in new_spans},
        )
        return self._save(new_doc, loaded, [event], {s.id: s for s in new_spans})

    def mark_unsupported(self, doc_id: str) -> Document:
        loaded = self._load(doc_id)
        if loaded.doc.extraction == "unsupported":
            return loaded.doc
        return self._save(
            loaded.doc.model_copy(update={"extraction": "unsupported"}), loaded, [], {}
        )

    # ------------------------------------------------------------------ decisions
    def accept(self, doc_id: str, span_id: str) -> Document:
        return self._decide(
            doc_id, "accept", [span_id], lambda s: decided(s, "accepted", self.user)
        )

    def reject(self, doc_id: str, span_id: str) -> Document:
        return self._decide(
            doc_id, "reject", [span_id], lambda s: decided(s, "rejected", self.user)
        )

    def relabel(self, doc_id: str, span_id: str, label: str) -> Document:
        if label not in self.labels:
            raise SpanError(f"Label {label!r} is not in the store's label set.")
        return self._decide(
            doc_id, "relabel", [span_id], lambda s: decided(s, "accepted", self.user, label=label)
        )

    def adjust(self, doc_id: str, span_id: str, start: int, stop: int) -> Document:
        doc = self.get(doc_id)
        check_span_fits(doc_id, doc.text, start, stop)
        return self._decide(
            doc_id,
            "adjust",
            [span_id],
            lambda s: decided(
                s, "accepted", self.user, bounds=(start, stop), text=doc.text[start:stop]
            ),
        )

    def reset(self, doc_id: str, span_id: str) -> Document:
        doc = self.get(doc_id)
        return self._decide(doc_id, "reset", [span_id], lambda s: pending(s, doc.text))

    def accept_all(self, doc_id: str, span_ids: Sequence[str] | None = None) -> Document:
        """Accept every pending span of the document, or the pending ones among ``span_ids``
        (those a filter shows): one event, which one undo reverts."""
        wanted = None if span_ids is None else set(span_ids)
        undecided = [
            s.id for s in self.get(doc_id).spans
            if s.state == "pending" and (wanted is None or s.id in wanted)
        ]
        return self._decide(
            doc_id, "accept_all", undecided, lambda s: decided(s, "accepted", self.user)
        )

    def _added(self, doc: Document, number: int, start: int, stop: int, label: str,
               time: str) -> Span:
        """A span this user adds by hand: ``s<number>``, accepted."""
        return Span(
            id=f"s{number}",
            start=start,
            stop=stop,
            label=label,
            text=doc.text[start:stop],
            origin=MANUAL_ORIGIN,
            state="accepted",
            decision="added",
            annotator=self.user,
            time=time,
        )

    def add_span(self, doc_id: str, start: int, stop: int, label: str) -> tuple[Document, Span]:
        """Add one ``label`` span by hand (:meth:`add_spans` of one range)."""
        added = self.add_spans(doc_id, [(start, stop)], label)
        return added.doc, added.spans[0]

    def add_spans(
        self,
        doc_id: str,
        ranges: Iterable[tuple[int, int]],
        label: str,
        *,
        skip_overlapping: bool = False,
    ) -> AddedSpans:
        """Add a ``label`` span on each ``(start, stop)`` range, in one durable write and one
        logged ``add`` event (one undo reverts them all).

        The rules of :meth:`add_span` hold for the whole batch, which is refused (nothing saved)
        when one range does not fit the text, the label is not in the set or, without
        ``skip_overlapping``, a range is already marked with ``label``. With it, ranges that
        overlap a span that is not rejected (or one added earlier in the batch) are skipped and
        reported. Nothing is written when nothing is added.
        """
        loaded = self._load(doc_id)
        doc = loaded.doc
        ranges = list(ranges)
        for start, stop in ranges:
            check_span_fits(doc_id, doc.text, start, stop)
        if label not in self.labels:
            raise SpanError(f"Label {label!r} is not in the store's label set.")
        plan = plan_additions(
            doc.text, doc.spans, ranges, label, skip_overlapping=skip_overlapping
        )
        if not plan.ranges:
            return AddedSpans(doc, [], plan.overlapping)
        self._writable()
        number = fresh_number(doc, self._events(doc_id))
        now = utc_now()
        spans = [
            self._added(doc, number + i, start, stop, label, now)
            for i, (start, stop) in enumerate(plan.ranges)
        ]
        new_doc = progressed(doc.model_copy(update={"spans": [*doc.spans, *spans]}))
        event = self._event(
            doc_id,
            loaded,
            "add",
            before={span.id: None for span in spans},
            after={span.id: span for span in spans},
            doc_before=doc_fields(doc),
            doc_after=doc_fields(new_doc),
        )
        saved = self._save(new_doc, loaded, [event], {span.id: span for span in spans})
        return AddedSpans(saved, spans, plan.overlapping)

    def delete_span(self, doc_id: str, span_id: str) -> Document:
        loaded = self._load(doc_id)
        doc = loaded.doc
        span = doc.span(span_id) if _has_span(doc, span_id) else None
        if span is None:
            raise SpanError(f"Document {doc_id!r} has no span {span_id}.")
        if span.is_model:
            raise SpanError(
                f"{span.text!r} came from {span.origin}; reject it instead of deleting it."
            )
        new_doc = doc.model_copy(update={"spans": [s for s in doc.spans if s.id != span_id]})
        event = self._event(doc_id, loaded, "delete", before={span_id: span}, after={span_id: None})
        return self._save(new_doc, loaded, [event], {span_id: None})

    def set_status(self, doc_id: str, status: DocStatus) -> Document:
        loaded = self._load(doc_id)
        doc = loaded.doc
        if status == "reviewed":
            pending = sum(1 for s in doc.spans if s.state == "pending")
            if pending:
                raise StoreError(
                    f"Document {doc_id!r} still has {pending} pending span"
                    f"{'s' if pending != 1 else ''}; decide them (or accept all) first."
                )
        return self._set_fields(loaded, "status", {"status": status})

    def set_flags(self, doc_id: str, flags: Sequence[str]) -> Document:
        loaded = self._load(doc_id)
        return self._set_fields(loaded, "flags", {"flags": list(dict.fromkeys(flags))})

    def set_comment(self, doc_id: str, comment: str) -> Document:
        return self._set_fields(self._load(doc_id), "comment", {"comment": comment})

    def _set_fields(self, loaded: Loaded, action: EventAction, fields: dict[str, Any]) -> Document:
        doc = loaded.doc
        new_doc = doc.model_copy(update=fields)
        if new_doc == doc:
            return doc
        event = self._event(
            doc.id, loaded, action, doc_before=doc_fields(doc), doc_after=doc_fields(new_doc)
        )
        return self._save(new_doc, loaded, [event], {})

    # ------------------------------------------------------------------ undo / redo
    def can_undo(self, doc_id: str) -> bool:
        return bool(replay(self.history(doc_id)).undo)

    def can_redo(self, doc_id: str) -> bool:
        return bool(replay(self.history(doc_id)).redo)

    def undo(self, doc_id: str) -> tuple[Document, Event] | None:
        """Reverse the last user action on this document; None when there is none."""
        loaded = self._load(doc_id, events=True)
        stacks = replay(loaded.events or [])
        if not stacks.undo:
            return None
        target = stacks.undo[-1]
        return self._apply_state(loaded, "undo", target, target.before, target.doc_before)

    def redo(self, doc_id: str) -> tuple[Document, Event] | None:
        """Re-apply the last undone action; None when there is none."""
        loaded = self._load(doc_id, events=True)
        stacks = replay(loaded.events or [])
        if not stacks.redo:
            return None
        target = stacks.redo[-1]
        return self._apply_state(loaded, "redo", target, target.after, target.doc_after)

    def _apply_state(
        self,
        loaded: Loaded,
        action: EventAction,
        target: Event,
        spans: dict[str, Span | None],
        fields: dict[str, Any],
    ) -> tuple[Document, Event]:
        doc = loaded.doc
        by_id = {s.id: s for s in doc.spans}
        before = {sid: by_id.get(sid) for sid in spans}
        for sid, span in spans.items():
            if span is None:
                by_id.pop(sid, None)
            else:
                by_id[sid] = span
        new_doc = doc.model_copy(update={"spans": list(by_id.values()), **fields})
        event = self._event(
            doc.id,
            loaded,
            action,
            before=before,
            after=dict(spans),
            doc_before=doc_fields(doc) if fields else {},
            doc_after=dict(fields),
            target=target.seq,
        )
        return self._save(new_doc, loaded, [event], dict(spans)), target

    # ------------------------------------------------------------------ position
    def _position_path(self) -> Path:
        return self.root / "users" / shard_name(self.user)

    def position(self) -> tuple[str, str | None] | None:
        """Where this user left off: (document id, span id), if known and still in the store."""
        try:
            raw = json.loads(self._position_path().read_bytes())
            doc_id, span_id = str(raw["doc_id"]), raw.get("span_id")
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None
        if not self.has(doc_id):
            return None
        return doc_id, (str(span_id) if span_id is not None else None)

    def set_position(self, doc_id: str, span_id: str | None) -> None:
        if self.readonly:
            return
        payload = {"user": self.user, "doc_id": doc_id, "span_id": span_id, "time": utc_now()}
        write_json_atomic(self._position_path(), payload)

    # ------------------------------------------------------------------ helpers
    def _writable(self) -> None:
        if self.readonly:
            raise StoreError(f"The store {self.root} is open read-only; nothing was saved.")
        if self._closed:
            raise StoreError(f"The store {self.root} is closed; nothing was saved.")

    def _event(
        self,
        doc_id: str,
        loaded: Loaded | None,
        action: EventAction,
        *,
        before: dict[str, Span | None] | None = None,
        after: dict[str, Span | None] | None = None,
        doc_before: dict[str, Any] | None = None,
        doc_after: dict[str, Any] | None = None,
        target: int | None = None,
    ) -> Event:
        seq = (loaded.seq if loaded else 0) + 1
        return Event(
            seq=seq,
            doc_id=doc_id,
            user=self.user,
            time=utc_now(),
            action=action,
            before=before or {},
            after=after or {},
            doc_before=doc_before or {},
            doc_after=doc_after or {},
            target=target,
        )

    def _decide(
        self,
        doc_id: str,
        action: EventAction,
        span_ids: Sequence[str],
        change: Callable[[Span], Span],
    ) -> Document:
        loaded = self._load(doc_id)
        doc = loaded.doc
        by_id = {s.id: s for s in doc.spans}
        changed: dict[str, Span | None] = {}
        before: dict[str, Span | None] = {}
        for sid in span_ids:
            if sid not in by_id:
                raise SpanError(f"Document {doc_id!r} has no span {sid}.")
            new = change(by_id[sid])
            clash = duplicate_of(by_id.values(), by_id[sid], new)
            if clash is not None:
                raise SpanError(already_marked(doc.text, new.start, new.stop, new.label))
            if new != by_id[sid]:
                before[sid] = by_id[sid]
                changed[sid] = new
                by_id[sid] = new
        if not changed:
            return doc
        new_doc = progressed(doc.model_copy(update={"spans": list(by_id.values())}))
        # Validate what changed (its fields, and that it fits the text), not the whole document:
        # the other spans are as loaded, and re-validating 2,000 of them cost ~8 ms a decision.
        Document.model_validate(
            {
                **new_doc.model_dump(exclude={"spans"}),
                "spans": [span.model_dump() for span in changed.values() if span is not None],
            }
        )
        event = self._event(
            doc_id,
            loaded,
            action,
            before=before,
            after=dict(changed),
            doc_before=doc_fields(doc) if new_doc.status != doc.status else {},
            doc_after=doc_fields(new_doc) if new_doc.status != doc.status else {},
        )
        return self._save(new_doc, loaded, [event], changed, in_place=True)


def next_span_number(store: Store, doc_id: str) -> int:
    """The number for a new span id ``sN`` of a stored document (see :func:`_fresh_number`)."""
    doc = store.get(doc_id)
    return fresh_number(doc, store.history(doc_id))


def _has_span(doc: Document, span_id: str) -> bool:
    return any(s.id == span_id for s in doc.spans)


__all__ = ["AddedSpans", "LockInfo", "Store", "SyncReport", "next_span_number"]

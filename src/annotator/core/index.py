"""The store's index: a cache of each document's summary, so listing 10,000 documents is fast.

``index.json`` maps shard file names to (summary, mtime_ns, size). It is only a cache: on open each
shard is stat-ed and re-read when it changed behind the index's back, and an index that does not
match its checksum is ignored. Losing it costs time, never data.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotator.core.atomic import dump_json, write_json_atomic
from annotator.core.errors import StoreCorruptError
from annotator.core.model import DocSummary
from annotator.core.shard import Shard, recover_hint, shard_name


@dataclass
class Entry:
    """What the index knows about one shard."""

    summary: DocSummary
    shard: str
    mtime_ns: int
    size: int


@dataclass
class Scan:
    """The result of checking the index against the shards on disk."""

    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    changed: bool = False


def digest(shards: Any) -> str:
    """A checksum of the index entries: a damaged index that still parses is not trusted."""
    return hashlib.sha256(dump_json(shards)).hexdigest()


def _read(path: Path) -> dict[str, Entry]:
    """The entries of the index file, or none when it is missing or damaged.

    Parsed with orjson: at 10,000 entries (3.6 MB) ``_read`` takes ~61 ms, ~4 ms less than with
    ``json``. Each summary's fields are checked (:meth:`DocSummary.from_index`)."""
    try:
        raw = orjson.loads(path.read_bytes())
        if raw.get("digest") != digest(raw["shards"]):
            raise ValueError("the index does not match its digest")  # damaged: rebuild
        return {
            shard: Entry(
                summary=DocSummary.from_index(item["summary"]),
                shard=shard,
                mtime_ns=int(item["mtime_ns"]),
                size=int(item["size"]),
            )
            for shard, item in raw["shards"].items()
        }
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        ArithmeticError,
        RecursionError,
    ):
        return {}


def scan(index_path: Path, docs: Path) -> Scan:
    """Entries for every readable shard in ``docs``, re-reading those the index is wrong about."""
    cached = _read(index_path)
    result = Scan()
    if not docs.is_dir():
        return result
    for item in os.scandir(docs):
        # (logs and temp files, named ``.<name>.json.tmp-<pid>-<n>``, do not end in .json)
        if not item.name.endswith(".json"):
            continue
        stat = item.stat()
        known = cached.get(item.name)
        if (
            known
            and known.mtime_ns == stat.st_mtime_ns
            and known.size == stat.st_size
            and shard_name(known.summary.id) == item.name
        ):
            result.entries[known.summary.id] = known
            continue
        try:
            doc, _ = Shard(docs / item.name).load(events=False)
        except StoreCorruptError as err:
            result.problems.append(str(err))
            continue
        if shard_name(doc.id) != item.name:  # e.g. a file restored under the wrong name
            path = docs / item.name
            result.problems.append(
                f"The store file {path} holds document {doc.id!r}, whose file is "
                f"{shard_name(doc.id)}; {recover_hint(path)}."
            )
            continue
        result.entries[doc.id] = Entry(
            DocSummary.of(doc), item.name, stat.st_mtime_ns, stat.st_size
        )
        result.changed = True
    if len(cached) != len(result.entries):
        result.changed = True
    return result


def write(index_path: Path, entries: dict[str, Entry]) -> None:
    """Write the index (not fsynced: it is a cache, checked on every open)."""
    shards = {
        e.shard: {"summary": e.summary.as_dict(), "mtime_ns": e.mtime_ns, "size": e.size}
        for e in entries.values()
    }
    payload = {"version": 1, "digest": digest(shards), "shards": shards}
    write_json_atomic(index_path, payload, durable=False)

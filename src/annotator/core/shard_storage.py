"""The TinyDB storage of a shard's file (imported with TinyDB, when a shard is first written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from annotator.core.atomic import dump_json, write_atomic
from annotator.core.shard import read_shard_file


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes in place and refuses to read a damaged file."""

    def __init__(self, path: str, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable

    def read(self) -> dict[str, dict[str, Any]] | None:
        return read_shard_file(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, dump_json(data), durable=self.durable)

    def close(self) -> None:
        return None

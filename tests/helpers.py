"""Helpers shared by tests (import as ``from tests.helpers import make_doc``)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from annotator.core.model import Document
from annotator.core.shard import shard_name


def make_doc(doc_id: str, text: str, **fields: object) -> Document:
    """A document for tests, with its sha256 computed."""
    return Document.model_validate({
        "id": doc_id,
        "source": f"{doc_id}.txt",
        "text": text,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        **fields,
    })


def damage_span_text(root: Path, doc_id: str) -> None:
    """Change the first span's text in a store's document file behind the index's back (same
    size, same modification time): a reader of the file finds the document damaged, the
    store's index does not."""
    path = root / "docs" / shard_name(doc_id)
    stat = path.stat()
    raw = path.read_bytes()
    surface = json.loads(raw)["spans"]["1"]["text"]
    old = f'"text":"{surface}"'.encode()
    at = raw.rindex(old)  # the spans table is written last
    new = f'"text":"{"Ж" if surface[0] != "Ж" else "Щ"}{surface[1:]}"'.encode()
    path.write_bytes(raw[:at] + new + raw[at + len(old):])
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

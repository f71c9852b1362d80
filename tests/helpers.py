"""Helpers shared by tests (import as ``from tests.helpers import make_doc``)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from click.testing import CliRunner, Result

from annotator.cli import main
from annotator.core.model import Document
from annotator.core.shard import shard_name

CLI_FIXED_TIME = "2026-11-22T10:00:00Z"
"""The gold file's ``created`` stamp in CLI runs (``tests.conftest.FIXED_TIME``)."""


def run_cli(*args: str) -> Result:
    """``annotator ARGS`` in this process, with a fixed time; never a traceback."""
    result = CliRunner().invoke(main, list(args), env={"ANNOTATOR_FIXED_TIME": CLI_FIXED_TIME})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_sentence(result: Result, code: int, *fragments: str) -> str:
    """The command failed with ``code`` and said so in one line on stderr (returned), holding
    each of ``fragments``."""
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("annotator: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


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

"""Which module writes and reads which format, and telling a file's format from its contents."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from annotator.core.errors import FormatError, UsageError
from annotator.core.formats.common import (
    PlainDoc,
    ReadResult,
    Where,
    Written,
    decode_text,
    jsonl_records,
    parse_json,
    read_bytes,
    read_text,
)
from annotator.core.model import Document

EXPORT_FORMATS = ("gold", "jsonl", "spacy", "doccano", "label-studio", "brat", "conll")
IMPORT_FORMATS = ("gold", "jsonl", "spacy", "doccano", "label-studio", "brat")
FOLDER_FORMATS = ("brat",)


def export_bytes(fmt: str, docs: Sequence[Document], *, labels: Sequence[str], created: str,
                 include_pending: bool) -> Written:
    """A single-file export of ``docs`` (every format but brat, which writes a folder)."""
    if fmt == "gold":
        from annotator.core.formats.gold import write_gold

        return write_gold(docs, labels=labels, created=created, include_pending=include_pending)
    if fmt == "jsonl":
        from annotator.core.formats.jsonl import write_jsonl

        return write_jsonl(docs, include_pending=include_pending)
    if fmt == "spacy":
        from annotator.core.formats.spacy import write_spacy

        return write_spacy(docs)
    if fmt == "doccano":
        from annotator.core.formats.doccano import write_doccano

        return write_doccano(docs)
    if fmt == "label-studio":
        from annotator.core.formats.label_studio import write_label_studio

        return write_label_studio(docs)
    if fmt == "conll":
        from annotator.core.formats.conll import write_conll

        return write_conll(docs)
    raise UsageError(f"{fmt!r} is not a single-file export format.")


def parse_text(fmt: str, raw: str, name: str) -> ReadResult:
    """Read a file's text in one of the single-file formats (``name`` is used in messages)."""
    if fmt == "gold":
        from annotator.core.formats.gold import parse_gold

        return parse_gold(raw, Where(name))
    if fmt == "jsonl":
        from annotator.core.formats.jsonl import parse_jsonl

        return parse_jsonl(raw, name)
    if fmt == "spacy":
        from annotator.core.formats.spacy import parse_spacy

        return parse_spacy(raw, name)
    if fmt == "doccano":
        from annotator.core.formats.doccano import parse_doccano

        return parse_doccano(raw, name)
    if fmt == "label-studio":
        from annotator.core.formats.label_studio import parse_label_studio

        return parse_label_studio(raw, name)
    raise UsageError(f"annotator cannot read the {fmt!r} format.")


def read_path(path: Path, fmt: str) -> ReadResult:
    """Read ``path`` in format ``fmt``; FormatError (one sentence) when it is not in that format."""
    if fmt == "brat":
        from annotator.core.formats.brat import read_brat

        return read_brat(path)
    if not path.exists():
        raise FormatError(f"{path} does not exist.")
    if path.is_dir():
        raise FormatError(f"{path} is a folder; the {fmt} format is a single file.")
    return parse_text(fmt, read_text(path), str(path))


def _kind_of_record(obj: Mapping[str, Any]) -> str | None:
    if obj.get("format") == "annotator.gold":
        return "gold"
    if "tokens" in obj or "answer" in obj:
        return "spacy"
    if "data" in obj and ("annotations" in obj or "predictions" in obj or "completions" in obj):
        return "label-studio"
    if isinstance(obj.get("label"), list):
        return "doccano"
    entities = obj.get("entities")
    if isinstance(entities, list) and entities and isinstance(entities[0], dict) \
            and "start_offset" in entities[0]:
        return "doccano"
    if "entities" in obj or "spans" in obj:
        return "jsonl"
    return None


@dataclass
class Sniffed:
    """What telling a file's format found: the format, and what was read on the way (the text,
    and the whole text parsed as one JSON value when it is one), so reading it does not start
    over: a 144 MB gold file was parsed twice by ``evaluate``, ~1 s at 10,000 documents.

    ``data``: the file's bytes when its text was not needed yet (a file that is one JSON value
    is parsed from its bytes, ~0.4 s less than decoding it and parsing the text at 144 MB);
    :meth:`text` decodes them then."""

    fmt: str
    raw: str | None = None
    value: Any = None
    data: bytes | None = None
    path: str = ""

    def text(self) -> str | None:
        """The file's text (None for folders and .ann files, which are read by path)."""
        if self.raw is None and self.data is not None:
            self.raw = decode_text(self.data, self.path)
            self.data = None
        return self.raw


def detect_format(path: Path) -> str:
    """The format of ``path`` from its contents: ``store`` (a folder with store.json), ``brat``
    (another folder, or a .ann file), ``gold``/``label-studio`` (JSON), or ``jsonl``/``spacy``/
    ``doccano`` (JSON Lines, by the keys of the first record)."""
    return sniff(path).fmt


def sniff(path: Path) -> Sniffed:
    """:func:`detect_format`, keeping what was read (see :class:`Sniffed`)."""
    if not path.exists():
        raise FormatError(f"{path} does not exist.")
    if path.is_dir():
        return Sniffed("store" if (path / "store.json").is_file() else "brat")
    if path.suffix == ".ann":
        return Sniffed("brat")
    data = read_bytes(path)
    try:  # UTF-8 is checked by orjson as strictly as by decoding
        whole = orjson.loads(memoryview(data)[len(codecs.BOM_UTF8):]
                             if data.startswith(codecs.BOM_UTF8) else data)
    except orjson.JSONDecodeError:
        raw = decode_text(data, path)
        if not raw.strip():
            raise FormatError(f"{path} is empty.") from None
        try:
            whole = parse_json(raw, Where(str(path)))
        except FormatError:
            whole = None
            first = next(jsonl_records(raw, str(path)))[1]  # raises FormatError naming the line
        else:
            first = whole
        sniffed = Sniffed("", raw, whole, path=str(path))
    else:
        first = whole
        sniffed = Sniffed("", None, whole, data, str(path))
    if isinstance(whole, list):
        sniffed.fmt = "label-studio"
        return sniffed
    kind = _kind_of_record(first) if isinstance(first, dict) else None
    if kind is None:
        raise FormatError(
            f"{path}: cannot tell its format (expected gold or Label Studio JSON, or JSON Lines "
            "from jsonl, spacy or doccano)."
        )
    sniffed.fmt = kind
    return sniffed


def read_sniffed(path: Path, sniffed: Sniffed, *, accepted_only: bool = False) -> ReadResult:
    """``read_path(path, sniffed.fmt)`` from what :func:`sniff` read. ``accepted_only``: a gold
    file's rejected and pending spans are left out (they are still checked); for ``evaluate``."""
    raw = sniffed.text()
    if raw is None:
        return read_path(path, sniffed.fmt)
    if sniffed.fmt == "gold":
        from annotator.core.formats.gold import parse_gold

        return parse_gold(raw, Where(str(path)), value=sniffed.value,
                          accepted_only=accepted_only)
    return parse_text(sniffed.fmt, raw, str(path))


def read_plain(sniffed: Sniffed) -> list[PlainDoc] | None:
    """The documents :func:`read_sniffed` would give with ``accepted_only``, as plain data (their
    accepted spans as tuples), for ``evaluate``: when the file is gold JSON or JSON Lines that
    certainly passes the readers' checks (see :func:`~annotator.core.formats.jsonl.plain_jsonl`
    and :func:`~annotator.core.formats.gold.plain_gold`); else None, and :func:`read_sniffed`
    reads it (and words any error)."""
    if sniffed.fmt == "jsonl":
        from annotator.core.formats.jsonl import plain_jsonl

        raw = sniffed.text()
        return None if raw is None else plain_jsonl(raw)
    if sniffed.fmt == "gold" and sniffed.value is not None:
        from annotator.core.formats.gold import plain_gold

        return plain_gold(sniffed.value)
    return None

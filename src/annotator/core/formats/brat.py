"""brat standoff: a folder with ``<name>.txt`` (exact text bytes) and ``<name>.ann`` per document.

``.ann`` lines: ``T1<TAB>PER 0 5<TAB>surface`` for each accepted span, followed by
``#1<TAB>AnnotatorNotes T1<TAB>normal form`` when the span has a normal form. Offsets are code
points of the ``.txt`` decoded as UTF-8 without newline translation (CRLF counts 2), which is what
brat counts in Python. Tabs and line breaks inside a surface or note are written as spaces (the line
format cannot hold them); the reader compares surfaces the same way.

File names come from document ids made safe (:func:`safe_name`): ids that are plain names are kept,
anything else (``../x``, ``a/b``, ``C:x``, a leading dot) is replaced by a cleaned name plus a short
hash, so nothing is ever written outside the output folder. A document read back gets the file name
as its id; the importer then matches it by the sha256 of its text.

Discontinuous spans (``0 5;6 10``), relations, events and attributes are not read (reported).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from annotator.core.errors import FormatError
from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    ReadResult,
    Where,
    one_line,
    read_text,
)
from annotator.core.model import Document, Span

_SAFE = re.compile(r"[^\W][\w.\-]{0,119}")
_UNSAFE_CHARS = re.compile(r"[^\w.\-]+")
_WINDOWS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
            *(f"lpt{i}" for i in range(1, 10))}


def safe_name(doc_id: str) -> str:
    """A file stem for ``doc_id`` that stays inside the output folder on every system.

    Plain ids (letters, digits, ``_``, ``-``, ``.``, not starting with a dot) are kept as they are;
    others become their cleaned form plus ``-`` and 8 hex digits of the id's SHA-1.
    """
    if _SAFE.fullmatch(doc_id) and doc_id.split(".")[0].lower() not in _WINDOWS:
        return doc_id
    cleaned = _UNSAFE_CHARS.sub("_", doc_id).strip("._")[:80] or "doc"
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned}-{digest}"


def _order(span: Span) -> tuple[int, int, str, str]:
    return (span.start, span.stop, span.label, span.id)


def ann_text(doc: Document) -> str:
    lines: list[str] = []
    notes = 0
    spans = sorted((s for s in doc.spans if s.state == "accepted"), key=_order)
    for n, span in enumerate(spans, start=1):
        lines.append(f"T{n}\t{span.label} {span.start} {span.stop}\t{one_line(span.text)}\n")
        if span.normal is not None:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes T{n}\t{one_line(span.normal)}\n")
    return "".join(lines)


def brat_files(docs: Sequence[Document]) -> list[tuple[str, bytes]]:
    """``(file name, bytes)`` for every document: the ``.txt`` and the ``.ann``."""
    files: list[tuple[str, bytes]] = []
    used: set[str] = set()
    for doc in docs:
        stem = safe_name(doc.id)
        if stem.lower() in used:  # two ids that differ only in case, on a case-blind disk
            stem = f"{stem}-{hashlib.sha1(doc.id.encode('utf-8')).hexdigest()[:8]}"
        used.add(stem.lower())
        files.append((f"{stem}.txt", doc.text.encode("utf-8")))
        files.append((f"{stem}.ann", ann_text(doc).encode("utf-8")))
    return files


def parse_ann(doc_id: str, text: str, ann: str, name: str) -> tuple[ImportedDoc, list[str]]:
    """One document from its text and ``.ann`` contents (``name``: the .ann path, for messages)."""
    problems: list[str] = []
    found: dict[str, ImportedSpan] = {}
    order: list[str] = []
    notes: dict[str, str] = {}
    skipped = 0
    for number, raw in enumerate(ann.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        where = Where(name, number)
        parts = line.split("\t")
        kind = parts[0][:1]
        if kind == "T":
            span = _text_bound(parts, where, text, doc_id, problems)
            if span is not None:
                found[parts[0]] = span
                order.append(parts[0])
        elif kind == "#" and len(parts) >= 3 and parts[1].startswith("AnnotatorNotes "):
            notes[parts[1].split(" ", 1)[1].strip()] = parts[2]
        else:
            skipped += 1
    if skipped:
        problems.append(f"{name}: {skipped} relation, event, attribute or note lines not read.")
    spans = [
        ImportedSpan(s.start, s.stop, s.label, text=s.text, normal=notes.get(key), state="accepted")
        for key in order
        for s in [found[key]]
    ]
    return ImportedDoc(doc_id, text, None, None, spans), problems


def _text_bound(parts: list[str], where: Where, text: str, doc_id: str,
                problems: list[str]) -> ImportedSpan | None:
    if len(parts) < 2:
        where.fail("is not a brat annotation (expected T<n><TAB>LABEL START END<TAB>text)")
    fields = parts[1].split(" ")
    if ";" in parts[1]:
        problems.append(
            f"{where}: {parts[0]} is a discontinuous span ({parts[1]}); not imported."
        )
        return None
    if len(fields) != 3 or not all(re.fullmatch(r"-?\d+", f) for f in fields[1:]):
        where.fail(f"{parts[0]} should read LABEL START END, not {parts[1]!r}")
    start, stop = int(fields[1]), int(fields[2])
    surface = parts[2] if len(parts) >= 3 else None
    if surface is not None and 0 <= start < stop <= len(text) \
            and one_line(text[start:stop]) == surface:
        surface = text[start:stop]
    return ImportedSpan(start, stop, fields[0], text=surface)


def _pairs(path: Path) -> list[tuple[Path, Path]]:
    if path.is_dir():
        anns = sorted(p for p in path.iterdir() if p.suffix == ".ann" and p.is_file())
        if not anns:
            raise FormatError(f"{path} holds no .ann files; it is not a brat folder.")
        return [(ann.with_suffix(".txt"), ann) for ann in anns]
    if path.suffix in (".ann", ".txt"):
        return [(path.with_suffix(".txt"), path.with_suffix(".ann"))]
    raise FormatError(f"{path} is neither a brat folder nor a .ann file.")


def read_brat(path: Path) -> ReadResult:
    """A brat folder (every ``.ann`` with its ``.txt``), or one ``.ann`` beside its ``.txt``."""
    if not path.exists():
        raise FormatError(f"{path} does not exist.")
    result = ReadResult()
    for txt, ann in _pairs(path):
        if not txt.is_file():
            raise FormatError(f"{ann} has no {txt.name} beside it.")
        doc, problems = parse_ann(ann.stem, read_text(txt, exact=True), read_text(ann), str(ann))
        result.docs.append(doc)
        result.problems.extend(problems)
    return result

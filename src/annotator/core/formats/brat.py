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

An export (:func:`write_brat_folder`) is written whole into a new folder beside the output
folder, then put in its place: an earlier export there is replaced, never mixed with the new one;
a folder holding anything else is refused; a failed export leaves the old folder as it was.

Discontinuous spans (``0 5;6 10``), relations, events and attributes are not read (reported).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from annotator.core.atomic import fsync_dir, install_folder, sibling, write_new_file
from annotator.core.errors import FormatError, UsageError
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


CONFIG_FILES = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")
"""brat's own configuration files: kept (copied over) when an export replaces its folder."""


def _foreign(folder: Path) -> str | None:
    """The name of an entry of ``folder`` that a brat export neither writes nor keeps (None when
    every entry is a file: a ``.ann``, a ``.txt`` with its ``.ann`` (a folder of bare ``.txt``
    documents is a corpus, never replaced), or one of :data:`CONFIG_FILES`)."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    files = {e.name for e in entries if e.is_file(follow_symlinks=False)}
    for entry in entries:
        name = entry.name
        ours = not name.startswith(".") and (
            name.endswith(".ann") or (name.endswith(".txt") and f"{name[:-4]}.ann" in files))
        if name not in files or not (ours or name in CONFIG_FILES):
            return name
    return None


def _check_replaceable(output: Path, folder: Path) -> None:
    if not folder.is_dir():
        raise UsageError(f"{output} is a file; brat export needs a folder for -o.")
    name = _foreign(folder)
    if name is not None:
        raise UsageError(f"{output} holds {name!r}, which a brat export does not write; "
                         "give -o an empty or new folder, or one holding an earlier export.")


def write_brat_folder(output: Path, docs: Sequence[Document], *, durable: bool = True
                      ) -> str | None:
    """Write the brat export of ``docs`` as folder ``output``, whole or not at all.

    The files go into a new folder beside it, which then takes its place (see
    :func:`~annotator.core.atomic.install_folder`): a missing ``output`` is created (and its
    parents), one that is empty or holds only an earlier export (``.txt`` and ``.ann`` pairs, and
    brat's :data:`CONFIG_FILES`, which are kept) is replaced; one that holds anything else is a
    UsageError, and nothing is written. A symlink to a folder is written through. On any error
    the new folder is removed and ``output`` is left as it was (OSError is raised as it is).
    Returns None, or a note when the old folder could not all be deleted.
    """
    files = brat_files(docs)
    folder = Path(os.path.realpath(output)) if output.is_symlink() else output
    if os.path.lexists(folder):
        _check_replaceable(output, folder)
    else:
        folder.parent.mkdir(parents=True, exist_ok=True)
    new = sibling(folder, ".new-")
    new.mkdir()
    try:
        for name, data in files:
            if name in ("", ".", "..") or Path(name).name != name:
                raise UsageError(f"refusing to write {name!r} outside {output}.")
            write_new_file(new / name, data, durable=durable)
        if os.path.lexists(folder):
            _check_replaceable(output, folder)  # again: it may have changed meanwhile
            for name in CONFIG_FILES:
                if (folder / name).is_file() and not (new / name).exists():
                    shutil.copy2(folder / name, new / name)
        if durable:
            fsync_dir(new)
        return install_folder(new, folder)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


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

"""Read a corpus of ``.txt`` files exactly: ids, sources, sha256, the metadata line, the language.

Text is read as bytes and decoded as strict UTF-8 with no newline translation and no normalisation,
so offsets count the code points of exactly what is on disk (a UTF-8 byte order mark is the one
exception: it is dropped from ``text`` and recorded in ``meta["bom"]``). A file that cannot be used
becomes one sentence in :attr:`CorpusLoad.problems` and the others still load; a path that does not
exist, or a folder without ``.txt`` files, is a :class:`UsageError`.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.errors import CorpusError, UsageError
from annotator.core.model import Document

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Files larger than this are refused: too large to review interactively."""

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

_META_LINE = re.compile(r" date (\d{4}-\d{2}-\d{2})(?:[ \t]+(.*))?")
_CYRILLIC_RUN = re.compile("[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]+")
_LATIN_RUN = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


@dataclass
class CorpusLoad:
    """What :func:`load_corpus` found: the documents, and one sentence per file it could not use."""

    documents: list[Document] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    """A file to load: where it is, how to name it to the user, and its path below its root."""

    path: Path
    shown: str
    source: str


def load_corpus(paths: Sequence[Path]) -> CorpusLoad:
    """Load files and folders (recursively, ``*.txt``) as documents, sorted by relative path.

    A file named twice (directly or through a folder) is loaded once. Files that cannot be read as
    text are reported in ``problems`` and skipped; files that load with a caveat (empty, byte order
    mark) are reported in ``warnings``.
    """
    load = CorpusLoad()
    for candidate, doc_id, clash in _assign_ids(_collect(paths)):
        if clash is not None:
            load.problems.append(
                f"{candidate.shown} would get the id {doc_id!r}, already used by {clash}; skipped."
            )
            continue
        try:
            load.documents.append(_read_document(candidate, doc_id, load.warnings))
        except CorpusError as err:
            load.problems.append(str(err))
    return load


def _collect(paths: Sequence[Path]) -> list[_Candidate]:
    """Every file to load, without duplicates, sorted by relative path (then by location)."""
    seen: set[Path] = set()
    found: list[_Candidate] = []
    for path in paths:
        for candidate in _expand(path):
            key = candidate.path.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return sorted(found, key=lambda c: (c.source, c.shown))


def _expand(path: Path) -> list[_Candidate]:
    """The files one command-line path stands for: itself, or the ``.txt`` files below it."""
    if not path.exists():
        raise UsageError(f"{path} does not exist.")
    if not path.is_dir():
        return [_Candidate(path=path, shown=str(path), source=path.name)]
    files = [
        p for p in path.rglob("*.txt") if p.is_file() and not _is_hidden(p.relative_to(path).parts)
    ]
    if not files:
        raise UsageError(f"{path} holds no .txt files.")
    return [_Candidate(path=p, shown=str(p), source=p.relative_to(path).as_posix()) for p in files]


def _is_hidden(parts: Iterable[str]) -> bool:
    """True for paths inside hidden folders (``.git``, ``.ipynb_checkpoints``) or hidden files."""
    return any(part.startswith(".") for part in parts)


def _assign_ids(
    candidates: Sequence[_Candidate],
) -> list[tuple[_Candidate, str, str | None]]:
    """Each file with its id, and the file already holding that id (None: no clash).

    Ids are file stems; files sharing a stem use their relative path without the suffix. Only the
    same relative path under two roots can still clash; the first file keeps the id.
    """
    stems = Counter(Path(c.source).stem for c in candidates)
    owners: dict[str, str] = {}
    out: list[tuple[_Candidate, str, str | None]] = []
    for candidate in candidates:
        source = Path(candidate.source)
        doc_id = source.stem if stems[source.stem] == 1 else source.with_suffix("").as_posix()
        out.append((candidate, doc_id, owners.get(doc_id)))
        owners.setdefault(doc_id, candidate.shown)
    return out


def _read_document(candidate: _Candidate, doc_id: str, warnings: list[str]) -> Document:
    """Read one file exactly; raise :class:`CorpusError` (one sentence) when it is not usable."""
    data = _read_bytes(candidate)
    meta: dict[str, str] = {}
    text = _decode(data, candidate.shown)
    if data.startswith(UTF8_BOM):
        meta["bom"] = "utf-8"
        warnings.append(
            f"{candidate.shown} starts with a UTF-8 byte order mark; it is left out of the text, "
            "so offsets count from the first character after it."
        )
    if not text:
        warnings.append(f"{candidate.shown} is empty.")
    meta.update(parse_meta_line(text))
    # Every field is made here, of its type, and there are no spans to check: nothing for
    # pydantic's validator to do (and no schema to build before the review app's first frame).
    return Document.model_construct(
        id=doc_id,
        source=candidate.source,
        text=text,
        sha256=text_sha256(text),
        meta=meta,
        lang=detect_lang(text),
    )


def _read_bytes(candidate: _Candidate) -> bytes:
    """The file's bytes, refusing files too large to review."""
    try:
        info = candidate.path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise CorpusError(f"{candidate.shown} is not a regular file; skipped.")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(
                f"{candidate.shown} is {size / 1024 / 1024:.1f} MB, too large for interactive "
                f"review (the limit is {MAX_FILE_BYTES // 1024 // 1024} MB); skipped."
            )
        return candidate.path.read_bytes()
    except OSError as err:
        reason = err.strerror or err.__class__.__name__
        raise CorpusError(f"{candidate.shown} could not be read ({reason}); skipped.") from err


def _decode(data: bytes, shown: str) -> str:
    """Strict UTF-8 without the byte order mark; binary and other encodings are refused."""
    if data.startswith(UTF16_BOMS):
        raise CorpusError(
            f"{shown} is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8; skipped."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise CorpusError(f"{shown} looks binary (a NUL byte at byte offset {nul}); skipped.")
    skip = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[skip:].decode("utf-8", errors="strict")
    except UnicodeDecodeError as err:
        offset = err.start + skip
        raise CorpusError(
            f"{shown} is not UTF-8 text (invalid byte 0x{data[offset]:02x} at byte offset "
            f"{offset}); skipped."
        ) from err


def text_sha256(text: str) -> str:
    """Hex sha256 of the text's UTF-8 bytes (the identity of a document's exact contents)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _first_line(text: str) -> tuple[str, int]:
    """The first line without its line ending, and the offset just after that line ending."""
    newline = text.find("\n")
    if newline < 0:
        return text, len(text)
    return text[:newline].removesuffix("\r"), newline + 1


def parse_meta_line(text: str) -> dict[str, str]:
    """``date`` and ``title`` from a leading `` date YYYY-MM-DD title`` line (empty when none).

    The line itself stays part of the text; only the values are copied out. ``title`` is the rest
    of the line, stripped, and is left out when empty.
    """
    line, _ = _first_line(text)
    match = _META_LINE.fullmatch(line)
    if match is None:
        return {}
    meta = {"date": match.group(1)}
    title = (match.group(2) or "").strip()
    if title:
        meta["title"] = title
    return meta


def meta_line_end(text: str) -> int:
    """The offset just after the metadata line and its newline, or 0 when the text has none."""
    line, end = _first_line(text)
    return end if _META_LINE.fullmatch(line) else 0


def detect_lang(text: str) -> str:
    """``"ru"`` or ``"en"`` by the share of Cyrillic vs Latin letters; ``"und"`` otherwise.

    ``"und"`` covers texts without letters and texts written mostly in another script.
    """
    letters = _count(_LETTER_RUN, text)
    if letters == 0:
        return "und"
    cyrillic = _count(_CYRILLIC_RUN, text)
    latin = _count(_LATIN_RUN, text)
    if (cyrillic + latin) * 2 < letters:
        return "und"
    return "ru" if cyrillic >= latin else "en"


def _count(pattern: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the single-class ``pattern`` matches."""
    return sum(len(run) for run in pattern.findall(text))

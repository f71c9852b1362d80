"""What every format shares: imported documents, span checks, UTF-16 offsets, strict JSON reading.

Readers turn a file into :class:`ImportedDoc` values with code-point offsets; they raise
:class:`FormatError` (one sentence naming the file and line) when the file is not in the format at
all, and collect per-span problems (one sentence each) for spans they must leave out. Writers take
:class:`~annotator.core.model.Document` values and return bytes plus such problems.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import orjson

from annotator.core.errors import FormatError, SpanError

if TYPE_CHECKING:
    from annotator.core.model import DocStatus, SpanState

# annotator.core.model (pydantic) is imported where it is used, not here: evaluate's plain path
# reads files through this module without needing it (~70 ms of its start-up)


@dataclass(frozen=True)
class ImportedSpan:
    """A span read from a file; offsets are code points into the document's text."""

    start: int
    stop: int
    label: str
    text: str | None = None
    normal: str | None = None
    state: SpanState | None = None
    decision: str | None = None
    origin: str | None = None
    annotator: str | None = None
    time: str | None = None

    def key(self) -> tuple[int, int, str]:
        return (self.start, self.stop, self.label)


@dataclass
class ImportedDoc:
    """A document read from a file: its text and sha256 when the file gives them, and its spans."""

    id: str
    text: str | None
    sha256: str | None
    status: DocStatus | None
    spans: list[ImportedSpan] = field(default_factory=list)
    source: str | None = None
    meta: dict[str, str] | None = None
    flags: list[str] | None = None
    comment: str | None = None


@dataclass
class ReadResult:
    """What a reader found: documents, and one sentence per span it had to leave out."""

    docs: list[ImportedDoc] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Written:
    """An export's bytes, one sentence per span it could not carry (``problems``: the export is
    incomplete), and one per thing worth knowing that was still written exactly (``notes``)."""

    data: bytes
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def status_or_none(value: object) -> DocStatus | None:
    """A document status from a file, or None when it is absent or unknown."""
    from annotator.core.model import DOC_STATUSES

    for status in DOC_STATUSES:
        if value == status:
            return status
    return None


# -- span checks ---------------------------------------------------------------------------------


def span_problem(doc_id: str, text: str, span: ImportedSpan) -> str | None:
    """Why ``span`` cannot be imported into ``text`` (one sentence), or None when it fits."""
    from annotator.core.model import check_span_fits

    try:
        check_span_fits(doc_id, text, span.start, span.stop, span.text)
    except SpanError as err:
        return f"{str(err).rstrip('.')}; not imported."
    if not span.label or any(ch.isspace() for ch in span.label):
        return (
            f"document {doc_id!r}: span {span.start}..{span.stop} has label {span.label!r}, "
            "which is empty or contains whitespace; not imported."
        )
    return None


def check_doc(doc: ImportedDoc, text: str) -> tuple[list[ImportedSpan], list[str]]:
    """The spans of ``doc`` that fit ``text`` (duplicates dropped), a sentence per refused one."""
    good: list[ImportedSpan] = []
    problems: list[str] = []
    seen: set[tuple[int, int, str, str | None]] = set()
    for span in doc.spans:
        problem = span_problem(doc.id, text, span)
        if problem:
            problems.append(problem)
            continue
        identity = (span.start, span.stop, span.label, span.state)
        if identity not in seen:
            seen.add(identity)
            good.append(span)
    return good, problems


PlainSpan = tuple[int, int, str, str | None]
"""A span as plain data: ``(start, stop, label, text)`` (``text`` None when the file has none)."""
Entity = tuple[int, int, str]


@dataclass
class PlainDoc:
    """A document as plain data, for ``evaluate``: its accepted spans only, as tuples."""

    id: str
    text: str | None
    sha256: str | None
    spans: list[PlainSpan]


def check_plain(doc_id: str, text: str, spans: list[PlainSpan],
                labels_ok: dict[str, bool] | None = None) -> tuple[list[Entity], list[str]]:
    """:func:`check_doc` on plain spans: the ``(start, stop, label)`` of those that fit ``text``
    (duplicates dropped), and the same sentence per refused one. ``labels_ok``: a cache of
    which labels are fine (:func:`label_fits`), shared between calls."""
    if labels_ok is None:
        labels_ok = {}
    good: list[Entity] = []
    problems: list[str] = []
    size = len(text)
    for start, stop, label, surface in spans:
        # text[start:stop] == surface, without slicing the text
        ok = 0 <= start < stop <= size and (surface is None or (
            stop - start == len(surface) and text.startswith(surface, start)))
        if ok:
            label_ok = labels_ok.get(label)
            if label_ok is None:
                label_ok = labels_ok[label] = label_fits(label)
            ok = label_ok
        if not ok:
            problem = span_problem(doc_id, text, ImportedSpan(start, stop, label, text=surface))
            if problem is not None:
                problems.append(problem)
                continue
        good.append((start, stop, label))
    return list(dict.fromkeys(good)), problems


def label_fits(label: str) -> bool:
    """Whether a span may have ``label``: not empty, no whitespace (as :func:`span_problem`)."""
    return bool(label) and not any(ch.isspace() for ch in label)


# -- UTF-16 offsets ------------------------------------------------------------------------------


class Utf16:
    """Converts offsets between code points (ours) and UTF-16 code units (browsers, JavaScript).

    A character outside the Basic Multilingual Plane (an emoji, ``𝔸``) is one code point but two
    UTF-16 code units, so offsets after it differ by one per such character.
    """

    def __init__(self, text: str) -> None:
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._astral_u16 = [cp + k for k, cp in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, offset: int) -> int | None:
        """The code-point offset, or None when ``offset`` falls inside a surrogate pair.

        Offsets past the end stay past the end (and negative ones negative), so range checks still
        report them.
        """
        before = bisect_left(self._astral_u16, offset)
        if before and self._astral_u16[before - 1] == offset - 1:
            return None
        return offset - before


def inside_pair(doc_id: str, start: int, stop: int) -> str:
    return (
        f"document {doc_id!r}: span {start}..{stop} (UTF-16 offsets) splits a character outside "
        "the BMP; not imported."
    )


# -- reading JSON strictly -----------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A place in an input file, for error messages: ``preds.jsonl line 3``."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path} line {self.line}" if self.line is not None else self.path

    def fail(self, message: str) -> NoReturn:
        raise FormatError(f"{self}: {message}.")


def read_bytes(path: Path) -> bytes:
    """A file's bytes; FormatError (one sentence) when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise FormatError(f"{path} is a folder, not a file.") from None
    except OSError as err:
        raise FormatError(f"{path} cannot be read ({err.strerror}).") from None


def decode_text(data: bytes, path: Path | str, *, exact: bool = False) -> str:
    """A file's bytes as text, as :func:`read_text` reads them."""
    try:
        return data.decode("utf-8" if exact else "utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise FormatError(f"{path} line {line} is not valid UTF-8.") from None


def read_text(path: Path, *, exact: bool = False) -> str:
    """A file's text as UTF-8 without newline translation; a leading BOM is dropped unless
    ``exact`` (document texts keep every character, since offsets count them)."""
    return decode_text(read_bytes(path), path, exact=exact)


def parse_json(raw: str, where: Where) -> Any:
    """``raw`` parsed as one JSON value; FormatError (one sentence naming the file and line) when
    it is not valid JSON, or when one of its strings holds a lone surrogate
    (:func:`check_characters`): every reader's JSON passes here, or through orjson, which refuses
    lone surrogates itself."""
    value = _loads(raw, where)
    check_characters(value, raw, where)
    return value


def _loads(raw: str, where: Where) -> Any:
    """``json.loads(raw)``, its errors worded (no check of the strings)."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        line = err.lineno if where.line is None else where.line
        raise FormatError(f"{where.path} line {line} is not valid JSON ({err.msg}).") from None
    except RecursionError:
        where.fail("is nested too deeply to read")


def parse_json_fast(raw: str, where: Where) -> Any:
    """:func:`parse_json` with orjson (several times faster on a large file) when it can read
    ``raw``; else ``json`` reads it, and words the error, as :func:`parse_json` does.

    For valid JSON both give the same value but for integers beyond 64 bits (orjson gives a
    float) and NaN, Infinity or lone surrogates (orjson refuses them): callers that must tell
    such values apart read again with :func:`parse_json` when their checks fail. (A value orjson
    gives never holds a lone surrogate, so it needs no :func:`check_characters`.)
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return parse_json(raw, where)


# -- lone surrogates -----------------------------------------------------------------------------

# JSON's \uXXXX escapes may name half of a UTF-16 surrogate pair (U+D800..U+DFFF); two such
# escapes in a row are decoded as one character (``\ud83d\ude00`` is 😀), one alone gives a
# "lone surrogate": not a character, which UTF-8 cannot encode (sha256_of raised on it). Text
# decoded from UTF-8 never holds one, so only a value parsed from text with such an escape can.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")

JsonPath = tuple[str | int, ...]


def lone_surrogate(value: Any) -> tuple[JsonPath, str, bool] | None:
    """The first string of a parsed JSON value (in the file's order) holding a lone surrogate:
    its path (keys and list indexes), the surrogate, and whether the string is a key of the
    object at that path; None when there is none."""
    todo: list[tuple[JsonPath, Any, bool]] = [((), value, False)]
    while todo:
        path, item, is_key = todo.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                return path, found.group(), is_key
        elif isinstance(item, dict):
            children: list[tuple[JsonPath, Any, bool]] = []
            for key, child in item.items():
                children.append((path, key, True))
                children.append(((*path, key), child, False))
            todo.extend(reversed(children))
        elif isinstance(item, list):
            todo.extend(((*path, n), child, False) for n, child in reversed(list(enumerate(item))))
    return None


def check_characters(value: Any, raw: str, where: Where) -> None:
    """Raise FormatError (one sentence naming the file, the record and the field) when a string
    of ``value``, parsed from ``raw``, holds a lone surrogate. Costs one search of ``raw`` when
    it has no escape of a surrogate (nearly every file)."""
    if "\\u" not in raw or not _SURROGATE_ESCAPE.search(raw):
        return
    found = lone_surrogate(value)
    if found is None:
        return
    path, char, is_key = found
    place, field = _record_of(value, path, where)
    what = f"a key of {field}" if is_key and field else "a key" if is_key else field or "the value"
    raise FormatError(
        f"{place}: {what} holds a lone surrogate (\\u{ord(char):04x}), which is not a "
        "character; the file was not read."
    )


def _record_of(value: Any, path: JsonPath, where: Where) -> tuple[str, str]:
    """Where a string at ``path`` of ``value`` is: the file (and line, or the record: a gold
    file's document, a Label Studio task), and the field within, quoted (empty: the record)."""
    place = str(where)
    if len(path) >= 2 and path[0] == "documents" and isinstance(path[1], int):
        doc = value["documents"][path[1]]
        doc_id = doc.get("id") if isinstance(doc, dict) else None
        clean = isinstance(doc_id, str) and not _SURROGATE.search(doc_id)
        place += f" document {doc_id!r}" if clean else f" documents[{path[1]}]"
        path = path[2:]
    elif path and isinstance(path[0], int) and isinstance(value, list):
        place += f" task {path[0]}"
        path = path[1:]
    field = ""
    for part in path:
        field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else part
    return place, f'"{field}"' if field else ""


# -- JSON Lines ----------------------------------------------------------------------------------


def jsonl_records(raw: str, name: str) -> Iterator[tuple[Where, Any]]:
    """Each non-blank line of JSON Lines text, parsed, with its place.

    Lines are split on ``\\n`` only: U+2028 and friends may appear raw inside JSON strings. A
    file that is one JSON document (a gold file, a Label Studio export) is told apart when its
    first line is not JSON, or is such a document on one line, and named so (one sentence).
    """
    first = True
    for number, line in enumerate(raw.split("\n"), start=1):
        if not line.strip():
            continue
        where = Where(name, number)
        if not first:
            yield where, parse_json(line, where)
            continue
        first = False
        try:
            value = _loads(line, where)
        except FormatError:
            _one_document(raw, name)
            raise
        check_characters(value, line, where)
        hint = _document_hint(value)
        if hint:
            raise FormatError(f"{where} is one whole JSON document, not a JSON Lines record; "
                              f"{hint}.")
        yield where, value


def _one_document(raw: str, name: str) -> None:
    """Raise FormatError saying so when ``raw`` (whose first line is not JSON) parses as one JSON
    document; its strings are checked first (:func:`check_characters`)."""
    try:
        whole = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return
    check_characters(whole, raw, Where(name))
    hint = _document_hint(whole)
    raise FormatError(f"{name} is one JSON document, not JSON Lines (one record per line)"
                      + (f"; {hint}." if hint else "."))


def _document_hint(value: Any) -> str | None:
    """Which format a whole JSON document is in, as advice, when it is one annotator reads."""
    if isinstance(value, dict) and value.get("format") == "annotator.gold":
        return "is it a gold file? try --format gold"
    if isinstance(value, list):
        return "is it a Label Studio export? try --format label-studio"
    return None


def json_lines_hint(raw: str, name: str, what: str = "a gold file") -> str | None:
    """The sentence for JSON Lines text read as one JSON document (``what``: a gold file), or
    None: when ``raw`` fails to parse with "Extra data" and its first line parses alone as an
    object."""
    try:
        json.loads(raw)
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            return None
    except RecursionError:
        return None
    else:
        return None
    first = next((line for line in raw.split("\n") if line.strip()), "")
    try:
        record = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    return (f"{name} looks like JSON Lines (one record per line), not {what}; "
            f"try --format {_lines_format(record)}.")


def likely_format(record: Mapping[str, Any]) -> tuple[str, str] | None:
    """The format a record read with the wrong ``--format`` looks like, and the key that tells:
    ``("doccano", "label")``; None when nothing does."""
    if record.get("format") == "annotator.gold" or "documents" in record:
        return ("gold", "documents" if "documents" in record else "format")
    if "data" in record and ("annotations" in record or "completions" in record):
        return ("label-studio", "data")
    for key in ("label", "labels"):
        if isinstance(record.get(key), list):
            return ("doccano", key)
    entities = record.get("entities")
    if isinstance(entities, list):
        doccano = bool(entities) and isinstance(entities[0], Mapping) \
            and "start_offset" in entities[0]
        return ("doccano" if doccano else "jsonl", "entities")
    if "tokens" in record or "answer" in record:
        return ("spacy", "tokens" if "tokens" in record else "answer")
    return None


def format_hint(record: Mapping[str, Any], *, but: str) -> str:
    """``" (it has 'label', like doccano: try --format doccano)"``, or ``""`` when the
    record looks like no other format than ``but``, the one being read."""
    found = likely_format(record)
    if found is None or found[0] == but:
        return ""
    fmt, key = found
    return f" (it has {key!r}, like {fmt}: try --format {fmt})"


def _lines_format(record: Mapping[str, Any]) -> str:
    """The JSON Lines format a record looks like (as ``registry.detect_format`` tells them)."""
    if "tokens" in record or "answer" in record:
        return "spacy"
    entities = record.get("entities")
    if isinstance(record.get("label"), list) or (
            isinstance(entities, list) and entities and isinstance(entities[0], dict)
            and "start_offset" in entities[0]):
        return "doccano"
    if "entities" in record or "spans" in record:
        return "jsonl"
    return "jsonl (or doccano)"


def as_object(value: Any, where: Where, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        where.fail(f"{what} should be a JSON object")
    return value


def as_list(value: Any, where: Where, what: str) -> list[Any]:
    if not isinstance(value, list):
        where.fail(f"{what} should be a JSON list")
    return value


def get_int(obj: Mapping[str, Any], keys: tuple[str, ...], where: Where, what: str) -> int:
    for key in keys:
        if key in obj:
            value = obj[key]
            if isinstance(value, bool) or not isinstance(value, int):
                where.fail(f"{what} has {key!r} = {value!r}, which is not an integer")
            return value
    where.fail(f"{what} has no {' or '.join(repr(k) for k in keys)}")


def get_str(obj: Mapping[str, Any], keys: tuple[str, ...], where: Where, what: str) -> str:
    value = opt_str(obj, keys, where, what)
    if value is None:
        where.fail(f"{what} has no {' or '.join(repr(k) for k in keys)}")
    return value


def opt_str(obj: Mapping[str, Any], keys: tuple[str, ...], where: Where, what: str) -> str | None:
    for key in keys:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            where.fail(f"{what} has {key!r} = {value!r}, which is not a string")
        return value
    return None


def doc_id_of(value: Any, where: Where, what: str) -> str:
    """A document id from a file: a non-empty string (integers are accepted and turned to text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        where.fail(f"{what} has id {value!r}, which is not a non-empty string")
    return value


def str_meta(value: Any, where: Where, what: str) -> dict[str, str]:
    """A ``meta`` mapping with string values (numbers and booleans are turned to text)."""
    if value is None:
        return {}
    meta = as_object(value, where, f"{what} meta")
    out: dict[str, str] = {}
    for key, item in meta.items():
        if isinstance(item, str):
            out[key] = item
        elif isinstance(item, int | float | bool):
            out[key] = json.dumps(item)
    return out


def dumps_line(value: Any) -> str:
    """One JSON Lines record: UTF-8 text kept readable, insertion order kept."""
    return json.dumps(value, ensure_ascii=False)


_BREAKS = re.compile(r"[\t\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def one_line(value: str) -> str:
    """``value`` fit for a tab-separated line: tabs and line breaks become spaces."""
    return _BREAKS.sub(" ", value)

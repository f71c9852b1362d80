"""Prodigy / spaCy JSON Lines: ``{"text", "tokens", "spans", "answer", "meta"}`` per document.

``tokens`` (``{"text", "start", "end", "id", "ws"}``) are razdel's tokens laid out the way spaCy
lays out a text, so that ``"".join(t["text"] + (" " if t["ws"] else "") for t in tokens)`` is the
text exactly, as spaCy's ``Doc(words, spaces)`` requires: ``ws`` is true only when one plain space
(U+0020) follows the token, and any other whitespace — a second space, a tab, CR, LF, CRLF, a
no-break space, whitespace before the first token — is a token of its own (``ws`` false), as
spaCy's own tokenizer makes it (``"a  b"`` → ``a`` ws, ``" "``, ``b``). ``spans`` are the accepted
spans (``{"start", "end", "label", "token_start", "token_end"}``, ``token_end`` inclusive as in
Prodigy; ``tokens[token_start].start == start`` and ``tokens[token_end].end == end``). Offsets are
code points, which is what spaCy and Prodigy count in Python. A span that does not fall on token
boundaries keeps its exact character offsets but is written without ``token_start``/``token_end``
(and reported), since those cannot describe it; nothing is ever shifted.

``answer`` comes from the document status: ``reviewed`` → ``accept``, ``ignored`` → ``reject``
(the reviewer set the whole text aside), ``unreviewed``/``in_progress`` → ``ignore`` (not decided:
training tools skip it). ``meta`` holds the document's meta plus ``id``, ``source``, ``sha256`` and
``status``, so a read-back restores them.

The reader needs ``text`` and a ``spans`` list (empty when nothing is marked) in every record: a
record without ``spans`` is not a spaCy/Prodigy task (a doccano or jsonl line read with the wrong
``--format``), and the whole file is refused in one sentence naming the line and the format it
looks like, rather than imported as documents without entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.core.formats.common import (
    ImportedDoc,
    ImportedSpan,
    ReadResult,
    Where,
    Written,
    as_list,
    as_object,
    doc_id_of,
    dumps_line,
    format_hint,
    get_int,
    get_str,
    jsonl_records,
    sha256_of,
    status_or_none,
    str_meta,
)
from annotator.core.model import DocStatus, Document, sort_spans
from annotator.core.tokens import Token, span_token_range, tokens

ANSWERS: dict[DocStatus, str] = {
    "reviewed": "accept",
    "ignored": "reject",
    "unreviewed": "ignore",
    "in_progress": "ignore",
}
STATUSES: dict[str, DocStatus] = {"accept": "reviewed", "reject": "ignored", "ignore": "unreviewed"}
_RESERVED = ("id", "source", "sha256", "status")


def spacy_tokens(text: str) -> list[tuple[Token, bool]]:
    """razdel's tokens of ``text`` laid out as spaCy lays out a text, each with its ``ws`` flag.

    Between two razdel tokens (and before the first, after the last) lies whitespace: one plain
    space right after a token sets that token's ``ws``; whatever whitespace is left is one token of
    its own (``ws`` false), as spaCy's tokenizer makes it. So the tokens and their ``ws`` flags
    rebuild ``text`` exactly.
    """
    out: list[tuple[Token, bool]] = []
    position = 0
    for token in [*tokens(text), None]:
        end = len(text) if token is None else token.start
        if position < end:
            gap = position
            if out and text[position] == " ":
                out[-1] = (out[-1][0], True)
                gap += 1
            if gap < end:
                out.append((Token(gap, end, text[gap:end]), False))
        if token is not None:
            out.append((token, False))
            position = token.stop
    return out


def task(doc: Document, notes: list[str]) -> dict[str, Any]:
    """One Prodigy task for ``doc``; spans off token boundaries are reported in ``notes``."""
    laid_out = spacy_tokens(doc.text)
    toks = [t for t, _ in laid_out]
    spans: list[dict[str, Any]] = []
    for span in sort_spans(s for s in doc.spans if s.state == "accepted"):
        record: dict[str, Any] = {"start": span.start, "end": span.stop, "label": span.label}
        found = span_token_range(toks, span.start, span.stop)
        if found is None:
            notes.append(
                f"document {doc.id!r}: span {span.start}..{span.stop} {span.text!r} does not fall "
                "on token boundaries; written without token_start/token_end."
            )
        else:
            record["token_start"], record["token_end"] = found[0], found[1] - 1
        spans.append(record)
    meta = {**doc.meta, "id": doc.id, "source": doc.source, "sha256": doc.sha256,
            "status": doc.status}
    return {
        "text": doc.text,
        "tokens": [
            {"text": t.text, "start": t.start, "end": t.stop, "id": i, "ws": ws}
            for i, (t, ws) in enumerate(laid_out)
        ],
        "spans": sorted(spans, key=lambda r: (r["start"], r["end"], r["label"])),
        "answer": ANSWERS[doc.status],
        "meta": meta,
    }


def write_spacy(docs: Sequence[Document]) -> Written:
    notes: list[str] = []
    lines = [dumps_line(task(d, notes)) + "\n" for d in docs]
    return Written("".join(lines).encode("utf-8"), notes=notes)


def read_task(obj: Any, where: Where) -> ImportedDoc:
    item = as_object(obj, where, "the line")
    text = get_str(item, ("text",), where, "the task")
    raw_meta = item.get("meta")
    meta_obj = as_object(raw_meta, where, "the task's meta") if raw_meta is not None else {}
    if meta_obj.get("id") is not None:
        doc_id = doc_id_of(meta_obj["id"], where, "the task's meta")
    elif item.get("id") is not None:
        doc_id = doc_id_of(item["id"], where, "the task")
    else:
        doc_id = sha256_of(text)[:16]
    sha = meta_obj.get("sha256")
    source = meta_obj.get("source")
    answer = item.get("answer")
    status = status_or_none(meta_obj.get("status")) or (
        STATUSES.get(answer) if isinstance(answer, str) else None
    )
    if item.get("spans") is None:
        where.fail("the record has no 'spans', so it is not a spaCy/Prodigy task"
                   f"{format_hint(item, but='spacy')}")
    spans = []
    for n, raw in enumerate(as_list(item["spans"], where, "'spans'")):
        what = f"spans[{n}]"
        span = as_object(raw, where, what)
        spans.append(ImportedSpan(
            get_int(span, ("start",), where, what),
            get_int(span, ("end",), where, what),
            get_str(span, ("label",), where, what),
            state="accepted",
        ))
    meta = {k: v for k, v in str_meta(raw_meta, where, "the task").items() if k not in _RESERVED}
    return ImportedDoc(
        id=doc_id,
        text=text,
        sha256=sha if isinstance(sha, str) else None,
        status=status,
        spans=spans,
        source=source if isinstance(source, str) else None,
        meta=meta,
    )


def parse_spacy(raw: str, name: str) -> ReadResult:
    return ReadResult(docs=[read_task(obj, where) for where, obj in jsonl_records(raw, name)])

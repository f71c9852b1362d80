"""CoNLL with IOB2 tags: ``token<TAB>tag`` lines over razdel tokens (export only).

Each document starts with a ``-DOCSTART- -X- O O`` line and a blank line; each razdel sentence ends
with a blank line. Only accepted spans are written: the first token of a span is ``B-LABEL``, the
rest ``I-LABEL``.

A sentence never breaks inside an entity: IOB2 readers (seqeval, CoNLL scripts) end every entity at
a blank line, so an entity that razdel's sentences split (``Apple Inc. Russia``: razdel ends a
sentence after ``Inc.``) would read back as two. The sentences it spans are written as one instead
(reported as a note); the tokens, tags and every other break stay as they are.

IOB2 can carry neither a span that does not start and end on token boundaries nor a span nested in
or overlapping another, so such spans are *never* shifted to the nearest tokens or merged: each is
reported (one sentence) and left out, the rest is written, and the command exits 1. When spans
overlap, the outer (earlier, longer) one is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.core.formats.common import Written, one_line
from annotator.core.model import Document, sort_spans
from annotator.core.tokens import sentence_tokens, span_token_range, tokens

DOCSTART = "-DOCSTART- -X- O O"


def tags(doc: Document, problems: list[str]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The IOB2 tag of every razdel token of ``doc``, and the token ranges ``(i, j, where)`` of
    the spans written (``where`` names the span); spans it cannot carry go to ``problems``."""
    toks = tokens(doc.text)
    out = ["O"] * len(toks)
    taken: list[tuple[int, int, str]] = []
    written: list[tuple[int, int, str]] = []
    for span in sort_spans(s for s in doc.spans if s.state == "accepted"):
        where = f"document {doc.id!r}: span {span.start}..{span.stop} {span.label} {span.text!r}"
        found = span_token_range(toks, span.start, span.stop)
        if found is None:
            problems.append(f"{where} does not fall on token boundaries; not exported.")
            continue
        clash = next((t for t in taken if t[0] < span.stop and span.start < t[1]), None)
        if clash is not None:
            problems.append(
                f"{where} overlaps span {clash[0]}..{clash[1]} {clash[2]}, and CoNLL cannot "
                "nest spans; not exported."
            )
            continue
        taken.append((span.start, span.stop, span.label))
        i, j = found
        written.append((i, j, where))
        out[i] = f"B-{span.label}"
        for k in range(i + 1, j):
            out[k] = f"I-{span.label}"
    return out, written


def document_lines(doc: Document, problems: list[str], notes: list[str]) -> list[str]:
    tagged, written = tags(doc, problems)
    inside: set[int] = set()  # tokens that continue an entity: no sentence break before them
    for i, j, _ in written:
        inside.update(range(i + 1, j))
    lines = [DOCSTART, ""]
    index = 0
    merged: list[str] = []
    for sentence in sentence_tokens(doc.text):
        if index in inside:
            lines.pop()  # the blank line before this sentence: it goes on the previous one
            merged.append(where_of(written, index))
        for token in sentence:
            lines.append(f"{one_line(token.text)}\t{tagged[index]}")
            index += 1
        lines.append("")
    notes.extend(f"{where} crosses a sentence break; its sentences are written as one."
                 for where in dict.fromkeys(merged))
    return lines


def where_of(written: list[tuple[int, int, str]], index: int) -> str:
    """The span among ``written`` whose tokens hold ``index``."""
    return next(where for i, j, where in written if i < index < j)


def write_conll(docs: Sequence[Document]) -> Written:
    problems: list[str] = []
    notes: list[str] = []
    lines: list[str] = []
    for doc in docs:
        lines.extend(document_lines(doc, problems, notes))
    body = "".join(line + "\n" for line in lines)
    return Written(body.encode("utf-8"), problems=problems, notes=notes)

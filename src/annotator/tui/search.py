"""Find text in a document or across the corpus, and decide which matches a label would cover.

Matching ignores case and treats ``ё`` as ``е``; a space in the query matches any run of
whitespace (no-break spaces included). With ``whole_tokens`` a match grows to the razdel tokens it
touches, so ``Интерпол`` finds ``Интерпола`` and labelling it covers the whole word form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from annotator.core.model import Span
from annotator.core.tokens import snap_to_tokens

_FOLD = str.maketrans({"ё": "е", "Ё": "Е"})
_BREAKS = re.compile(r"\s*[\r\n]+\s*")


@dataclass(frozen=True)
class Match:
    start: int
    stop: int


@dataclass(frozen=True)
class DocHits:
    """The matches of one document."""

    doc_id: str
    text: str
    matches: tuple[Match, ...]


def pattern(query: str) -> re.Pattern[str] | None:
    """A regular expression for ``query``, or None when the query has no visible characters."""
    words = query.translate(_FOLD).split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)


def find_matches(text: str, query: str, *, whole_tokens: bool = False) -> list[Match]:
    """Non-overlapping matches of ``query`` in ``text``, in order."""
    compiled = pattern(query)
    if compiled is None:
        return []
    folded = text.translate(_FOLD)
    found: list[Match] = []
    for hit in compiled.finditer(folded):
        start, stop = hit.span()
        if whole_tokens:
            start, stop = snap_to_tokens(text, start, stop)
        if found and start < found[-1].stop:
            continue
        found.append(Match(start, stop))
    return found


def corpus_hits(
    texts: Iterable[tuple[str, str]],
    query: str,
    *,
    whole_tokens: bool = False,
    is_cancelled: Callable[[], bool] = lambda: False,
) -> list[DocHits]:
    """The documents (``(doc_id, text)`` pairs) that contain ``query``, with their matches."""
    hits: list[DocHits] = []
    for doc_id, text in texts:
        if is_cancelled():
            break
        matches = find_matches(text, query, whole_tokens=whole_tokens)
        if matches:
            hits.append(DocHits(doc_id, text, tuple(matches)))
    return hits


def covering_span(spans: Sequence[Span], match: Match, label: str) -> Span | None:
    """A span that already covers ``match`` for ``label``: the same range with any label, or a
    span of ``label`` that contains it. Rejected spans cover nothing."""
    for span in spans:
        if span.state == "rejected":
            continue
        if (span.start, span.stop) == (match.start, match.stop):
            return span
        if span.label == label and span.start <= match.start and match.stop <= span.stop:
            return span
    return None


def context(text: str, match: Match, width: int) -> tuple[str, str, str]:
    """``(before, surface, after)`` around a match, on one line, about ``width`` cells in all."""
    surface = _one_line(text[match.start : match.stop])
    room = max(width - len(surface), 8)
    before = _one_line(text[max(0, match.start - room // 2) : match.start])
    after = _one_line(text[match.stop : match.stop + room - len(before)])
    return before, surface, after


def _one_line(value: str) -> str:
    return _BREAKS.sub(" ", value)

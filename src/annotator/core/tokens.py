"""razdel tokens and sentences with code-point offsets into the exact text.

Shared by the review app (moving a span boundary by token), the CoNLL and spaCy exports and the
``token`` evaluation scheme. Offsets are code-point indices into the text as given (CRLF, no-break
spaces and characters outside the BMP count as themselves); ``stop`` is exclusive, so
``text[token.start:token.stop] == token.text``. razdel never yields whitespace-only tokens.

Tokenization is cached per text (an LRU cache keyed by the string), so the helpers below are cheap
to call on every key press.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from annotator.core.fast_tokens import (
    RAZDEL_CHECKED,
    fast_token_starts,
    razdel_rules,
    starts_near,
)

__all__ = [
    "RAZDEL_CHECKED", "Token", "next_token_start", "next_token_stop", "previous_token_start",
    "previous_token_stop", "razdel_token_starts", "sentence_tokens", "sentences",
    "snap_to_tokens", "span_token_range", "token_at", "token_starts", "token_starts_near",
    "tokens",
]


class Token(NamedTuple):
    """A token (or a sentence) of a text: ``text[start:stop] == text``."""

    start: int
    stop: int
    text: str


@dataclass(frozen=True)
class _Tokenized:
    tokens: tuple[Token, ...]
    starts: tuple[int, ...]
    stops: tuple[int, ...]


@lru_cache(maxsize=64)
def _tokenized(text: str) -> _Tokenized:
    import razdel

    found = tuple(Token(t.start, t.stop, t.text) for t in razdel.tokenize(text))
    return _Tokenized(
        tokens=found,
        starts=tuple(t.start for t in found),
        stops=tuple(t.stop for t in found),
    )


@lru_cache(maxsize=64)
def _sentences(text: str) -> tuple[Token, ...]:
    import razdel

    return tuple(Token(s.start, s.stop, s.text) for s in razdel.sentenize(text))


def tokens(text: str) -> list[Token]:
    """razdel's tokens of ``text``, in order, with exact offsets."""
    return list(_tokenized(text).tokens)


def token_starts(text: str) -> list[int]:
    """Where razdel's tokens of ``text`` start, uncached: for one pass over a whole corpus (the
    token scheme), where no text is seen twice.

    The same offsets as ``[t.start for t in razdel.tokenize(text)]`` (tested on random texts
    against razdel, and on every document of the benchmark corpus), about five times faster:
    razdel's rules re-implemented in :mod:`annotator.core.fast_tokens`. Another razdel version
    than the one this was checked against is asked itself.
    """
    rules = razdel_rules()
    if rules is None:
        return razdel_token_starts(text)
    return fast_token_starts(text, rules)


def token_starts_near(text: str, ranges: Iterable[tuple[int, int]]) -> list[int]:
    """Where razdel's tokens of ``text`` start inside the given ranges ``(start, stop)``: what the
    token scheme needs, since a token outside every span counts for nothing.

    Sorted; every start of :func:`token_starts` that lies in a range is in it, and nothing that
    is not such a start (it may hold other starts of the text). Only a window around each range
    is tokenized, chosen so that its token boundaries are the whole text's (see
    :mod:`annotator.core.fast_tokens`); ranges may be in any order, overlap, be empty or reach
    outside the text (they are clipped to it).
    """
    rules = razdel_rules()
    if rules is None:
        return razdel_token_starts(text)
    return starts_near(text, sorted(set(ranges)), rules)


def razdel_token_starts(text: str) -> list[int]:
    """Token starts from razdel itself (the reference :func:`token_starts` is tested against)."""
    import razdel

    return [t.start for t in razdel.tokenize(text)]


def sentences(text: str) -> list[Token]:
    """razdel's sentences of ``text``, in order, with exact offsets."""
    return list(_sentences(text))


def sentence_tokens(text: str) -> list[list[Token]]:
    """The tokens of ``text`` grouped by sentence (a token belongs to the sentence it starts in).

    Sentences without tokens are left out; tokens before the first sentence join the first group.
    """
    sentence_starts = [s.start for s in _sentences(text)]
    groups: list[list[Token]] = []
    current = -2
    for token in _tokenized(text).tokens:
        index = max(bisect_right(sentence_starts, token.start) - 1, 0)
        if index != current:
            groups.append([])
            current = index
        groups[-1].append(token)
    return groups


def token_at(text: str, offset: int) -> Token | None:
    """The token containing ``offset`` (``start <= offset < stop``), or None if none does."""
    data = _tokenized(text)
    i = bisect_right(data.starts, offset) - 1
    if i >= 0 and offset < data.stops[i]:
        return data.tokens[i]
    return None


def next_token_start(text: str, offset: int) -> int:
    """The first token start after ``offset``, or ``len(text)`` when there is none."""
    data = _tokenized(text)
    i = bisect_right(data.starts, offset)
    return data.starts[i] if i < len(data.starts) else len(text)


def previous_token_start(text: str, offset: int) -> int:
    """The last token start before ``offset``, or 0 when there is none."""
    data = _tokenized(text)
    i = bisect_left(data.starts, offset) - 1
    return data.starts[i] if i >= 0 else 0


def next_token_stop(text: str, offset: int) -> int:
    """The first token end after ``offset``, or ``len(text)`` when there is none."""
    data = _tokenized(text)
    i = bisect_right(data.stops, offset)
    return data.stops[i] if i < len(data.stops) else len(text)


def previous_token_stop(text: str, offset: int) -> int:
    """The last token end before ``offset``, or 0 when there is none."""
    data = _tokenized(text)
    i = bisect_left(data.stops, offset) - 1
    return data.stops[i] if i >= 0 else 0


def snap_to_tokens(text: str, start: int, stop: int) -> tuple[int, int]:
    """Widen ``start..stop`` to whole tokens: the bounds of the tokens it touches.

    A range that touches no token (whitespace only) is returned unchanged.
    """
    data = _tokenized(text)
    first = bisect_right(data.stops, start)
    last = bisect_left(data.starts, stop) - 1
    if first > last:
        return (start, stop)
    return (min(start, data.starts[first]), max(stop, data.stops[last]))


def span_token_range(toks: Sequence[Token], start: int, stop: int) -> tuple[int, int] | None:
    """Token indices ``(i, j)`` with ``toks[i].start == start`` and ``toks[j - 1].stop == stop``.

    ``toks[i:j]`` are then exactly the span's tokens. None when the span does not start at a token
    start and end at a token end (or covers no token), i.e. it is not on token boundaries.
    """
    i = bisect_left(toks, start, key=lambda t: t.start)
    if i == len(toks) or toks[i].start != start:
        return None
    j = bisect_left(toks, stop, lo=i, key=lambda t: t.stop)
    if j == len(toks) or toks[j].stop != stop:
        return None
    return (i, j + 1)

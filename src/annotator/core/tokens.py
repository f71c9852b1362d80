"""razdel tokens and sentences with code-point offsets into the exact text.

Shared by the review app (moving a span boundary by token), the CoNLL and spaCy exports and the
``token`` evaluation scheme. Offsets are code-point indices into the text as given (CRLF, no-break
spaces and characters outside the BMP count as themselves); ``stop`` is exclusive, so
``text[token.start:token.stop] == token.text``. razdel never yields whitespace-only tokens.

Tokenization is cached per text (an LRU cache keyed by the string), so the helpers below are cheap
to call on every key press.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple


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
    against razdel, and on every document of the benchmark corpus), about five times faster: see
    :func:`_fast_token_starts`. Another razdel version than the one this was checked against is
    asked itself.
    """
    rules = _razdel_rules()
    if rules is None:
        import razdel

        return [t.start for t in razdel.tokenize(text)]
    return _fast_token_starts(text, rules)


def razdel_token_starts(text: str) -> list[int]:
    """Token starts from razdel itself (the reference :func:`token_starts` is tested against)."""
    import razdel

    return [t.start for t in razdel.tokenize(text)]


RAZDEL_CHECKED = "0.5.0"
"""The razdel release whose tokenizer :func:`_fast_token_starts` reproduces."""


@dataclass(frozen=True)
class _Rules:
    atom: re.Pattern[str]
    smile: re.Pattern[str]
    dashes: str
    endings: str


@lru_cache(maxsize=1)
def _razdel_rules() -> _Rules | None:
    """razdel's atom pattern and constants, when its tokenizer is the one reproduced here."""
    import importlib.metadata

    try:
        if importlib.metadata.version("razdel") != RAZDEL_CHECKED:
            return None
        from razdel.segmenters.punct import DASHES, ENDINGS
        from razdel.segmenters.tokenize import ATOM, RULES, SMILE
    except (ImportError, importlib.metadata.PackageNotFoundError):
        return None
    names = [getattr(rule, "name", None) for rule in RULES]
    if names != ["dash", "underscore", "float", "fraction", "punct", "other", "yahoo"]:
        return None
    return _Rules(ATOM, SMILE, DASHES, ENDINGS)


_PUNCT, _INT, _OTHER = "PUNCT", "INT", "OTHER"
_WORDS_OR_OTHER = ("OTHER", "RU", "LAT")


def _fast_token_starts(text: str, rules: _Rules) -> list[int]:
    """razdel's token starts without its objects (an Atom, a TokenSplit with cached properties
    and a Substring for every piece).

    razdel splits the text into atoms (its ATOM pattern: runs of Cyrillic letters, of Latin
    letters, of digits; single punctuation marks; any other single non-space character) and
    decides between each two neighbouring atoms whether they join into one token. Atoms with
    whitespace between them never join (the rules are only asked when the delimiter is empty),
    so a token starts at every atom that follows whitespace, and at every atom that its rules
    (:func:`_joins`, razdel's rules one for one) do not join to the one before. Every
    non-space character is in an atom, so a token's text (the joined atoms) is
    ``text[first atom's start:last atom's stop]``, which is where razdel's ``find_substrings``
    places it.
    """
    atoms = [(m.start(), m.end(), m.lastgroup) for m in rules.atom.finditer(text)]
    starts: list[int] = []
    token_start = previous_end = -1
    for index, (start, end, _) in enumerate(atoms):
        if start != previous_end or not _joins(text, atoms, index, token_start, rules):
            starts.append(start)
            token_start = start
        previous_end = end
    return starts


def _joins(text: str, atoms: list[tuple[int, int, str | None]], index: int, token_start: int,
           rules: _Rules) -> bool:
    """Whether razdel joins ``atoms[index]`` to the atom before it (no whitespace between):
    its rules in its order (dash, underscore, float, fraction, punct, other, yahoo), each either
    joining or passing to the next, with the same context: the two atoms, the one before the
    left and the one after the right (Rule2112, whitespace or not), and the token so far."""
    left_start, left_end, left_kind = atoms[index - 1]
    right_start, right_end, right_kind = atoms[index]
    left, right = text[left_start:left_end], text[right_start:right_end]
    left_2 = atoms[index - 2][2] if index >= 2 else None
    right_2 = atoms[index + 1][2] if index + 1 < len(atoms) else None

    def pair(delimiter: str | None, inside: str) -> tuple[str | None, str | None] | None:
        """Rule2112: the atoms around a one-atom delimiter (``left in inside`` as razdel tests
        it, a substring test; ``==`` for the underscore)."""
        if (left == delimiter) if delimiter is not None else (left in inside):
            around = (left_2, right_kind)
        elif (right == delimiter) if delimiter is not None else (right in inside):
            around = (left_kind, right_2)
        else:
            return None
        if around[0] is None or around[1] is None:
            return None
        return around

    for around in (pair(None, rules.dashes), pair("_", "")):  # dash, underscore
        if around is not None and around[0] != _PUNCT and around[1] != _PUNCT:
            return True
    for around in (pair(None, ".,"), pair(None, "/\\")):  # float, fraction
        if around is not None and around[0] == _INT and around[1] == _INT:
            return True
    if left_kind == _PUNCT and right_kind == _PUNCT:  # punct
        if rules.smile.match(text[token_start:left_end] + right):
            return True
        if left in rules.endings and right in rules.endings:
            return True
        if left + right in ("--", "**"):
            return True
    if left_kind == _OTHER and right_kind in _WORDS_OR_OTHER:  # other
        return True
    if left_kind in _WORDS_OR_OTHER and right_kind == _OTHER:
        return True
    return left.lower() == "yahoo" and right == "!"  # yahoo


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

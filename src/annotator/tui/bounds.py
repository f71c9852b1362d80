"""Keyboard edits of ranges: moving a span's edge, and the token selection of select mode.

Pure functions over the exact text; token edges come from razdel (:mod:`annotator.core.tokens`),
character edges step over whole grapheme clusters (:func:`is_cluster_boundary`), so a move never
parts a letter from its accent or an emoji from its modifier. A move that would empty the span,
leave the text, or put an edge on whitespace returns a sentence saying why instead.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Literal

from annotator.core.tokens import (
    Token,
    next_token_start,
    next_token_stop,
    previous_token_start,
    previous_token_stop,
    token_at,
)

Edge = Literal["start", "stop"]
Unit = Literal["token", "char"]


def moved_edge(
    text: str, start: int, stop: int, edge: Edge, direction: int, unit: Unit
) -> tuple[int, int] | str:
    """``(start, stop)`` with one edge moved one token or character left (-1) or right (+1).

    A token move lands on a token edge (never in the whitespace before the first token or after
    the last); a character move may split a token but not a grapheme cluster (it steps over a
    letter with its combining marks, an emoji sequence, a flag as one character) and never
    leaves whitespace at either end of the span. A move that cannot be made returns a sentence
    saying why.
    """
    if edge == "start":
        if direction < 0 and start <= 0:
            return "the span already starts at the beginning of the text"
        if unit == "char":
            new_start = cluster_step(text, start, direction)
        elif direction > 0:
            new_start = next_token_start(text, start)
        else:
            new_start = previous_token_start(text, start)
            if new_start >= start or not _is_token_start(text, new_start):
                return "the span already starts at the first token"
        if new_start >= stop:
            return "the span would be empty; x rejects it (d deletes a span you added)"
        if text[new_start].isspace():
            return "the span would start with whitespace; move the start by a whole token"
        return (new_start, stop)
    if direction > 0 and stop >= len(text):
        return "the span already ends at the end of the text"
    if unit == "char":
        new_stop = cluster_step(text, stop, direction)
    elif direction > 0:
        new_stop = next_token_stop(text, stop)
        if new_stop <= stop or not _is_token_stop(text, new_stop):
            return "the span already ends at the last token"
    else:
        new_stop = previous_token_stop(text, stop)
    if new_stop <= start:
        return "the span would be empty; x rejects it (d deletes a span you added)"
    if text[new_stop - 1].isspace():
        return "the span would end with whitespace; move the end by a whole token"
    return (start, new_stop)


ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """True for a character that never begins a grapheme cluster: it belongs to the one before
    it (UAX #29's Extend, SpacingMark and ZWJ): combining marks, variation selectors, emoji
    skin-tone modifiers, tag characters, the zero-width (non-)joiner."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (U+FE0E text, U+FE0F emoji style)
        or 0x1F3FB <= code <= 0x1F3FF  # emoji modifiers (skin tones)
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
        or char in "\u200c\u200d"
    )


def _is_control(char: str) -> bool:
    return char in "\r\n" or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def is_cluster_boundary(text: str, offset: int) -> bool:
    """True when ``offset`` lies between two grapheme clusters of ``text`` (or at either end).

    The rules of UAX #29 that matter for names, simplified: CR LF stays together, a control
    stands alone, a mark or modifier joins what precedes it, a ZWJ joins the characters on both
    sides (an emoji family, a profession), regional indicators pair into flags. A boundary here
    is one under UAX #29 too, for text without Hangul jamo, prepended concatenation marks or
    Indic conjuncts (there this may allow a split UAX #29 would not).
    """
    if offset <= 0 or offset >= len(text):
        return True
    before, after = text[offset - 1], text[offset]
    if before == "\r" and after == "\n":
        return False
    if _is_control(before) or _is_control(after):
        return True
    if _joins_previous(after):
        return False
    if before == ZWJ:
        # a ZWJ joining two characters: nothing to join at the start or after a space
        joined = text[offset - 2] if offset >= 2 else ""
        return not joined or joined.isspace() or _is_control(joined)
    if _regional(before) and _regional(after):
        run = 0  # regional indicators pair up from the start of their run
        while offset - run - 1 >= 0 and _regional(text[offset - run - 1]):
            run += 1
        return run % 2 == 0
    return True


def cluster_step(text: str, offset: int, direction: int) -> int:
    """The nearest grapheme cluster boundary after (``direction`` > 0) or before ``offset``."""
    step = 1 if direction > 0 else -1
    offset += step
    while 0 < offset < len(text) and not is_cluster_boundary(text, offset):
        offset += step
    return min(max(offset, 0), len(text))


def _is_token_start(text: str, offset: int) -> bool:
    """True when a token starts at ``offset`` (the helpers fall back to 0 when none is left)."""
    token = token_at(text, offset)
    return token is not None and token.start == offset


def _is_token_stop(text: str, offset: int) -> bool:
    """True when a token ends at ``offset`` (the helpers fall back to ``len(text)``)."""
    token = token_at(text, offset - 1) if offset > 0 else None
    return token is not None and token.stop == offset


@dataclass(frozen=True)
class TokenSelection:
    """Tokens ``anchor``..``caret`` (indices into the text's tokens, either order)."""

    anchor: int
    caret: int

    def bounds(self, toks: list[Token]) -> tuple[int, int]:
        first, last = sorted((self.anchor, self.caret))
        return (toks[first].start, toks[last].stop)

    def moved(self, delta: int, extend: bool, count: int) -> TokenSelection:
        """Move the caret ``delta`` tokens; without ``extend`` the selection collapses onto it."""
        caret = min(max(self.caret + delta, 0), count - 1)
        if extend:
            return TokenSelection(self.anchor, caret)
        return TokenSelection(caret, caret)


def selection_for(toks: list[Token], start: int, stop: int) -> TokenSelection | None:
    """The tokens touching ``start..stop`` (the token at or after ``start`` when it is empty)."""
    if not toks:
        return None
    first = bisect_right([t.stop for t in toks], start)
    if first >= len(toks):
        first = len(toks) - 1
    last = bisect_left([t.start for t in toks], max(stop, start + 1)) - 1
    last = max(last, first)
    return TokenSelection(first, last)

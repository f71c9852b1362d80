"""Keyboard edits of ranges: moving a span's edge, and the token selection of select mode.

Pure functions over the exact text; token edges come from razdel (:mod:`annotator.core.tokens`).
A move that would empty the span, leave the text, or put an edge on whitespace returns a
sentence saying why instead.
"""

from __future__ import annotations

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
    the last); a character move may split a token but never leaves whitespace at either end of
    the span. A move that cannot be made returns a sentence saying why.
    """
    if edge == "start":
        if direction < 0 and start <= 0:
            return "the span already starts at the beginning of the text"
        if unit == "char":
            new_start = start + (1 if direction > 0 else -1)
        elif direction > 0:
            new_start = next_token_start(text, start)
        else:
            new_start = previous_token_start(text, start)
            if new_start >= start or not _is_token_start(text, new_start):
                return "the span already starts at the first token"
        if new_start >= stop:
            return "the span would be empty; x rejects it"
        if text[new_start].isspace():
            return "the span would start with whitespace; move the start by a whole token"
        return (new_start, stop)
    if direction > 0 and stop >= len(text):
        return "the span already ends at the end of the text"
    if unit == "char":
        new_stop = stop + (1 if direction > 0 else -1)
    elif direction > 0:
        new_stop = next_token_stop(text, stop)
        if new_stop <= stop or not _is_token_stop(text, new_stop):
            return "the span already ends at the last token"
    else:
        new_stop = previous_token_stop(text, stop)
    if new_stop <= start:
        return "the span would be empty; x rejects it"
    if text[new_stop - 1].isspace():
        return "the span would end with whitespace; move the end by a whole token"
    return (start, new_stop)


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

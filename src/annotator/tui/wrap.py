"""Soft-wrap a document into display rows, exactly: every row is a range of the text.

The document view draws the text as it is: offsets are never shifted, so a row is just
``text[start:stop]`` drawn with a few invisible characters made visible (:data:`GLYPHS`: a no-break
space becomes a dim ``·``, a tab ``→``, control characters their control pictures). Each such
character still takes exactly one cell, so widths are known before drawing. Lines break at ``\\n``
(a ``\\r`` before it is part of the line ending and not drawn); long lines break after a space
when one fits, else mid-word. A space at the end of a full row may hang past the edge.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from rich.cells import get_character_cell_size

GLYPHS: dict[str, str] = {
    "\t": "→",
    "\r": "␍",
    "\xa0": "·",
    "\u2007": "·",
    "\u202f": "·",
    "\xad": "‐",
    "\u200b": "¦",
    "\u200c": "¦",
    "\u200d": "¦",
    "\u2060": "¦",
    "\ufeff": "¦",
    "\u2028": "↵",
    "\u2029": "¶",
    "\x7f": "␡",
}
GLYPHS.update({chr(code): chr(0x2400 + code) for code in range(0x20) if code not in (9, 10, 13)})
GLYPHS.update({chr(code): "�" for code in range(0x80, 0xA0)})

DISPLAY = str.maketrans(GLYPHS)
"""``text.translate(DISPLAY)`` is what a row shows (same length as the text)."""

SPECIAL = re.compile("[" + "".join(re.escape(ch) for ch in GLYPHS) + "]")
"""Characters drawn as a stand-in glyph (styled as such by the view)."""

_ONE_CELL = re.compile(
    "[\t\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u202f-\u205e\u2116]*"
)
"""Lines made only of these characters are one cell per character (the fast path)."""


def cell_width(ch: str) -> int:
    """How many cells ``ch`` takes once drawn."""
    return get_character_cell_size(GLYPHS.get(ch, ch))


class Layout(NamedTuple):
    """The rows of one text at one width: ``rows[i] == (start, stop)``, in text order."""

    width: int
    rows: list[tuple[int, int]]
    starts: list[int]

    def row_of(self, offset: int) -> int:
        """The row showing ``offset`` (a line ending belongs to the row before it)."""
        return max(bisect_right(self.starts, offset) - 1, 0)

    def rows_of(self, start: int, stop: int) -> range:
        """The rows a range ``start..stop`` is drawn on (at least one row)."""
        first = self.row_of(start)
        last = self.row_of(max(start, stop - 1))
        return range(first, last + 1)


def wrap(text: str, width: int) -> Layout:
    """Lay ``text`` out in rows at most ``width`` cells wide (a hanging space aside)."""
    width = max(width, 1)
    rows: list[tuple[int, int]] = []
    line_start = 0
    length = len(text)
    while True:
        newline = text.find("\n", line_start)
        line_stop = length if newline < 0 else newline
        shown_stop = line_stop
        if newline >= 0 and shown_stop > line_start and text[shown_stop - 1] == "\r":
            shown_stop -= 1
        _wrap_line(text, line_start, shown_stop, width, rows)
        if newline < 0:
            break
        line_start = newline + 1
    return Layout(width=width, rows=rows, starts=[start for start, _ in rows])


def _wrap_line(text: str, start: int, stop: int, width: int, rows: list[tuple[int, int]]) -> None:
    if stop - start <= width and (stop == start or _ONE_CELL.fullmatch(text, start, stop)):
        rows.append((start, stop))
    elif _ONE_CELL.fullmatch(text, start, stop):
        _wrap_simple(text, start, stop, width, rows)
    else:
        _wrap_cells(text, start, stop, width, rows)


def _wrap_simple(text: str, start: int, stop: int, width: int, rows: list[tuple[int, int]]) -> None:
    """Wrap a line whose characters are one cell each."""
    while stop - start > width:
        limit = start + width
        cut = text.rfind(" ", start, limit + 1)
        end = cut + 1 if cut > start else limit
        rows.append((start, end))
        start = end
    rows.append((start, stop))


def _wrap_cells(text: str, start: int, stop: int, width: int, rows: list[tuple[int, int]]) -> None:
    """Wrap a line with wide or zero-width characters, measuring each one."""
    row_start = start
    used = 0
    last_break = -1
    i = start
    while i < stop:
        ch = text[i]
        cells = cell_width(ch)
        if used + cells > width and i > row_start and cells > 0:
            if ch == " ":
                end = i + 1
            elif last_break > row_start:
                end = last_break
            else:
                end = i
            rows.append((row_start, end))
            row_start = i = end
            used = 0
            last_break = -1
            continue
        used += cells
        if ch == " ":
            last_break = i + 1
        i += 1
    rows.append((row_start, stop))

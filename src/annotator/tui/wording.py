"""Counted nouns and short lists for what the app says: ``1 match``, ``«a», «b» and 4 more``,
``1 PER, 2 LOC``, ``qa's``."""

from __future__ import annotations

from collections.abc import Sequence


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in the right number (``plural`` defaults to ``singular + "s"``)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def quoted(value: str, width: int = 30) -> str:
    """``«value»`` on one line, shortened to ``width`` characters with an ellipsis."""
    flat = " ".join(value.split())
    return f"«{flat if len(flat) <= width else flat[: width - 1] + '…'}»"


def listing(items: Sequence[str], limit: int = 5) -> str:
    """``a, b, c and 4 more``: the first ``limit`` items, then how many are left out."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")


def numbered(labels: Sequence[str], limit: int = 9) -> str:
    """``1 PER, 2 LOC, 3 ORG``: the labels with the digit keys of the first ``limit``, then how
    many more there are (``e`` picks those)."""
    shown = [f"{n} {label}" for n, label in enumerate(labels[:limit], 1)]
    rest = len(labels) - len(shown)
    return ", ".join(shown) + (f" and {rest} more (e picks any)" if rest > 0 else "")


def possessive(user: str, me: str) -> str:
    """``"qa's "`` for another user's change, ``""`` for ``me``'s own."""
    return "" if user == me else f"{user}'s "

"""Where razdel's tokens start, without razdel's objects: razdel 0.5.0's token rules re-implemented
for one pass over a whole corpus (the ``token`` evaluation scheme), for the whole text or only near
given spans. :mod:`annotator.core.tokens` is the public face; this module is used only when the
installed razdel is the release checked here (:data:`RAZDEL_CHECKED`), else razdel is asked itself.

**How razdel tokenizes** (``razdel/segmenters/tokenize.py``). The text is split into *atoms* by its
``ATOM`` pattern: a run of Cyrillic letters, of Latin letters or of digits; a single punctuation
mark; any other single non-space character. Between two neighbouring atoms razdel decides whether
they join into one token, by rules asked only when nothing lies between them (``split_space``: a
non-empty delimiter always splits). Every non-space character is in an atom, so what lies between
atoms is whitespace (``\\s``), and a token starts at every atom that follows whitespace (or starts
the text), and at every atom its rules do not join to the one before (:func:`_joins`).

**What a decision looks at.** The rules see the two atoms, the atom before the left one and the atom
after the right one (``left_2`` / ``right_2``: whether they exist and, in the dash, underscore,
float and fraction rules, their *type*, never their text, even across whitespace) and the token so
far (``buffer``, the punct rule's smile test), which begins at the first atom after whitespace at
the latest. An atom's type is the class of its characters (the pattern's first alternative that
matches them), and atom boundaries depend only on neighbouring characters: a run of one class ends
where the class changes or at whitespace; punctuation and other characters are atoms of one.

**Windows** (:func:`starts_near`). For a range ``[a, b)`` of the text take the window ``[lo, hi)``:
``lo`` the last non-space character before the whitespace that precedes the non-space run holding
``a`` (0 when there is none), ``hi`` just past the first non-space character after the run holding
``b - 1`` (the text's end when there is none). The window cuts the text only next to whitespace or
inside the two outer runs, so (with ``finditer(text, lo, hi)``, which reads ``text[lo:hi]`` for a
pattern without anchors or lookbehind) it holds the same atoms as the whole text, except that
the first and last may be cut short to their one outer character, which keeps their type. Every
atom starting in ``[a, b)`` lies in a run wholly inside the window, so its decision sees the same
atoms on both sides (a cut-short outer atom only ever serves as ``left_2`` / ``right_2``, by type),
the same token so far (decided from the run's first atom, which follows whitespace or ``lo``'s
atom in both), hence the same answer: the token starts inside ``[a, b)`` are those of the whole
text. Ranges whose windows overlap are merged (the argument holds for any range).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

RAZDEL_CHECKED = "0.5.0"
"""The razdel release whose tokenizer is reproduced here."""

_PUNCT, _INT, _OTHER = "PUNCT", "INT", "OTHER"
_WORDS_OR_OTHER = ("OTHER", "RU", "LAT")

_BACK = re.compile(r"(\S*)\s+")
"""Matched on the reversed text at ``a``: the rest of ``a``'s run backwards, then whitespace."""
_AHEAD = re.compile(r"(\S*)\s+\S")
"""Matched at ``b``: the rest of ``b - 1``'s run, whitespace, the next run's first character."""


@dataclass(frozen=True)
class Rules:
    """razdel's atom pattern and the constants its rules use."""

    atom: re.Pattern[str]
    smile: re.Pattern[str]
    dashes: str
    endings: str


@lru_cache(maxsize=1)
def razdel_rules() -> Rules | None:
    """razdel's atom pattern and constants, when its tokenizer is the one reproduced here (the
    version, the rules in their order, the atom pattern's groups); else None."""
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
    if list(ATOM.groupindex) != ["RU", "LAT", "INT", "PUNCT", "OTHER"]:
        return None
    for char in DASHES + "_.,/\\!":  # the rules' delimiters, and yahoo's "!", are punctuation
        match = ATOM.fullmatch(char)
        if match is None or match.lastgroup != _PUNCT:
            return None
    return Rules(ATOM, SMILE, DASHES, ENDINGS)


def fast_token_starts(text: str, rules: Rules) -> list[int]:
    """razdel's token starts of the whole text (see the module's docstring)."""
    return _starts_in(text, rules, 0, len(text), -1, len(text), 0, len(text), [])


def starts_near(text: str, ranges: Sequence[tuple[int, int]], rules: Rules) -> list[int]:
    """razdel's token starts of ``text`` inside the given ranges ``(start, stop)`` (stop
    exclusive), found by tokenizing only the runs that hold them (see the module's docstring).

    ``ranges`` must be sorted; a range is clipped to the text, and one empty then is skipped. The
    result is sorted and holds every token start of the whole text that lies in one of the
    ranges, and no position that is not one (it may hold starts between two ranges that were
    merged).
    """
    size = len(text)
    found: list[int] = []
    reversed_text = ""
    index, count = 0, len(ranges)
    ahead, back = _AHEAD.match, _BACK.match
    while index < count:
        start, stop = ranges[index]
        index += 1
        if start < 0:
            start = 0
        if stop > size:
            stop = size
        if start >= stop:
            continue
        match = ahead(text, stop)
        while True:  # take in the next ranges that start before the next run does
            run_end, after = (match.end(1), match.end() - 1) if match else (size, size)
            if index == count or ranges[index][0] > after:
                break
            if ranges[index][1] > stop:
                stop = min(ranges[index][1], size)
                match = ahead(text, stop)
            index += 1
        if not reversed_text:
            reversed_text = text[::-1]
        match = back(reversed_text, size - start)
        if match is None:  # no whitespace before: the run starts the text
            run_start, before = 0, -1
        else:
            run_start, before = size - match.end(1), size - 1 - match.end()
        _starts_in(text, rules, run_start, run_end, before, after, start, stop, found)
    return found


def _starts_in(text: str, rules: Rules, low: int, high: int, before: int, after: int,
               start: int, stop: int, found: list[int]) -> list[int]:
    """Append to ``found`` the token starts within ``[start, stop)`` among the atoms of
    ``text[low:high]``, which begins and ends with whole runs; ``before`` and ``after``: where the
    characters of the atoms just outside are (-1 and ``len(text)`` when there is none). Returns
    ``found``."""
    atoms = list(rules.atom.finditer(text, low, high))
    token_start = previous_end = -1
    for index, atom in enumerate(atoms):
        atom_start = atom.start()
        if atom_start != previous_end \
                or not _joins(text, atoms, index, token_start, rules, before, after):
            token_start = atom_start
            if start <= atom_start < stop:
                found.append(atom_start)
        previous_end = atom.end()
    return found


_KINDS: dict[str, str | None] = {}


def _kind_at(text: str, at: int, rules: Rules) -> str | None:
    """The type of the atom holding the non-space character ``text[at]`` (the type of its
    class), or None when ``at`` is outside the text."""
    if not 0 <= at < len(text):
        return None
    char = text[at]
    kind = _KINDS.get(char)
    if kind is None:
        match = rules.atom.match(char)
        kind = _KINDS[char] = match.lastgroup if match else None
    return kind


def _joins(text: str, atoms: list[re.Match[str]], index: int, token_start: int, rules: Rules,
           before: int, after: int) -> bool:
    """Whether razdel joins ``atoms[index]`` to the atom before it (no whitespace between): its
    rules in its order (dash, underscore, float, fraction, punct, other, yahoo), each either
    joining or passing to the next (so: whether any joins), with the same context: the two atoms,
    the one before the left and the one after the right (Rule2112, whitespace or not: the atoms
    at ``before`` and ``after`` when they lie outside ``atoms``), and the token so far."""
    left_atom, right_atom = atoms[index - 1], atoms[index]
    left_kind, right_kind = left_atom.lastgroup, right_atom.lastgroup
    if left_kind != _PUNCT and right_kind != _PUNCT:
        # every delimiter of the dash, underscore, float and fraction rules is punctuation
        # (checked in razdel_rules), the punct rule wants both and yahoo's "!" is one: only
        # the other rule can join
        return (left_kind == _OTHER and right_kind in _WORDS_OR_OTHER) \
            or (left_kind in _WORDS_OR_OTHER and right_kind == _OTHER)
    left, right = left_atom.group(), right_atom.group()
    dashes = rules.dashes
    # Rule2112 (dash, underscore, float, fraction): when the left atom is the delimiter, the
    # types around are (left_2, right); when the right one is, (left, right_2). razdel tests the
    # delimiter with ``in`` (a substring test), ``==`` for the underscore. left_2 and right_2
    # are looked up only when a delimiter asks for them.
    left_2 = right_2 = None
    if left in dashes or left == "_" or left in ".," or left in "/\\":
        left_2 = atoms[index - 2].lastgroup if index >= 2 else _kind_at(text, before, rules)
    if right in dashes or right == "_" or right in ".," or right in "/\\":
        right_2 = atoms[index + 1].lastgroup if index + 1 < len(atoms) \
            else _kind_at(text, after, rules)
    if left in dashes:
        if left_2 is not None and left_2 != _PUNCT and right_kind != _PUNCT:
            return True
    elif right in dashes and left_kind != _PUNCT and right_2 is not None \
            and right_2 != _PUNCT:
        return True
    if left == "_":
        if left_2 is not None and left_2 != _PUNCT and right_kind != _PUNCT:
            return True
    elif right == "_" and left_kind != _PUNCT and right_2 is not None and right_2 != _PUNCT:
        return True
    for delimiters in (".,", "/\\"):  # float, fraction
        if left in delimiters:
            if left_2 == _INT and right_kind == _INT:
                return True
        elif right in delimiters and left_kind == _INT and right_2 == _INT:
            return True
    if left_kind == _PUNCT and right_kind == _PUNCT:  # punct
        if rules.smile.match(text[token_start:left_atom.end()] + right):
            return True
        if left in rules.endings and right in rules.endings:
            return True
        if left + right in ("--", "**"):
            return True
    if left_kind == _OTHER and right_kind in _WORDS_OR_OTHER:  # other
        return True
    if left_kind in _WORDS_OR_OTHER and right_kind == _OTHER:
        return True
    return right == "!" and left.lower() == "yahoo"  # yahoo

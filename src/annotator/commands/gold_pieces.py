"""``evaluate``'s reading of a large gold file in worker processes, document by document.

A gold file written by ``annotator export --format gold`` is cut into its documents' bytes
(:func:`~annotator.core.formats.gold_plain.document_pieces`); each worker parses its share with
orjson, makes the plain checks of the gold reader
(:func:`~annotator.core.formats.gold_plain.plain_document`), the sha256 and every span against the
text (:func:`check_document`, as for any other file), and sends back only what ``evaluate`` keeps.
At 10,000 documents (144 MB) parsing and checking were ~1.1 s in one process. Anything unusual
(another layout, a document the plain checks refuse, bytes orjson cannot parse) gives None, and
the caller reads the file whole, as before, so every message stays the same.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import orjson

from annotator.commands.bulk import parallel_map, worker_count
from annotator.core.forking import can_fork
from annotator.core.formats.common import Entity, PlainDoc, check_plain, sha256_of
from annotator.core.formats.gold_plain import LAYOUT_START, document_pieces, plain_document

GoldRead = tuple[str, str, str, list[Entity] | None, list[str]]
"""One document: id, text, the text's sha256, the ``(start, stop, label)`` of its entities that
fit the text (None: the sha256 in the file does not match the text, and the document is left
out), and the problems found (one sentence each, prefixed with the side's role)."""


def gold_mapped(path: Path) -> mmap.mmap | None:
    """``path`` mapped into memory (read-only, its pages read at once) when it starts like a gold
    file ``export`` wrote, else None (also when it cannot be read: the readers word that).
    Forked workers share the mapping; reading 144 MB into a new ``bytes`` took ~0.07 s more."""
    try:
        with path.open("rb") as file:
            if file.read(len(LAYOUT_START)) != LAYOUT_START:
                return None
            if hasattr(mmap, "MAP_POPULATE"):
                return mmap.mmap(file.fileno(), 0, flags=mmap.MAP_SHARED | mmap.MAP_POPULATE,
                                 prot=mmap.PROT_READ)
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


def read_gold_pieces(path: Path, role: str, workers: int | None,
                     meanwhile: Callable[[], object] | None = None) -> list[GoldRead] | None:
    """The documents of the gold file ``path``, read in worker processes (``workers`` as for
    :func:`~annotator.commands.bulk.worker_count`, when processes can be forked; else here), or
    None when the file must be read whole (see the module's docstring). ``meanwhile`` is called
    in this process once the workers have started (before this process takes its share), when
    the file is read in pieces."""
    data = gold_mapped(path)
    pieces = None if data is None else document_pieces(data)
    if pieces is None:
        return None
    processes = worker_count(workers, len(pieces)) if can_fork() else 1
    found = parallel_map(partial(read_pieces, role=role), pieces, processes, meanwhile=meanwhile)
    if any(doc is None for doc in found):
        return None
    return [doc for doc in found if doc is not None]


def read_pieces(pieces: Sequence[memoryview], role: str) -> list[GoldRead | None]:
    """Each piece's document, checked as ``evaluate`` checks a side's documents; ``[None]`` as
    soon as one is not certainly valid (then the file is read whole)."""
    labels_ok: dict[str, bool] = {}
    out: list[GoldRead | None] = []
    for piece in pieces:
        try:
            doc = plain_document(orjson.loads(piece))
        except orjson.JSONDecodeError:
            return [None]
        if doc is None:
            return [None]
        assert doc.text is not None
        sha256, good, problems = check_document(doc, doc.text, role, labels_ok)
        out.append((doc.id, doc.text, sha256, good, problems))
    return out


def check_document(doc: PlainDoc, text: str, role: str, labels_ok: dict[str, bool]
                   ) -> tuple[str, list[Entity] | None, list[str]]:
    """``evaluate``'s checks of a document that comes with its text: the text's sha256, the
    ``(start, stop, label)`` of its spans that fit (None when the sha256 the file gives does not
    match, and the document is not scored) and one sentence per problem."""
    sha256 = sha256_of(text)
    if doc.sha256 is not None and doc.sha256 != sha256:
        return sha256, None, [sha256_problem(doc, role)]
    good, problems = check_spans(doc, text, role, labels_ok)
    return sha256, good, problems


def check_spans(doc: PlainDoc, text: str, role: str, labels_ok: dict[str, bool]
                ) -> tuple[list[Entity], list[str]]:
    """The ``(start, stop, label)`` of the spans of ``doc`` that fit ``text``, and a sentence
    per one that does not."""
    good, problems = check_plain(doc.id, text, doc.spans, labels_ok)
    return good, [role_problem(problem, role) for problem in problems]


def sha256_problem(doc: PlainDoc, role: str) -> str:
    """The sentence for a document whose sha256 does not match its text."""
    return f"{role}: document {doc.id!r}: its sha256 does not match its text; not scored."


def role_problem(problem: str, role: str) -> str:
    """A reader's sentence about a span, as ``evaluate`` reports it."""
    return f"{role}: {problem.replace('not imported', 'not scored')}"

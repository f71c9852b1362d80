"""Generated corpora for the benchmarks, built from the shipped seeds.

Every generated text is made of whole lines of the Russian seed documents, shuffled, so it reads
like the news the app is meant for (natasha finds entities in it, razdel splits it like the seeds).
Where spans are needed they are natasha 1.6.0's own output on those lines (the fixture the TUI
tests use, ``tests/tui/data/seed_predictions.json``), shifted with their line, so the spans are
where a real extractor put them. Everything is seeded: a run is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotator.core.model import Document, SpanDraft

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_PREDICTIONS = ROOT / "tests" / "tui" / "data" / "seed_predictions.json"
EXTRACTOR = "natasha-1.6.0"
LABELS = ("PER", "LOC", "ORG")
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Line:
    """One line of a seed document and the natasha spans inside it (offsets into the line)."""

    text: str
    spans: tuple[SpanDraft, ...]


def seed_lines() -> list[Line]:
    """The non-empty lines of the Russian seeds (those natasha has predictions for)."""
    predictions = json.loads(SEED_PREDICTIONS.read_text(encoding="utf-8"))["documents"]
    lines: list[Line] = []
    for doc_id, entry in sorted(predictions.items()):
        text = (SEEDS / f"{doc_id}.txt").read_bytes().decode("utf-8")
        drafts = [SpanDraft.model_validate(span) for span in entry["spans"]]
        offset = 0
        for raw in text.split("\n"):
            stop = offset + len(raw)
            if raw.strip():
                inside = tuple(
                    d.model_copy(update={"start": d.start - offset, "stop": d.stop - offset})
                    for d in drafts
                    if offset <= d.start and d.stop <= stop
                )
                lines.append(Line(raw, inside))
            offset = stop + 1
    return lines


def generated_text(
    rng: random.Random, lines: list[Line], min_chars: int
) -> tuple[str, list[SpanDraft]]:
    """Shuffled seed lines joined by newlines until the text has ``min_chars`` characters."""
    parts: list[str] = []
    drafts: list[SpanDraft] = []
    length = 0
    order: list[Line] = []
    while length < min_chars:
        if not order:
            order = lines[:]
            rng.shuffle(order)
        line = order.pop()
        if parts:
            length += 1
        drafts.extend(
            d.model_copy(update={"start": d.start + length, "stop": d.stop + length})
            for d in line.spans
        )
        parts.append(line.text)
        length += len(line.text)
    return "\n".join(parts), drafts


def seed_sized_texts(count: int, seed: int = 7) -> list[tuple[str, list[SpanDraft]]]:
    """``count`` distinct news-like texts of about a seed's size (1,500-2,500 characters)."""
    out: list[tuple[str, list[SpanDraft]]] = []
    seen: set[str] = set()
    for text, drafts in iter_seed_sized_texts(seed):
        if text not in seen:
            seen.add(text)
            out.append((text, drafts))
            if len(out) == count:
                return out
    return out


def iter_seed_sized_texts(seed: int = 7) -> Iterator[tuple[str, list[SpanDraft]]]:
    """An endless stream of news-like texts of about a seed's size, with natasha's spans."""
    rng = random.Random(seed)
    lines = seed_lines()
    while True:
        yield generated_text(rng, lines, rng.randint(1500, 2500))


def big_text(target_bytes: int, spans: int, seed: int = 11) -> tuple[str, list[SpanDraft]]:
    """A text of ``target_bytes`` UTF-8 bytes with exactly ``spans`` spans.

    natasha's spans of the lines come first; more words (three letters or longer, outside any
    span) are labelled at random until there are ``spans`` of them, and one in twenty of the added
    spans is nested inside a two-word span, so nesting is exercised too.
    """
    rng = random.Random(seed)
    lines = seed_lines()
    text, drafts = generated_text(rng, lines, target_bytes // 2)
    while len(text.encode("utf-8")) < target_bytes:
        more, extra = generated_text(rng, lines, 200)
        shift = len(text) + 1
        text = f"{text}\n{more}"
        drafts.extend(
            d.model_copy(update={"start": d.start + shift, "stop": d.stop + shift}) for d in extra
        )
    cut = len(text.encode("utf-8")[:target_bytes].decode("utf-8", errors="ignore"))
    text = text[:cut]
    drafts = [d for d in drafts if d.stop <= cut][:spans]
    taken = [False] * (len(text) + 1)
    for d in drafts:
        for i in range(d.start, d.stop):
            taken[i] = True
    words = [m for m in _WORD.finditer(text) if not any(taken[m.start() : m.end()])]
    rng.shuffle(words)
    while len(drafts) < spans and words:
        word = words.pop()
        label = rng.choice(LABELS)
        drafts.append(SpanDraft(start=word.start(), stop=word.end(), label=label))
        if len(drafts) % 20 == 0 and len(drafts) < spans:
            following = re.compile(r"\s+[^\W\d_]+").match(text, word.end())
            if following is not None:
                drafts.append(SpanDraft(start=word.start(), stop=following.end(), label="ORG"))
    drafts.sort(key=lambda d: (d.start, -d.stop))
    return text, drafts[:spans]


def document(doc_id: str, text: str, **fields: object) -> Document:
    """A document as :func:`annotator.core.corpus.load_corpus` would make it (Russian, no meta)."""
    return Document.model_validate(
        {
            "id": doc_id,
            "source": f"{doc_id}.txt",
            "text": text,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "lang": "ru",
            **fields,
        }
    )


def write_texts(folder: Path, texts: list[str], prefix: str = "doc") -> list[Path]:
    """Write each text to ``folder/<prefix>NNNNN.txt`` exactly (UTF-8, no newline translation)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for i, text in enumerate(texts):
        path = folder / f"{prefix}{i:05}.txt"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths

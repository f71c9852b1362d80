"""natasha's raw predictions on the seeds, as JSON Lines for ``annotator evaluate``.

Writes one line per document, ``{"id", "sha256", "entities": [{"start", "stop", "label"}]}``,
sorted by id, with natasha's spans exactly as it proposed them (no review decision applied):

* ``annotations/<extractor>.predictions.jsonl`` — the documents in natasha's languages (Russian):
  the four Russian seeds, what the review app showed the reviewer;
* ``annotations/<extractor>.en-forced.predictions.jsonl`` — natasha run anyway on the documents in
  other languages (the English seed 003), which the tool itself never does; scored separately,
  only to show what the Russian model does to English text.

When the store holds natasha's cached output for a document, the script checks that it is the same
as what it just computed, so the scored predictions are the ones that were reviewed.

    python scripts/natasha_predictions.py && \\
    annotator evaluate annotations/seeds.gold.json annotations/natasha-1.6.0.predictions.jsonl \\
        --all-schemes
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.core.corpus import load_corpus
from annotator.core.extract import NatashaExtractor
from annotator.core.model import Document, SpanDraft
from annotator.core.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _line(doc: Document, spans: Sequence[SpanDraft]) -> str:
    for span in spans:
        assert doc.text[span.start : span.stop], (doc.id, span)
    entities = [
        {"start": s.start, "stop": s.stop, "label": s.label}
        for s in sorted(spans, key=lambda s: (s.start, s.stop, s.label))
    ]
    return json.dumps(
        {"id": doc.id, "sha256": doc.sha256, "entities": entities}, ensure_ascii=False
    )


def _same_as_cache(store: Store | None, doc: Document, key: str, spans: list[SpanDraft]) -> None:
    if store is None:
        return
    cached = store.cached_predictions(doc.sha256, key)
    if cached is None:
        return
    ours = sorted((s.start, s.stop, s.label) for s in spans)
    theirs = sorted((s.start, s.stop, s.label) for s in cached)
    if ours != theirs:
        raise SystemExit(f"{doc.id}: natasha's output differs from the store's cached output.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="natasha's raw predictions on the seeds")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "annotations")
    parser.add_argument("--store", type=Path, default=ROOT / "annotations")
    args = parser.parse_args(argv)

    corpus = load_corpus([args.seeds])
    if corpus.problems:
        raise SystemExit("; ".join(corpus.problems))
    extractor = NatashaExtractor()
    key = extractor.key
    store = None
    if (args.store / "store.json").is_file():
        store = Store.open(args.store, user="natasha-predictions", readonly=True, create=False)
    native: list[str] = []
    forced: list[str] = []
    try:
        for doc in sorted(corpus.documents, key=lambda d: d.id):
            spans = extractor.extract(doc.text)
            if doc.lang in extractor.languages:
                _same_as_cache(store, doc, key, spans)
                native.append(_line(doc, spans))
            else:
                forced.append(_line(doc, spans))
    finally:
        if store is not None:
            store.close()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, lines in (
        (f"{key}.predictions.jsonl", native),
        (f"{key}.en-forced.predictions.jsonl", forced),
    ):
        path = args.out_dir / name
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{len(lines)} documents"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

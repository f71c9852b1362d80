"""Interchange formats, one module each (gold, jsonl, spacy, doccano, label_studio, brat, conll).

``registry`` maps format names to writers and readers and tells a file's format from its contents;
``common`` holds what they share; ``ingest`` loads what a reader found into the store.
See docs/FORMATS.md.
"""

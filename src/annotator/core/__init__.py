"""The pure-Python core: models, corpus, store, extraction, formats, scoring.

Nothing under ``annotator.core`` may import Textual (an import-linter contract and a test
enforce it), and natasha is only imported inside the extractor that uses it.
"""

"""Helpers shared by tests (import as ``from tests.helpers import make_doc``)."""

from __future__ import annotations

import hashlib

from annotator.core.model import Document


def make_doc(doc_id: str, text: str, **fields: object) -> Document:
    """A document for tests, with its sha256 computed."""
    return Document.model_validate({
        "id": doc_id,
        "source": f"{doc_id}.txt",
        "text": text,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        **fields,
    })

"""Messages the background extraction worker posts to the review screen (thread-safe)."""

from __future__ import annotations

from textual.message import Message

from annotator.core.model import SpanDraft


class ExtractionProgress(Message):
    """``done`` of ``total`` documents have been through the model."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ExtractionProgress)


class ExtractionResult(Message):
    """The model's spans for one document, to be cached and loaded on the UI thread."""

    def __init__(self, doc_id: str, sha256: str, extractor: str, drafts: list[SpanDraft]) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.sha256 = sha256
        self.extractor = extractor
        self.drafts = drafts


class ExtractionFailed(Message):
    """The model could not run; ``message`` is one sentence."""

    def __init__(self, doc_id: str | None, message: str) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.message = message

"""The data model: documents, spans, decision events and label sets (pydantic, no UI).

Offsets are code-point indices into ``Document.text``, the exact file contents decoded as UTF-8
with ``newline=''``; ``stop`` is exclusive, so ``text[start:stop]`` is a span's surface.

No ``from __future__ import annotations`` here: pydantic would then compile and evaluate each
field's annotation string when a model class is declared (~0.4 ms of start-up). A method that
returns its own class names it in quotes.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from annotator.core.errors import SpanError

SpanState = Literal["pending", "accepted", "rejected"]
DecisionKind = Literal["accepted", "relabeled", "adjusted", "added", "rejected"]
DocStatus = Literal["unreviewed", "in_progress", "reviewed", "ignored"]
Extraction = Literal["pending", "done", "unsupported"]
"""Whether an extractor has run on a document: not yet, yes, or no extractor knows its language."""

DOC_STATUSES: tuple[DocStatus, ...] = ("unreviewed", "in_progress", "reviewed", "ignored")
EXTRACTIONS: tuple[Extraction, ...] = ("pending", "done", "unsupported")
DEFAULT_LABELS: tuple[str, ...] = ("PER", "LOC", "ORG")
MANUAL_ORIGIN = "manual"


# Default factories of empty collections. Not ``list`` and ``dict`` themselves: pydantic reads a
# factory's signature, and a builtin's is parsed from its text with ``tokenize`` (~3 ms of
# start-up, compiling tokenize's patterns).
def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[Any, Any]:
    return {}


def utc_now() -> str:
    """The current time as ISO 8601 UTC with a ``Z`` suffix, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class SpanDraft(BaseModel):
    """A span as an extractor or importer proposes it, before it belongs to a document."""

    # Built on first use (cached predictions, extraction, imports), not when the module loads:
    # the review app's first screen needs no SpanDraft.
    model_config = ConfigDict(frozen=True, defer_build=True)

    start: int
    stop: int
    label: str
    normal: str | None = None


class Span(BaseModel):
    """One labelled range of a document, with what the reviewer decided about it.

    ``id`` is stable within its document (assigned by the store: ``s1``, ``s2``...), so decisions
    and undo refer to a span even after its bounds or label change.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    start: int
    stop: int
    label: str
    text: str
    normal: str | None = None
    origin: str = MANUAL_ORIGIN
    state: SpanState = "pending"
    decision: DecisionKind | None = None
    original_label: str | None = None
    original_start: int | None = None
    original_stop: int | None = None
    original_normal: str | None = None
    annotator: str | None = None
    time: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        """Records written before ``original_normal`` existed kept a moved span's model lemma in
        ``normal``; read them as the current rule has it (no normal form while bounds differ)."""
        if (
            isinstance(data, dict)
            and "original_normal" not in data
            and data.get("original_start") is not None
        ):
            return {**data, "normal": None, "original_normal": data.get("normal")}
        return data

    @model_validator(mode="after")
    def _check_range(self) -> "Span":
        if self.start < 0 or self.stop <= self.start:
            raise ValueError(f"span {self.id} has bad bounds {self.start}..{self.stop}")
        if len(self.text) != self.stop - self.start:
            raise ValueError(
                f"span {self.id} text {self.text!r} has length {len(self.text)}, "
                f"but its bounds {self.start}..{self.stop} cover {self.stop - self.start}"
            )
        return self

    @property
    def is_model(self) -> bool:
        """True for spans proposed by an extractor or import, False for ones added by hand."""
        return self.origin != MANUAL_ORIGIN

    def key(self) -> tuple[int, int, str]:
        """Sort key and identity for comparisons across formats: (start, stop, label)."""
        return (self.start, self.stop, self.label)


def reading_key(span: Span) -> tuple[int, int, str, str]:
    """Where a span sits in reading order: by start, then longer (outer) first, then label,
    then id (also for a span no longer in its document)."""
    return (span.start, -span.stop, span.label, span.id)


def sort_spans(spans: Iterable[Span]) -> list[Span]:
    """Spans in reading order (:func:`reading_key`)."""
    return sorted(spans, key=reading_key)


def check_span_fits(
    doc_id: str, text: str, start: int, stop: int, surface: str | None = None
) -> None:
    """Raise :class:`SpanError` unless ``start..stop`` is a non-empty range of ``text``.

    When ``surface`` is given it must equal ``text[start:stop]``. The message names the document
    and the span.
    """
    where = f"document {doc_id!r}: span {start}..{stop}"
    if start < 0 or stop < 0:
        raise SpanError(f"{where} has a negative offset.")
    if stop <= start:
        raise SpanError(f"{where} is empty or reversed (start must be below stop).")
    if stop > len(text):
        raise SpanError(f"{where} ends past the end of the text ({len(text)} characters).")
    if surface is not None and text[start:stop] != surface:
        raise SpanError(f"{where} says {surface!r} but the text there is {text[start:stop]!r}.")


class Document(BaseModel):
    """One text with its spans and review state.

    ``text`` is never changed after loading; a file whose bytes changed later is a *stale*
    document (``stale`` is set, ``current_sha256`` holds the new hash) and keeps its annotations
    on the old text.
    """

    model_config = ConfigDict(validate_assignment=False, defer_build=True)

    id: str
    source: str
    text: str
    sha256: str
    meta: dict[str, str] = Field(default_factory=_empty_dict)
    lang: str = "und"
    status: DocStatus = "unreviewed"
    flags: list[str] = Field(default_factory=_empty_list)
    comment: str = ""
    extractor: str | None = None
    extraction: Extraction = "pending"
    stale: bool = False
    current_sha256: str | None = None
    spans: list[Span] = Field(default_factory=_empty_list)

    @model_validator(mode="after")
    def _check_spans(self) -> "Document":
        seen: set[str] = set()
        for span in self.spans:
            if span.id in seen:
                raise ValueError(f"document {self.id!r}: span id {span.id} is used twice")
            seen.add(span.id)
            try:
                check_span_fits(self.id, self.text, span.start, span.stop, span.text)
            except SpanError as err:
                raise ValueError(str(err)) from None
        return self

    def span(self, span_id: str) -> Span:
        """The span with this id (KeyError if there is none)."""
        for span in self.spans:
            if span.id == span_id:
                return span
        raise KeyError(f"document {self.id!r} has no span {span_id!r}")

    def sorted_spans(self) -> list[Span]:
        return sort_spans(self.spans)

    def counts(self) -> dict[str, int]:
        """Counts by state, plus ``added`` (spans made by hand that are not rejected)."""
        out = {"pending": 0, "accepted": 0, "rejected": 0, "added": 0}
        for span in self.spans:
            out[span.state] += 1
            if span.decision == "added" and span.state != "rejected":
                out["added"] += 1
        return out

    def next_span_id(self) -> str:
        """A fresh span id for this document."""
        numbers = [int(s.id[1:]) for s in self.spans if s.id[:1] == "s" and s.id[1:].isdigit()]
        return f"s{max(numbers, default=0) + 1}"


def clean_labels(value: object) -> list[str]:
    """A label set's labels as the rule has them: stripped, each once, in order; ValueError when
    ``value`` is not a list of labels, a label is empty or holds whitespace, or none is left."""
    if not isinstance(value, list | tuple):
        raise ValueError("a label set is a list of labels")
    cleaned: list[str] = []
    for label in value:
        if not isinstance(label, str):
            raise ValueError(f"label {label!r} is not a string")
        label = label.strip()
        if not label or any(ch.isspace() for ch in label):
            raise ValueError(f"label {label!r} is empty or contains whitespace")
        if label not in cleaned:
            cleaned.append(label)
    if not cleaned:
        raise ValueError("a label set needs at least one label")
    return cleaned


class LabelSet(BaseModel):
    """The labels a store works with, in key order: ``1``..``9`` select the first nine."""

    model_config = ConfigDict(defer_build=True)

    labels: list[str] = Field(default_factory=lambda: list(DEFAULT_LABELS))

    @field_validator("labels")
    @classmethod
    def _check_labels(cls, value: list[str]) -> list[str]:
        return clean_labels(value)

    @classmethod
    def checked(cls, labels: object) -> "LabelSet":
        """The label set of ``labels`` (ValueError as :func:`clean_labels`), made without
        pydantic's validator: the store reads its labels this way before the review app's first
        frame, when no model schema has been built yet (see :func:`build_models`)."""
        return cls.model_construct(labels=clean_labels(labels))

    def __contains__(self, label: object) -> bool:
        return label in self.labels

    def for_key(self, digit: int) -> str | None:
        """The label bound to key ``digit`` (1-based), or None."""
        if 1 <= digit <= min(9, len(self.labels)):
            return self.labels[digit - 1]
        return None

    def widened(self, extra: Sequence[str]) -> "LabelSet":
        return LabelSet(labels=[*self.labels, *[x for x in extra if x not in self.labels]])


EventAction = Literal[
    "accept",
    "reject",
    "relabel",
    "adjust",
    "add",
    "delete",
    "accept_all",
    "reset",
    "status",
    "flags",
    "comment",
    "load_predictions",
    "import",
    "undo",
    "redo",
]


class Event(BaseModel):
    """One entry of a document's append-only decision log: the audit trail and the base of undo.

    ``before``/``after`` hold the affected spans by id (None: absent on that side);
    ``doc_before`` and ``doc_after`` hold changed document fields (status, flags, comment).
    ``undo`` and ``redo`` entries name the event they reverse or re-apply in ``target``.
    """

    # Built on first use: the store reads a document's log only for undo, redo and history,
    # so the review app's first screen needs no Event.
    model_config = ConfigDict(frozen=True, defer_build=True)

    seq: int
    doc_id: str
    user: str
    time: str
    action: EventAction
    before: dict[str, Span | None] = Field(default_factory=_empty_dict)
    after: dict[str, Span | None] = Field(default_factory=_empty_dict)
    doc_before: dict[str, Any] = Field(default_factory=_empty_dict)
    doc_after: dict[str, Any] = Field(default_factory=_empty_dict)
    target: int | None = None

    @property
    def span_ids(self) -> list[str]:
        return sorted(set(self.before) | set(self.after))


@dataclass(frozen=True, slots=True)
class DocSummary:
    """What the document list and ``stats`` need, kept in the store's small index.

    A plain dataclass rather than a pydantic model: it is made from a validated
    :class:`Document` (:meth:`of`) or read back from the index (:meth:`from_index`, which checks
    every field). That keeps reading the index of 10,000 documents cheap and builds no pydantic
    schema before the review app's first frame.
    """

    id: str
    source: str
    sha256: str
    lang: str
    status: DocStatus
    extractor: str | None
    extraction: Extraction
    stale: bool
    flags: list[str] = field(default_factory=_empty_list)
    chars: int = 0
    pending: int = 0
    accepted: int = 0
    rejected: int = 0
    added: int = 0

    @classmethod
    def from_index(cls, data: Mapping[str, Any]) -> "DocSummary":
        """The summary the index holds in ``data``; TypeError or ValueError when a field is
        missing, unknown or not of its type (the store then re-reads the document's file)."""
        summary = cls(**data)
        if not (
            type(summary.id) is str
            and type(summary.source) is str
            and type(summary.sha256) is str
            and type(summary.lang) is str
            and summary.status in DOC_STATUSES
            and (summary.extractor is None or type(summary.extractor) is str)
            and summary.extraction in EXTRACTIONS
            and type(summary.stale) is bool
            and type(summary.flags) is list
            and all(type(flag) is str for flag in summary.flags)
            and type(summary.chars) is int
            and type(summary.pending) is int
            and type(summary.accepted) is int
            and type(summary.rejected) is int
            and type(summary.added) is int
        ):
            raise ValueError(f"the index holds a malformed summary of {summary.id!r}")
        return summary

    def as_dict(self) -> dict[str, Any]:
        """The summary as the index stores it."""
        return {name: getattr(self, name) for name in _SUMMARY_FIELDS}

    @classmethod
    def of(cls, doc: Document) -> "DocSummary":
        counts = doc.counts()
        return cls(
            id=doc.id,
            source=doc.source,
            sha256=doc.sha256,
            lang=doc.lang,
            status=doc.status,
            extractor=doc.extractor,
            extraction=doc.extraction,
            stale=doc.stale,
            flags=list(doc.flags),
            chars=len(doc.text),
            **counts,
        )


_SUMMARY_FIELDS = tuple(f.name for f in fields(DocSummary))


def build_models() -> None:
    """Build the validators and serializers of the models now.

    They are declared with ``defer_build``: pydantic builds each on its first use, and the first
    build of all also loads pydantic's schema machinery (~7 ms, much of it ``importlib.metadata``
    for its plugin loader). The review app reads what its first frame shows without them (plain
    checks, then ``model_construct``) and calls this right after that frame, while the reviewer
    reads, so that no key press pays for the build.
    """
    for model in (Span, Document, LabelSet, SpanDraft, Event):
        model.model_rebuild()

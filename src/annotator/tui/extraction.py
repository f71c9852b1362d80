"""Prepare the review app's background extraction: what is cached, what needs the model.

The app never lets a worker thread use its store: :func:`plan` (on the UI thread) marks documents
in unsupported languages, loads cached predictions and lists the documents that need the model; the
worker reads their texts through its own read-only store handle, runs the model and posts the
spans back, and :func:`cache_and_apply` (on the UI thread again) caches and loads them. Importing
this module does not import natasha.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from annotator.core.model import Document, SpanDraft
from annotator.core.store import Store

if TYPE_CHECKING:
    from annotator.core.extract import Extractor


class Job(NamedTuple):
    """A document whose text must go through the model (the worker reads the text itself)."""

    doc_id: str
    sha256: str


@dataclass
class Plan:
    """What :func:`plan` did and what is left for the worker."""

    jobs: list[Job] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    outside_labels: Counter[str] = field(default_factory=Counter)


def pending_ids(store: Store) -> list[str]:
    """Documents no extractor has looked at yet."""
    return [s.id for s in store.summaries() if s.extraction == "pending"]


def plan(store: Store, extractor: Extractor, doc_ids: Sequence[str]) -> Plan:
    """Deal with every document that needs no model; return the jobs for the rest."""
    result = Plan()
    for doc_id in doc_ids:
        summary = store.summary(doc_id)
        if summary.extraction != "pending":
            continue
        if summary.lang not in extractor.languages:
            store.mark_unsupported(doc_id)
            result.unsupported.append(doc_id)
            continue
        cached = store.cached_predictions(summary.sha256, extractor.key)
        if cached is None:
            result.jobs.append(Job(doc_id, summary.sha256))
            continue
        apply(store, extractor.key, doc_id, cached, result.outside_labels)
        result.loaded.append(doc_id)
    return result


def apply(
    store: Store,
    extractor_key: str,
    doc_id: str,
    drafts: Sequence[SpanDraft],
    outside_labels: Counter[str],
) -> Document:
    """Load an extractor's spans whose label is in the store's set; count the others."""
    labels = store.labels
    outside_labels.update(d.label for d in drafts if d.label not in labels)
    return store.load_predictions(doc_id, extractor_key, [d for d in drafts if d.label in labels])


def cache_and_apply(
    store: Store,
    extractor_key: str,
    job_sha256: str,
    doc_id: str,
    drafts: Sequence[SpanDraft],
    outside_labels: Counter[str],
) -> Document:
    """Cache fresh model output for its text, then load it into the document."""
    store.cache_predictions(job_sha256, extractor_key, drafts)
    return apply(store, extractor_key, doc_id, drafts, outside_labels)

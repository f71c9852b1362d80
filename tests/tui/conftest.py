"""Fixtures for the review app: a store of the seed documents with a fixed prediction set.

The predictions in ``data/seed_predictions.json`` are natasha 1.6.0's output on the seeds, saved
once, so these tests neither need natasha nor change when a model does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from annotator.core.corpus import load_corpus
from annotator.core.model import SpanDraft
from annotator.core.settings import Settings
from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp, make_app
from annotator.tui.context import ReviewContext
from tests.conftest import SEEDS

DATA = Path(__file__).parent / "data"
EXTRACTOR = "natasha-1.6.0"
FIRST = "000_47d0eeae892115b2"
ENGLISH = "003_a88db5e05d3015ab"
FROZEN_TIME = "2026-11-22T10:00:00Z"


def seed_predictions() -> dict[str, list[SpanDraft]]:
    raw = json.loads((DATA / "seed_predictions.json").read_text(encoding="utf-8"))
    return {
        doc_id: [SpanDraft.model_validate(span) for span in entry["spans"]]
        for doc_id, entry in raw["documents"].items()
    }


def fill_store(store: Store) -> Store:
    """Add the seeds to ``store`` with the fixed predictions (the English one unsupported)."""
    store.sync(load_corpus([SEEDS]).documents)
    predictions = seed_predictions()
    for doc_id in store.ids():
        if doc_id in predictions:
            store.load_predictions(doc_id, EXTRACTOR, predictions[doc_id])
        else:
            store.mark_unsupported(doc_id)
    return store


@pytest.fixture(autouse=True)
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> str:
    """Decisions carry a fixed time, so the screen (and snapshots) never depend on the clock."""
    monkeypatch.setattr("annotator.core.store.utc_now", lambda: FROZEN_TIME)
    return FROZEN_TIME


@pytest.fixture
def store_root(tmp_path: Path) -> Path:
    return tmp_path / "annotations"


@pytest.fixture
def seed_store(store_root: Path) -> Iterator[Store]:
    store = fill_store(Store.open(store_root, user="tester"))
    yield store
    store.close()


def context(store: Store, **options: object) -> ReviewContext:
    """A review context without an extractor and with default settings."""
    values: dict[str, object] = {
        "settings": Settings.model_construct(),
        "extractor_factory": None,
    }
    values.update(options)
    return ReviewContext(store, **values)  # type: ignore[arg-type]


def app_for(store: Store, **options: object) -> AnnotatorApp:
    return make_app(context(store, **options))


async def until(pilot: Pilot[int], condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (a message from a worker may still be in a
    queue after the worker finished); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the app never reached the expected state"
        await pilot.pause(0.02)

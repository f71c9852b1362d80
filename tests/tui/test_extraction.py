"""Extraction in the background worker: progress, results in the store, failures reported."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.corpus import load_corpus
from annotator.core.errors import ExtractionError
from annotator.core.extract import Extractor
from annotator.core.model import SpanDraft
from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.doc_view import DocView
from tests.conftest import ROOT, SEEDS
from tests.tui.conftest import ENGLISH, FIRST, app_for, seed_predictions, until


class FakeExtractor(Extractor):
    """Marks every «Интерпол…» word as ORG and every «Зубов…» as MISC (a label outside the set)."""

    name = "fake"
    version = "1"
    languages = frozenset({"ru"})

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.fail_with = fail_with
        self.texts: list[str] = []

    def extract(self, text: str) -> list[SpanDraft]:
        if self.fail_with is not None:
            raise self.fail_with
        self.texts.append(text)
        spans = [
            SpanDraft(start=m.start(), stop=m.end(), label="ORG")
            for m in re.finditer(r"Интерпол\w*", text)
        ]
        spans += [
            SpanDraft(start=m.start(), stop=m.end(), label="MISC")
            for m in re.finditer(r"Зубов\w*", text)
        ]
        return spans


@pytest.fixture
def fresh_store(store_root: Path) -> Iterator[Store]:
    """The seeds without any predictions (extraction pending)."""
    store = Store.open(store_root, user="tester")
    store.sync(load_corpus([SEEDS]).documents)
    yield store
    store.close()


def notifications(app: AnnotatorApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_extraction_runs_in_the_worker_and_lands_in_the_store(fresh_store: Store) -> None:
    extractor = FakeExtractor()
    app = app_for(fresh_store, extractor_factory=lambda: extractor)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await until(pilot, lambda: fresh_store.summary("004_4e9f15d0b7126271").extraction == "done")
        assert len(extractor.texts) == 4  # the English seed never reaches the model
        assert fresh_store.get(ENGLISH).extraction == "unsupported"
        for doc_id in fresh_store.ids():
            doc = fresh_store.get(doc_id)
            if doc_id == ENGLISH:
                continue
            assert doc.extraction == "done" and doc.extractor == "fake-1"
            assert {s.label for s in doc.spans} == {"ORG"}
            assert fresh_store.cached_predictions(doc.sha256, "fake-1") is not None
        view = app.screen.query_one("#doc", DocView)
        first_pending = fresh_store.get(FIRST).sorted_spans()[0]
        assert view.cursor == first_pending.id
        assert not app.screen.query_one("#extract-progress").display
        assert any("MISC" in message for message in notifications(app))
        await pilot.press("a")
        await pilot.pause()
        assert fresh_store.get(FIRST).span(first_pending.id).state == "accepted"


class SlowExtractor(FakeExtractor):
    """Waits for the test to let it go, so the test can use the app while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()

    def extract(self, text: str) -> list[SpanDraft]:
        assert self.go.wait(timeout=30)
        return super().extract(text)


async def test_the_app_stays_usable_while_the_model_runs(fresh_store: Store) -> None:
    extractor = SlowExtractor()
    app = app_for(fresh_store, extractor_factory=lambda: extractor)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#extract-progress").display
        detail = str(app.screen.query_one("#detail").render())
        assert "fake is reading this document…" in detail
        await pilot.press("s", "3")  # annotate by hand meanwhile
        await pilot.pause()
        assert [s.origin for s in fresh_store.get(FIRST).spans] == ["manual"]
        extractor.go.set()
        await app.workers.wait_for_complete()
        await until(pilot, lambda: not app.screen.query_one("#extract-progress").display)
        doc = fresh_store.get(FIRST)
        assert doc.extraction == "done"
        assert {s.origin for s in doc.spans} == {"manual", "fake-1"}
        assert "fake read 4 documents" in str(app.screen.query_one("#status-text").render())


async def test_cached_predictions_are_loaded_without_the_model(fresh_store: Store) -> None:
    cached = seed_predictions()
    for doc_id, drafts in cached.items():
        fresh_store.cache_predictions(fresh_store.summary(doc_id).sha256, "fake-1", drafts)
    extractor = FakeExtractor(fail_with=AssertionError("the model must not run"))
    app = app_for(fresh_store, extractor_factory=lambda: extractor)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(fresh_store.get(FIRST).spans) == len(cached[FIRST])
        assert not notifications(app)


async def test_an_extraction_error_is_reported_and_the_app_stays_usable(
    fresh_store: Store,
) -> None:
    extractor = FakeExtractor(fail_with=ExtractionError("natasha could not load its models."))
    app = app_for(fresh_store, extractor_factory=lambda: extractor)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await until(
            pilot, lambda: any("could not load its models" in m for m in notifications(app))
        )
        assert fresh_store.get(FIRST).extraction == "pending"
        await pilot.press("s", "1")
        await pilot.pause()
        assert [s.origin for s in fresh_store.get(FIRST).spans] == ["manual"]


async def test_a_crash_in_the_worker_is_reported(fresh_store: Store) -> None:
    extractor = FakeExtractor(fail_with=RuntimeError("boom"))
    app = app_for(fresh_store, extractor_factory=lambda: extractor)
    async with app.run_test(size=(120, 40)) as pilot:
        # Not workers.wait_for_complete(): it re-raises the worker's error in the test.
        await until(pilot, lambda: any("RuntimeError: boom" in m for m in notifications(app)))
        assert not app.screen.query_one("#extract-progress").display


async def test_real_natasha_extraction_in_the_worker(store_root: Path) -> None:
    text = "Глава МВД России Владимир Колокольцев посетил Лион.\n"
    doc = (
        load_corpus([SEEDS])
        .documents[0]
        .model_copy(
            update={
                "id": "tiny",
                "source": "tiny.txt",
                "text": text,
                "meta": {},
                "sha256": "0" * 64,
            }
        )
    )
    with Store.open(store_root, user="tester") as store:
        store.sync([doc])
        from annotator.tui.context import natasha

        app = app_for(store, extractor_factory=natasha)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await until(pilot, lambda: store.summary("tiny").extraction == "done")
            stored = store.get("tiny")
            assert stored.extraction == "done"
            found = {(s.text, s.label) for s in stored.spans}
            assert ("Владимир Колокольцев", "PER") in found
            assert all(stored.text[s.start : s.stop] == s.text for s in stored.spans)


def test_natasha_is_not_imported_when_predictions_are_cached(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from annotator.core.store import Store
        from annotator.tui.app import make_app
        from annotator.tui.context import ReviewContext
        from tests.tui.conftest import fill_store

        async def main():
            with fill_store(Store.open(Path({str(tmp_path)!r}) / "s", user="t")) as store:
                app = make_app(ReviewContext(store))
                async with app.run_test(size=(100, 30)) as pilot:
                    await app.workers.wait_for_complete()
                    await pilot.press("a")
                    await pilot.pause()
            print("natasha" in sys.modules, "annotator.core.extract" in sys.modules)

        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "False"]

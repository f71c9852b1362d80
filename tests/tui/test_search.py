"""Searching a document (/) and every document (ctrl+f), and labelling every match."""

from __future__ import annotations

from annotator.core.store import Store
from annotator.tui.screens.corpus_search import CorpusSearchScreen
from annotator.tui.search import Match, covering_span, find_matches
from annotator.tui.widgets.doc_view import DocView
from tests.tui.conftest import FIRST, app_for, until
from tests.tui.test_review_keys import review_screen


async def test_search_in_the_document_jumps_between_matches(seed_store: Store) -> None:
    doc = seed_store.get(FIRST)
    expected = find_matches(doc.text, "марракеш")
    assert len(expected) == 3
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("slash", *"марракеш", "enter")
        await pilot.pause()
        screen = review_screen(app)
        assert screen._matches == expected
        assert view.current_span is not None and view.current_span.text == "Марракеше"
        assert view.current_span.start == expected[0].start
        assert isinstance(app.focused, DocView)
        await pilot.press("m")
        assert view.current_span is not None and view.current_span.start == expected[1].start
        await pilot.press("M", "M")  # wraps backwards
        assert view.current_span is not None and view.current_span.start == expected[2].start
        await pilot.press("a")
        await pilot.pause()
        assert seed_store.get(FIRST).span(view.current_span.id).state in ("accepted", "pending")
        assert any(
            s.start == expected[2].start and s.state == "accepted"
            for s in seed_store.get(FIRST).spans
        )


async def test_search_then_select_labels_the_match(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"ведомства", "enter", "s", "2")
        await pilot.pause()
        added = [s for s in seed_store.get(FIRST).spans if s.origin == "manual"]
        assert [(s.text, s.label) for s in added] == [("ведомства", "LOC")]


async def test_label_every_match_across_the_corpus(seed_store: Store) -> None:
    texts = {doc_id: seed_store.get(doc_id).text for doc_id in seed_store.ids()}
    matches = {d: find_matches(t, "Казахстан", whole_tokens=True) for d, t in texts.items()}
    before = {doc_id: seed_store.get(doc_id).spans for doc_id in texts}
    uncovered = {
        (doc_id, m.start, m.stop)
        for doc_id, found in matches.items()
        for m in found
        if covering_span(before[doc_id], m, "LOC") is None
    }
    assert len(uncovered) == 1  # «Казахстана» in 004, which natasha missed
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"казахстан", "enter")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
        search = app.screen
        assert isinstance(search, CorpusSearchScreen)
        assert {h.doc_id for h in search.hits} == {d for d, found in matches.items() if found}
        assert [m for h in search.hits for m in h.matches] == [
            m for found in matches.values() for m in found
        ]
        await pilot.press("2")
        await pilot.pause()
        assert not isinstance(app.screen, CorpusSearchScreen)
    added = {
        (doc_id, s.start, s.stop)
        for doc_id in texts
        for s in seed_store.get(doc_id).spans
        if s.origin == "manual"
    }
    assert added == uncovered
    assert all(
        s.label == "LOC" and s.state == "accepted" and s.decision == "added"
        for doc_id in texts
        for s in seed_store.get(doc_id).spans
        if s.origin == "manual"
    )
    for doc_id, found in matches.items():
        doc = seed_store.get(doc_id)
        assert all(doc.text[s.start : s.stop] == s.text for s in doc.spans)
        for m in found:
            assert covering_span(doc.spans, Match(m.start, m.stop), "LOC") is not None


async def test_opening_a_hit_shows_it(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"Зубов", "enter")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
        assert isinstance(app.screen, CorpusSearchScreen)
        first_hit = app.screen.hits[0]
        await pilot.press("enter")
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == first_hit.doc_id
        assert screen._matches == [first_hit.matches[0]]


async def test_corpus_search_escape_changes_nothing(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"СК", "enter")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CorpusSearchScreen)
    assert all(s.origin != "manual" for d in seed_store.ids() for s in seed_store.get(d).spans)


async def test_whole_words_can_be_turned_off(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"Интерпол", "enter")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
        search = app.screen
        assert isinstance(search, CorpusSearchScreen)

        def surfaces() -> set[str]:
            return {h.text[m.start : m.stop] for h in search.hits for m in h.matches}

        assert "Интерпола" in surfaces()
        await pilot.press("ctrl+t")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: surfaces() == {"Интерпол"})
        assert "exact text" in str(search.query_one("#corpus-summary").render())


async def test_tab_in_the_search_bar_does_not_move_the_span_cursor(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        before = view.current_span
        await pilot.press("slash", *"мар", "tab", "shift+tab")
        await pilot.pause()
        assert view.current_span == before
        await pilot.press(*"ракеш", "enter")
        await pilot.pause()
        assert review_screen(app)._matches == find_matches(seed_store.get(FIRST).text, "марракеш")

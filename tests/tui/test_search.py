"""Searching a document (/) and every document (ctrl+f), and labelling every match."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from textual.widgets.input import Selection

from annotator.core.store import Store
from annotator.tui.screens.corpus_search import CorpusSearchScreen
from annotator.tui.search import find_matches, overlapping_span
from annotator.tui.widgets.doc_view import DocView
from tests.tui.conftest import ENGLISH, FIRST, app_for, until
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
        if overlapping_span(before[doc_id], m) is None
    }
    assert len(uncovered) == 1  # «Казахстанская» in 004, which natasha left alone
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
        assert app.screen is search  # stays open for the next label or query
        assert isinstance(search, CorpusSearchScreen)
        assert search.result == (
            "added LOC to 1 match in 1 document; 3 skipped: they overlap existing spans"
        )
        await pilot.press("escape")
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
            assert overlapping_span(doc.spans, m) is not None


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
        # the document's matches of the query, the chosen one current (m steps on from it)
        assert screen._matches == list(first_hit.matches)
        assert screen._match_index == 0


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


async def corpus_search(app: object, pilot: Pilot[int], query: str) -> CorpusSearchScreen:
    """Run ``query`` in the ctrl+f screen (already open) and wait for its hits."""
    from textual.app import App

    assert isinstance(app, App)
    search = app.screen
    assert isinstance(search, CorpusSearchScreen)
    searched = search.searches
    await pilot.press(*query, "enter")
    await until(pilot, lambda: search.searches > searched)
    return search


async def test_label_every_match_skips_matches_inside_other_spans(seed_store: Store) -> None:
    # «UAE» twice in the English seed: in a list of countries, and inside the accepted ORG
    # «UAE Ministry of Internal Affairs». Labelling every «UAE» as LOC must not nest a LOC
    # in that ORG; the search stays open so another label or query can follow.
    text = seed_store.get(ENGLISH).text
    ministry = text.index("UAE Ministry of Internal Affairs")
    org = seed_store.add_span(ENGLISH, ministry, ministry + 32, "ORG")[1]
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        search = await corpus_search(app, pilot, "UAE")
        summary = str(search.query_one("#corpus-summary").render())
        assert "2 matches in 1 document " in summary
        assert "1 with no span yet" in summary
        await pilot.press("2")
        await until(pilot, lambda: search.searches == 2)
        assert app.screen is search
        assert search.result == (
            "added LOC to 1 match in 1 document; 1 skipped: it overlaps an existing span"
        )
        assert "none free" in str(search.query_one("#corpus-summary").render())  # re-run
        spans = seed_store.get(ENGLISH).spans
        assert [(s.text, s.label, s.start) for s in spans if s.id != org.id] == [
            ("UAE", "LOC", text.index("UAE"))
        ]
        assert seed_store.get(ENGLISH).span(org.id) == org
        await pilot.press("3")  # a second label in the same visit: nothing left to add
        await until(pilot, lambda: search.searches == 3)
        assert search.result == "added ORG to 0 matches; 2 skipped: they overlap existing spans"
        assert len(seed_store.get(ENGLISH).spans) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CorpusSearchScreen)
        assert "added ORG to 0 matches" in str(app.screen.query_one("#status-text").render())


async def test_label_every_match_leaves_ignored_documents_alone(seed_store: Store) -> None:
    kazakh = "004_4e9f15d0b7126271"
    seed_store.set_status(kazakh, "ignored")
    before = seed_store.get(kazakh).spans
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        search = await corpus_search(app, pilot, "Казахстан")
        title = search.query_one("#corpus-hits", OptionList).get_option_at_index(0).prompt
        assert "ignored" in str(title)
        await pilot.press("2")
        await until(pilot, lambda: search.searches == 2)
        assert search.result == "added LOC to 0 matches; 4 skipped in an ignored document"
    assert seed_store.get(kazakh).spans == before


async def test_corpus_search_offers_its_own_last_query(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"марракеш", "enter", "ctrl+f")
        await pilot.pause()
        box = app.screen.query_one("#corpus-query", Input)
        assert box.value == ""  # not the document search's query
        await corpus_search(app, pilot, "Зубов")
        await pilot.press("escape", "ctrl+f")
        await pilot.pause()
        box = app.screen.query_one("#corpus-query", Input)
        assert box.value == "Зубов"
        assert box.selection == Selection(0, len("Зубов"))  # typing replaces it
        await pilot.press(*"МВД")
        assert box.value == "МВД"


async def test_a_match_without_a_span_leaves_no_span_current(seed_store: Store) -> None:
    first = seed_store.get(FIRST).sorted_spans()[0]
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        assert view.current_span == first
        await pilot.press("slash", *"ведомства", "enter")  # no span there
        await pilot.pause()
        assert view.current_span is None
        assert "no span at this match" in str(app.screen.query_one("#detail").render())
        await pilot.press("a")  # must not accept «Бастрыкин», somewhere else
        await pilot.pause()
        assert seed_store.get(FIRST).span(first.id).state == "pending"
        await pilot.press("n")  # the next span after the match, not the first one
        await pilot.pause()
        match = find_matches(seed_store.get(FIRST).text, "ведомства")[0]
        assert view.current_span is not None and view.current_span.start >= match.stop

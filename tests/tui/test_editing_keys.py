"""Boundary moves, spans added in select mode, and deleting them — checked in the store."""

from __future__ import annotations

from annotator.core.model import Document
from annotator.core.store import Store
from annotator.tui.widgets.doc_view import DocView
from tests.tui.conftest import ENGLISH, FIRST, app_for


def exact(doc: Document) -> bool:
    return all(doc.text[s.start : s.stop] == s.text for s in doc.spans)


async def test_boundary_moves_by_token_and_by_character(seed_store: Store) -> None:
    first = seed_store.get(FIRST).sorted_spans()[0]
    assert first.text == "Бастрыкин"
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        async def after(*keys: str) -> str:
            await pilot.press(*keys)
            await pilot.pause()
            doc = seed_store.get(FIRST)
            assert exact(doc)
            return doc.span(first.id).text

        assert await after("l") == "Бастрыкин встретился"  # end one token right
        assert await after("k") == "Бастрыкин"  # end one token left
        assert await after("h") == "2025-11-25 Бастрыкин"  # start one token left
        assert await after("j") == "Бастрыкин"  # start one token right
        assert await after("H") == " Бастрыкин"  # start one character left
        assert await after("J", "K") == "Бастрыки"  # start back, end one character left
        assert await after("L") == "Бастрыкин"
        span = seed_store.get(FIRST).span(first.id)
        assert (span.start, span.stop) == (first.start, first.stop)
        assert span.state == "accepted"
        assert app.screen.query_one("#doc", DocView).cursor == first.id  # moves keep the cursor


async def test_adjusted_bounds_are_recorded(seed_store: Store) -> None:
    tass = next(s for s in seed_store.get(FIRST).spans if s.text == "ТАСС/")
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#doc", DocView).cursor = tass.id
        await pilot.press("K")
        await pilot.pause()
        span = seed_store.get(FIRST).span(tass.id)
        assert (span.text, span.decision) == ("ТАСС", "adjusted")
        assert (span.original_start, span.original_stop) == (252, 257)


async def test_a_move_that_would_empty_the_span_is_refused(seed_store: Store) -> None:
    first = seed_store.get(FIRST).sorted_spans()[0]
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert seed_store.get(FIRST).span(first.id) == first
        assert "would be empty" in str(app.screen.query_one("#status-text").render())


async def test_add_a_span_in_select_mode(seed_store: Store) -> None:
    doc = seed_store.get(FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        # The selection starts on the current span: «Бастрыкин» (s1).
        await pilot.press("s")
        assert view.selection == (17, 26)
        await pilot.press("l", "l")  # «с»
        await pilot.press("L", "L")  # «с генеральным секретарем»
        assert view.selection is not None
        assert doc.text[slice(*view.selection)] == "с генеральным секретарем"
        await pilot.press("a")  # disabled in select mode: nothing is accepted
        await pilot.press("H")  # shrink back by one token
        await pilot.press("1")
        await pilot.pause()
        after = seed_store.get(FIRST)
        added = [s for s in after.spans if s.origin == "manual"]
        assert len(added) == 1
        span = added[0]
        assert (span.text, span.label, span.state, span.decision) == (
            "с генеральным",
            "PER",
            "accepted",
            "added",
        )
        assert exact(after)
        assert all(s.state == "pending" for s in after.spans if s.origin != "manual")
        assert view.cursor == span.id
        assert view.selection is None


async def test_escape_leaves_select_mode_without_saving(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("s", "right", "shift+right", "escape")
        await pilot.pause()
        assert view.selection is None
        assert len(seed_store.get(FIRST).spans) == 40
        await pilot.press("a")  # review keys work again
        await pilot.pause()
        assert seed_store.get(FIRST).sorted_spans()[0].state == "accepted"


async def test_delete_only_removes_spans_added_by_hand(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("d")
        await pilot.pause()
        assert len(seed_store.get(FIRST).spans) == 40
        assert "x rejects" in str(app.screen.query_one("#status-text").render())
        await pilot.press("s", "l", "3")
        await pilot.pause()
        assert len(seed_store.get(FIRST).spans) == 41
        added = view.cursor
        await pilot.press("d")
        await pilot.pause()
        doc = seed_store.get(FIRST)
        assert len(doc.spans) == 40
        assert all(s.id != added for s in doc.spans)
        await pilot.press("u")  # undo brings it back
        await pilot.pause()
        assert any(s.id == added for s in seed_store.get(FIRST).spans)


async def test_english_document_is_annotated_by_hand(seed_store: Store) -> None:
    seed_store.set_position(ENGLISH, None)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        detail = str(app.screen.query_one("#detail").render())
        assert "no extractor for en — annotate by hand (s to select)" in detail
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("s")
        # razdel: In the period from 23 to 25 November , the 89 th session of the General …
        await pilot.press(*["l"] * 15)
        await pilot.press(*["L"] * 7)
        doc = seed_store.get(ENGLISH)
        assert view.selection is not None
        assert doc.text[slice(*view.selection)] == (
            "General Assembly of the International Criminal Police Organization"
        )
        await pilot.press("3")
        await pilot.pause()
        doc = seed_store.get(ENGLISH)
        assert [(s.text, s.label) for s in doc.spans] == [
            ("General Assembly of the International Criminal Police Organization", "ORG")
        ]
        assert doc.status == "in_progress"
        await pilot.press("r")
        await pilot.pause()
        assert seed_store.get(ENGLISH).status == "reviewed"

"""Boundary moves, spans added in select mode, and deleting them — checked in the store."""

from __future__ import annotations

from pathlib import Path

from annotator.core.corpus import text_sha256
from annotator.core.model import Document
from annotator.core.store import Store
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.widgets.footer import KeysFooter
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
        assert await after("J") == "астрыкин"  # start one character right
        assert await after("H", "K") == "Бастрыки"  # start back, end one character left
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


def status_line(app: object) -> str:
    from textual.app import App

    assert isinstance(app, App)
    return str(app.screen.query_one("#status-text").render())


def detail_line(app: object) -> str:
    from textual.app import App

    assert isinstance(app, App)
    return str(app.screen.query_one("#detail").render())


async def test_token_moves_stop_at_the_first_token(seed_store: Store) -> None:
    # Seed 000 starts with a space: " date 2025-11-25 Бастрыкин ..."; no edge may land on it.
    first = seed_store.get(FIRST).sorted_spans()[0]
    assert (first.start, first.stop) == (17, 26)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("h", "h")
        await pilot.pause()
        span = seed_store.get(FIRST).span(first.id)
        assert span.text == "date 2025-11-25 Бастрыкин"
        await pilot.press("h")  # no token before «date»: refused, not 0..26
        await pilot.pause()
        assert seed_store.get(FIRST).span(first.id) == span
        assert "already starts at the first token" in status_line(app)
        await pilot.press("H")  # one character left would start the span with the space
        await pilot.pause()
        assert seed_store.get(FIRST).span(first.id) == span
        assert "would start with whitespace" in status_line(app)


async def test_edges_never_land_on_whitespace(tmp_path: Path) -> None:
    text = "Путин приехал в Казань \n\n"
    with Store.open(tmp_path / "s", user="tester") as store:
        store.sync(
            [Document(id="d", source="d.txt", text=text, sha256=text_sha256(text), lang="ru")]
        )
        kazan = store.add_span("d", text.index("Казань"), text.index("Казань") + 6, "LOC")[1]
        app = app_for(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()

            async def refused(key: str, why: str) -> None:
                before = store.get("d").spans
                await pilot.press(key)
                await pilot.pause()
                assert store.get("d").spans == before, key
                assert why in status_line(app), key

            await refused("l", "already ends at the last token")  # not «Казань \n\n»
            await refused("L", "would end with whitespace")
            await pilot.press("h")  # «в Казань»
            await pilot.pause()
            assert store.get("d").span(kazan.id).text == "в Казань"
            await refused("J", "would start with whitespace")  # not « Казань»
            await pilot.press("h", "k")  # «приехал в»
            await pilot.pause()
            assert store.get("d").span(kazan.id).text == "приехал в"
            await refused("K", "would end with whitespace")  # not «приехал »
            doc = store.get("d")
            assert all(not s.text[0].isspace() and not s.text[-1].isspace() for s in doc.spans)


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


async def test_select_starts_at_the_current_span_first_token(seed_store: Store) -> None:
    outer = next(s for s in seed_store.get(FIRST).spans if s.text == "Александр Бастрыкин")
    seed_store.set_position(FIRST, outer.id)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        assert f"{outer.origin} · {outer.id}" in detail_line(app)
        await pilot.press("s")
        await pilot.pause()
        start, stop = outer.start, outer.start + len("Александр")
        assert view.selection == (start, stop)  # the first token, not the whole span
        assert (
            f"select  {start}‥{stop} «Александр» — h/l move, H/L extend, 1-3 label, esc cancel"
            in status_line(app)
        )
        detail = detail_line(app)
        assert "new span" in detail and "«Александр»" in detail
        assert f"{outer.origin} · {outer.id}" not in detail  # not the old span's detail
        await pilot.press("escape")
        await pilot.pause()
        assert f"{outer.origin} · {outer.id}" in detail_line(app)


async def test_select_ignores_a_leftover_search_match(seed_store: Store) -> None:
    doc = seed_store.get(FIRST)
    org = next(s for s in doc.spans if s.text.startswith("Международной организации"))
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("slash", *"полиции", "enter")  # a match inside the ORG span
        await pilot.pause()
        assert view.current_span == org
        await pilot.press("s")
        await pilot.pause()
        assert view.selection == (org.start, org.start + len("Международной"))


async def test_select_without_a_span_starts_at_the_top_of_the_view(seed_store: Store) -> None:
    seed_store.set_position(ENGLISH, None)
    app = app_for(seed_store)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("pagedown")
        await pilot.pause()
        top = view.top_offset()
        assert top > 0
        await pilot.press("s")
        await pilot.pause()
        assert view.selection is not None
        text = seed_store.get(ENGLISH).text
        assert view.selection[0] == top + len(text[top:]) - len(text[top:].lstrip())


async def test_footer_follows_select_mode(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(160, 40)) as pilot:

        def footer() -> set[str]:
            return {key.description for key in app.screen.query_one(KeysFooter).items}

        await pilot.pause()
        assert {"Accept", "Select"} <= footer()
        await pilot.press("s")
        await pilot.pause()
        assert "Cancel" in footer() and "Accept" not in footer()
        await pilot.press("escape")
        await pilot.pause()
        assert {"Accept", "Select"} <= footer() and "Cancel" not in footer()
        await pilot.press("s", "l", "2")  # leaving by adding a span
        await pilot.pause()
        assert len(seed_store.get(FIRST).spans) == 41
        assert {"Accept", "Select"} <= footer() and "Cancel" not in footer()

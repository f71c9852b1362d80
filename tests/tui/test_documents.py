"""Document-level keys, resuming where the user left off, the read-only banner, save failures."""

from __future__ import annotations

from pathlib import Path

from annotator.core.store import Store
from annotator.tui.run import open_store
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.widgets.save_indicator import SaveIndicator
from tests.tui.conftest import FIRST, app_for
from tests.tui.test_review_keys import review_screen

SECOND = "001_edd16a1dfa848253"
THIRD = "002_268afaa1d5e91440"


async def test_flag_ignore_and_comment(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert seed_store.get(FIRST).flags == ["flagged"]
        await pilot.press("f")
        await pilot.pause()
        assert seed_store.get(FIRST).flags == []
        await pilot.press("f", "c")
        await pilot.pause()
        await pilot.press(*"даты?", "enter")
        await pilot.pause()
        doc = seed_store.get(FIRST)
        assert doc.comment == "даты?" and doc.flags == ["flagged"]
        header = str(app.screen.query_one("#doc-header").render())
        assert "⚑ flagged" in header and "даты?" in header
        await pilot.press("c", "escape")  # escape keeps the comment
        await pilot.pause()
        assert seed_store.get(FIRST).comment == "даты?"
        await pilot.press("i")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "ignored"
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == SECOND  # ignoring moves on
        await pilot.press("left_square_bracket", "i")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "unreviewed"


async def test_next_and_previous_document(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.doc is not None and screen.doc.id == THIRD
        await pilot.press("left_square_bracket")
        assert screen.doc is not None and screen.doc.id == SECOND
        first_pending = seed_store.get(SECOND).sorted_spans()[0]
        assert screen.view.cursor == first_pending.id


async def test_document_list_opens_a_document(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g", "down", "down", "enter")
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == THIRD
        assert isinstance(app.focused, DocView)
        await pilot.press("a")
        await pilot.pause()
        assert seed_store.get(THIRD).counts()["accepted"] == 1


async def test_opens_where_the_user_left_off(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket", "right_square_bracket", "n", "n", "n")
        cursor = review_screen(app).view.cursor
        await pilot.press("q")
    assert seed_store.position() == (THIRD, cursor)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == THIRD
        assert screen.view.cursor == cursor


async def test_opens_at_the_first_document_not_reviewed(seed_store: Store) -> None:
    seed_store.accept_all(FIRST)
    seed_store.set_status(FIRST, "reviewed")
    seed_store.set_status(SECOND, "ignored")
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == THIRD
        assert screen.view.cursor == seed_store.get(THIRD).sorted_spans()[0].id


async def test_read_only_banner_when_the_store_is_in_use(seed_store: Store) -> None:
    store, banner = open_store(seed_store.root, "someone", None, readonly=False)
    try:
        assert store.readonly
        assert banner is not None and banner.startswith("read-only: store in use by tester since")
        app = app_for(store, banner=banner)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            shown = app.screen.query_one("#banner")
            assert shown.display and "store in use by tester" in str(shown.render())
            await pilot.press("a")
            await pilot.pause()
            indicator = app.screen.query_one("#save", SaveIndicator)
            assert indicator.state.status == "failed"
            assert "NOT SAVED" in str(indicator.render())
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)
    finally:
        store.close()


async def test_save_indicator_shows_the_store_error(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        indicator = app.screen.query_one("#save", SaveIndicator)
        await pilot.press("a")
        await pilot.pause()
        assert str(indicator.render()) == "saved ✓"
        seed_store.close()  # any later write is refused by the store
        await pilot.press("a")
        await pilot.pause()
        assert indicator.state.status == "failed"
        assert str(indicator.render()).startswith("NOT SAVED: The store")
        assert "closed" in indicator.state.detail


async def test_too_small_terminal(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        message = app.screen.query_one("#too-small")
        assert message.display
        assert "terminal too small: need 60×15" in str(message.render())
        assert not app.screen.query_one("#main").display
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not message.display and app.screen.query_one("#main").display
        await pilot.resize_terminal(58, 20)
        await pilot.pause()
        assert app.screen.query_one("#too-small") is message and message.display
        assert "(now 58×20)" in str(message.render())


async def test_a_terminal_that_becomes_too_small(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(50, 12)
        await pilot.pause()
        assert app.screen.query_one("#too-small").display
        assert not app.screen.query_one("#main").display


async def test_empty_store_shows_a_message(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty", user="tester") as store:
        app = app_for(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("a", "n", "right_square_bracket", "s", "r")
            await pilot.pause()
            assert "no documents" in str(app.screen.query_one("#detail").render())


async def test_empty_document_and_missing_predictions(tmp_path: Path) -> None:
    from annotator.core.corpus import text_sha256
    from annotator.core.model import Document

    docs = [
        Document(id="a_empty", source="a_empty.txt", text="", sha256=text_sha256(""), lang="und"),
        Document(
            id="b_plain",
            source="b_plain.txt",
            text="Путин приехал в Казань.",
            sha256=text_sha256("Путин приехал в Казань."),
            lang="ru",
        ),
    ]
    with Store.open(tmp_path / "s", user="tester") as store:
        store.sync(docs)
        app = app_for(store)  # no extractor: predictions stay missing
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            detail = str(app.screen.query_one("#detail").render())
            assert "empty document — nothing to annotate (r marks it reviewed)" in detail
            await pilot.press("s", "r")
            await pilot.pause()
            assert store.get("a_empty").status == "reviewed"
            screen = review_screen(app)
            assert screen.doc is not None and screen.doc.id == "b_plain"
            detail = str(app.screen.query_one("#detail").render())
            assert "no predictions (no extractor ran) — annotate by hand (s to select)" in detail
            await pilot.press("s", "1")
            await pilot.pause()
            assert [s.text for s in store.get("b_plain").spans] == ["Путин"]
            detail = str(app.screen.query_one("#detail").render())
            assert "all spans decided — r marks reviewed" in detail


async def test_resume_after_a_crash_lands_on_the_next_pending_span(seed_store: Store) -> None:
    """The position is saved when a document opens and on quit: after a kill it can name a span
    decided since. The first key after the restart must decide a span still to do."""
    spans = seed_store.get(SECOND).sorted_spans()
    seed_store.set_position(SECOND, spans[2].id)  # saved, then the app went on deciding
    for span in spans[2:5]:
        seed_store.accept(SECOND, span.id)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == SECOND
        assert screen.view.cursor == spans[5].id
        await pilot.press("x")
        await pilot.pause()
        assert next(s for s in seed_store.get(SECOND).spans if s.id == spans[5].id).state == (
            "rejected"
        )


async def test_resume_on_a_decided_span_of_a_finished_document_stays_there(
    seed_store: Store,
) -> None:
    seed_store.accept_all(SECOND)
    spans = seed_store.get(SECOND).sorted_spans()
    seed_store.set_position(SECOND, spans[3].id)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert review_screen(app).view.cursor == spans[3].id

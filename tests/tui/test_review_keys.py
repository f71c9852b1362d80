"""Deciding spans from the keyboard; every test checks the store, not only the screen."""

from __future__ import annotations

from textual.widgets import Static

from annotator.core.model import Span
from annotator.core.store import Store
from annotator.tui.screens.dialogs import ConfirmScreen
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.doc_view import DocView
from tests.tui.conftest import FIRST, app_for


def ordered(store: Store, doc_id: str) -> list[Span]:
    return store.get(doc_id).sorted_spans()


def review_screen(app: object) -> ReviewScreen:
    from annotator.tui.app import AnnotatorApp

    assert isinstance(app, AnnotatorApp)
    screen = app.review
    assert screen is not None
    return screen


# What a careful reviewer decides for the first seed, span by span in reading order:
# "a" accept, "x" reject, a digit relabels (1 PER, 2 LOC, 3 ORG).
FIRST_DOC_KEYS = {
    "ТАСС/": "x",  # the slash is not part of the agency's name
    "МОСКВА": "a",
    "Вальдеси Уркизой": "a",
    "Валерия Анатольевича": "a",
    "Калачева": "a",
}
EXPECTED_REJECTED = {(252, 257, "ORG")}


async def test_review_whole_seed_document_keyboard_only(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    keys = [FIRST_DOC_KEYS.get(span.text, "a") for span in spans]
    expected_accepted = {
        span.key() for span in spans if (span.start, span.stop, span.label) not in EXPECTED_REJECTED
    }
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == FIRST
        assert screen.view.cursor == spans[0].id
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        doc = seed_store.get(FIRST)
        assert {s.key() for s in doc.spans if s.state == "accepted"} == expected_accepted
        assert {s.key() for s in doc.spans if s.state == "rejected"} == EXPECTED_REJECTED
        assert all(s.annotator == "tester" for s in doc.spans)
        assert doc.status == "in_progress"
        shown = [str(screen.query_one(w).render()) for w in ("#detail", "#status-text")]
        assert sum(line.count("all spans decided — r marks reviewed") for line in shown) == 1
        await pilot.press("r")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "reviewed"
        assert screen.doc is not None and screen.doc.id == "001_edd16a1dfa848253"


async def test_relabel_with_a_digit_accepts_and_moves_on(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # to Интерпола (ORG)
        await pilot.press("2")  # LOC
        await pilot.pause()
        span = seed_store.get(FIRST).span(spans[1].id)
        assert (span.label, span.state, span.decision) == ("LOC", "accepted", "relabeled")
        assert span.original_label == "ORG"
        assert review_screen(app).view.cursor == spans[2].id


async def test_digits_beyond_the_label_set_do_nothing(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("7")
        await pilot.pause()
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)


async def test_next_and_previous_move_without_deciding(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("n", "tab", "n")
        assert view.cursor == spans[3].id
        await pilot.press("p", "shift+tab")
        assert view.cursor == spans[1].id
        await pilot.press("p", "p")  # wraps around to the last span
        assert view.cursor == spans[-1].id
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)


async def test_reset_returns_a_span_to_pending(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("3", "p", "0")
        await pilot.pause()
        span = seed_store.get(FIRST).span(spans[0].id)
        assert (span.label, span.state, span.decision) == ("PER", "pending", None)


async def test_accept_all_then_mark_reviewed(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("x", "A")
        await pilot.pause()
        doc = seed_store.get(FIRST)
        counts = doc.counts()
        assert counts["pending"] == 0 and counts["rejected"] == 1
        assert counts["accepted"] == len(doc.spans) - 1
        await pilot.press("r")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "reviewed"


async def test_mark_reviewed_with_pending_spans_asks_first(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "unreviewed"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        doc = seed_store.get(FIRST)
        assert doc.status == "reviewed"
        assert all(s.state == "accepted" for s in doc.spans)
        assert review_screen(app).doc is not None
        assert review_screen(app).doc.id != FIRST  # type: ignore[union-attr]


def dialog_text(app: object) -> str:
    from annotator.tui.app import AnnotatorApp

    assert isinstance(app, AnnotatorApp)
    assert isinstance(app.screen, ConfirmScreen)
    return str(app.screen.query_one(".dialog-text", Static).render())


async def test_mark_reviewed_says_what_it_would_accept_and_enter_means_no(
    seed_store: Store,
) -> None:
    pending = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        question = dialog_text(app)
        assert f"{len(pending)} spans in {FIRST} are still pending" in question
        assert (
            "PER «Бастрыкин», ORG «Интерпола», LOC «Марракеше», ORG «СК», LOC «России» "
            f"and {len(pending) - 5} more" in question
        )
        await pilot.press("enter")  # the default answer is no
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        doc = seed_store.get(FIRST)
        assert doc.status == "unreviewed"
        assert all(s.state == "pending" for s in doc.spans)


async def test_mark_reviewed_without_spans_asks_first(seed_store: Store) -> None:
    from tests.tui.conftest import ENGLISH

    seed_store.set_position(ENGLISH, None)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert "Mark it reviewed with no entities?" in dialog_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert seed_store.get(ENGLISH).status == "unreviewed"
        await pilot.press("r", "y")
        await pilot.pause()
        assert seed_store.get(ENGLISH).status == "reviewed"
        assert seed_store.get(ENGLISH).spans == []


async def test_undo_and_redo(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a", "x")
        await pilot.press("u")
        await pilot.pause()
        doc = seed_store.get(FIRST)
        assert doc.span(spans[0].id).state == "accepted"
        assert doc.span(spans[1].id).state == "pending"
        assert review_screen(app).view.cursor == spans[1].id  # the cursor goes to what changed
        await pilot.press("U")
        await pilot.pause()
        assert seed_store.get(FIRST).span(spans[1].id).state == "rejected"
        await pilot.press("u", "u", "u")
        await pilot.pause()
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)
        assert "nothing to undo" in str(app.screen.query_one("#status-text").render())


async def test_undo_survives_closing_and_reopening(seed_store: Store, store_root: object) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a", "x", "q")
    seed_store.close()
    with Store.open(seed_store.root, user="tester") as again:
        app = app_for(again)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            assert again.get(FIRST).span(spans[1].id).state == "pending"
            assert again.get(FIRST).span(spans[0].id).state == "accepted"
            await pilot.press("U")
            await pilot.pause()
            assert again.get(FIRST).span(spans[1].id).state == "rejected"


async def test_filter_cycles_pending_then_labels(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        await pilot.press("a", "a")  # spans 0 and 1 accepted; cursor on span 2
        await pilot.press("F")  # pending only
        assert view.span_filter.pending_only
        await pilot.press("p")  # wraps to the last pending span, never to an accepted one
        assert view.cursor == spans[-1].id
        await pilot.press("F")  # PER only
        assert view.span_filter.label == "PER"
        visited = set()
        for _ in range(12):
            await pilot.press("n")
            assert view.current_span is not None
            visited.add(view.current_span.label)
        assert visited == {"PER"}
        await pilot.press("x")
        await pilot.pause()
        rejected = [s for s in seed_store.get(FIRST).spans if s.state == "rejected"]
        assert [s.label for s in rejected] == ["PER"]
        await pilot.press("escape")  # clears the filter
        assert not view.span_filter.active


async def test_no_span_keys_ring_the_bell_and_save_nothing(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("A")  # decide everything
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        screen = review_screen(app)
        assert screen.doc is not None and screen.doc.id == "003_a88db5e05d3015ab"
        await pilot.press("a", "x", "d", "h")
        await pilot.pause()
        assert seed_store.get(screen.doc.id).spans == []
        assert "no span here" in str(screen.query_one("#status-text").render())


async def test_nested_spans_are_each_visited_and_listed(seed_store: Store) -> None:
    outer = next(s for s in seed_store.get(FIRST).spans if s.text == "Александр Бастрыкин")
    _, inner = seed_store.add_span(FIRST, outer.start, outer.start + 9, "PER")
    seed_store.set_position(FIRST, outer.id)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.view.cursor == outer.id
        detail = str(screen.query_one("#detail").render())
        assert "also here: PER «Александр» ✓" in detail
        await pilot.press("n")
        assert screen.view.cursor == inner.id
        detail = str(screen.query_one("#detail").render())
        assert "also here: PER «Александр Бастрыкин» ?" in detail
        await pilot.press("x")
        await pilot.pause()
        assert seed_store.get(FIRST).span(inner.id).state == "rejected"
        assert seed_store.get(FIRST).span(outer.id).state == "pending"


async def test_the_sidebar_toggles(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sidebar = app.screen.query_one("#sidebar")
        assert sidebar.display
        await pilot.press("t")
        assert not sidebar.display
        await pilot.press("g")  # going to the list shows it again
        assert sidebar.display
        await pilot.press("escape", "a")
        await pilot.pause()
        assert seed_store.get(FIRST).sorted_spans()[0].state == "accepted"

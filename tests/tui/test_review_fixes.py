"""Defects found by a QA pass in a real terminal, each reproduced here first.

Keys that act blind under the "terminal too small" overlay, a document list sized only at
start-up, stale or missing status hints (``d``, ``f``, ``c``, ``i``), ``0`` on a span added by
hand, an undo that did not say whose change it undid, a digit beyond the label set, and ``A``
under a span filter. Every test checks the store as well as the screen.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Input

from annotator.core.store import Store
from annotator.tui.screens.review_base import SIDEBAR_MIN_WIDTH
from tests.tui.conftest import FIRST, app_for
from tests.tui.test_editing_keys import status_line
from tests.tui.test_review_keys import ordered, review_screen

SECOND = "001_edd16a1dfa848253"


def sidebar(app: object) -> Widget:
    return review_screen(app).query_one("#sidebar")


# ---------------------------------------------------------------- 1. terminal too small
async def test_keys_change_nothing_while_the_terminal_is_too_small(seed_store: Store) -> None:
    before = seed_store.get(FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        assert screen.has_class("-too-small")
        await pilot.press("x", "x", "x", "A", "r", "f", "i", "0", "1", "s", "d", "u")
        await pilot.press("right_square_bracket", "n")
        await pilot.pause()
        assert seed_store.get(FIRST) == before  # nothing decided, flagged, ignored or reviewed
        assert screen.doc is not None and screen.doc.id == FIRST
        assert screen.view.cursor == before.sorted_spans()[0].id
        assert not app._notifications  # no toast either (a "marked reviewed" one leaked)
        await pilot.press("t")  # the sidebar still toggles (nothing is saved)
        await pilot.press("question_mark")  # help still opens, and closes
        await pilot.pause()
        assert app.screen is not screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not screen.has_class("-too-small")
        await pilot.press("x")  # big enough again: keys act
        await pilot.pause()
        assert seed_store.get(FIRST).span(before.sorted_spans()[0].id).state == "rejected"


async def test_a_terminal_shrunk_under_the_help_is_checked_when_it_closes(
    seed_store: Store,
) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.has_class("-too-small")
        await pilot.press("a")
        await pilot.pause()
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)


async def test_a_toast_waits_until_the_terminal_is_big_enough(seed_store: Store) -> None:
    app = app_for(seed_store, notices=["2 files could not be read"])
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert not app._notifications  # not drawn over the "too small" note
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["2 files could not be read"]


async def test_quit_works_while_the_terminal_is_too_small(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


# ---------------------------------------------------------------- 2. sidebar follows the width
async def test_the_document_list_follows_the_width(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(250, 50)) as pilot:
        await pilot.pause()
        assert sidebar(app).display
        await pilot.resize_terminal(61, 16)
        await pilot.pause()
        assert not sidebar(app).display  # the text keeps the width
        await pilot.resize_terminal(250, 50)
        await pilot.pause()
        assert sidebar(app).display


async def test_a_narrow_start_then_wider_brings_the_list_back(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        assert not sidebar(app).display
        await pilot.resize_terminal(SIDEBAR_MIN_WIDTH, 30)
        await pilot.pause()
        assert sidebar(app).display


async def test_the_reviewers_choice_holds_until_the_width_crosses_the_threshold(
    seed_store: Store,
) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")  # hidden by hand on a wide terminal
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert not sidebar(app).display  # still wide: the choice holds
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert not sidebar(app).display
        await pilot.press("t")  # shown by hand on a narrow one
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert sidebar(app).display  # still narrow: the choice holds
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        assert sidebar(app).display
        await pilot.resize_terminal(160, 40)  # crossing up: the rule shows it
        await pilot.pause()
        assert sidebar(app).display
        await pilot.resize_terminal(80, 30)  # crossing down: the rule hides it
        await pilot.pause()
        assert not sidebar(app).display


async def test_hiding_the_list_by_resize_gives_the_focus_back_to_the_text(
    seed_store: Store,
) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        screen = review_screen(app)
        assert screen.doc_list.has_focus
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert screen.view.has_focus
        await pilot.press("a")
        await pilot.pause()
        assert seed_store.get(FIRST).sorted_spans()[0].state == "accepted"


# ---------------------------------------------------------------- 3. delete says what it did
async def test_delete_replaces_the_previous_hint(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s", "L", "3", "u", "U")  # add ORG «Бастрыкин встретился», undo, redo
        await pilot.pause()
        assert "redid add ORG «Бастрыкин встретился»" in status_line(app)
        await pilot.press("d")
        await pilot.pause()
        assert not any(s.origin == "manual" for s in seed_store.get(FIRST).spans)
        line = status_line(app)
        assert "deleted ORG «Бастрыкин встретился»" in line
        assert "redid" not in line


async def test_delete_after_a_refused_boundary_move(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s", "3", "J", "J", "J", "J", "J", "J", "J", "J", "J")
        await pilot.pause()
        assert "would" in status_line(app)  # the move was refused with a reason
        await pilot.press("d")
        await pilot.pause()
        line = status_line(app)
        assert "deleted ORG «" in line and "would" not in line


async def test_moving_on_clears_an_old_hint(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a", "u")
        await pilot.pause()
        assert "undid accept" in status_line(app)
        await pilot.press("n")
        await pilot.pause()
        assert "undid" not in status_line(app)


# ---------------------------------------------------------------- 4. f, c, i say what they did
async def test_flag_says_so(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert seed_store.get(FIRST).flags == ["flagged"]
        assert f"flagged {FIRST}" in status_line(app)
        await pilot.press("f")
        await pilot.pause()
        assert seed_store.get(FIRST).flags == []
        assert f"unflagged {FIRST}" in status_line(app)


async def test_comment_says_so(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press(*"check dates", "enter")
        await pilot.pause()
        assert seed_store.get(FIRST).comment == "check dates"
        assert f"comment saved on {FIRST}" in status_line(app)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "comment not changed" in status_line(app)
        await pilot.press("c")
        await pilot.pause()
        comment = app.screen.query_one("#comment", Input)
        comment.value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert seed_store.get(FIRST).comment == ""
        assert f"comment removed from {FIRST}" in status_line(app)


async def test_ignore_says_so(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("i")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "ignored"
        assert screen.doc is not None and screen.doc.id == SECOND  # it moves on, and says so
        assert f"ignored {FIRST}" in status_line(app)
        await pilot.press("left_square_bracket", "i")
        await pilot.pause()
        assert seed_store.get(FIRST).status == "unreviewed"
        assert f"stopped ignoring {FIRST}" in status_line(app)


# ---------------------------------------------------------------- 5. reset on a span added by hand
async def test_reset_refuses_a_span_added_by_hand(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s", "L", "1", "l", "0")
        await pilot.pause()
        added = [s for s in seed_store.get(FIRST).spans if s.origin == "manual"]
        assert len(added) == 1
        span = added[0]
        assert (span.label, span.text, span.state) == ("PER", "Бастрыкин встретился с", "accepted")
        assert "no model version to go back to — d deletes it" in status_line(app)


# ---------------------------------------------------------------- 6. undo names what and whose
async def test_undo_names_another_users_change(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    interpol = spans[1]
    _, added = seed_store.add_span(FIRST, interpol.start, interpol.stop, "LOC")
    seed_store.close()
    with Store.open(seed_store.root, user="bob") as bob:
        app = app_for(bob)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = review_screen(app)
            await pilot.press("u")
            await pilot.pause()
            assert all(s.id != added.id for s in bob.get(FIRST).spans)
            assert "undid tester's add LOC «Интерпола»" in status_line(app)
            # the span is gone: the cursor goes to the span that follows where it was
            assert screen.view.cursor == interpol.id
            await pilot.press("U")
            await pilot.pause()
            assert "redid tester's add LOC «Интерпола»" in status_line(app)
            assert screen.view.cursor == added.id
            await pilot.press("a", "u")  # bob's own change: no name
            await pilot.pause()
            line = status_line(app)
            assert "undid accept LOC «Интерпола»" in line and "'s" not in line


async def test_undo_names_a_relabel_and_moves_onto_the_span(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("2", "n", "n", "u")
        await pilot.pause()
        assert screen.view.cursor == spans[0].id
        assert "undid relabel PER → LOC «Бастрыкин»" in status_line(app)
        await pilot.press("f", "u")
        await pilot.pause()
        assert seed_store.get(FIRST).flags == []
        assert "undid flag" in status_line(app)


async def test_undo_of_a_delete_and_redo(seed_store: Store) -> None:
    spans = ordered(seed_store, FIRST)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("s", "3")
        await pilot.pause()
        added = screen.view.cursor
        await pilot.press("d", "u")
        await pilot.pause()
        assert screen.view.cursor == added
        assert "undid delete ORG «Бастрыкин»" in status_line(app)
        await pilot.press("U")
        await pilot.pause()
        assert "redid delete ORG «Бастрыкин»" in status_line(app)
        assert screen.view.cursor is not None  # a span near the deleted one, not nowhere
        assert screen.view.cursor in {spans[0].id, spans[1].id}


# ---------------------------------------------------------------- 7. digits and accept-all
async def test_a_digit_beyond_the_label_set_says_so(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("7")
        await pilot.pause()
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)
        assert "7: no label — the labels are 1 PER, 2 LOC, 3 ORG" in status_line(app)
        screen = review_screen(app)
        shown = {b.binding.id for b in screen.active_bindings.values()}
        assert "review.label_3" in shown and "review.label_4" not in shown  # not advertised
        await pilot.press("s", "8")
        await pilot.pause()
        assert screen.selecting is not None  # still selecting: nothing added
        assert "8: no label" in status_line(app)
        assert not any(s.origin == "manual" for s in seed_store.get(FIRST).spans)


async def test_accept_all_under_a_filter_accepts_only_the_shown_spans(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("F", "F", "F")  # pending → PER → LOC
        assert screen.view.span_filter.label == "LOC"
        await pilot.press("A")
        await pilot.pause()
        doc = seed_store.get(FIRST)
        assert all(s.state == "accepted" for s in doc.spans if s.label == "LOC")
        assert all(s.state == "pending" for s in doc.spans if s.label != "LOC")
        line = status_line(app)
        assert "accepted 10 shown LOC spans; 30 hidden stay pending" in line
        assert seed_store.history(FIRST)[-1].action == "accept_all"  # one event: one undo
        await pilot.press("u")
        await pilot.pause()
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("escape", "A")  # no filter: every pending span
        await pilot.pause()
        assert all(s.state == "accepted" for s in seed_store.get(FIRST).spans)
        assert "accepted 30 pending spans" in status_line(app)


async def test_review_keys_do_not_act_behind_the_document_list(seed_store: Store) -> None:
    """With the list focused (g), `a` does not accept the span behind it; enter opens the
    highlighted document, escape goes back."""
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        before = seed_store.get(FIRST)
        await pilot.press("g", "a", "x", "A")
        await pilot.pause()
        assert seed_store.get(FIRST) == before
        await pilot.press("escape", "a")
        await pilot.pause()
        assert seed_store.get(FIRST) != before  # back in the view, `a` decides again


async def test_an_empty_search_clears_the_match_count(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"Интерпол", "enter")
        await pilot.pause()
        assert "«Интерпол»" in status_line(app) and "match 1/" in status_line(app)
        await pilot.press("slash", *["backspace"] * 8, "enter")
        await pilot.pause()
        assert "match" not in status_line(app) and "«Интерпол»" not in status_line(app)


async def test_a_hit_opened_from_every_document_search_steps_on_with_m(seed_store: Store) -> None:
    from annotator.tui.screens.corpus_search import CorpusSearchScreen

    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f", *"Интерпол", "enter")
        await pilot.pause()
        for _ in range(50):
            if isinstance(app.screen, CorpusSearchScreen) and app.screen.searches:
                break
            await pilot.pause(0.05)
        await pilot.press("enter")  # the first hit
        await pilot.pause()
        line = status_line(app)
        assert "«Интерпол»" in line and "match 1/" in line and "match 1/1 " not in line
        await pilot.press("m")
        await pilot.pause()
        assert "match 2/" in status_line(app)

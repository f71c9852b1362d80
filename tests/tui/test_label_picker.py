"""The label picker (``e``): any label of a long set, by keyboard, for relabelling and adding."""

from __future__ import annotations

from pathlib import Path

from annotator.core.store import Store
from annotator.tui.screens.label_picker import LabelPickerScreen, filter_labels
from tests.tui.conftest import FIRST, app_for, fill_store
from tests.tui.test_review_keys import review_screen

# NEREL-like: more labels than digit keys
MANY = [
    "PER", "LOC", "ORG", "AGE", "AWARD", "CITY", "COUNTRY", "CRIME", "DATE", "DISEASE",
    "DISTRICT", "EVENT", "FACILITY", "FAMILY", "IDEOLOGY", "LANGUAGE", "LAW", "MONEY",
    "NATIONALITY", "NUMBER", "ORDINAL", "PENALTY", "PERCENT", "PRODUCT", "PROFESSION",
    "RELIGION", "STATE_OR_PROVINCE", "TIME", "WORK_OF_ART",
]  # fmt: skip


def many_label_store(root: Path) -> Store:
    return fill_store(Store.open(root, user="tester", labels=MANY))


def test_filter_puts_prefix_matches_first_and_ignores_case() -> None:
    assert filter_labels(MANY, "") == MANY
    assert filter_labels(MANY, "per") == ["PER", "PERCENT"]
    assert filter_labels(MANY, "or") == ["ORG", "ORDINAL", "STATE_OR_PROVINCE", "WORK_OF_ART"]
    assert filter_labels(MANY, "  city ") == ["CITY"]
    assert filter_labels(MANY, "zzz") == []


async def test_e_relabels_current_span_with_a_label_beyond_nine(store_root: Path) -> None:
    store = many_label_store(store_root)
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        span = screen.view.current_span
        assert span is not None and span.state == "pending"
        await pilot.press("e")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, LabelPickerScreen)
        assert picker.shown == MANY
        await pilot.press(*"count")
        await pilot.pause()
        assert picker.shown == ["COUNTRY"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        saved = next(s for s in store.get(FIRST).spans if s.id == span.id)
        assert (saved.label, saved.state, saved.decision) == ("COUNTRY", "accepted", "relabeled")
        assert saved.original_label == span.label
        # a decision moves on to the next pending span, as a digit does
        assert screen.view.current_span is not None
        assert screen.view.current_span.id != span.id


async def test_picker_arrows_move_and_escape_changes_nothing(store_root: Path) -> None:
    store = many_label_store(store_root)
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        span = screen.view.current_span
        assert span is not None
        before = store.get(FIRST)
        await pilot.press("e")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, LabelPickerScreen)
        await pilot.press("down", "down", "down")
        assert picker.highlighted == "AGE"
        await pilot.press("up")
        assert picker.highlighted == "ORG"
        await pilot.press(*"zzz")
        await pilot.pause()
        assert picker.shown == [] and picker.highlighted is None
        from textual.widgets import OptionList

        listed = picker.query_one("#picker-labels", OptionList)
        assert listed.option_count == 1  # the line that says why the list is empty
        assert "no label contains «zzz»" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("enter")  # nothing to pick: the picker stays
        await pilot.pause()
        assert app.screen is picker
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert store.get(FIRST).spans == before.spans
        assert screen.view.current_span is not None and screen.view.current_span.id == span.id


async def test_e_in_select_mode_adds_the_selection_with_the_picked_label(
    store_root: Path,
) -> None:
    store = many_label_store(store_root)
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        count_before = len(store.get(FIRST).spans)
        await pilot.press("s")
        await pilot.pause()
        assert screen.selecting is not None
        start, stop = screen.selecting.bounds(screen._tokens)
        await pilot.press("e")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, LabelPickerScreen)
        assert picker.shown[0] == "PER"
        await pilot.press(*"work", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.selecting is None
        doc = store.get(FIRST)
        assert len(doc.spans) == count_before + 1
        added = [s for s in doc.spans if s.decision == "added"]
        assert [(s.start, s.stop, s.label) for s in added] == [(start, stop, "WORK_OF_ART")]
        assert doc.text[start:stop] == added[0].text


async def test_e_without_a_span_rings_and_opens_nothing(store_root: Path) -> None:
    store = Store.open(store_root, user="tester", labels=MANY)
    from annotator.core.corpus import load_corpus
    from tests.conftest import SEEDS

    store.sync(load_corpus([SEEDS]).documents)  # no predictions: no spans anywhere
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = review_screen(app)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is screen

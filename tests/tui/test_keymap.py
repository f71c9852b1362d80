"""Bindings have ids, the defaults never clash, and a user's keymap remaps them."""

from __future__ import annotations

import pytest

from annotator.core.errors import ConfigError
from annotator.core.settings import config_path, load_settings
from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.keymap import SECTIONS, all_bindings, check_keymap, known_ids
from annotator.tui.screens.help import HelpScreen
from tests.tui.conftest import FIRST, app_for


def test_every_binding_has_a_unique_id_and_a_description() -> None:
    bindings = all_bindings()
    ids = [b.id for b in bindings]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(b.description and b.tooltip for b in bindings)
    assert "review.accept" in known_ids() and "select.label_9" in known_ids()


def test_the_default_keys_do_not_clash() -> None:
    check_keymap({})


@pytest.mark.parametrize(
    ("keymap", "fragment"),
    [
        ({"review.accept": "x"}, "key 'x' would serve both 'review.accept' and 'review.reject'"),
        ({"review.accept": "up"}, "'document scrolling'"),
        ({"review.acept": "y"}, "did you mean 'review.accept'"),
    ],
)
def test_bad_keymaps_are_refused(keymap: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        check_keymap(keymap)


def test_a_swap_is_not_a_clash() -> None:
    check_keymap({"review.accept": "x", "review.reject": "a"})


async def test_the_config_keymap_remaps_keys(seed_store: Store) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('[keymap]\n"review.accept" = "y"\n"app.help" = "f1"\n', encoding="utf-8")
    app = app_for(seed_store, settings=load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert all(s.state == "pending" for s in seed_store.get(FIRST).spans)
        await pilot.press("y")
        await pilot.pause()
        assert seed_store.get(FIRST).sorted_spans()[0].state == "accepted"
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = [row for section in SECTIONS for row in help_screen.entries(section)]
        assert ("y", "accept the span, go to the next pending one", "review.accept") in rows
        assert ("f1", "show every key binding", "app.help") in rows
        assert {row[2] for row in rows} >= {"review.next_span", "select.label_1…9"}


def test_a_clashing_config_keymap_stops_the_app_with_one_sentence(seed_store: Store) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('[keymap]\n"review.accept" = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="would serve both"):
        AnnotatorApp(app_for(seed_store, settings=load_settings()).context)


def test_search_help_says_enter_goes_to_the_next_match_from_the_cursor() -> None:
    texts = [
        text
        for section in SECTIONS
        for text in (section.note, *(b.tooltip for b in section.bindings))
    ]
    assert not any("first match" in text for text in texts)
    search = next(b for s in SECTIONS for b in s.bindings if b.id == "review.search")
    assert "the next match from the cursor" in search.tooltip
    bar = next(s for s in SECTIONS if s.bindings and s.bindings[0].id == "search.cancel")
    assert "the next match from the cursor" in bar.note

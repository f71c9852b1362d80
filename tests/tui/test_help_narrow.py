"""The help screen at the minimum supported size and up: descriptions stay readable, and the
binding ids show where there is room for them (the remap hint says where that is)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.keymap import SECTIONS
from annotator.tui.screens.help import IDS_MIN_WIDTH, HelpScreen
from tests.tui.conftest import app_for


def drawn(static: Static) -> list[str]:
    """The lines ``static`` draws in its content width."""
    console = Console(
        width=static.content_region.width, file=io.StringIO(), record=True, color_system=None
    )
    console.print(static.content)
    return [line.rstrip() for line in console.export_text().splitlines()]


def help_screen(app: AnnotatorApp) -> HelpScreen:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return screen


def sections(screen: HelpScreen) -> list[list[str]]:
    return [drawn(static) for static in screen.query(".help-section").results(Static)]


def intro(screen: HelpScreen) -> str:
    return " ".join(drawn(screen.query_one("#help-intro", Static)))


def assert_rows_readable(screen: HelpScreen, *, with_ids: bool) -> None:
    """Each binding's row starts with its keys and the first words of what it does (not a word a
    line), shows its id or not, and no description is cut."""
    for section, lines in zip(SECTIONS, sections(screen), strict=True):
        # A row's first line has its keys in the first column (the table pads it by one cell);
        # wrapped lines start blank; the title and the note start at the left edge.
        rows = [line for line in lines if line[:1] == " " and line[1:2] not in ("", " ")]
        entries = screen.entries(section)
        assert len(rows) == len(entries), lines
        text = " ".join(lines)
        for row, (keys, what, binding_id) in zip(rows, entries, strict=True):
            assert row.split()[: len(keys.split())] == keys.split(), row
            assert " ".join(what.split()[:3]) in row, row
            assert (binding_id in row) == with_ids, row
            text = text.replace(binding_id, " ")
        whole = " ".join(text.split())
        for _, what, _ in entries:
            assert " ".join(what.split()) in whole, what
        assert "…" not in whole


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (IDS_MIN_WIDTH - 1, 30)])
async def test_narrow_help_drops_the_ids_and_says_how_to_see_them(
    seed_store: Store, size: tuple[int, int]
) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = help_screen(app)
        assert not screen.show_ids
        assert_rows_readable(screen, with_ids=False)
        hint = intro(screen)
        assert "Remap any binding by id" in hint
        assert f"widen the terminal to {IDS_MIN_WIDTH} columns to see the ids" in hint


@pytest.mark.parametrize("size", [(IDS_MIN_WIDTH, 30), (160, 48)])
async def test_wide_help_shows_the_ids(seed_store: Store, size: tuple[int, int]) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = help_screen(app)
        assert screen.show_ids
        assert_rows_readable(screen, with_ids=True)
        assert "widen the terminal" not in intro(screen)


async def test_help_follows_a_resize(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = help_screen(app)
        assert not screen.show_ids
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert screen.show_ids
        assert any("review.accept" in line for line in sections(screen)[0])
        assert "widen the terminal" not in intro(screen)
        await pilot.resize_terminal(60, 15)
        await pilot.pause()
        assert not screen.show_ids
        assert not any("review.accept" in line for line in sections(screen)[0])
        assert "widen the terminal" in intro(screen)


async def test_the_minimum_size_shows_the_first_row_readable(seed_store: Store) -> None:
    """What QA saw at 60×15: ``a   ac…  review.accept``, then a word a line."""
    app = app_for(seed_store)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        decide = sections(help_screen(app))[0]
        assert decide[0] == "Decide"
        assert decide[1].split()[:7] == ["a", "accept", "the", "span,", "go", "to", "the"]

"""The first frame of the review screen is complete, and start-up builds nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen

from annotator.core.store import Store
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.widgets.footer import FooterItem, KeysFooter
from tests.tui.conftest import FIRST, app_for

REVIEW_KEYS = {"Accept", "Reject", "Next", "Select", "Undo", "Reviewed", "Search", "Help", "Quit"}


def footer_keys(screen: Screen[Any]) -> tuple[FooterItem, ...]:
    return screen.query_one(KeysFooter).items


async def test_the_first_frame_shows_the_document_and_the_footer(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the review screen's first frame was drawn from: the wrapped document (not an empty
    view waiting for its Resize event) and the review keys (not a footer waiting for a
    bindings signal)."""
    first: list[tuple[int, set[str], str]] = []
    original = App._display

    def display(self: App[object], screen: Screen[object], renderable: object) -> None:
        if isinstance(screen, ReviewScreen) and renderable is not None and not first:
            text = renderable.render_segments(self.console)  # type: ignore[attr-defined]
            keys = {str(k.description) for k in footer_keys(screen)}
            first.append((screen.query_one("#doc", DocView).layout_rows, keys, text))
        original(self, screen, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "_display", display)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert first, "the review screen was never drawn"
    rows, keys, text = first[0]
    assert rows > 0
    assert keys >= REVIEW_KEYS
    assert "инициативы" in text and "Accept" in text  # the second paragraph, and a key


async def test_the_view_is_wrapped_before_its_first_resize_event(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_at_resize: list[int] = []

    class Watched(DocView):
        def on_resize(self) -> None:  # runs before DocView's own handler
            rows_at_resize.append(self.layout_rows)

    monkeypatch.setattr("annotator.tui.screens.review_base.DocView", Watched)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        assert isinstance(view, Watched)
        assert rows_at_resize and rows_at_resize[0] == view.layout_rows > 0
        wide = view.layout_rows
        await pilot.resize_terminal(110, 40)
        await pilot.pause()
        assert view.layout_rows > wide  # re-wrapped for the narrower width
        assert rows_at_resize[-1] == view.layout_rows


async def test_the_first_frame_is_scrolled_to_the_saved_span(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = seed_store.get(FIRST).sorted_spans()[-1]
    seed_store.set_position(FIRST, last.id)
    first: list[tuple[int, int, int]] = []
    original = App._display

    def display(self: App[object], screen: Screen[object], renderable: object) -> None:
        if isinstance(screen, ReviewScreen) and renderable is not None and not first:
            view = screen.query_one("#doc", DocView)
            row = view._layout.row_of(last.start) if view._layout else -1
            top = int(view.scroll_offset.y)
            first.append((row, top, view.scrollable_content_region.height))
        original(self, screen, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "_display", display)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#doc", DocView).cursor == last.id
    row, top, height = first[0]
    assert top > 0 and top <= row < top + height


async def test_the_footer_shows_the_review_keys_and_is_built_once(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        built = footer_keys(screen)
        assert {str(k.description) for k in built} >= REVIEW_KEYS
        # Bindings signals that change nothing shown (focus moves, refresh_bindings) keep the
        # same keys (the same tuple: nothing was recomputed into a new line).
        screen.refresh_bindings()
        screen.refresh_bindings()
        await pilot.pause()
        assert footer_keys(screen) is built
        await pilot.press("g")  # the document list gets the focus: its own keys
        await pilot.pause()
        in_list = {str(k.description) for k in footer_keys(screen)}
        assert {"Open", "Back", "Help", "Quit"} <= in_list and "Accept" not in in_list
        await pilot.press("escape")
        await pilot.pause()
        assert footer_keys(screen) == built
        # A change of the keys rebuilds it (select mode).
        await pilot.press("s")
        await pilot.pause()
        descriptions = {str(k.description) for k in footer_keys(screen)}
        assert "Cancel" in descriptions and "Accept" not in descriptions
        await pilot.press("escape")
        await pilot.pause()
        assert {str(k.description) for k in footer_keys(screen)} >= REVIEW_KEYS


async def test_the_first_screen_builds_only_what_it_shows(seed_store: Store) -> None:
    """No banner without one to show, no extraction progress bar with nothing to extract, no
    "terminal too small" note in a terminal large enough: each is mounted when needed."""
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        for absent in ("#banner", "#extract-progress", "#too-small", "#search-bar"):
            assert not screen.query(absent), absent


async def test_the_view_is_styled_once_and_focused_before_the_first_frame(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review screen is the app's first screen, and its document view, focused from the
    start, is styled once (not again when the focus arrives) before the first frame."""
    from textual.css.stylesheet import Stylesheet

    styled: list[str] = []
    first: list[tuple[int, bool, int]] = []
    apply = Stylesheet.apply

    def counting_apply(self: Stylesheet, node: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(node, DocView) and not first:
            styled.append(node.id or "")
        apply(self, node, *args, **kwargs)

    original = App._display

    def display(self: App[object], screen: Screen[object], renderable: object) -> None:
        if isinstance(screen, ReviewScreen) and renderable is not None and not first:
            view = screen.query_one("#doc", DocView)
            first.append((len(styled), self.focused is view, len(self.screen_stack)))
        original(self, screen, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(Stylesheet, "apply", counting_apply)
    monkeypatch.setattr(App, "_display", display)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#doc", DocView).has_focus
    assert first == [(1, True, 1)]


async def test_the_search_bar_is_mounted_when_first_opened(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not screen.query("#search-bar")
        await pilot.press("slash")
        await pilot.pause()
        bar = screen.query_one("#search-bar")
        assert bar.display and app.focused is bar
        await pilot.press("escape")
        await pilot.pause()
        assert not bar.display and isinstance(app.focused, DocView)
        await pilot.press("slash")
        await pilot.pause()
        assert screen.query_one("#search-bar") is bar and bar.display


def test_the_app_imports_no_module_the_first_screen_does_not_need() -> None:
    """Dialogs, the label picker, the corpus search, search and select mode (with razdel's
    token rules) are loaded when first used, not on the way to the first frame."""
    import subprocess
    import sys

    later = [
        "annotator.tui.screens.dialogs",
        "annotator.tui.screens.label_picker",
        "annotator.tui.screens.corpus_search",
        "annotator.tui.screens.help",
        "annotator.tui.search",
        "annotator.tui.bounds",
        "annotator.core.tokens",
    ]
    code = (
        "import sys, annotator.tui.run, annotator.tui.app; "
        f"print([m for m in {later!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

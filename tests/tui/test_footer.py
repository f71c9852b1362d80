"""The key footer: one widget that draws what Textual's Footer draws, and works the same way;
narrower than its keys, it leaves out the least important ones (never ``? Help``)."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer

from annotator.core.store import Store
from annotator.tui.keymap import APP, DECIDE, DOCUMENT, EDIT, FIND, MOVE
from annotator.tui.widgets.footer import (
    FooterItem,
    KeysFooter,
    fit_items,
    footer_parts,
    parts_width,
)
from tests.tui.conftest import FIRST, app_for


class TextualFooter(Footer):
    """Textual's own footer, showing its keys from the start (as the app's footer does)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.set_reactive(Footer._bindings_ready, True)


async def screenshot(
    store: Store, size: tuple[int, int], keys: list[str], hover: int | None
) -> str:
    app = app_for(store)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        if hover is not None:
            await pilot.hover(None, offset=(hover, size[1] - 1))
        await pilot.pause()
        return app.export_screenshot(simplify=True)


@pytest.mark.parametrize(
    ("size", "keys", "hover"),
    [
        ((130, 36), [], None),
        ((130, 36), [], 22),  # the pointer on a key of the label group ("2")
        ((130, 36), [], 38),  # on "Next"
        ((130, 36), ["s"], None),  # select mode: another group ("Add as")
        ((100, 24), [], None),  # as narrow as the review keys allow
        ((60, 15), ["s"], None),  # select mode's keys fit the narrowest supported screen
        ((130, 50), ["question_mark"], None),  # the help screen's footer
    ],
)
async def test_the_footer_looks_like_textuals(
    seed_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    keys: list[str],
    hover: int | None,
) -> None:
    ours = await screenshot(seed_store, size, keys, hover)
    for module in ("review_base", "help"):
        monkeypatch.setattr(f"annotator.tui.screens.{module}.KeysFooter", TextualFooter)
    textuals = await screenshot(seed_store, size, keys, hover)
    assert ours == textuals


def test_layout_of_keys_groups_and_gaps() -> None:
    def key(display: str, description: str = "", group: str | None = None) -> FooterItem:
        return FooterItem(display, display, description, "act", True, "", group, True)

    parts = footer_parts([key("a", "Accept"), key("1", group="Label"), key("2", group="Label")])
    assert "".join(text for text, _, _ in parts) == " a Accept  12 Label"
    assert [kind for _, kind, _ in parts] == [
        "key",
        "description",
        "gap",
        "key",
        "key",
        "gap",
        "label",
    ]
    loose = [FooterItem(d, d, "", "act", True, "", "Go", False) for d in "12"]
    assert "".join(text for text, _, _ in footer_parts([*loose, key("q", "Quit")])) == (
        " 1 2 Go  q Quit "
    )


async def test_clicking_a_key_presses_it(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        first = seed_store.get(FIRST).sorted_spans()[0]
        assert first.state == "pending"
        await pilot.hover(footer, offset=(4, 0))  # "Accept"
        assert footer.tooltip == "accept the span, go to the next pending one"
        await pilot.click(footer, offset=(4, 0))
        await pilot.pause()
        assert seed_store.get(FIRST).span(first.id).state == "accepted"


def shown_line(footer: KeysFooter) -> str:
    return footer.render_line(0).text.rstrip()


@pytest.mark.parametrize(
    ("width", "line"),
    [
        (
            130,
            " a Accept  x Reject  123 Label  n Next  s Select  u Undo  r Reviewed  / Search  "
            "? Help  q Quit",
        ),
        (
            100,
            " a Accept  x Reject  123 Label  n Next  s Select  u Undo  r Reviewed  / Search  "
            "? Help  q Quit",
        ),
        (
            94,
            " a Accept  x Reject  123 Label  n Next  s Select  u Undo  r Reviewed  ? Help  q Quit",
        ),
        (80, " a Accept  x Reject  123 Label  n Next  u Undo  r Reviewed  ? Help  q Quit"),
        (72, " a Accept  x Reject  123 Label  n Next  u Undo  ? Help  q Quit"),
        (60, " a Accept  x Reject  123 Label  n Next  ? Help  q Quit"),
    ],
)
async def test_a_narrow_footer_keeps_help_and_quit(
    seed_store: Store, width: int, line: str
) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        assert shown_line(footer) == line
        assert len(footer.items) == 12  # all the keys are still known; fewer are shown
        described = [f"{item.key_display} {item.description}" for item in footer.shown]
        assert [text for text in described if not text.endswith(" ")] == [
            part.strip() for part in line.split("  ") if "Label" not in part
        ]


async def test_the_footer_follows_the_width_of_the_terminal(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        assert "Search" not in shown_line(footer)
        await pilot.resize_terminal(130, 36)
        await pilot.pause()
        assert shown_line(footer).endswith("/ Search  ? Help  q Quit")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert shown_line(footer).endswith("r Reviewed  ? Help  q Quit")
        assert "Search" not in shown_line(footer)


async def test_clicking_a_key_of_a_narrow_footer_presses_that_key(seed_store: Store) -> None:
    """The keys left out shift the others to the left: the pointer finds the key drawn there."""
    app = app_for(seed_store)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        x = shown_line(footer).index("? Help") + 2
        await pilot.hover(footer, offset=(x, 0))
        assert footer.tooltip == "show every key binding"
        await pilot.click(footer, offset=(x, 0))
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"


def item(binding_id: str, description: str, group: str | None = None) -> FooterItem:
    key = binding_id.rsplit(".", 1)[-1][:1]
    return FooterItem(
        key, key, "" if group else description, "act", True, "", group, bool(group), binding_id
    )


def layout(items: list[FooterItem], width: int, priority: tuple[str, ...]) -> str:
    return "".join(
        text for text, _, _ in footer_parts(items, set(fit_items(items, width, priority)))
    )


def test_keys_are_left_out_by_priority_and_keep_their_order() -> None:
    items = [
        item("x.accept", "Accept"),
        item("x.label_1", "", "Label"),
        item("x.label_2", "", "Label"),
        item("x.next", "Next"),
        item("x.search", "Search"),
        item("x.help", "Help"),
    ]
    priority = ("x.help", "x.accept", "x.label_1", "x.next")
    assert layout(items, 200, priority) == " a Accept  ll Label  n Next  s Search  h Help "
    # Not in the list: goes first. Then the least important listed key.
    assert layout(items, 40, priority) == " a Accept  ll Label  n Next  h Help "
    assert layout(items, 30, priority) == " a Accept  ll Label  h Help "
    # A group goes as a whole, ranked by its best key.
    assert layout(items, 20, priority) == " a Accept  h Help "
    assert layout(items, 10, priority) == " h Help "
    # Even the most important key does not fit: it stays (the wheel scrolls it).
    assert layout(items, 3, priority) == " h Help "


def test_unranked_keys_go_from_the_end() -> None:
    items = [item(f"x.{name}", name.title()) for name in ("one", "two", "three")]
    assert layout(items, 15, ()) == " o One  t Two "
    assert fit_items(items, 100, ()) == (0, 1, 2)


def test_help_and_quit_fit_the_narrowest_supported_review_footer() -> None:
    """With nine labels (the widest label group), the review keys at 60 columns."""
    bindings = [b for group in (DECIDE, MOVE, EDIT, DOCUMENT, FIND, APP) for b in group if b.show]
    labels = [b for b in DECIDE if b.id and "label_" in b.id]
    items = [
        FooterItem(b.key, b.key, b.description, b.action, True, "", None, False, b.id or "")
        for b in bindings
    ] + [
        FooterItem(b.key, b.key, "", b.action, True, "", "Label", True, b.id or "") for b in labels
    ]
    kept = [items[i].binding_id for i in fit_items(items, 60)]
    assert {"app.help", "app.quit", "review.accept", "review.reject"} <= set(kept)
    assert parts_width(footer_parts(items, set(fit_items(items, 60)))) <= 60


class Tiny(App[None]):
    """One key whose description is wider than the screen."""

    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help: every key, its id and what it does", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield KeysFooter()


async def test_the_wheel_scrolls_a_footer_still_wider_than_the_screen() -> None:
    app = Tiny()
    async with app.run_test(size=(20, 5)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        assert shown_line(footer) == " ? Help: every key,"
        assert "app.quit" not in {item.binding_id for item in footer.shown}
        for _ in range(20):
            footer.post_message(events.MouseScrollDown(footer, 10, 0, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert shown_line(footer).endswith("what it does")
        for _ in range(20):
            footer.post_message(events.MouseScrollUp(footer, 10, 0, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert shown_line(footer).startswith(" ? Help")

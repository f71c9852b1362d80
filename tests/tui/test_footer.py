"""The key footer: one widget that draws what Textual's Footer draws, and works the same way."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import Footer

from annotator.core.store import Store
from annotator.tui.widgets.footer import FooterItem, KeysFooter, footer_parts
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
        ((72, 24), [], None),  # narrower than the keys
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


async def test_the_wheel_scrolls_a_footer_wider_than_the_screen(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(72, 24)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)

        def shown() -> str:
            return footer.render_line(0).text

        assert "Quit" not in shown()
        for _ in range(20):
            footer.post_message(events.MouseScrollDown(footer, 10, 0, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert shown().rstrip().endswith("q Quit")
        for _ in range(20):
            footer.post_message(events.MouseScrollUp(footer, 10, 0, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert shown().startswith(" a Accept")

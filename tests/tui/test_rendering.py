"""The document view draws rows on demand: a key press repaints a few rows, not the document."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from annotator.core.corpus import text_sha256
from annotator.core.model import Document, SpanDraft
from annotator.core.store import Store
from annotator.core.tokens import tokens
from annotator.tui.widgets import doc_view
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.wrap import wrap
from tests.conftest import SEEDS
from tests.tui.conftest import app_for


def big_document() -> tuple[Document, list[SpanDraft]]:
    """About 100 KB of Russian news with 2,000 spans spread over it, some nested."""
    seed = (SEEDS / "001_edd16a1dfa848253.txt").read_text(encoding="utf-8")
    text = (seed * (100_000 // len(seed) + 1))[:100_000]
    words = [t for t in tokens(text) if len(t.text) > 3]
    step = len(words) // 1900
    drafts = [SpanDraft(start=w.start, stop=w.stop, label="PER") for w in words[::step][:1900]]
    pairs = zip(words[: 100 * step : step], words[1 : 100 * step : step], strict=True)
    drafts += [SpanDraft(start=a.start, stop=b.stop, label="ORG") for a, b in pairs]
    doc = Document(id="big", source="big.txt", text=text, sha256=text_sha256(text), lang="ru")
    return doc, drafts


@pytest.fixture
def big_store(store_root: Path) -> Store:
    doc, drafts = big_document()
    store = Store.open(store_root, user="tester")
    store.sync([doc])
    store.load_predictions("big", "natasha-1.6.0", drafts)
    return store


async def test_a_key_repaints_only_a_few_rows(
    big_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(big_store.get("big").spans) == 2000
    drawn: list[int] = []
    wraps: list[int] = []
    original_draw = DocView._draw
    original_wrap = wrap

    def counting_draw(self: DocView, index: int, *args: object) -> object:
        drawn.append(index)
        return original_draw(self, index, *args)  # type: ignore[arg-type]

    def counting_wrap(text: str, width: int) -> object:
        wraps.append(width)
        return original_wrap(text, width)

    monkeypatch.setattr(DocView, "_draw", counting_draw)
    monkeypatch.setattr(doc_view, "wrap", counting_wrap)
    app = app_for(big_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        assert view.layout_rows > 1000
        height = view.scrollable_content_region.height
        drawn.clear()
        started = time.perf_counter()
        keys = ["a", "n", "x", "n", "1", "n"] * 10
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        elapsed = time.perf_counter() - started
        # Each key repaints the rows of the old and new current span (plus a row scrolled into
        # view now and then), never the whole view, let alone the whole document.
        assert len(drawn) < len(keys) * 4
        assert len(drawn) < len(keys) * height / 4
        assert len(set(wraps)) == 1 and len(wraps) <= 2  # wrapped once for this width
        assert elapsed / len(keys) < 0.25
    decided = [s for s in big_store.get("big").spans if s.state != "pending"]
    assert len(decided) == 30


async def test_wrapping_follows_the_width(big_store: Store) -> None:
    app = app_for(big_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        wide = view.layout_rows
        await pilot.resize_terminal(80, 40)
        await pilot.pause()
        assert view.layout_rows > wide
        current = view.current_span
        assert current is not None
        await pilot.press("n")
        assert view.current_span is not None and view.current_span != current


async def test_a_cursor_leaving_the_view_is_brought_a_third_of_the_way_down(
    big_store: Store,
) -> None:
    """Walking the spans with ``n`` keeps the view still while the cursor is in it and brings
    the cursor a third of the way down when it leaves: a scroll every screenful, not every key
    (each scroll redraws the whole view). ``p`` back past the top does the same upwards."""
    app = app_for(big_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one("#doc", DocView)
        height = view.scrollable_content_region.height
        layout = view._layout
        assert layout is not None
        spans = big_store.get("big").sorted_spans()

        def place() -> tuple[int, int]:
            span = view.current_span
            assert span is not None
            return layout.row_of(span.start), round(view.scroll_offset.y)

        # the last span a line clear of the bottom edge, 20 screens down the document
        top = 20 * height
        view.scroll_to(y=top, animate=False, immediate=True)
        last = max((s for s in spans if layout.rows_of(s.start, s.stop).stop < top + height),
                   key=lambda s: s.start)
        view.cursor = last.id
        await pilot.pause()
        assert place() == (layout.row_of(last.start), top)  # in view: no scroll

        presses: list[int] = []
        count = 0
        while len(presses) < 2:
            _, before = place()
            await pilot.press("n")
            count += 1
            row, top = place()
            assert top < row < top + height - 1  # in view, a line clear of either edge
            if top != before:
                assert row - top == height // 3
                presses.append(count)
                count = 0
        assert presses[0] == 1  # the first span past the edge scrolled the view
        assert presses[1] > 5  # then a run of keys with the view still

        for _ in range(height):
            _, before = place()
            await pilot.press("p")
            row, top = place()
            assert top <= row < top + height
            if top < before:
                assert row - top == height // 3
                break
        else:
            raise AssertionError("the view never scrolled back up")

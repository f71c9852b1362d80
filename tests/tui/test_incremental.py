"""A decision updates the screen incrementally: the changed spans of the document view, the one
option of the document list, the reading order patched. Each must show exactly what a full
rebuild shows; these tests rebuild everything and compare."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot

from annotator.core.model import Document, Span, sort_spans
from annotator.core.store import Store
from annotator.tui import navigation
from annotator.tui.app import AnnotatorApp
from annotator.tui.navigation import SpanOrder, overlapping, reading_order, span_changes
from annotator.tui.screens.review import ReviewScreen
from annotator.tui.widgets.doc_list import SummaryPrompt, summary_prompt
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.widgets.save_indicator import SaveIndicator
from tests.tui.conftest import FIRST, app_for


@pytest.fixture(autouse=True)
def fresh_orders() -> Iterator[None]:
    navigation._SORTED.clear()
    yield
    navigation._SORTED.clear()


def screen_of(app: AnnotatorApp) -> ReviewScreen:
    screen = app.review
    assert screen is not None
    return screen


def fresh_index(doc: Document, view: DocView) -> DocView:
    """A view that indexed ``doc`` from scratch (never mounted: only its index is used)."""
    fresh = DocView()
    fresh._doc = doc
    fresh._filter = view.span_filter
    fresh._index_spans()
    return fresh


async def assert_as_rebuilt(app: AnnotatorApp, pilot: Pilot[int], store: Store) -> None:
    """The screen now equals the screen after rebuilding every part of it from the store."""
    await pilot.pause()
    screen = screen_of(app)
    doc = screen.doc
    assert doc is not None
    view = screen.view
    fresh = fresh_index(doc, view)
    assert [s.id for s in view._spans] == [s.id for s in fresh._spans]
    assert view._spans == fresh._spans
    assert view._starts == fresh._starts
    assert view._longest == fresh._longest
    assert view._by_id == fresh._by_id
    assert view.current_span == (doc.span(view.cursor) if view.cursor else None)
    assert reading_order(doc) == tuple(sort_spans(doc.spans))
    for option in screen.doc_list.options:
        assert option.id is not None
        assert isinstance(option.prompt, SummaryPrompt)
        assert option.prompt.text == summary_prompt(store.summary(option.id))
    shown = app.export_screenshot()

    navigation._SORTED.clear()
    view._cache.clear()
    view._index_spans()
    view._current = view._span(view.cursor)
    screen.doc_list.set_summaries(store.summaries())
    screen.doc_list.show_current(doc.id)
    screen._shown.clear()
    screen._refresh_doc_widgets()
    for widget in screen.query("*"):
        widget.refresh()
    await pilot.pause()
    assert app.export_screenshot() == shown


@pytest.mark.parametrize(
    "keys",
    [
        ["a", "a", "x", "2", "0", "u", "U", "n", "a"],  # decide, reset, undo, redo
        ["l", "a", "k", "h", "j", "u", "u"],  # bounds: spans move in the reading order
        ["s", "2", "a", "n", "x", "u", "d", "u"],  # a span on another's exact range, deleted
        ["F", "a", "a", "x", "u", "F", "a"],  # pending-only filter: decided spans leave the view
        ["A", "u", "x"],  # every span at once
    ],
)
async def test_decisions_show_what_a_rebuild_shows(seed_store: Store, keys: list[str]) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        assert screen.doc is not None and screen.doc.id == FIRST
        indicator = screen.query_one("#save", SaveIndicator)
        for key in keys:
            await pilot.press(key)
            await assert_as_rebuilt(app, pilot, seed_store)
            if key not in ("n", "F", "s"):
                assert str(indicator.render()) == "saved ✓"


async def test_the_first_save_needs_no_layout_pass(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indicator keeps room for "saved ✓" from the start, so the session's first decision
    does not lay the screen out again (a full layout was ~10 ms inside the first key)."""
    layouts: list[bool] = []
    update = SaveIndicator.update

    def recording(self: SaveIndicator, content: object = "", *, layout: bool = True) -> None:
        layouts.append(layout)
        update(self, content, layout=layout)  # type: ignore[arg-type]

    monkeypatch.setattr(SaveIndicator, "update", recording)
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        indicator = screen_of(app).query_one("#save", SaveIndicator)
        width = indicator.size.width
        await pilot.press("a")
        await pilot.pause()
        assert str(indicator.render()) == "saved ✓"
        assert layouts == [False]
        assert indicator.size.width == width


async def test_the_document_list_repaints_only_the_changed_document(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        doc_list = screen_of(app).doc_list
        others = [o for o in doc_list.options if o.id != FIRST]
        prompts = {o.id: o.prompt for o in others}
        await pilot.press("a")
        await pilot.pause()
        assert all(o.prompt is prompts[o.id] for o in others)
        prompt = doc_list.get_option(FIRST).prompt
        assert isinstance(prompt, SummaryPrompt) and "1 ✓" in prompt.plain
        await assert_as_rebuilt(app, pilot, seed_store)


# ---------------------------------------------------------------------- without the app
def test_span_changes() -> None:
    a = Span(id="s1", start=0, stop=3, label="PER", text="abc")
    b = Span(id="s2", start=4, stop=6, label="LOC", text="de")
    b2 = b.model_copy(update={"state": "accepted"})
    c = Span(id="s3", start=7, stop=9, label="ORG", text="fg")
    same = span_changes([a, b], [a, b])
    assert same is not None and same.aligned and not same.gone and not same.come
    copy = b.model_copy()  # an equal copy is another object: its holders must take it
    equal = span_changes([a, b], [a, copy])
    assert equal is not None and equal.aligned
    assert equal.gone == [b] and equal.come == [copy] and equal.come[0] is copy
    changed = span_changes([a, b], [a, b2])
    assert changed is not None and changed.aligned
    assert changed.gone == [b] and changed.come == [b2]
    added = span_changes([a, b], [a, b2, c])
    assert added is not None and not added.aligned
    assert added.gone == [b] and added.come == [b2, c]
    removed = span_changes([a, b, c], [c, a])
    assert removed is not None and removed.gone == [b] and not removed.come
    assert span_changes([a, b, c], [], limit=2) is None
    copies = [s.model_copy() for s in (a, b, c)]
    assert span_changes([a, b, c], copies, limit=2) is None
    assert span_changes([a, b, c], copies[::-1], limit=2) is None


def check_order(doc: Document) -> None:
    ordered = reading_order(doc)
    assert ordered == tuple(sort_spans(doc.spans))
    for span in doc.spans:
        expected = [
            s for s in ordered if s.id != span.id and s.start < span.stop and span.start < s.stop
        ]
        assert overlapping(doc, span) == expected
    order = SpanOrder.of(doc, navigation.SpanFilter())
    for span in ordered:
        pending = [s for s in ordered if s.state == "pending" and s.id != span.id]
        index = ordered.index(span)
        later = [s for s in ordered[index + 1 :] + ordered[:index] if s.state == "pending"]
        assert order.next_pending(span) == (later[0] if later else None)
        assert (order.next_pending(span) is None) == (not pending)
        assert order.step(span, 1) == ordered[(index + 1) % len(ordered)]
        assert order.step(span, -1) == ordered[index - 1]


def test_reading_order_is_patched_after_each_change(
    seed_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sorts = 0

    def counting_sort(spans: list[Span]) -> list[Span]:
        nonlocal sorts
        sorts += 1
        return sort_spans(spans)

    monkeypatch.setattr("annotator.tui.navigation.sort_spans", counting_sort)
    doc = seed_store.get(FIRST)
    check_order(doc)
    assert sorts == 1
    spans = doc.sorted_spans()
    first, second, third = spans[0], spans[1], spans[2]

    def undone(result: tuple[Document, object] | None) -> Document:
        assert result is not None
        return result[0]

    changes: list[Callable[[], Document]] = [
        lambda: seed_store.accept(FIRST, first.id),
        lambda: seed_store.reject(FIRST, second.id),
        lambda: seed_store.relabel(FIRST, third.id, "ORG"),
        lambda: seed_store.adjust(FIRST, first.id, first.start, first.stop + 3),
        lambda: seed_store.add_span(FIRST, first.start, first.stop, "LOC")[0],
        lambda: seed_store.reset(FIRST, second.id),
        lambda: undone(seed_store.undo(FIRST)),
        lambda: undone(seed_store.redo(FIRST)),
        lambda: seed_store.accept_all(FIRST),
    ]
    for change in changes:
        check_order(change())
    assert sorts == 1  # every later order was patched from the one before
    added = seed_store.get(FIRST).sorted_spans()
    manual = next(s for s in added if not s.is_model)
    check_order(seed_store.delete_span(FIRST, manual.id))
    assert sorts == 1

"""Labelling every ctrl+f match: one store write and one undoable event per document (QA defect
1), and the overlap lookups that decide which matches are free."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.corpus import text_sha256
from annotator.core.model import Document, Span
from annotator.core.store import Store
from annotator.tui.screens.corpus_search import CorpusSearchScreen
from annotator.tui.search import Match, find_matches, overlapping_span, overlapping_spans
from tests.tui.conftest import app_for, until
from tests.tui.test_editing_keys import status_line

PARIS = " ".join(["Anna lives in Paris."] * 3000)


def paris_store(root: Path) -> Store:
    store = Store.open(root, user="tester")
    store.sync([Document(id="paris", source="paris.txt", text=PARIS, sha256=text_sha256(PARIS))])
    return store


async def test_labelling_every_match_is_one_event_and_one_undo(tmp_path: Path) -> None:
    with paris_store(tmp_path / "s") as store:
        # one span there already: its match is skipped, as before
        store.add_span("paris", 14, 19, "ORG")
        events = len(store.history("paris"))
        app = app_for(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+f", *"Paris", "enter")
            await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
            search = app.screen
            assert isinstance(search, CorpusSearchScreen)
            assert len(search.hits[0].matches) == 3000
            await pilot.press("2")
            await pilot.pause()
            assert search.result == (
                "added LOC to 2999 matches in 1 document; 1 skipped: it overlaps an existing span"
            )
            doc = store.get("paris")
            assert len([s for s in doc.spans if s.label == "LOC"]) == 2999
            assert all(doc.text[s.start : s.stop] == s.text == "Paris" for s in doc.spans)
            history = store.history("paris")
            assert len(history) == events + 1 and history[-1].action == "add"
            await until(pilot, lambda: search.searches >= 2)  # searched again: none is free
            assert search.hits[0].free == 0
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, CorpusSearchScreen)
            await pilot.press("u")  # one undo takes the whole batch back
            await pilot.pause()
            assert "undid add" in status_line(app)
            assert [(s.start, s.label) for s in store.get("paris").spans] == [(14, "ORG")]


async def test_a_long_hit_list_is_cut_and_says_how_many_more(tmp_path: Path) -> None:
    """3,000 matches list 200 rows and one line for the rest; a digit still labels them all."""
    from textual.widgets import OptionList

    from annotator.tui.screens.corpus_search import MAX_LISTED_PER_DOCUMENT

    with paris_store(tmp_path / "s") as store:
        app = app_for(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+f", *"Paris", "enter")
            await until(pilot, lambda: bool(getattr(app.screen, "hits", None)))
            hit_list = app.screen.query_one("#corpus-hits", OptionList)
            assert hit_list.option_count == 1 + MAX_LISTED_PER_DOCUMENT + 1
            last = str(hit_list.get_option_at_index(hit_list.option_count - 1).prompt)
            assert "2800 more matches not listed (a digit labels them too)" in last
            summary = str(app.screen.query_one("#corpus-summary").render())
            assert "3000 matches in 1 document (200 listed)" in summary
            await pilot.press("2")
            await pilot.pause()
            assert len(store.get("paris").spans) == 3000


def test_overlap_lookup_in_one_sweep_names_the_same_spans() -> None:
    text = PARIS[:2100]
    matches = find_matches(text, "paris")
    spans = [
        Span(id="s1", start=0, stop=2100, label="ORG", text=text),
        Span(id="s2", start=14, stop=19, label="LOC", text="Paris", state="rejected"),
        Span(id="s3", start=35, stop=40, label="LOC", text="Paris"),
        Span(id="s4", start=35, stop=40, label="PER", text="Paris"),
    ]
    found = overlapping_spans(spans, matches)
    assert found == [overlapping_span(spans, m) for m in matches]
    assert [s.id if s else None for s in found[:3]] == ["s1", "s3", "s1"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 8), st.booleans()), max_size=12
    ),
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=10),
)
def test_overlap_sweep_matches_asking_match_by_match(
    raw: list[tuple[int, int, bool]], wanted: list[tuple[int, int]]
) -> None:
    text = "y" * 40
    spans = [
        Span(id=f"s{n}", start=a, stop=a + length, label="LOC", text=text[a : a + length],
             state="rejected" if rejected else "pending")
        for n, (a, length, rejected) in enumerate(raw, 1)
    ]
    matches = [Match(a, a + length) for a, length in wanted]  # any order, even overlapping
    assert overlapping_spans(spans, matches) == [overlapping_span(spans, m) for m in matches]

"""Character moves step over whole grapheme clusters (QA defect 3), and an edge move that would
make an exact duplicate of another span is refused (QA defect 2)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.corpus import text_sha256
from annotator.core.model import Document
from annotator.core.store import Store
from annotator.tui.bounds import Edge, cluster_step, is_cluster_boundary, moved_edge
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.widgets.save_indicator import SaveIndicator
from tests.tui.conftest import FIRST, app_for
from tests.tui.test_editing_keys import exact, status_line

ZWJ = "\u200d"
FAMILY = f"\U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467"  # 👨‍👩‍👧
THUMB = "\U0001f44d\U0001f3fd"  # 👍🏽
FLAG = "\U0001f1f7\U0001f1fa"  # 🇷🇺


def inside_a_cluster(text: str, offset: int) -> bool:
    """The brief's definition: an edge before a combining mark, a variation selector or an
    emoji modifier, or next to a ZWJ that joins two characters. (After a line break such a
    mark has nothing to join: it stands alone, as UAX #29 has it.)"""
    if offset <= 0 or offset >= len(text) or text[offset - 1] in "\r\n":
        return False
    after = text[offset]
    if (
        unicodedata.combining(after)
        or unicodedata.category(after) in ("Mn", "Me")
        or after in "\ufe0e\ufe0f" + ZWJ
        or 0x1F3FB <= ord(after) <= 0x1F3FF
    ):
        return True
    return (
        text[offset - 1] == ZWJ
        and offset >= 2
        and not text[offset - 2].isspace()
        and not after.isspace()
    )


def moves(text: str, start: int, stop: int, keys: str) -> tuple[int, int]:
    """Press H J K L in turn (a refused move leaves the span as it was)."""
    table: dict[str, tuple[Edge, int]] = {
        "H": ("start", -1), "J": ("start", 1), "K": ("stop", -1), "L": ("stop", 1)
    }
    for key in keys:
        edge, direction = table[key]
        moved = moved_edge(text, start, stop, edge, direction, "char")
        if not isinstance(moved, str):
            start, stop = moved
    return start, stop


def test_character_moves_keep_accents_with_their_letters() -> None:
    text = "Jose\u0301 Garci\u0301a visited"
    assert unicodedata.normalize("NFC", text[0:13]) == "Jos\u00e9 Garc\u00eda"
    start, stop = moves(text, 0, 13, "K")
    assert text[start:stop] == "Jose\u0301 Garci\u0301" and stop == 12
    start, stop = moves(text, 0, 13, "KK")
    assert text[start:stop] == "Jose\u0301 Garc"  # not «Garci» without its accent
    assert moves(text, 0, 10, "L") == (0, 12)  # «Garc» + «í»: the i with its accent
    amelie = "Ame\u0301lie"
    assert [moves(amelie, 0, 7, "J" * n)[0] for n in range(4)] == [0, 1, 2, 4]
    assert moves(amelie, 4, 7, "H") == (2, 7)  # «élie»
    precomposed = "Am\u00e9lie"
    assert moves(precomposed, 0, 6, "JJ") == (2, 6)


def test_character_moves_step_over_emoji_sequences_and_flags() -> None:
    text = f"hi {FAMILY} and {THUMB} at {FLAG}{FLAG} ok"
    family = text.index(FAMILY)
    assert moved_edge(text, family, family + len(FAMILY), "stop", -1, "char") == (
        "the span would be empty; x rejects it (d deletes a span you added)"
    )
    assert moves(text, family, family + 1, "L") == (family, family + len(FAMILY))
    assert cluster_step(text, family, 1) == family + len(FAMILY)
    assert cluster_step(text, family + len(FAMILY), -1) == family
    thumb = text.index(THUMB)
    assert cluster_step(text, thumb, 1) == thumb + 2
    flags = text.index(FLAG)
    assert cluster_step(text, flags, 1) == flags + 2  # flags pair up, never 🇺🇷 in the middle
    assert cluster_step(text, flags + 4, -1) == flags + 2
    assert not is_cluster_boundary(text, flags + 1) and not is_cluster_boundary(text, flags + 3)
    assert is_cluster_boundary("a\r\nb", 1) and not is_cluster_boundary("a\r\nb", 2)
    heart = "\u2764\ufe0f"  # ❤️: the variation selector stays
    assert cluster_step(f"x{heart}y", 1, 1) == 3


def test_an_edge_inside_a_cluster_moves_out_of_it() -> None:
    """A span imported with an edge inside a cluster reaches a whole cluster on its next move."""
    text = "Jose\u0301 Garci\u0301a"
    assert moves(text, 0, 4, "L") == (0, 5)
    assert moves(text, 0, 11, "K") == (0, 10)
    assert moves(text, 4, 13, "H") == (3, 13)


CLUSTERY = st.text(
    st.sampled_from(
        ["a", "e", "i", "Z", "ж", " ", "-", ".", "1", "\u0301", "\u0308", "\u0327", "\u20dd",
         "\u0903", ZWJ, "\ufe0f", "\ufe0e", "\U0001f3fb", "\U0001f3fd", "\U0001f468",
         "\U0001f469", "\U0001f467", "\u2764", "\U0001f1f7", "\U0001f1fa", "\n", "\r"]
    ),
    min_size=1,
    max_size=24,
)


@settings(max_examples=500, deadline=None)
@given(CLUSTERY, st.data())
def test_no_character_move_ends_inside_a_cluster(text: str, data: st.DataObject) -> None:
    """Whatever the span (even one imported with an edge inside a cluster), the edge a
    character move moves lands between clusters."""
    start = data.draw(st.integers(0, len(text) - 1))
    stop = data.draw(st.integers(start + 1, len(text)))
    keys = data.draw(st.text(st.sampled_from("HJKL"), min_size=1, max_size=12))
    for key in keys:
        moved = moves(text, start, stop, key)
        if moved != (start, stop):
            edge = moved[0] if key in "HJ" else moved[1]
            assert not inside_a_cluster(text, edge), (text, moved)
            assert is_cluster_boundary(text, edge), (text, moved)
            assert 0 <= moved[0] < moved[1] <= len(text)
            assert (moved[1] if key in "HJ" else moved[0]) == (stop if key in "HJ" else start)
            start, stop = moved


@settings(max_examples=400, deadline=None)
@given(CLUSTERY)
def test_cluster_boundaries_are_unicode_boundaries(text: str) -> None:
    """Every boundary the moves stop at is one under UAX #29 (wcwidth's segmentation, a test
    dependency through pyte, serves as the reference)."""
    wcwidth = pytest.importorskip("wcwidth")
    reference = {0}
    for cluster in wcwidth.iter_graphemes(text):
        reference.add(max(reference) + len(cluster))
    ours = {i for i in range(len(text) + 1) if is_cluster_boundary(text, i)}
    assert ours <= reference


async def test_character_moves_in_the_app_keep_the_accent(tmp_path: Path) -> None:
    text = "Jose\u0301 Garci\u0301a visited Ame\u0301lie.\n"
    with Store.open(tmp_path / "s", user="tester") as store:
        store.sync([Document(id="d", source="d.txt", text=text, sha256=text_sha256(text))])
        _, span = store.add_span("d", 0, 13, "PER")
        app = app_for(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.screen.query_one("#doc", DocView).cursor = span.id
            await pilot.press("K", "K")
            await pilot.pause()
            moved = store.get("d").span(span.id)
            assert (moved.start, moved.stop) == (0, 10)  # not 0..11, «Garci» without «́»
            assert moved.text == "Jose\u0301 Garc"
            await pilot.press("L")
            await pilot.pause()
            assert store.get("d").span(span.id).text == "Jose\u0301 Garci\u0301"
            assert exact(store.get("d"))


async def test_an_edge_move_onto_another_span_is_refused(seed_store: Store) -> None:
    """s l 1 adds PER «встретился»; h widens it to «Бастрыкин встретился»; k would make it
    natasha's pending PER «Бастрыкин» a second time: refused, with the sentence add_span says."""
    surname = next(s for s in seed_store.get(FIRST).spans if s.text == "Бастрыкин")
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s", "l", "1")
        await pilot.pause()
        added = next(s for s in seed_store.get(FIRST).spans if s.origin == "manual")
        assert (added.text, added.label) == ("встретился", "PER")
        await pilot.press("h")
        await pilot.pause()
        assert seed_store.get(FIRST).span(added.id).text == "Бастрыкин встретился"
        before = seed_store.get(FIRST)
        await pilot.press("k")
        await pilot.pause()
        assert seed_store.get(FIRST) == before
        # a refusal, not a failure: nothing was written, the indicator still says saved
        indicator = str(app.screen.query_one("#save", SaveIndicator).render())
        assert indicator == "saved ✓"
        assert (f"not changed: 'Бастрыкин' at {surname.start}..{surname.stop} is already "
                "marked PER.") in status_line(app)
        keys = [s.key() for s in seed_store.get(FIRST).spans if s.state != "rejected"]
        assert len(keys) == len(set(keys))

"""The review app's pure helpers: wrapping, span order, boundary moves, search (no app runs)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from annotator.core.model import Document, Span
from annotator.tui.bounds import Edge, TokenSelection, Unit, moved_edge, selection_for
from annotator.tui.navigation import SpanFilter, SpanOrder
from annotator.tui.search import Match, find_matches, overlapping_span
from annotator.tui.wrap import DISPLAY, wrap

TEXT_CHARS = st.text(
    alphabet=st.sampled_from(list("ab Жж\u00a0\t\r\n日́-.") + ["\u200b"]), max_size=300
)


@given(TEXT_CHARS, st.integers(min_value=1, max_value=40))
def test_rows_cover_the_text_exactly(text: str, width: int) -> None:
    layout = wrap(text, width)
    shown = "".join(text[a:b] for a, b in layout.rows)
    assert shown == re.sub(r"\r?\n", "", text)  # everything but the line endings, in order
    starts = [a for a, _ in layout.rows]
    assert starts == sorted(set(starts))
    for a, b in layout.rows:
        drawn = text[a:b].translate(DISPLAY)
        # A row fits, except for a hanging space or a first character wider than the row.
        assert cell_len(drawn.rstrip(" ")) <= max(width, cell_len(drawn[:1]))


def test_crlf_is_a_line_break_and_lone_cr_is_shown() -> None:
    text = "one\r\ntwo\rthree"
    layout = wrap(text, 80)
    assert [text[a:b] for a, b in layout.rows] == ["one", "two\rthree"]
    assert "two\rthree".translate(DISPLAY) == "two␍three"
    assert "a\u00a0b\tc".translate(DISPLAY) == "a·b→c"


def test_soft_wrap_breaks_after_spaces() -> None:
    text = "Председатель Следственного комитета России"
    layout = wrap(text, 20)
    assert [text[a:b] for a, b in layout.rows] == [
        "Председатель ",
        "Следственного ",
        "комитета России",
    ]
    assert layout.row_of(text.index("России")) == 2
    assert list(layout.rows_of(0, len(text))) == [0, 1, 2]


def span(sid: str, start: int, stop: int, label: str, state: str = "pending") -> Span:
    text = "x" * 40
    return Span.model_validate(
        {
            "id": sid,
            "start": start,
            "stop": stop,
            "label": label,
            "text": text[start:stop],
            "state": state,
        }
    )


def doc_with(*spans: Span) -> Document:
    return Document(id="d", source="d.txt", text="x" * 40, sha256="0", spans=list(spans))


def test_span_order_visits_outer_before_inner_and_wraps() -> None:
    outer, inner, later = (
        span("s1", 0, 10, "ORG"),
        span("s2", 0, 4, "PER"),
        span("s3", 20, 25, "LOC"),
    )
    order = SpanOrder.of(doc_with(later, inner, outer), SpanFilter())
    assert [s.id for s in order.spans] == ["s1", "s2", "s3"]
    assert order.step(later, 1) == outer
    assert order.step(outer, -1) == later
    assert order.at_offset(2) == inner
    assert order.step(None, 1) == outer  # no span current and no offset: the first
    assert order.step(None, 1, 12) == later  # from an offset (a search match, the view's top)
    assert order.step(None, -1, 12) == inner
    assert order.step(None, 1, 30) == outer  # wraps


def test_next_pending_skips_decided_spans_and_wraps() -> None:
    a, b, c = span("s1", 0, 2, "PER"), span("s2", 5, 7, "PER", "accepted"), span("s3", 9, 11, "LOC")
    order = SpanOrder.of(doc_with(a, b, c), SpanFilter())
    assert order.next_pending(a) == c
    assert order.next_pending(c) == a
    only = SpanOrder.of(doc_with(b), SpanFilter())
    assert only.next_pending(b) is None


def test_filter_cycles_through_pending_and_each_label() -> None:
    labels = ["PER", "LOC"]
    seen = [SpanFilter()]
    for _ in range(4):
        seen.append(seen[-1].cycled(labels))
    assert [f.describe() for f in seen] == ["all", "pending", "PER", "LOC", "all"]


def test_edges_move_by_token_and_character() -> None:
    text = "Глава МВД России Владимир Колокольцев."
    start, stop = text.index("МВД"), text.index("МВД") + 3
    assert moved_edge(text, start, stop, "stop", 1, "token") == (start, text.index(" Влад"))
    assert moved_edge(text, start, stop, "start", -1, "token") == (0, stop)
    assert moved_edge(text, start, stop, "start", 1, "char") == (start + 1, stop)
    assert isinstance(moved_edge(text, start, stop, "start", 1, "token"), str)
    assert isinstance(moved_edge(text, 0, 5, "start", -1, "char"), str)
    end = len(text)
    assert isinstance(moved_edge(text, end - 1, end, "stop", 1, "token"), str)


def test_token_moves_stop_at_the_first_and_last_token() -> None:
    text = " date 2025-11-25 Бастрыкин приехал. \n"
    start, stop = text.index("date"), text.index(".") + 1
    assert moved_edge(text, 17, 26, "start", -1, "token") == (6, 26)
    assert moved_edge(text, start, 26, "start", -1, "token") == (
        "the span already starts at the first token"
    )
    assert moved_edge(text, start, stop, "stop", 1, "token") == (
        "the span already ends at the last token"
    )
    assert "whitespace" in str(moved_edge(text, start, 26, "start", -1, "char"))
    assert "whitespace" in str(moved_edge(text, start, stop, "stop", 1, "char"))
    assert moved_edge(text, 6, 26, "start", 1, "char") == (7, 26)  # inside a token is fine
    assert moved_edge(text, 17, 34, "stop", -1, "char") == (17, 33)


EDGE_TEXTS = st.text(alphabet=st.sampled_from(list("ab Ж.,-\u00a0\t\n")), max_size=30)


@given(
    EDGE_TEXTS,
    st.integers(0, 30),
    st.integers(1, 30),
    st.sampled_from(["start", "stop"]),
    st.sampled_from([-1, 1]),
    st.sampled_from(["token", "char"]),
)
def test_an_edge_move_never_leaves_whitespace_at_an_end(
    text: str, start: int, length: int, edge: Edge, direction: int, unit: Unit
) -> None:
    stop = min(start + length, len(text))
    if start >= stop or text[start].isspace() or text[stop - 1].isspace():
        return  # only spans that are well-formed to begin with
    moved = moved_edge(text, start, stop, edge, direction, unit)
    if isinstance(moved, str):
        return
    a, b = moved
    assert 0 <= a < b <= len(text)
    assert not text[a].isspace() and not text[b - 1].isspace()
    assert (a, b) != (start, stop)


def test_token_selection_moves_and_extends() -> None:
    from annotator.core.tokens import tokens

    text = "Глава МВД России Владимир Колокольцев."
    toks = tokens(text)
    selection = selection_for(toks, text.index("России"), text.index("России") + 6)
    assert selection == TokenSelection(2, 2)
    wider = selection.moved(1, True, len(toks)).moved(1, True, len(toks))
    assert text[slice(*wider.bounds(toks))] == "России Владимир Колокольцев"
    assert wider.moved(-1, False, len(toks)) == TokenSelection(3, 3)
    assert TokenSelection(0, 0).moved(-1, False, len(toks)) == TokenSelection(0, 0)


def test_search_folds_case_yo_and_whitespace() -> None:
    text = "Алёна и АЛЕНА;\u00a0Ю.\u00a0Шток и Ю. Шток"
    assert [text[m.start : m.stop] for m in find_matches(text, "алена")] == ["Алёна", "АЛЕНА"]
    assert len(find_matches(text, "ю. шток")) == 2
    assert find_matches(text, "   ") == []
    grown = find_matches("в Интерпола,", "интерпол", whole_tokens=True)
    assert grown == [Match(2, 11)]


def test_overlapping_spans() -> None:
    org = span("s1", 0, 10, "ORG", "accepted")
    per = span("s2", 4, 6, "PER")
    rejected = span("s3", 12, 15, "ORG", "rejected")
    spans = [org, per, rejected]
    assert overlapping_span(spans, Match(0, 3)) == org  # inside a span of another label
    assert overlapping_span(spans, Match(4, 6)) == per  # the tightest one is named
    assert overlapping_span(spans, Match(8, 12)) == org  # across its end
    assert overlapping_span(spans, Match(10, 12)) is None  # touching is not overlapping
    assert overlapping_span(spans, Match(12, 15)) is None  # rejected spans do not count


def test_counted_nouns_and_listings() -> None:
    from annotator.tui.wording import count, listing, quoted

    assert [count(n, "match", "matches") for n in (0, 1, 2)] == [
        "0 matches",
        "1 match",
        "2 matches",
    ]
    assert count(1, "document") == "1 document" and count(3, "document") == "3 documents"
    assert quoted("  Александр\n Бастрыкин ") == "«Александр Бастрыкин»"
    assert quoted("x" * 40, 10) == "«" + "x" * 9 + "…»"
    assert listing(["a", "b"], 5) == "a, b"
    assert listing(["a", "b", "c", "d"], 2) == "a, b and 2 more"

"""razdel tokens with exact offsets, and the boundary helpers the review app moves by."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotator.core.tokens import (
    Token,
    next_token_start,
    next_token_stop,
    previous_token_start,
    previous_token_stop,
    sentence_tokens,
    sentences,
    snap_to_tokens,
    span_token_range,
    token_at,
    tokens,
)

TEXT = "Привет,\u00a0мир!\r\nЭто 😀 тест."
ALPHABET = st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕabcXYZ0123456789.,!?«»-—")
    + [" ", "\u00a0", "\r\n", "\n", "\t", "😀", "𝔸", "🏛️", "\u200b"]
)
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)


def test_offsets_are_exact_over_crlf_nbsp_and_emoji() -> None:
    toks = tokens(TEXT)
    assert [t.text for t in toks] == ["Привет", ",", "мир", "!", "Это", "😀", "тест", "."]
    assert all(TEXT[t.start : t.stop] == t.text for t in toks)
    assert toks[4] == Token(14, 17, "Это")  # after "\r\n", which counts two code points
    assert toks[6].start == 20  # the emoji counts one code point


def test_sentences() -> None:
    assert [s.text for s in sentences(TEXT)] == ["Привет,\u00a0мир!", "Это 😀 тест."]
    groups = sentence_tokens(TEXT)
    assert [[t.text for t in g] for g in groups] == [
        ["Привет", ",", "мир", "!"], ["Это", "😀", "тест", "."]
    ]


def test_token_at() -> None:
    assert token_at(TEXT, 0) == Token(0, 6, "Привет")
    assert token_at(TEXT, 5) == Token(0, 6, "Привет")
    assert token_at(TEXT, 6) == Token(6, 7, ",")
    assert token_at(TEXT, 7) is None  # the no-break space
    assert token_at(TEXT, len(TEXT)) is None
    assert token_at("", 0) is None


def test_boundary_moves() -> None:
    # tokens: Привет 0-6, "," 6-7, мир 8-11, "!" 11-12, Это 14-17, 😀 18-19, тест 20-24, "." 24-25
    assert next_token_start(TEXT, 0) == 6
    assert next_token_start(TEXT, 7) == 8
    assert next_token_start(TEXT, 24) == len(TEXT)
    assert previous_token_start(TEXT, 8) == 6
    assert previous_token_start(TEXT, 9) == 8
    assert previous_token_start(TEXT, 0) == 0
    assert next_token_stop(TEXT, 0) == 6
    assert next_token_stop(TEXT, 6) == 7
    assert next_token_stop(TEXT, 25) == len(TEXT)
    assert previous_token_stop(TEXT, 14) == 12
    assert previous_token_stop(TEXT, 6) == 0


def test_snap_to_tokens() -> None:
    assert snap_to_tokens(TEXT, 2, 9) == (0, 11)
    assert snap_to_tokens(TEXT, 14, 17) == (14, 17)
    assert snap_to_tokens(TEXT, 12, 14) == (12, 14)  # only the line break: left alone


def test_span_token_range() -> None:
    toks = tokens(TEXT)
    assert span_token_range(toks, 0, 6) == (0, 1)
    assert span_token_range(toks, 0, 12) == (0, 4)
    assert span_token_range(toks, 14, 25) == (4, 8)
    assert span_token_range(toks, 1, 6) is None  # starts inside a token
    assert span_token_range(toks, 0, 5) is None  # ends inside a token
    assert span_token_range(toks, 0, 7 + 1) is None  # ends in whitespace
    assert span_token_range(toks, 100, 101) is None
    assert span_token_range([], 0, 1) is None


def test_tokenization_is_cached() -> None:
    text = "Кэш работает. " * 3
    assert tokens(text) == tokens(text)
    first = tokens(text)
    first.clear()  # callers get their own list
    assert tokens(text)


@given(TEXTS)
def test_tokens_are_ordered_exact_and_never_whitespace(text: str) -> None:
    toks = tokens(text)
    previous = 0
    for token in toks:
        assert previous <= token.start < token.stop <= len(text)
        assert text[token.start : token.stop] == token.text
        assert not token.text.isspace()
        previous = token.stop
    assert [t for group in sentence_tokens(text) for t in group] == toks


@given(TEXTS, st.integers(min_value=0, max_value=45))
def test_helpers_agree_with_the_token_list(text: str, offset: int) -> None:
    toks = tokens(text)
    starts = [t.start for t in toks]
    stops = [t.stop for t in toks]
    assert next_token_start(text, offset) == min([s for s in starts if s > offset],
                                                 default=len(text))
    assert previous_token_start(text, offset) == max([s for s in starts if s < offset], default=0)
    assert next_token_stop(text, offset) == min([s for s in stops if s > offset],
                                                default=len(text))
    assert previous_token_stop(text, offset) == max([s for s in stops if s < offset], default=0)
    inside = [t for t in toks if t.start <= offset < t.stop]
    assert token_at(text, offset) == (inside[0] if inside else None)
    for i, a in enumerate(toks):
        for j in range(i, len(toks)):
            assert span_token_range(toks, a.start, toks[j].stop) == (i, j + 1)

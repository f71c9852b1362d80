"""natasha's pipeline with its repeated work left out: each shortcut against what it replaces."""

from __future__ import annotations

import importlib.metadata
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.corpus import load_corpus
from annotator.core.extract import NatashaExtractor
from annotator.core.fast_tokens import fast_token_starts, razdel_rules
from annotator.core.natasha_pipeline import (
    NatashaModels,
    Shortcuts,
    receptive_radius,
    shortcuts_for,
    token_bounds,
    viterbi,
    windows_around,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

ALPHABET = st.sampled_from(
    list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕabcXYZ0123456789.,!?«»-—_/:;()'\"…")
    + [" ", "\u00a0", "\r\n", "\n", "\t", "😀", "𝔸", "\u200b", ":)", "...", "1.5", "1/2", "--"]
)
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


@pytest.fixture(scope="module")
def models() -> NatashaModels:
    extractor = NatashaExtractor()
    extractor.prepare()
    assert extractor._models is not None
    return extractor._models


@pytest.fixture(scope="module")
def shortcuts(models: NatashaModels) -> Shortcuts:
    assert models.shortcuts is not None, "the installed natasha is not the release checked"
    return models.shortcuts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """The seeds and 40 texts of a seed's size made of the Russian seeds' lines, shuffled."""
    seeds = [doc.text for doc in load_corpus([SEEDS]).documents]
    rng = random.Random(5)
    lines = [line for text in seeds[:3] + seeds[4:] for line in text.split("\n") if line.strip()]
    return [*seeds, *("\n\n".join(rng.sample(lines, 8)) for _ in range(40))]


def whole_pipeline(models: NatashaModels, text: str) -> Any:
    """natasha as its README shows it: segment, morphology of every sentence, NER, normalize."""
    from natasha import Doc

    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_morph(models.morph_tagger)
    doc.tag_ner(models.ner_tagger)
    for span in doc.spans:
        span.normalize(models.morph_vocab)
    return doc


def described(spans: list[Any]) -> list[tuple[Any, ...]]:
    """Each span's offsets, label, normal form and its tokens' offsets and tags."""
    return [
        (
            span.start,
            span.stop,
            span.type,
            span.normal,
            [(t.start, t.stop, t.text, t.pos, t.feats) for t in span.tokens],
        )
        for span in spans
    ]


# ---------------------------------------------------------------------- the whole pipeline
def test_the_shortcuts_give_natashas_spans_tokens_tags_and_normal_forms(
    models: NatashaModels, shortcuts: Shortcuts, texts: list[str]
) -> None:
    """Spans, their tokens, those tokens' morphology tags and the normal forms are exactly
    natasha's whole pipeline's, on every seed and the shuffled texts."""
    spans = 0
    for text in texts:
        expected = described(whole_pipeline(models, text).spans)
        assert described(models.spans(text)) == expected
        spans += len(expected)
    assert spans > 500


def test_natashas_own_calls_give_the_same_answer(models: NatashaModels, texts: list[str]) -> None:
    """The path taken with other natasha releases: natasha's calls, entity sentences tagged."""
    for text in texts[:12]:
        assert described(models.plain_spans(text)) == described(whole_pipeline(models, text).spans)


def test_windows_leave_most_tokens_untagged(
    models: NatashaModels, shortcuts: Shortcuts, texts: list[str]
) -> None:
    """The comparison above is not vacuous: windows skip tokens that entity sentences hold."""
    from natasha.doc import DocSent, DocToken, envelop_sent_tokens

    skipped = 0
    for text in texts:
        tokens = [DocToken(a, b, text[a:b]) for a, b in models.tokens(text, shortcuts)]
        sents = [DocSent(s.start, s.stop, s.text) for s in models.segmenter.sentenize(text)]
        envelop_sent_tokens(tokens, sents)
        spans = models.spans(text)
        needed = {(t.start, t.stop) for span in spans for t in span.tokens}
        for sent in sents:
            positions = [k for k, t in enumerate(sent.tokens) if (t.start, t.stop) in needed]
            covered = sum(
                h - lo for lo, h in windows_around(positions, shortcuts.radius, len(sent.tokens))
            )
            if positions:
                skipped += len(sent.tokens) - covered
    assert skipped > 1000


def test_a_smaller_radius_would_change_tags(
    models: NatashaModels, shortcuts: Shortcuts, texts: list[str]
) -> None:
    """The radius is tight: one token less either side and some tags differ from natasha's."""
    from dataclasses import replace

    narrower = replace(models, shortcuts=replace(shortcuts, radius=shortcuts.radius - 1))
    assert any(
        described(narrower.spans(text)) != described(whole_pipeline(models, text).spans)
        for text in texts
    )


def test_blank_texts_have_no_spans(models: NatashaModels, shortcuts: Shortcuts) -> None:
    assert models.spans("") == []
    assert models.spans(" \r\n\u00a0\n") == []


def test_a_text_without_entities(models: NatashaModels, shortcuts: Shortcuts) -> None:
    assert models.spans("и, и. а") == []


SEED_WORDS = sorted(
    {w for doc in load_corpus([SEEDS]).documents for w in doc.text.split() if len(w) > 1}
)
PIECES = st.one_of(
    st.sampled_from(SEED_WORDS).map(lambda word: word + " "),
    st.sampled_from(SEED_WORDS),
    st.sampled_from([" ", "  ", "\n", "\r\n", "\n\n", "\u00a0", "\t"]),
    st.sampled_from(list(".,!?«»-—–:;()\"'/…") + ["...", "1.5", "93-й", "😀", "\u200b", "ё"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=60).map("".join))
def test_the_shortcuts_on_generated_texts(models: NatashaModels, text: str) -> None:
    """Seed words glued to punctuation, odd spaces and symbols in random order: the same spans,
    tokens, tags and normal forms as natasha's whole pipeline."""
    assert described(models.spans(text)) == described(whole_pipeline(models, text).spans)


# ---------------------------------------------------------------------- one tokenization
@given(TEXTS)
def test_token_bounds_are_razdels_tokens(text: str) -> None:
    from razdel import tokenize

    rules = razdel_rules()
    assert rules is not None
    expected = [(token.start, token.stop) for token in tokenize(text)]
    assert token_bounds(text, fast_token_starts(text, rules)) == expected


def test_token_bounds_of_the_texts(
    models: NatashaModels, shortcuts: Shortcuts, texts: list[str]
) -> None:
    from razdel import tokenize

    assert shortcuts.rules is not None
    for text in texts:
        assert models.tokens(text, shortcuts) == [(t.start, t.stop) for t in tokenize(text)]


def test_without_the_checked_razdel_razdel_tokenizes(
    models: NatashaModels, shortcuts: Shortcuts
) -> None:
    from dataclasses import replace

    text = "Привет, мир! 1.5 кг"
    razdel = replace(shortcuts, rules=None)
    assert models.tokens(text, razdel) == models.tokens(text, shortcuts)


# ---------------------------------------------------------------------- windows
def test_windows_around() -> None:
    assert windows_around([], 3, 10) == []
    assert windows_around([0], 3, 10) == [(0, 4)]
    assert windows_around([5], 3, 10) == [(2, 9)]
    assert windows_around([9], 3, 10) == [(6, 10)]
    assert windows_around([2, 9], 3, 20) == [(0, 13)]  # 5 and 6 touch: one window
    assert windows_around([2, 10], 3, 20) == [(0, 6), (7, 14)]


@given(
    st.lists(st.integers(min_value=0, max_value=40), unique=True).map(sorted),
    st.integers(min_value=0, max_value=4),
)
def test_every_position_has_its_radius_inside_one_window(positions: list[int], radius: int) -> None:
    length = 41
    windows = windows_around(positions, radius, length)
    for position in positions:
        [(low, high)] = [w for w in windows if w[0] <= position < w[1]]
        assert low == 0 or position - low >= radius
        assert high == length or high - 1 - position >= radius
    assert all(a[1] < b[0] for a, b in zip(windows, windows[1:], strict=False))


def test_the_morphology_models_radius(models: NatashaModels) -> None:
    """natasha's news morphology model: three convolutions of kernel 3."""
    assert receptive_radius(models.morph_tagger.infer.model) == 3


def test_a_model_of_another_shape_has_no_radius(models: NatashaModels) -> None:
    from dataclasses import dataclass

    @dataclass
    class Other:
        emb: Any
        encoder: Any
        head: Any

    model = models.morph_tagger.infer.model
    assert receptive_radius(Other(model.emb, object(), model.head)) is None
    # the NER model's head is a CRF, not a per-token layer
    assert receptive_radius(models.ner_tagger.infer.model) is None


# ---------------------------------------------------------------------- the CRF decoder
@pytest.mark.parametrize("seed", range(20))
def test_viterbi_is_slovnets_decode(models: NatashaModels, seed: int) -> None:
    """Random emissions in padded batches, some in small integers so that scores tie."""
    crf = models.ner_tagger.infer.model.head.crf
    rng = np.random.default_rng(seed)
    tags = crf.transitions.array.shape[0]
    batch, length = int(rng.integers(1, 6)), int(rng.integers(1, 40))
    if seed % 2:
        emissions = rng.integers(-2, 3, (batch, length, tags)).astype(np.float32)
    else:
        emissions = rng.normal(0, 3, (batch, length, tags)).astype(np.float32)
    sizes = rng.integers(1, length + 1, batch)
    mask = np.arange(length)[None, :] < sizes[:, None]
    expected = crf.decode(emissions, mask)
    got = viterbi(emissions, mask, crf.transitions.array)
    assert [p.tolist() for p in got] == [p.tolist() for p in expected]


# ---------------------------------------------------------------------- when it is used
def test_other_releases_get_natashas_own_calls(
    models: NatashaModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        return "0.7.0" if name == "slovnet" else real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    assert shortcuts_for(models) is None
    monkeypatch.undo()
    assert shortcuts_for(models) is not None


def test_the_extractor_uses_whichever_path_it_has(models: NatashaModels, texts: list[str]) -> None:
    from dataclasses import replace

    text = texts[0]
    plain = replace(models, shortcuts=None)
    assert described(plain.spans(text)) == described(models.spans(text))


@pytest.mark.slow
def test_the_shortcuts_on_many_more_shuffled_texts(
    models: NatashaModels, shortcuts: Shortcuts
) -> None:
    """300 more texts of 4-12 seed lines, from every Russian seed (``pytest -m slow``)."""
    seeds = [doc.text for doc in load_corpus([SEEDS]).documents if doc.lang == "ru"]
    lines = [line for text in seeds for line in text.split("\n") if line.strip()]
    rng = random.Random(23)
    for _ in range(300):
        text = "\n".join(rng.sample(lines, rng.randint(4, 12)))
        assert described(models.spans(text)) == described(whole_pipeline(models, text).spans)

"""natasha's news pipeline (segment, NER, morphology, normal forms) with its repeated work left out.

natasha as its README shows it (``Doc.segment``, ``tag_morph``, ``tag_ner``, ``normalize``) does
three things the answer does not need:

1. **It tokenizes the text twice.** ``segment`` and the NER tagger each run razdel over the whole
   text (the same call on the same string). Here it runs once and both use the tokens. With the
   razdel release that :mod:`annotator.core.fast_tokens` reproduces, that one run is its
   re-implementation (checked equal to razdel), else razdel itself.
2. **It tags morphology everywhere.** The tags are read by one thing, ``span.normalize``, and only
   for the span's own tokens. The morphology model is a stack of convolutions (slovnet's
   ``CNNEncoder``) then a per-token layer, reading each sentence on its own (a batch's padding is
   masked out): a token's tags depend only on the tokens within :func:`receptive_radius` of it in
   its sentence (3 for natasha's news model: three layers of kernel 3). So only windows of that
   radius around entity tokens are tagged, cut at the sentence's edges: the same tags for those
   tokens (with a radius of 2 the tests already find tags that differ).
3. **Its CRF decoder gathers each step's best score by fancy indexing** (``np.indices`` per
   token). :func:`viterbi` is slovnet's ``CRF.decode`` with that gather written as ``max`` (the
   same element, so the same float): the same path.

Together about a third less time per seed-sized news text than natasha's own pipeline (12.4
against ~19 ms here, ``bench/extraction.py``), for the same spans, tokens, tags and normal forms
(compared with natasha's whole pipeline in the tests, on the seeds and generated news).

The shortcuts reach into slovnet's model objects, so they are used only with the releases checked
here (:data:`CHECKED`) and models of the expected structure (:func:`shortcuts_for`); otherwise
natasha's own calls give the answer (morphology of entity sentences only:
:meth:`NatashaModels.plain_spans`).
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.fast_tokens import Rules, fast_token_starts, razdel_rules

CHECKED = {"natasha": "1.6.0", "slovnet": "0.6.0"}
"""The releases whose internals the shortcuts use (tests compare them with natasha's calls)."""

_RUN = re.compile(r"\S+")


@dataclass(frozen=True)
class Shortcuts:
    """What the shortcuts need beyond the models: the morphology tagger's receptive radius, and
    razdel's rules when the installed razdel is the one :mod:`fast_tokens` reproduces."""

    radius: int
    rules: Rules | None


@dataclass
class NatashaModels:
    """natasha's loaded components (untyped library objects), and the shortcuts when the
    installed releases are the checked ones."""

    segmenter: Any
    morph_tagger: Any
    ner_tagger: Any
    morph_vocab: Any
    shortcuts: Shortcuts | None = None

    def spans(self, text: str) -> list[Any]:
        """natasha's ``DocSpan`` list for ``text``, each normalized (``span.normal``): the same
        with or without the shortcuts."""
        shortcuts = self.shortcuts
        if shortcuts is None:
            return self.plain_spans(text)
        from natasha.doc import (
            DocSent,
            DocSpan,
            DocToken,
            envelop_sent_tokens,
            envelop_span_tokens,
        )
        from slovnet.bio import bio_spans

        if not text.strip():  # as natasha's tag_ner: no entity in blank text
            return []
        tokens = [
            DocToken(start, stop, text[start:stop]) for start, stop in self.tokens(text, shortcuts)
        ]
        tags = self.ner_tags([token.text for token in tokens])
        spans = [
            DocSpan(span.start, span.stop, span.type, text[span.start : span.stop])
            for span in bio_spans(tokens, tags)
        ]
        envelop_span_tokens(tokens, spans)
        sents = [DocSent(s.start, s.stop, s.text) for s in self.segmenter.sentenize(text)]
        envelop_sent_tokens(tokens, sents)
        needed = {id(token) for span in spans for token in span.tokens}
        self.tag_windows([sent.tokens for sent in sents], needed, shortcuts.radius)
        for span in spans:
            span.normalize(self.morph_vocab)
        return spans

    def plain_spans(self, text: str) -> list[Any]:
        """natasha's own calls (morphology of entity sentences only), for releases not checked."""
        from natasha import Doc

        doc = Doc(text)
        doc.segment(self.segmenter)
        doc.tag_ner(self.ner_tagger)
        tag_morph_of_entity_sentences(doc, self.morph_tagger)
        for span in doc.spans:
            span.normalize(self.morph_vocab)
        return list(doc.spans)

    def tokens(self, text: str, shortcuts: Shortcuts) -> list[tuple[int, int]]:
        """razdel's tokens of the whole text, as ``(start, stop)``."""
        if shortcuts.rules is None:
            return [(token.start, token.stop) for token in self.segmenter.tokenize(text)]
        return token_bounds(text, fast_token_starts(text, shortcuts.rules))

    def ner_tags(self, words: list[str]) -> list[str]:
        """The NER model's BIO tag of each word (slovnet's ``NERInfer`` for one text)."""
        infer = self.ner_tagger.infer
        [batch] = infer.encoder([words])
        model = infer.model
        emissions = model(batch.word_id, batch.shape_id, batch.pad_mask)
        [path] = viterbi(emissions, ~batch.pad_mask, model.head.crf.transitions.array)
        decode = infer.decoder.tags_vocab.decode
        return [decode(tag) for tag in path]

    def tag_windows(
        self, sentences: Iterable[Sequence[Any]], needed: set[int], radius: int
    ) -> None:
        """Set ``pos`` and ``feats`` of the tokens in ``needed`` (by ``id``), tagging only the
        windows of ``radius`` tokens around them within each sentence."""
        windows = [
            (tokens, low, high)
            for tokens in sentences
            for low, high in windows_around(
                [k for k, token in enumerate(tokens) if id(token) in needed], radius, len(tokens)
            )
        ]
        if not windows:
            return
        markups = self.morph_tagger.map(
            [[token.text for token in tokens[low:high]] for tokens, low, high in windows]
        )
        for (tokens, low, high), markup in zip(windows, markups, strict=True):
            for target, source in zip(tokens[low:high], markup.tokens, strict=True):
                target.pos = source.pos
                target.feats = source.feats


def token_bounds(text: str, starts: Sequence[int]) -> list[tuple[int, int]]:
    """razdel's tokens from their starts: each ends at the next start or where its run of
    non-space characters ends, whichever comes first."""
    bounds: list[tuple[int, int]] = []
    count = len(starts)
    index = 0
    for run in _RUN.finditer(text):
        end = run.end()
        while index < count and starts[index] < end:
            following = index + 1
            stop = starts[following] if following < count and starts[following] < end else end
            bounds.append((starts[index], stop))
            index = following
    return bounds


def windows_around(positions: Sequence[int], radius: int, length: int) -> list[tuple[int, int]]:
    """``[low, high)`` windows of a sequence of ``length`` holding every one of the (sorted)
    ``positions`` with ``radius`` items either side (fewer at the sequence's edges); windows that
    would touch or overlap are merged."""
    windows: list[tuple[int, int]] = []
    for position in positions:
        low, high = max(0, position - radius), min(length, position + radius + 1)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def viterbi(emissions: Any, mask: Any, transitions: Any) -> list[Any]:
    """slovnet 0.6.0's ``CRF.decode`` (the best tag path of each sequence in a batch), each step's
    best score taken with ``max`` where slovnet gathers it at the ``argmax`` (the same value)."""
    import numpy as np

    batch_size, seq_len, tags_num = emissions.shape
    emissions = emissions.swapaxes(1, 0)
    mask = mask.swapaxes(1, 0)
    history = []
    score = emissions[0]  # batch x tags
    for index in range(1, seq_len):
        step = (
            score.reshape(batch_size, tags_num, 1)
            + transitions
            + emissions[index].reshape(batch_size, 1, tags_num)
        )  # batch x tags x tags
        history.append(step.argmax(-2))
        score = np.where(mask[index].reshape(batch_size, 1), step.max(-2), score)
    sizes = mask.sum(0) - 1
    paths = []
    for index in range(batch_size):
        best = score[index].argmax()
        tags = [best]
        for indexes in reversed(history[: sizes[index]]):
            best = indexes[index][best]
            tags.append(best)
        tags.reverse()
        paths.append(np.array(tags))
    return paths


def receptive_radius(model: Any) -> int | None:
    """How many tokens either side a slovnet tagging model reads for one token's tags: the sum of
    its convolutions' paddings when it is word and shape embeddings, a ``CNNEncoder`` of
    "same"-padded convolutions, and a per-token head; else None (the radius is unknown)."""
    from slovnet.exec.model import CNNEncoder, Conv1d, MorphHead, WordShapeEmbedding

    if not (
        isinstance(model.emb, WordShapeEmbedding)
        and type(model.encoder) is CNNEncoder
        and isinstance(model.head, MorphHead)
    ):
        return None
    radius = 0
    for layer in model.encoder.layers:
        conv = layer.conv
        if type(conv) is not Conv1d or conv.weight.shape[2] != 2 * conv.padding + 1:
            return None
        radius += conv.padding
    return radius


def shortcuts_for(models: NatashaModels) -> Shortcuts | None:
    """The shortcuts for these models, or None when the installed releases or the models'
    structure are not the ones checked."""
    try:
        versions = {name: importlib.metadata.version(name) for name in CHECKED}
    except importlib.metadata.PackageNotFoundError:
        return None
    if versions != CHECKED:
        return None
    from slovnet.exec.model import CRF, NER

    model = models.ner_tagger.infer.model
    if type(model) is not NER or type(model.head.crf) is not CRF:
        return None
    radius = receptive_radius(models.morph_tagger.infer.model)
    if radius is None:
        return None
    return Shortcuts(radius, razdel_rules())


def tag_morph_of_entity_sentences(doc: Any, tagger: Any) -> None:
    """natasha's ``doc.tag_morph(tagger)``, on the sentences that an entity overlaps only (a
    sentence's tags do not depend on which others are tagged with it: see the module's doc)."""
    spans = [(span.start, span.stop) for span in doc.spans]
    sents = [
        sent
        for sent in doc.sents
        if any(start < sent.stop and sent.start < stop for start, stop in spans)
    ]
    if not sents:
        return
    markups = tagger.map([[token.text for token in sent.tokens] for sent in sents])
    for sent, markup in zip(sents, markups, strict=True):
        for target, source in zip(sent.tokens, markup.tokens, strict=True):
            target.pos = source.pos
            target.feats = source.feats

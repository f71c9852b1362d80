"""Extractors: natasha on the seeds (exact offsets, a golden rendering) and flows into the store."""

from __future__ import annotations

import gc
import importlib.metadata
import json
import multiprocessing
import os
import pickle
import random
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.corpus import load_corpus, text_sha256
from annotator.core.errors import ExtractionError, StoreError
from annotator.core.extract import (
    MAX_CHUNK,
    POOL_MIN_DOCUMENTS,
    Extractor,
    ExtractReport,
    NatashaExtractor,
    _chunks,
    _Job,
    default_mp_context,
    extract_into_store,
)
from annotator.core.model import Document, SpanDraft
from annotator.core.store import Store
from tests.unit.test_natasha_pipeline import whole_pipeline

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_IDS = sorted(path.stem for path in SEEDS.glob("*.txt"))
GOLDEN = Path(__file__).parent / "data" / "natasha_000.golden.txt"
NATASHA_LABELS = {"PER", "LOC", "ORG"}


# ---------------------------------------------------------------------- fixtures and fakes
@pytest.fixture(scope="module")
def natasha() -> NatashaExtractor:
    """One natasha extractor for the module: its models load once (about a second)."""
    extractor = NatashaExtractor()
    extractor.prepare()
    return extractor


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    return {doc.id: doc.text for doc in load_corpus([SEEDS]).documents}


class FakeExtractor(Extractor):
    """Capitalised Cyrillic words are PER, capitalised Latin words MISC; records what it saw.

    Defined at module level so worker processes (fork or spawn) can unpickle it.
    """

    name = "fake"
    version = "1"
    languages = frozenset({"ru"})

    def __init__(self, *, fail_prepare: bool = False, crash_in_worker: bool = False) -> None:
        self.calls: list[str] = []
        self.fail_prepare = fail_prepare
        self.crash_in_worker = crash_in_worker
        self.parent_pid = os.getpid()

    def prepare(self) -> None:
        if self.fail_prepare:
            raise ExtractionError("The fake model is missing.")

    def extract(self, text: str) -> list[SpanDraft]:
        if self.crash_in_worker and os.getpid() != self.parent_pid:
            os._exit(3)
        if "boom" in text:
            raise ValueError("cannot read boom")
        self.calls.append(text)
        drafts = [
            SpanDraft(start=m.start(), stop=m.end(), label="PER", normal=m.group().lower())
            for m in re.finditer(r"[А-ЯЁ][а-яё]+", text)
        ]
        drafts += [
            SpanDraft(start=m.start(), stop=m.end(), label="MISC")
            for m in re.finditer(r"\b[A-Z][a-z]+", text)
        ]
        return drafts


def make_doc(doc_id: str, text: str, lang: str = "ru") -> Document:
    return Document(
        id=doc_id, source=f"{doc_id}.txt", text=text, sha256=text_sha256(text), lang=lang
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store", user="tester") as opened:
        yield opened


def ru_docs(count: int) -> list[Document]:
    return [make_doc(f"ru{i:03d}", f"Иван номер {i} приехал в Москву, Lyon.") for i in range(count)]


# ---------------------------------------------------------------------- the natasha extractor
def test_importing_extract_does_not_import_natasha() -> None:
    code = (
        "import sys, annotator.core.extract as e; e.NatashaExtractor(); "
        "assert 'natasha' not in sys.modules, 'natasha was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_natasha_key_and_languages() -> None:
    extractor = NatashaExtractor()
    assert extractor.key == f"natasha-{importlib.metadata.version('natasha')}"
    assert extractor.languages == frozenset({"ru"})
    assert not extractor.loaded


@pytest.mark.parametrize("seed", SEED_IDS)
def test_natasha_offsets_are_exact_on_every_seed(
    natasha: NatashaExtractor, seed_texts: dict[str, str], seed: str
) -> None:
    from natasha import Doc

    text = seed_texts[seed]
    models = natasha._load()  # natasha's own spans, to compare surfaces with the exact text
    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_ner(models.ner_tagger)
    assert doc.spans, "natasha found nothing"
    for span in doc.spans:
        assert text[span.start : span.stop] == span.text
    drafts = natasha.extract(text)
    assert [(d.start, d.stop, d.label) for d in drafts] == [
        (s.start, s.stop, s.type) for s in doc.spans
    ]
    for draft in drafts:
        surface = text[draft.start : draft.stop]
        assert surface and surface == surface.strip()
        assert draft.label in NATASHA_LABELS


def test_no_break_spaces_of_seed_001_survive(
    natasha: NatashaExtractor, seed_texts: dict[str, str]
) -> None:
    text = seed_texts["001_edd16a1dfa848253"]
    raw = (SEEDS / "001_edd16a1dfa848253.txt").read_bytes()
    assert text.count("\xa0") == raw.count("\xa0".encode()) > 10
    surfaces = {text[d.start : d.stop] for d in natasha.extract(text)}
    assert "Европейского агентства пограничной и\xa0береговой охраны (Frontex)" in surfaces


def test_natasha_gives_normal_forms(natasha: NatashaExtractor, seed_texts: dict[str, str]) -> None:
    drafts = natasha.extract(seed_texts["001_edd16a1dfa848253"])
    assert SpanDraft(start=25, stop=30, label="LOC", normal="Лион") in drafts


def test_natasha_offsets_hold_with_crlf(natasha: NatashaExtractor) -> None:
    lf = "Москва.\nВладимир Путин приехал в Санкт-Петербург.\n\nИнтерпол\u00a0собрался."
    crlf = lf.replace("\n", "\r\n")
    spans_lf = natasha.extract(lf)
    spans_crlf = natasha.extract(crlf)
    assert [crlf[d.start : d.stop] for d in spans_crlf] == [lf[d.start : d.stop] for d in spans_lf]
    assert len(spans_crlf) >= 3


def test_natasha_on_empty_text(natasha: NatashaExtractor) -> None:
    assert natasha.extract("") == []
    assert natasha.extract(" \r\n\n") == []


def test_natasha_pickles_without_its_models(natasha: NatashaExtractor) -> None:
    data = pickle.dumps(natasha)
    assert len(data) < 1000
    copy = pickle.loads(data)
    assert isinstance(copy, NatashaExtractor)
    assert not copy.loaded and copy.key == natasha.key


def natasha_whole_text(natasha: NatashaExtractor, text: str) -> list[tuple[int, int, str, str]]:
    """natasha as its README shows it: the whole text tagged for morphology, then normalized."""
    spans = whole_pipeline(natasha._load(), text).spans
    return [(s.start, s.stop, s.type, s.normal) for s in spans]


def shuffled_news(seed_texts: dict[str, str], count: int) -> list[str]:
    """``count`` texts of a seed's size made of the Russian seeds' lines in a shuffled order."""
    rng = random.Random(11)
    lines = [
        line
        for seed, text in sorted(seed_texts.items())
        if not seed.startswith("003")  # the English one
        for line in text.split("\n")
        if line.strip()
    ]
    return ["\n\n".join(rng.sample(lines, 8)) for _ in range(count)]


def test_the_extractor_gives_the_whole_pipelines_spans_and_normal_forms(
    natasha: NatashaExtractor, seed_texts: dict[str, str]
) -> None:
    """The extractor tags morphology only around entities (``core/natasha_pipeline.py``); the spans
    and normal forms are those of natasha's whole-text tagging, on every seed and 40 shuffled
    texts (which hold sentences without any entity)."""
    texts = [*seed_texts.values(), *shuffled_news(seed_texts, 40)]
    for text in texts:
        drafts = natasha.extract(text)
        assert [(d.start, d.stop, d.label, d.normal) for d in drafts] == [
            (start, stop, label, normal or None)
            for start, stop, label, normal in natasha_whole_text(natasha, text)
        ]
    from natasha import Doc

    models = natasha._load()
    untagged = 0
    for text in texts:
        doc = Doc(text)
        doc.segment(models.segmenter)
        doc.tag_ner(models.ner_tagger)
        untagged += sum(
            not any(s.start < sent.stop and sent.start < s.stop for s in doc.spans)
            for sent in doc.sents
        )
    assert untagged > len(texts)  # the comparison covered texts with sentences left untagged


def render_golden(text: str, drafts: list[SpanDraft], key: str) -> str:
    """The text with ``[surface]LABEL`` markup, then one line per span with its normal form."""
    out: list[str] = []
    cursor = 0
    for draft in sorted(drafts, key=lambda d: (d.start, d.stop)):
        assert draft.start >= cursor, "natasha spans do not overlap"
        out.append(f"{text[cursor : draft.start]}[{text[draft.start : draft.stop]}]{draft.label}")
        cursor = draft.stop
    out.append(text[cursor:])
    lines = [f"# {key} on seeds/000_47d0eeae892115b2.txt: {len(drafts)} spans", ""]
    lines += "".join(out).split("\n")
    lines += ["", "# start stop label surface -> normal"]
    lines += [
        f"{d.start} {d.stop} {d.label} {text[d.start : d.stop]} -> {d.normal}" for d in drafts
    ]
    return "\n".join(lines) + "\n"


def test_golden_natasha_spans_on_seed_000(
    natasha: NatashaExtractor, seed_texts: dict[str, str]
) -> None:
    """Regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/unit/test_extract.py``."""
    text = seed_texts["000_47d0eeae892115b2"]
    rendered = render_golden(text, natasha.extract(text), natasha.key)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(rendered.encode("utf-8"))
    assert rendered == GOLDEN.read_bytes().decode("utf-8")


# ---------------------------------------------------------------------- flows into the store
def test_extract_into_store_marks_extracts_and_skips(store: Store) -> None:
    docs = [
        make_doc("a", "Иван приехал в Москву."),
        make_doc("b", "John went home.", lang="en"),
        make_doc("c", "Пётр и Анна."),
    ]
    store.sync(docs)
    fake = FakeExtractor()
    seen: list[tuple[int, int, str]] = []
    report = extract_into_store(
        store, ["a", "b", "c"], fake, on_progress=lambda *args: seen.append(args)
    )
    assert (report.extracted, report.cached, report.already, report.unsupported) == (2, 0, 0, 1)
    assert report.unsupported_langs == {"en": 1}
    assert fake.calls == ["Иван приехал в Москву.", "Пётр и Анна."]
    assert [done for done, _, _ in seen] == [1, 2, 3]
    assert {doc_id for _, _, doc_id in seen} == {"a", "b", "c"}
    assert all(total == 3 for _, total, _ in seen)

    a = store.get("a")
    assert (a.extraction, a.extractor) == ("done", "fake-1")
    assert [(s.text, s.label, s.state, s.origin, s.normal) for s in a.spans] == [
        ("Иван", "PER", "pending", "fake-1", "иван"),
        ("Москву", "PER", "pending", "fake-1", "москву"),
    ]
    b = store.get("b")
    assert (b.extraction, b.spans) == ("unsupported", [])
    assert store.cached_predictions(a.sha256, "fake-1") is not None
    assert report.summary().startswith(
        "3 documents: 2 extracted, 0 from cache, 1 unsupported language (en) in "
    )


def test_a_second_run_does_no_model_work(store: Store) -> None:
    store.sync([make_doc("a", "Иван приехал."), make_doc("b", "Hello.", lang="en")])
    extract_into_store(store, ["a", "b"], FakeExtractor())
    before = store.get("a")
    fake = FakeExtractor()
    report = extract_into_store(store, ["a", "b"], fake)
    assert fake.calls == []
    assert (report.extracted, report.already, report.unsupported) == (0, 1, 1)
    assert store.get("a") == before
    assert "1 already extracted" in report.summary()


def test_cached_output_is_reused_for_the_same_text(store: Store) -> None:
    store.sync([make_doc("a", "Иван приехал.")])
    extract_into_store(store, ["a"], FakeExtractor())
    store.sync([make_doc("copy", "Иван приехал.")])
    fake = FakeExtractor()
    report = extract_into_store(store, ["copy"], fake)
    assert fake.calls == []
    assert (report.extracted, report.cached) == (0, 1)
    assert [s.text for s in store.get("copy").spans] == ["Иван"]


def test_labels_outside_the_store_set_are_left_out(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store", user="tester", labels=["PER"]) as store:
        store.sync([make_doc("a", "Иван встретил Marie и Анну.")])
        report = extract_into_store(store, ["a"], FakeExtractor())
        assert [s.label for s in store.get("a").spans] == ["PER", "PER"]
        assert report.outside_labels == {"MISC": 1}
        note = report.label_note()
        assert note is not None and "MISC 1" in note
        cached = store.cached_predictions(store.get("a").sha256, "fake-1")
        assert cached is not None and {d.label for d in cached} == {"PER", "MISC"}


def test_cancelling_stops_between_documents(store: Store) -> None:
    docs = ru_docs(4)
    store.sync(docs)
    fake = FakeExtractor()
    seen: list[str] = []
    report = extract_into_store(
        store,
        [d.id for d in docs],
        fake,
        on_progress=lambda done, total, doc_id: seen.append(doc_id),
        is_cancelled=lambda: len(fake.calls) >= 2,
    )
    assert report.cancelled and report.extracted == 2
    assert seen == [docs[0].id, docs[1].id], "each saved document is reported"
    assert [store.summary(d.id).extraction for d in docs] == ["done", "done", "pending", "pending"]
    assert report.summary().endswith("; cancelled after 2")


def test_an_extractor_failure_names_the_document(store: Store) -> None:
    store.sync([make_doc("ok", "Иван."), make_doc("bad", "Иван boom.")])
    with pytest.raises(ExtractionError, match="fake-1 failed on document 'bad'") as caught:
        extract_into_store(store, ["ok", "bad"], FakeExtractor())
    assert "cannot read boom" in str(caught.value)
    assert store.summary("ok").extraction == "done"


def test_a_document_is_reported_only_once_saved(store: Store) -> None:
    docs = ru_docs(6)
    store.sync(docs)
    on_disk: list[str] = []

    def on_progress(done: int, total: int, doc_id: str) -> None:
        saved = json.loads(store.shard_path(doc_id).read_bytes())
        on_disk.append(saved["document"]["1"]["extraction"])

    extract_into_store(store, [d.id for d in docs], FakeExtractor(), on_progress=on_progress)
    assert on_disk == ["done"] * len(docs)


def test_a_failed_save_stops_the_run_and_is_raised(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = ru_docs(5)
    store.sync(docs)
    load = store.load_predictions

    def failing(doc_id: str, *args: Any, **kwargs: Any) -> Document:
        if doc_id == "ru002":
            raise StoreError("The disk is full (a test).")
        return load(doc_id, *args, **kwargs)

    monkeypatch.setattr(store, "load_predictions", failing)
    threads = threading.active_count()
    seen: list[str] = []
    with pytest.raises(StoreError, match="disk is full"):
        extract_into_store(
            store,
            [d.id for d in docs],
            FakeExtractor(),
            on_progress=lambda done, total, doc_id: seen.append(doc_id),
        )
    assert [store.summary(d.id).extraction for d in docs] == ["done", "done"] + ["pending"] * 3
    assert set(seen) <= {"ru000", "ru001"}
    assert threading.active_count() == threads, "the writer thread has ended"
    assert gc.isenabled()


def test_the_garbage_collector_is_back_on_after_a_run(store: Store) -> None:
    docs = ru_docs(3)
    store.sync(docs)
    extract_into_store(store, [d.id for d in docs], FakeExtractor())
    assert gc.isenabled()
    gc.disable()
    try:
        extract_into_store(store, [d.id for d in docs], FakeExtractor())
        assert not gc.isenabled(), "a caller's paused collector stays paused"
    finally:
        gc.enable()


def test_chunks_shrink_towards_the_end() -> None:
    jobs = [_Job(f"d{i}", "0" * 64) for i in range(200)]
    chunks = list(_chunks(jobs, 2))
    sizes = [len(chunk) for chunk in chunks]
    assert [job for chunk in chunks for job in chunk] == jobs
    assert sizes[0] == MAX_CHUNK and sizes[-1] == 1
    assert sizes == sorted(sizes, reverse=True)


def test_few_documents_stay_in_process_even_with_workers(store: Store) -> None:
    docs = ru_docs(POOL_MIN_DOCUMENTS - 1)
    store.sync(docs)
    fake = FakeExtractor()
    report = extract_into_store(store, [d.id for d in docs], fake, workers=4)
    assert report.extracted == len(docs) and len(fake.calls) == len(docs)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_give_the_same_result(tmp_path: Path, method: str) -> None:
    docs = ru_docs(POOL_MIN_DOCUMENTS + 5)
    ids = [d.id for d in docs]
    with Store.open(tmp_path / "serial", user="t") as serial:
        serial.sync(docs)
        extract_into_store(serial, ids, FakeExtractor())
        expected = [serial.get(i).spans for i in ids]
    with Store.open(tmp_path / "pool", user="t") as pooled:
        pooled.sync(docs)
        fake = FakeExtractor()
        seen: list[int] = []
        report = extract_into_store(
            pooled,
            ids,
            fake,
            workers=2,
            mp_context=multiprocessing.get_context(method),
            on_progress=lambda done, total, doc_id: seen.append(done),
        )
        assert fake.calls == [], "the parent process did no model work"
        assert report.extracted == len(docs)
        assert seen == list(range(1, len(docs) + 1))
        assert [pooled.get(i).spans for i in ids] == expected


def test_a_crashed_worker_is_one_clear_error(store: Store) -> None:
    docs = ru_docs(POOL_MIN_DOCUMENTS)
    store.sync(docs)
    with pytest.raises(ExtractionError) as caught:
        extract_into_store(
            store,
            [d.id for d in docs],
            FakeExtractor(crash_in_worker=True),
            workers=2,
            mp_context=multiprocessing.get_context("fork"),
        )
    assert str(caught.value).startswith("A fake worker process stopped unexpectedly")


def test_a_worker_that_cannot_load_its_model_says_why(store: Store) -> None:
    docs = ru_docs(POOL_MIN_DOCUMENTS)
    store.sync(docs)
    with pytest.raises(ExtractionError, match=r"^The fake model is missing\.$"):
        extract_into_store(
            store,
            [d.id for d in docs],
            FakeExtractor(fail_prepare=True),
            workers=2,
            mp_context=multiprocessing.get_context("fork"),
        )


def test_a_failure_inside_a_worker_names_the_chunk(store: Store) -> None:
    docs = [*ru_docs(POOL_MIN_DOCUMENTS), make_doc("bad", "Иван boom.")]
    store.sync(docs)
    with pytest.raises(ExtractionError, match="fake-1 failed in a worker process on one of"):
        extract_into_store(
            store,
            [d.id for d in docs],
            FakeExtractor(),
            workers=2,
            mp_context=multiprocessing.get_context("fork"),
        )


def test_default_context_never_forks_a_threaded_process() -> None:
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert default_mp_context().get_start_method() == "spawn"
    finally:
        stop.set()
        helper.join()
    if sys.platform == "linux" and threading.active_count() == 1:
        assert default_mp_context().get_start_method() == "fork"


def test_report_summary_wording() -> None:
    report = ExtractReport("natasha-1.6.0", total=1, extracted=1, seconds=3.24)
    expected = "1 document: 1 extracted, 0 from cache, 0 unsupported language in 3.2 s"
    assert report.summary() == expected
    assert report.label_note() is None

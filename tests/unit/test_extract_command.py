"""``annotator extract`` end to end: seeds into a temporary store, reruns, bad files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from annotator.cli import main
from annotator.commands import extract as command
from annotator.core import extract as core_extract
from annotator.core.errors import ExtractionError
from annotator.core.extract import NatashaExtractor
from annotator.core.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
RU_SEEDS = [
    "000_47d0eeae892115b2",
    "001_edd16a1dfa848253",
    "002_268afaa1d5e91440",
    "004_4e9f15d0b7126271",
]
EN_SEED = "003_a88db5e05d3015ab"


@pytest.fixture(scope="module")
def prepared_natasha() -> NatashaExtractor:
    """natasha with its models loaded once for the module."""
    extractor = NatashaExtractor()
    extractor.prepare()
    return extractor


@pytest.fixture
def shared_natasha(monkeypatch: pytest.MonkeyPatch, prepared_natasha: NatashaExtractor) -> None:
    """Make the command use the module's loaded natasha instead of loading its own."""
    monkeypatch.setattr(command, "NatashaExtractor", lambda: prepared_natasha)


def disable_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the command a fresh natasha whose model loading fails: any model work breaks the run."""

    def refuse() -> None:
        raise ExtractionError("natasha could not load its models (disabled by the test).")

    monkeypatch.setattr(command, "NatashaExtractor", NatashaExtractor)
    monkeypatch.setattr(core_extract, "_load_natasha_models", refuse)


@pytest.fixture
def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    disable_model(monkeypatch)


@pytest.fixture(autouse=True)
def _work_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never let a default ``annotations/`` folder land in the repository."""
    monkeypatch.chdir(tmp_path)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["extract", *map(str, args), "--user", "anna"])


def test_extract_seeds_into_a_store(tmp_path: Path, shared_natasha: None) -> None:
    store_dir = tmp_path / "store"
    result = run(SEEDS, "--store", store_dir)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "5 documents: 4 extracted, 0 from cache, 1 unsupported language (en) in "
    )
    with Store.open(store_dir, user="anna", readonly=True) as store:
        assert store.ids() == sorted([*RU_SEEDS, EN_SEED])
        for doc_id in RU_SEEDS:
            doc = store.get(doc_id)
            assert doc.lang == "ru" and doc.extraction == "done"
            assert doc.extractor == NatashaExtractor().key
            assert doc.spans and {s.state for s in doc.spans} == {"pending"}
            assert {s.origin for s in doc.spans} == {doc.extractor}
            assert all(doc.text[s.start : s.stop] == s.text for s in doc.spans)
        english = store.get(EN_SEED)
        assert (english.lang, english.extraction, english.spans) == ("en", "unsupported", [])


def test_a_second_run_does_no_model_work(
    tmp_path: Path, shared_natasha: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_dir = tmp_path / "store"
    assert run(SEEDS, "--store", store_dir).exit_code == 0
    with Store.open(store_dir, user="anna", readonly=True) as store:
        before = [store.get(doc_id) for doc_id in store.ids()]

    disable_model(monkeypatch)
    again = run(SEEDS, "--store", store_dir)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(
        "5 documents: 0 extracted, 0 from cache, 4 already extracted, "
        "1 unsupported language (en) in "
    )
    with Store.open(store_dir, user="anna", readonly=True) as store:
        assert [store.get(doc_id) for doc_id in store.ids()] == before

    copies = tmp_path / "copies"
    copies.mkdir()
    shutil.copyfile(SEEDS / f"{RU_SEEDS[0]}.txt", copies / "copy_of_000.txt")
    cached = run(SEEDS, copies, "--store", store_dir)
    assert cached.exit_code == 0, cached.output
    assert "1 from cache, 4 already extracted" in cached.stdout
    with Store.open(store_dir, user="anna", readonly=True) as store:
        copy, original = store.get("copy_of_000"), store.get(RU_SEEDS[0])
        assert [s.key() for s in copy.spans] == [s.key() for s in original.spans]

    (copies / "new.txt").write_text("Новый текст о Москве.", encoding="utf-8")
    broken = run(copies, "--store", store_dir)
    assert broken.exit_code == 1, "the disabled model was really needed here"
    assert "natasha could not load its models (disabled by the test)." in broken.stderr


def test_a_second_run_never_imports_natasha(tmp_path: Path, shared_natasha: None) -> None:
    store_dir = tmp_path / "store"
    assert run(SEEDS, "--store", store_dir).exit_code == 0
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from annotator.commands.extract import run_extract\n"
        f"code = run_extract(paths=[Path({str(SEEDS)!r})], store_dir=Path({str(store_dir)!r}),\n"
        "                   user='anna', labels=None, workers=1)\n"
        "assert 'natasha' not in sys.modules, 'natasha was imported'\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "4 already extracted" in done.stdout


def test_bad_files_are_reported_and_the_rest_load(tmp_path: Path, shared_natasha: None) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes("Иван Петров приехал в Москву.".encode())
    (corpus / "bad.txt").write_bytes(b"Moscow \xff")
    (corpus / "empty.txt").write_bytes(b"")
    result = run(corpus, "--store", tmp_path / "store")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"annotator: {corpus / 'bad.txt'} is not UTF-8 text (invalid byte 0xff at byte offset 7); "
        "skipped.",
        f"annotator: warning: {corpus / 'empty.txt'} is empty.",
    ]
    assert result.stdout.startswith(
        "2 documents: 1 extracted, 0 from cache, 1 unsupported language (und) in "
    )
    with Store.open(tmp_path / "store", user="anna", readonly=True) as store:
        assert store.ids() == ["empty", "good"]
        assert [s.text for s in store.get("good").spans] == ["Иван Петров", "Москву"]


def test_nothing_loadable_is_a_usage_error(tmp_path: Path, no_model: None) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00")
    result = run(corpus, "--store", tmp_path / "store")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "annotator: None of the given files could be loaded as documents."
    )
    assert not (tmp_path / "store").exists()


def test_a_missing_path_is_a_usage_error(tmp_path: Path, no_model: None) -> None:
    result = run(tmp_path / "nowhere", "--store", tmp_path / "store")
    assert result.exit_code == 2
    assert result.stderr == f"annotator: {tmp_path / 'nowhere'} does not exist.\n"


def test_a_narrow_label_set_leaves_other_labels_out(tmp_path: Path, shared_natasha: None) -> None:
    result = run(SEEDS / f"{RU_SEEDS[0]}.txt", "--store", tmp_path / "store", "--labels", "PER")
    assert result.exit_code == 0, result.output
    assert "spans with labels outside the store's label set (LOC " in result.stderr
    with Store.open(tmp_path / "store", user="anna", readonly=True) as store:
        assert {s.label for s in store.get(RU_SEEDS[0]).spans} == {"PER"}


def test_worker_processes_with_real_natasha(
    tmp_path: Path, prepared_natasha: NatashaExtractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_extract, "POOL_MIN_DOCUMENTS", 2)  # a pool even for four seeds
    result = run(SEEDS, "--store", tmp_path / "store", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("5 documents: 4 extracted, 0 from cache")
    with Store.open(tmp_path / "store", user="anna", readonly=True) as store:
        for doc_id in RU_SEEDS:
            doc = store.get(doc_id)
            expected = prepared_natasha.extract(doc.text)
            assert sorted((s.start, s.stop, s.label, s.normal) for s in doc.spans) == sorted(
                (d.start, d.stop, d.label, d.normal) for d in expected
            )


@pytest.mark.parametrize(("cpus", "expected"), [(1, 1), (2, 2), (3, 3), (16, 4)])
def test_by_default_extract_uses_a_process_per_cpu_up_to_four(
    monkeypatch: pytest.MonkeyPatch, cpus: int, expected: int
) -> None:
    monkeypatch.setattr(command, "available_cpus", lambda: cpus)
    assert command.default_workers() == expected


@pytest.mark.parametrize(("given", "expected"), [((), 3), (("--workers", "1"), 1)])
def test_the_workers_the_command_asks_for(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shared_natasha: None,
    given: tuple[str, ...],
    expected: int,
) -> None:
    """Without ``--workers`` the run gets one process per CPU (3 here); ``--workers`` wins."""
    asked: list[int] = []
    real = core_extract.extract_into_store

    def spy(*args: object, workers: int, **kwargs: object) -> core_extract.ExtractReport:
        asked.append(workers)
        return real(*args, workers=workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "available_cpus", lambda: 3)
    monkeypatch.setattr(command, "extract_into_store", spy)
    result = run(SEEDS, "--store", tmp_path / "store", *given)
    assert result.exit_code == 0, result.output
    assert asked == [expected]
    assert result.stdout.startswith("5 documents: 4 extracted")

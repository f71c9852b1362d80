"""Loading a corpus exactly: bytes, newlines, BOM, bad files, ids, the meta line, the language."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from annotator.core.corpus import (
    MAX_FILE_BYTES,
    detect_lang,
    load_corpus,
    meta_line_end,
    parse_meta_line,
)
from annotator.core.errors import UsageError

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_LANGS = {
    "000_47d0eeae892115b2": "ru",
    "001_edd16a1dfa848253": "ru",
    "002_268afaa1d5e91440": "ru",
    "003_a88db5e05d3015ab": "en",
    "004_4e9f15d0b7126271": "ru",
}


def write(path: Path, data: bytes) -> Path:
    """Write raw bytes (no newline translation), creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def test_every_seed_loads_byte_for_byte() -> None:
    load = load_corpus([SEEDS])
    assert load.problems == [] and load.warnings == []
    assert [doc.id for doc in load.documents] == sorted(SEED_LANGS)
    for doc in load.documents:
        raw = (SEEDS / doc.source).read_bytes()
        assert doc.source == f"{doc.id}.txt"
        assert doc.text.encode("utf-8") == raw
        assert doc.sha256 == hashlib.sha256(raw).hexdigest()


def test_languages_of_the_seeds() -> None:
    load = load_corpus([SEEDS])
    assert {doc.id: doc.lang for doc in load.documents} == SEED_LANGS


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("", "und"),
        ("12-13 — 2019 !!!", "und"),
        ("Президент Polisia.kz KAZAKHSTAN сообщил о встрече в Москве", "ru"),
        ("Interpol met in Lyon (Франция) on Tuesday", "en"),
        ("北京欢迎你 and", "und"),
    ],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert detect_lang(text) == lang


def test_crlf_is_kept_and_offsets_count_it(tmp_path: Path) -> None:
    data = "Первая строка\r\nМосква\r\n\r\nконец".encode()
    write(tmp_path / "crlf.txt", data)
    (doc,) = load_corpus([tmp_path / "crlf.txt"]).documents
    assert doc.text == "Первая строка\r\nМосква\r\n\r\nконец"
    assert doc.text.encode("utf-8") == data
    start = doc.text.index("Москва")
    assert start == 15
    assert doc.text[start : start + 6] == "Москва"


def test_bom_is_dropped_recorded_and_warned(tmp_path: Path) -> None:
    write(tmp_path / "bom.txt", b"\xef\xbb\xbf date 2025-01-02 Title\n" + "Москва".encode())
    load = load_corpus([tmp_path])
    (doc,) = load.documents
    assert doc.text == " date 2025-01-02 Title\nМосква"
    assert doc.meta == {"bom": "utf-8", "date": "2025-01-02", "title": "Title"}
    assert doc.sha256 == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    assert doc.text[doc.text.index("Москва") :] == "Москва"
    (warning,) = load.warnings
    assert str(tmp_path / "bom.txt") in warning and "byte order mark" in warning


def test_not_utf8_is_a_problem_naming_file_and_offset(tmp_path: Path) -> None:
    write(tmp_path / "bad.txt", b"hello world \xff and more")
    write(tmp_path / "good.txt", "Привет".encode())
    load = load_corpus([tmp_path])
    assert [doc.id for doc in load.documents] == ["good"]
    assert load.problems == [
        f"{tmp_path / 'bad.txt'} is not UTF-8 text (invalid byte 0xff at byte offset 12); skipped."
    ]


def test_bad_byte_offset_counts_the_bom(tmp_path: Path) -> None:
    write(tmp_path / "bad.txt", b"\xef\xbb\xbfab\xc3")
    (problem,) = load_corpus([tmp_path / "bad.txt"]).problems
    assert "invalid byte 0xc3 at byte offset 5" in problem


def test_legacy_cyrillic_encoding_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "cp1251.txt", "Москва".encode("cp1251"))
    (problem,) = load_corpus([tmp_path / "cp1251.txt"]).problems
    assert "is not UTF-8 text (invalid byte 0xcc at byte offset 0)" in problem


def test_binary_file_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "blob.txt", b"abc\x00\x01\x02")
    write(tmp_path / "ok.txt", b"fine")
    load = load_corpus([tmp_path])
    assert [doc.id for doc in load.documents] == ["ok"]
    assert load.problems == [
        f"{tmp_path / 'blob.txt'} looks binary (a NUL byte at byte offset 3); skipped."
    ]


def test_utf16_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "wide.txt", "Москва".encode("utf-16"))
    (problem,) = load_corpus([tmp_path / "wide.txt"]).problems
    assert "UTF-16" in problem and problem.endswith("skipped.")


def test_empty_file_loads_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", b"")
    load = load_corpus([tmp_path])
    (doc,) = load.documents
    assert doc.text == "" and doc.lang == "und" and doc.meta == {}
    assert load.warnings == [f"{tmp_path / 'empty.txt'} is empty."]


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    with open(tmp_path / "huge.txt", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk and would fail as NULs
    write(tmp_path / "small.txt", b"ok")
    load = load_corpus([tmp_path])
    assert [doc.id for doc in load.documents] == ["small"]
    (problem,) = load.problems
    assert str(tmp_path / "huge.txt") in problem
    assert "too large for interactive review" in problem


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (problem,) = load_corpus([fifo]).problems
    assert problem == f"{fifo} is not a regular file; skipped."


def test_meta_line_of_seed_000_stays_in_the_text() -> None:
    (doc,) = load_corpus([SEEDS / "000_47d0eeae892115b2.txt"]).documents
    assert doc.meta == {
        "date": "2025-11-25",
        "title": "Бастрыкин встретился с генеральным секретарем Интерпола в Марракеше",
    }
    assert doc.text.startswith(" date 2025-11-25 Бастрыкин")
    end = meta_line_end(doc.text)
    assert doc.text[:end] == (
        " date 2025-11-25 Бастрыкин встретился с генеральным секретарем Интерпола в Марракеше\n"
    )
    assert doc.text.index("Бастрыкин") == 17


def test_meta_line_of_seed_004() -> None:
    (doc,) = load_corpus([SEEDS / "004_4e9f15d0b7126271.txt"]).documents
    assert doc.meta == {"date": "2025-09-20", "title": "Фото: Polisia.kz"}
    assert doc.text[: meta_line_end(doc.text)] == " date 2025-09-20 Фото: Polisia.kz\n"


def test_seeds_without_meta_line() -> None:
    for name in ("001_edd16a1dfa848253", "002_268afaa1d5e91440", "003_a88db5e05d3015ab"):
        text = (SEEDS / f"{name}.txt").read_bytes().decode("utf-8")
        assert parse_meta_line(text) == {}
        assert meta_line_end(text) == 0


@pytest.mark.parametrize(
    ("text", "meta", "end"),
    [
        (" date 2025-01-02 Title here \r\nbody", {"date": "2025-01-02", "title": "Title here"}, 30),
        (" date 2025-01-02", {"date": "2025-01-02"}, 16),
        (" date 2025-01-02\nbody", {"date": "2025-01-02"}, 17),
        ("date 2025-01-02 no leading space\n", {}, 0),
        (" date 2025-1-2 short\n", {}, 0),
        ("body\n date 2025-01-02 second line\n", {}, 0),
        ("", {}, 0),
    ],
)
def test_parse_meta_line(text: str, meta: dict[str, str], end: int) -> None:
    assert parse_meta_line(text) == meta
    assert meta_line_end(text) == end


def test_folders_are_recursive_and_sorted_by_relative_path(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", b"b")
    write(tmp_path / "a" / "z.txt", b"z")
    write(tmp_path / "a" / "notes.md", b"not a text file")
    write(tmp_path / ".hidden" / "secret.txt", b"hidden")
    write(tmp_path / ".dot.txt", b"hidden")
    load = load_corpus([tmp_path])
    assert [doc.source for doc in load.documents] == ["a/z.txt", "b.txt"]
    assert [doc.id for doc in load.documents] == ["z", "b"]


def test_shared_stems_use_the_relative_path(tmp_path: Path) -> None:
    write(tmp_path / "a" / "x.txt", b"one")
    write(tmp_path / "b" / "x.txt", b"two")
    write(tmp_path / "c" / "y.txt", b"three")
    load = load_corpus([tmp_path])
    assert [(doc.id, doc.source) for doc in load.documents] == [
        ("a/x", "a/x.txt"),
        ("b/x", "b/x.txt"),
        ("y", "c/y.txt"),
    ]


def test_same_relative_path_under_two_roots_keeps_the_first(tmp_path: Path) -> None:
    write(tmp_path / "one" / "x.txt", b"one")
    write(tmp_path / "two" / "x.txt", b"two")
    load = load_corpus([tmp_path / "one", tmp_path / "two"])
    assert [doc.text for doc in load.documents] == ["one"]
    assert load.problems == [
        f"{tmp_path / 'two' / 'x.txt'} would get the id 'x', already used by "
        f"{tmp_path / 'one' / 'x.txt'}; skipped."
    ]


def test_duplicates_are_loaded_once() -> None:
    seed = SEEDS / "000_47d0eeae892115b2.txt"
    load = load_corpus([SEEDS, seed, seed])
    assert len(load.documents) == 5
    assert load.problems == []


def test_a_file_given_explicitly_may_have_any_suffix(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "Заметки".encode())
    (doc,) = load_corpus([tmp_path / "notes.md"]).documents
    assert (doc.id, doc.source, doc.text) == ("notes", "notes.md", "Заметки")


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist") as caught:
        load_corpus([tmp_path / "nowhere"])
    assert str(caught.value) == f"{tmp_path / 'nowhere'} does not exist."


def test_folder_without_txt_files_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "readme.md", b"no texts here")
    with pytest.raises(UsageError) as caught:
        load_corpus([tmp_path / "corpus"])
    assert str(caught.value) == f"{tmp_path / 'corpus'} holds no .txt files."

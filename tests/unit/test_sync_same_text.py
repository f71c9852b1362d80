"""The same file opened from another folder (its id is its path from the folder opened) is the
stored document, not a new one; a copy under another name stays a document of its own."""

from __future__ import annotations

from pathlib import Path

from annotator.core.corpus import load_corpus
from annotator.core.store import Store


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def test_the_same_file_opened_from_a_subfolder_is_the_stored_document(tmp_path: Path) -> None:
    _write(tmp_path / "dup" / "a" / "x.txt", "Анна живёт в Москве.\n")
    _write(tmp_path / "dup" / "b" / "x.txt", "Пётр живёт в Казани.\n")
    with Store.open(tmp_path / "store", user="anna") as store:
        first = store.sync(load_corpus([tmp_path / "dup"]).documents)
        assert sorted(first.added) == ["a/x", "b/x"]
        store.add_span("a/x", 0, 4, "PER")
        again = store.sync(load_corpus([tmp_path / "dup" / "a"]).documents)
        assert again.added == [] and again.same_as == {"x": "a/x"}
        assert again.stored_id("x") == "a/x" and again.stored_id("other") == "other"
        assert store.ids() == ["a/x", "b/x"]  # no unreviewed duplicate 'x'
        assert [s.text for s in store.get("a/x").spans] == ["Анна"]
        note = again.same_as_note()
        assert note == ("1 document is already in the store, opened from another folder: kept "
                        "under the stored id (x = a/x).")
        # and the other way: the stored 'x', then its parent folder
    with Store.open(tmp_path / "store2", user="anna") as store:
        store.sync(load_corpus([tmp_path / "dup" / "a"]).documents)
        wider = store.sync(load_corpus([tmp_path / "dup"]).documents)
        assert wider.same_as == {"a/x": "x"} and wider.added == ["b/x"]


def test_a_copy_under_another_name_is_a_document_of_its_own(tmp_path: Path) -> None:
    _write(tmp_path / "c" / "one.txt", "Один и тот же текст.\n")
    _write(tmp_path / "c" / "two.txt", "Один и тот же текст.\n")
    with Store.open(tmp_path / "store", user="anna") as store:
        report = store.sync(load_corpus([tmp_path / "c"]).documents)
        assert report.added == ["one", "two"] and report.same_as == {}


def test_a_changed_file_under_its_own_id_is_still_stale(tmp_path: Path) -> None:
    _write(tmp_path / "c" / "one.txt", "Первая версия.\n")
    with Store.open(tmp_path / "store", user="anna") as store:
        store.sync(load_corpus([tmp_path / "c"]).documents)
        _write(tmp_path / "c" / "one.txt", "Вторая версия.\n")
        report = store.sync(load_corpus([tmp_path / "c"]).documents)
        assert report.stale == ["one"] and report.same_as == {}


def test_two_files_of_one_corpus_are_two_documents(tmp_path: Path) -> None:
    """dup/same.txt and dup/a/same.txt with one text, opened together: two documents (one path
    ends with the other, but neither was stored before)."""
    _write(tmp_path / "dup" / "same.txt", "Один и тот же текст.\n")
    _write(tmp_path / "dup" / "a" / "same.txt", "Один и тот же текст.\n")
    with Store.open(tmp_path / "store", user="anna") as store:
        report = store.sync(load_corpus([tmp_path / "dup"]).documents)
        assert sorted(report.added) == ["a/same", "same"] and report.same_as == {}

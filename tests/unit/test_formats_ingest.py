"""Importing into the store: predictions as pending spans, or a gold corpus as accepted ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.core.formats.common import ImportedDoc, ImportedSpan, ReadResult, sha256_of
from annotator.core.formats.ingest import ingest
from annotator.core.model import SpanDraft
from annotator.core.store import Store
from tests.helpers import make_doc

TEXT = "Анна Каренина приехала в Москву.\r\nКонец 😀."
ANNA = ImportedSpan(0, 13, "PER", text="Анна Каренина")
MOSCOW = ImportedSpan(25, 31, "LOC")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store", user="anna") as s:
        s.sync([make_doc("k", TEXT)])
        s.load_predictions("k", "natasha-1.6.0", [SpanDraft(start=0, stop=13, label="PER")])
        yield s


def test_predictions_become_pending_spans_with_their_origin(store: Store) -> None:
    report = ingest(store, ReadResult([ImportedDoc("k", None, None, None, [ANNA, MOSCOW])]),
                    mode="pending", name="rival", widen_labels=False)
    assert report.problems == [] and report.spans == 2 and report.documents == 1
    doc = store.get("k")
    imported = [s for s in doc.spans if s.origin == "import:rival"]
    assert sorted(s.key() for s in imported) == [(0, 13, "PER"), (25, 31, "LOC")]
    assert all(s.state == "pending" for s in imported)
    again = ingest(store, ReadResult([ImportedDoc("k", None, None, None, [ANNA])]),
                   mode="pending", name="rival", widen_labels=False)
    assert again.spans == 0  # idempotent


def test_bad_spans_are_reported_one_each_and_the_rest_imported(store: Store) -> None:
    spans = [ANNA, ImportedSpan(5, 3, "PER"), ImportedSpan(-1, 3, "PER"),
             ImportedSpan(40, 99, "LOC"), ImportedSpan(0, 4, "PER", text="Иван"),
             ImportedSpan(0, 4, "MISC")]
    report = ingest(store, ReadResult([ImportedDoc("k", None, None, None, spans)]),
                    mode="pending", name="r", widen_labels=False)
    assert report.spans == 1
    assert report.problems == [
        "document 'k': span 5..3 is empty or reversed (start must be below stop); not imported.",
        "document 'k': span -1..3 has a negative offset; not imported.",
        "document 'k': span 40..99 ends past the end of the text (42 characters); not imported.",
        "document 'k': span 0..4 says 'Иван' but the text there is 'Анна'; not imported.",
        "document 'k': span 0..4 has label 'MISC', which is not in the store's label set "
        "(PER, LOC, ORG); not imported (--widen-labels adds it).",
    ]


def test_widen_labels(store: Store) -> None:
    report = ingest(store, ReadResult([ImportedDoc("k", None, None, None,
                                                   [ImportedSpan(0, 4, "MISC")])]),
                    mode="pending", name="r", widen_labels=True)
    assert report.added_labels == ["MISC"] and report.problems == []
    assert "MISC" in store.labels


def test_documents_unknown_without_text_wrong_sha_and_new_ones(store: Store) -> None:
    new_text = "Новый документ про Петра."
    docs = [
        ImportedDoc("ghost", None, None, None, [ANNA]),
        ImportedDoc("k", TEXT, "0" * 64, None, [ANNA]),
        ImportedDoc("k", "другой текст", None, None, []),
        ImportedDoc("fresh", new_text, sha256_of(new_text), None,
                    [ImportedSpan(19, 24, "PER")], source="news/fresh.txt"),
    ]
    report = ingest(store, ReadResult(docs), mode="pending", name="r", widen_labels=False)
    assert report.problems == [
        "document 'ghost' is not in the store and the file does not carry its text; "
        "not imported.",
        f"document 'k': its sha256 {'0' * 12}… does not match its text "
        f"({sha256_of(TEXT)[:12]}…); not imported.",
        "document 'k': its text differs from the stored document with that id (another "
        "sha256); not imported.",
    ]
    fresh = store.get("fresh")
    assert fresh.source == "news/fresh.txt" and fresh.text == new_text
    assert [(s.key(), s.state) for s in fresh.spans] == [((19, 24, "PER"), "pending")]
    assert report.new_documents == 1


def test_a_document_is_matched_by_sha256_when_its_id_differs(store: Store) -> None:
    report = ingest(store, ReadResult([ImportedDoc("renamed", TEXT, None, None, [MOSCOW])]),
                    mode="pending", name="r", widen_labels=False)
    assert report.problems == [] and not store.has("renamed")
    assert (25, 31, "LOC") in {s.key() for s in store.get("k").spans}


def test_gold_import_decides_matching_pending_spans_and_adds_labels(store: Store) -> None:
    gold = [ImportedSpan(0, 13, "PER", state="accepted", annotator="boris", time="t1"),
            ImportedSpan(25, 31, "CITY", normal="Москва"),
            ImportedSpan(34, 39, "LOC", state="rejected")]
    report = ingest(store, ReadResult([ImportedDoc("k", None, None, "reviewed", gold)]),
                    mode="accepted", name="corpus", widen_labels=False)
    assert report.added_labels == ["CITY"] and report.problems == []
    doc = store.get("k")
    assert doc.status == "reviewed"
    by_key = {s.key(): s for s in doc.spans}
    assert len(doc.spans) == 3  # natasha's PER span was decided, not duplicated
    per = by_key[(0, 13, "PER")]
    assert (per.origin, per.state, per.decision, per.annotator) == ("natasha-1.6.0", "accepted",
                                                                    "accepted", "boris")
    city = by_key[(25, 31, "CITY")]
    assert (city.origin, city.state, city.decision, city.normal, city.annotator) == (
        "import:corpus", "accepted", "accepted", "Москва", "anna")
    assert by_key[(34, 39, "LOC")].state == "rejected"


def test_gold_import_with_spans_left_pending_is_not_reviewed(store: Store) -> None:
    report = ingest(store, ReadResult([ImportedDoc("k", None, None, None, [MOSCOW])]),
                    mode="accepted", name="corpus", widen_labels=False)
    assert store.get("k").status == "in_progress"
    assert report.notes == ["document 'k' still has 1 pending spans; marked in_progress rather "
                            "than reviewed."]


def test_a_document_twice_in_one_file(store: Store) -> None:
    docs = [ImportedDoc("k", None, None, None, [ANNA]), ImportedDoc("k", None, None, None, [])]
    report = ingest(store, ReadResult(docs), mode="pending", name="r", widen_labels=False)
    assert report.problems == ["document 'k' appears twice in the file; only the first is "
                               "imported."]


def test_gold_import_of_a_reviewed_document_rejects_the_pending_rest(store: Store) -> None:
    """A gold file that says a document is reviewed holds all its entities: the model's pending
    suggestions it does not hold are rejected, so the document is reviewed and exports as the
    file had it."""
    store.load_predictions("k", "natasha-1.6.0", [SpanDraft(start=0, stop=13, label="PER"),
                                                   SpanDraft(start=25, stop=31, label="ORG")])
    gold = [ImportedSpan(0, 13, "PER", state="accepted")]
    report = ingest(store, ReadResult([ImportedDoc("k", None, None, "reviewed", gold)]),
                    mode="accepted", name="corpus", widen_labels=False)
    doc = store.get("k")
    assert doc.status == "reviewed"
    assert [s.key() for s in doc.spans if s.state == "accepted"] == [(0, 13, "PER")]
    rejected = [s for s in doc.spans if s.state == "rejected"]
    assert rejected and all(s.decision == "rejected" and s.annotator == "anna" for s in rejected)
    assert not any(s.state == "pending" for s in doc.spans)
    assert report.notes == [f"document 'k': the file says it is reviewed, so its {len(rejected)} "
                            f"pending span{'' if len(rejected) == 1 else 's'} the file does not "
                            f"hold {'was' if len(rejected) == 1 else 'were'} rejected."]

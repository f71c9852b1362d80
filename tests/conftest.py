"""Shared fixtures. Tests never touch the real ``annotations/`` or the user's config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point config, data and cache folders at a temporary directory for every test."""
    home = tmp_path_factory.mktemp("home")
    for name in ("ANNOTATOR_CONFIG_DIR",):
        monkeypatch.setenv(name, str(home / "config" / "annotator"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("USER", "tester")
    yield home


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


# -- formats, export, evaluate: a small fixed store (Cyrillic, no-break spaces, CRLF, emoji) ----
from typing import Any  # noqa: E402

from annotator.core.model import Document, Span  # noqa: E402
from tests.helpers import make_doc  # noqa: E402

FIXED_TIME = "2026-11-22T10:00:00Z"


def sample_documents() -> list[Document]:
    """Two reviewed documents with every kind of decision, and one unreviewed with pending spans."""
    t1 = "Бастрыкин встретился в Марракеше\u00a0с главой Интерпола Юргеном Штоком.\r\nКонец."
    t2 = "Встреча 😀 в Москве: «Газпром» и ООО\u00a0«Рога и копыта» 🚀 подписали договор.\n"
    t3 = "Пётр Первый основал Санкт-Петербург 🏛️.\n"
    nat = {"origin": "natasha-1.6.0"}
    ok = {"state": "accepted", "annotator": "anna", "time": FIXED_TIME}

    def span(n: int, text: str, start: int, stop: int, label: str, **kw: Any) -> Span:
        return Span(id=f"s{n}", start=start, stop=stop, label=label, text=text[start:stop], **kw)

    return [
        make_doc("d1", t1, status="reviewed", lang="ru", meta={"date": "2025-11-25"}, spans=[
            span(1, t1, 0, 9, "PER", normal="Бастрыкин", decision="accepted", **nat, **ok),
            span(2, t1, 23, 32, "LOC", normal="Марракеш", decision="accepted", **nat, **ok),
            span(3, t1, 42, 51, "ORG", normal="Интерпол", decision="accepted", **nat, **ok),
            span(4, t1, 69, 74, "LOC", decision="rejected", **nat,
                 **{**ok, "state": "rejected"}),
            span(5, t1, 52, 66, "PER", decision="added", **ok),
        ]),
        make_doc("d2", t2, status="reviewed", lang="ru", spans=[
            span(1, t2, 12, 18, "LOC", normal="Москва", decision="accepted", **nat, **ok),
            span(2, t2, 21, 28, "ORG", decision="relabeled", original_label="PER", **nat, **ok),
            span(3, t2, 32, 51, "ORG", decision="adjusted", original_start=37,
                 original_stop=50, **nat, **ok),
        ]),
        make_doc("d3", t3, lang="ru", spans=[
            span(1, t3, 0, 11, "PER", normal="Пётр Первый", **nat),
            span(2, t3, 20, 35, "LOC", **nat),
        ]),
    ]


@pytest.fixture
def annotated_store(tmp_path: Path) -> Path:
    """A store folder holding :func:`sample_documents`."""
    from annotator.core.store import Store

    root = tmp_path / "annotations"
    with Store.open(root, user="anna") as store:
        for doc in sample_documents():
            store.put(doc, action="import")
    return root

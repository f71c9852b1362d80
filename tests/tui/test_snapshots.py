"""Screenshots of the review app at fixed sizes (pytest-textual-snapshot).

The store lives in a temporary folder, decisions carry a frozen time and the user is ``tester``, so
the pictures only change when the app's looks do. Update them with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from annotator.core.store import Store
from tests.tui.conftest import ENGLISH, FIRST, app_for

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def fixed_config_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The help screen names the config file; keep that path the same on every machine."""
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", "/home/reviewer/.config/annotator")


def test_main_screen(snap_compare: SnapCompare, seed_store: Store) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=(130, 36))


def test_help_screen(snap_compare: SnapCompare, seed_store: Store) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=(130, 50), press=["question_mark"])


def test_mixed_states(snap_compare: SnapCompare, seed_store: Store) -> None:
    spans = seed_store.get(FIRST).sorted_spans()
    seed_store.accept(FIRST, spans[0].id)
    seed_store.reject(FIRST, spans[1].id)
    seed_store.relabel(FIRST, spans[2].id, "ORG")
    seed_store.adjust(FIRST, spans[6].id, 252, 256)
    seed_store.add_span(FIRST, 302, 311, "PER")  # «Александр» nested in «Александр Бастрыкин»
    seed_store.set_flags(FIRST, ["flagged"])
    seed_store.set_comment(FIRST, "проверить даты")
    seed_store.set_position(FIRST, spans[9].id)  # the outer «Александр Бастрыкин»
    assert snap_compare(app_for(seed_store), terminal_size=(130, 36))


def test_english_document(snap_compare: SnapCompare, seed_store: Store) -> None:
    seed_store.set_position(ENGLISH, None)
    assert snap_compare(
        app_for(seed_store), terminal_size=(130, 36), press=["s", *["l"] * 15, *["L"] * 7]
    )


def test_narrow_terminal(snap_compare: SnapCompare, seed_store: Store) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=(72, 24), press=["a", "x"])


def test_terminal_too_small(snap_compare: SnapCompare, seed_store: Store) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=(56, 12))


def test_read_only_banner(snap_compare: SnapCompare, seed_store: Store) -> None:
    banner = "read-only: store in use by anna since 2026-11-22T09:00:00Z — decisions are not saved"
    assert snap_compare(app_for(seed_store, banner=banner), terminal_size=(130, 30))

"""Screenshots of the review screen's footer and of the help screen from the minimum supported
size (60×15) up (pytest-textual-snapshot; see ``test_snapshots.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from annotator.core.store import Store
from tests.tui.conftest import app_for

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def fixed_config_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The help screen names the config file; keep that path the same on every machine."""
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", "/home/reviewer/.config/annotator")


@pytest.mark.parametrize("size", [(60, 15), (80, 24)], ids=["60x15", "80x24"])
def test_review_footer_keeps_help(
    snap_compare: SnapCompare, seed_store: Store, size: tuple[int, int]
) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=size)


def test_select_mode_at_minimum_size(snap_compare: SnapCompare, seed_store: Store) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=(60, 15), press=["s"])


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (160, 48)], ids=["60x15", "80x24", "160x48"])
def test_help(snap_compare: SnapCompare, seed_store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(seed_store), terminal_size=size, press=["question_mark"])

"""SIGKILL a writer at random instants: no acknowledged decision may be lost (killharness.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .killharness import Summary, run

SEED = int(os.environ.get("KILLHARNESS_SEED", "20261123"))


def _check(summary: Summary, kills: int) -> None:
    print(summary.report())
    assert summary.failures == []
    assert summary.lost == 0
    assert summary.unreadable == 0
    assert summary.kills + summary.clean_exits == kills
    assert summary.kills >= kills - 1  # a child outliving its round is a harness bug
    assert summary.verified > 0 and summary.acks >= summary.verified


def test_kill_harness_ci(tmp_path: Path) -> None:
    """About 20 kills in well under a minute: run on every test run."""
    kills = 20
    _check(run(tmp_path / "store", kills, seed=SEED, max_delay=0.25), kills)


@pytest.mark.slow
def test_kill_harness_200(tmp_path: Path) -> None:
    """The long run: ``pytest -m slow tests/reliability`` (a few minutes)."""
    kills = int(os.environ.get("KILLHARNESS_KILLS", "200"))
    _check(run(tmp_path / "store", kills, seed=SEED + 1), kills)

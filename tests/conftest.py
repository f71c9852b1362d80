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

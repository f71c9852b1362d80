"""Start-up hygiene: the core never loads Textual, and nothing loads natasha until it extracts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import annotator",
        "import annotator.core.model, annotator.core.store, annotator.core.corpus",
        "import annotator.core.extract",
        "import annotator.cli",
    ],
)
def test_no_textual_or_natasha_on_import(statement: str) -> None:
    loaded = modules_after(statement)
    assert "textual" not in loaded
    assert "natasha" not in loaded


def test_import_linter_contracts_hold() -> None:
    # beside this interpreter: CI runs ``.venv/bin/python -m pytest`` with the venv not on PATH
    beside = Path(sys.executable).with_name("lint-imports")
    exe = str(beside) if beside.is_file() else shutil.which("lint-imports")
    assert exe is not None, "import-linter is a test dependency"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout


def settings_run(extra_env: dict[str, str]) -> tuple[str, bool]:
    """``load_settings()`` in a fresh interpreter after importing the review command's modules:
    the sidebar setting it gives, and whether pydantic-settings was imported."""
    code = (
        "import sys, annotator.tui.run, annotator.tui.app\n"
        "from annotator.core.settings import load_settings\n"
        "print(load_settings().sidebar, 'pydantic_settings' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("ANNOTATOR_")}
    env["ANNOTATOR_CONFIG_DIR"] = os.environ["ANNOTATOR_CONFIG_DIR"]  # empty: no config file
    env.update(extra_env)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    sidebar, imported = out.stdout.split()
    return sidebar, imported == "True"


def test_settings_without_a_config_do_not_import_pydantic_settings() -> None:
    """Start-up without a config file or an ANNOTATOR_ setting skips pydantic-settings."""
    assert settings_run({}) == ("True", False)


def test_an_environment_setting_alone_is_still_read() -> None:
    assert settings_run({"ANNOTATOR_SIDEBAR": "false"}) == ("False", True)
    assert settings_run({"annotator_sidebar": "false"}) == ("False", True)

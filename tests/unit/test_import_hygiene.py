"""Start-up hygiene: the core never loads Textual, and nothing loads natasha until it extracts."""

from __future__ import annotations

import shutil
import subprocess
import sys

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
    exe = shutil.which("lint-imports")
    assert exe is not None, "import-linter is a test dependency"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout and "BROKEN" not in result.stdout

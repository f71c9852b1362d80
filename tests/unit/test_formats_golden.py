"""Golden exports: every format of the fixed sample store, byte for byte.

Regenerate after a deliberate format change with
``UPDATE_GOLDEN=1 pytest tests/unit/test_formats_golden.py`` and review the diff. The brat
``.txt`` files hold a CRLF on purpose (``.gitattributes`` must keep ``tests/unit/golden/**``
byte-exact).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import main
from tests.conftest import FIXED_TIME

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

FILE_CASES = [
    ("gold", "export.gold.json", []),
    ("gold", "export-unreviewed.gold.json", ["--include-unreviewed"]),
    ("jsonl", "export.jsonl", []),
    ("spacy", "export.spacy.jsonl", []),
    ("doccano", "export.doccano.jsonl", []),
    ("label-studio", "export.label-studio.json", []),
    ("conll", "export.conll", []),
]


def export(store: Path, fmt: str, out: Path, extra: list[str]) -> None:
    result = CliRunner().invoke(
        main, ["export", "--store", str(store), "--format", fmt, "-o", str(out), *extra],
        env={"ANNOTATOR_FIXED_TIME": FIXED_TIME},
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def compare(actual: bytes, golden: Path) -> None:
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.is_file(), f"{golden} is missing; run with UPDATE_GOLDEN=1"
    assert actual == golden.read_bytes(), f"{golden.name} differs (UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize(("fmt", "name", "extra"), FILE_CASES, ids=[c[1] for c in FILE_CASES])
def test_file_formats(annotated_store: Path, tmp_path: Path, fmt: str, name: str,
                      extra: list[str]) -> None:
    out = tmp_path / name
    export(annotated_store, fmt, out, extra)
    compare(out.read_bytes(), GOLDEN / name)


def test_brat(annotated_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    export(annotated_store, "brat", out, [])
    names = sorted(p.name for p in out.iterdir())
    assert names == ["d1.ann", "d1.txt", "d2.ann", "d2.txt"]
    if UPDATE:
        for stale in (GOLDEN / "brat").glob("*"):
            stale.unlink()
    for name in names:
        compare((out / name).read_bytes(), GOLDEN / "brat" / name)
    assert b"\r\n" in (out / "d1.txt").read_bytes()  # exact text bytes


def test_stdout_equals_file(annotated_store: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--store", str(annotated_store)],
                                env={"ANNOTATOR_FIXED_TIME": FIXED_TIME})
    assert result.exit_code == 0
    assert result.stdout_bytes == (GOLDEN / "export.gold.json").read_bytes()

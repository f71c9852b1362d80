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


def test_what_the_first_frame_reads_builds_no_model_schema(tmp_path: Path) -> None:
    """``annotator seeds/`` on a store with predictions reads the corpus, opens and syncs the
    store, lists it and reads the first document without building a pydantic schema (its first
    build costs ~7 ms of start-up), importing TinyDB or importing filelock; after ``warm_up``
    the same document reads the same, and a decision is saved as ever."""
    store_dir = tmp_path / "store"
    seeds = ROOT / "seeds"
    setup = (
        "import sys\n"
        "from pathlib import Path\n"
        "from annotator.core.corpus import load_corpus\n"
        "from annotator.core.model import SpanDraft\n"
        "from annotator.core.store import Store\n"
        f"docs = load_corpus([Path({str(seeds)!r})]).documents\n"
        f"with Store.open(Path({str(store_dir)!r}), user='t') as store:\n"
        "    store.sync(docs)\n"
        "    doc = docs[0]\n"
        "    store.load_predictions(doc.id, 'x-1', [SpanDraft(start=1, stop=5, label='PER')])\n"
        "    store.accept(doc.id, store.get(doc.id).spans[0].id)\n"
    )
    subprocess.run([sys.executable, "-c", setup], check=True)
    start = (
        "import sys\n"
        "from pathlib import Path\n"
        "from annotator.core.corpus import load_corpus\n"
        "from annotator.core.lock import LockInfo\n"
        "from annotator.core.model import Document, LabelSet, Span\n"
        "from annotator.core.store import Store, warm_up\n"
        f"docs = load_corpus([Path({str(seeds)!r})]).documents\n"
        f"store = Store.open(Path({str(store_dir)!r}), user='t')\n"
        "report = store.sync(docs)\n"
        "first = store.get(store.summaries()[0].id)\n"
        "labels = store.labels.labels\n"
        "built = [m.__name__ for m in (Span, Document, LabelSet, LockInfo)"
        " if m.__pydantic_complete__]\n"
        "assert not built, built\n"
        "assert 'pydantic.plugin._loader' not in sys.modules\n"
        "assert 'tinydb' not in sys.modules  # imported for the first write\n"
        "assert 'filelock' not in sys.modules  # the store's lock is a plain flock\n"
        "assert first.spans and first.spans[0].state == 'accepted', first.spans[:1]\n"
        "warm_up()\n"
        "assert Span.__pydantic_complete__ and Document.__pydantic_complete__\n"
        "assert 'tinydb.table' in sys.modules and 'annotator.core.shard_storage' in sys.modules\n"
        "store.close()\n"
        f"again = Store.open(Path({str(store_dir)!r}), user='t')\n"
        "assert again.get(first.id) == first and again.labels.labels == labels == "
        "['PER', 'LOC', 'ORG']\n"
        "again.reject(first.id, first.spans[0].id)\n"
        "assert again.get(first.id).spans[0].state == 'rejected'\n"
        "again.close()\n"
        f"with Store.open(Path({str(store_dir)!r}), user='t') as third:\n"
        "    assert third.get(first.id).spans[0].state == 'rejected'\n"
    )
    result = subprocess.run([sys.executable, "-c", start], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_command_line_is_imported_with_the_gc_off_and_left_on() -> None:
    """The console script's entry point imports the command line without cyclic collections
    (they were ~2 ms of start-up), then freezes what it built and turns the GC back on for the
    command it runs."""
    code = (
        "import gc, sys\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and seen.append("
        "'annotator.cli' in sys.modules))\n"
        "from annotator import entry\n"
        "gc.collect(); seen.clear()\n"
        "sys.argv = ['annotator', '--version']\n"
        "try:\n"
        "    entry.main()\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "assert 'annotator.cli' in sys.modules\n"
        "assert False not in seen, 'a collection ran while the command line was imported'\n"
        "assert gc.isenabled() and gc.get_freeze_count() > 0\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "annotator, version" in result.stdout


def test_the_console_script_is_the_entry_point() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'annotator = "annotator.entry:main"' in text

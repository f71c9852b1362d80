"""``run_review``: corpus problems, syncing, read-only fallback — with the app itself stubbed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annotator.core.errors import UsageError
from annotator.core.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.context import ReviewContext
from annotator.tui.run import run_review
from tests.conftest import SEEDS


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[ReviewContext]:
    """Record the context each app would run with, instead of running it."""
    seen: list[ReviewContext] = []

    def fake_run(self: AnnotatorApp, *args: object, **kwargs: object) -> int:
        seen.append(self.context)
        assert not self.context.store.readonly or self.context.banner
        return 0

    monkeypatch.setattr(AnnotatorApp, "run", fake_run)
    return seen


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.txt").write_bytes(b"\xff\xfe not utf-8")
    return folder


def test_problems_are_printed_and_shown(
    corpus: Path,
    tmp_path: Path,
    started: list[ReviewContext],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_review([corpus], tmp_path / "store", "tester", None, readonly=False) == 0
    assert "broken.txt" in capsys.readouterr().err
    context = started[0]
    assert any("broken.txt" in notice for notice in context.notices)
    assert context.banner is None
    with Store.open(tmp_path / "store", user="tester", readonly=True) as store:
        assert len(store.ids()) == 5


def test_a_store_in_use_opens_read_only_with_a_banner(
    corpus: Path, tmp_path: Path, started: list[ReviewContext]
) -> None:
    with Store.open(tmp_path / "store", user="anna") as holder:
        holder.sync([])
        run_review([corpus], tmp_path / "store", "tester", None, readonly=False)
    banner = started[0].banner or ""
    assert banner.startswith("read-only: store in use by anna since ")
    assert any("cannot be added while it is read-only" in n for n in started[0].notices)


def test_readonly_flag(corpus: Path, tmp_path: Path, started: list[ReviewContext]) -> None:
    run_review([corpus], tmp_path / "store", "tester", None, readonly=False)
    run_review([], tmp_path / "store", "tester", None, readonly=True)
    assert started[1].store.readonly
    assert "read-only (--readonly)" in (started[1].banner or "")


def test_no_paths_and_no_store_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="name the documents to review"):
        run_review([], tmp_path / "nothing", "tester", None, readonly=False)


def test_one_changed_document_is_counted_in_the_singular(
    corpus: Path, tmp_path: Path, started: list[ReviewContext]
) -> None:
    run_review([corpus], tmp_path / "store", "tester", None, readonly=False)
    first = sorted(corpus.glob("0*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + " ещё", encoding="utf-8")
    run_review([corpus], tmp_path / "store", "tester", None, readonly=False)
    stale = [n for n in started[1].notices if "changed on disk" in n]
    assert stale and stale[0].startswith(
        f"1 document changed on disk since it was annotated (kept on the stored text): {first.stem}"
    )


@pytest.mark.parametrize(
    ("preset", "expected"), [(None, "__all__"), ("", ""), ("logfire", "logfire")]
)
def test_review_turns_pydantic_plugins_off_unless_the_user_chose(
    monkeypatch: pytest.MonkeyPatch,
    corpus: Path,
    tmp_path: Path,
    preset: str | None,
    expected: str,
) -> None:
    """``annotator review`` skips pydantic's plugin scan (the app uses none), unless the user set
    ``PYDANTIC_DISABLE_PLUGINS`` themselves."""
    import os

    from annotator.cli import PYDANTIC_PLUGINS_ENV, main

    monkeypatch.setenv(PYDANTIC_PLUGINS_ENV, "")  # restored after the test, whatever is done
    if preset is None:
        monkeypatch.delenv(PYDANTIC_PLUGINS_ENV)
    else:
        monkeypatch.setenv(PYDANTIC_PLUGINS_ENV, preset)
    seen: list[str | None] = []

    def fake_run(self: AnnotatorApp) -> int:
        seen.append(os.environ.get(PYDANTIC_PLUGINS_ENV))
        return 0

    monkeypatch.setattr(AnnotatorApp, "run", fake_run)
    with pytest.raises(SystemExit) as exit_info:
        main(["review", str(corpus), "--store", str(tmp_path / "store"), "--user", "tester"])
    assert exit_info.value.code == 0
    assert seen == [expected]


def test_the_app_runs_with_a_short_switch_interval(
    monkeypatch: pytest.MonkeyPatch, corpus: Path, tmp_path: Path
) -> None:
    """While the app runs, a thread waiting for the GIL (Textual's writer thread, with a frame
    to write) gets it within SWITCH_INTERVAL; Python's own interval is back afterwards."""
    import sys

    from annotator.tui.run import SWITCH_INTERVAL

    before = sys.getswitchinterval()
    seen: list[float] = []

    def fake_run(self: AnnotatorApp) -> int:
        seen.append(sys.getswitchinterval())
        return 0

    monkeypatch.setattr(AnnotatorApp, "run", fake_run)
    assert run_review([corpus], tmp_path / "store", "tester", None, readonly=False) == 0
    assert seen == [pytest.approx(SWITCH_INTERVAL)]
    assert sys.getswitchinterval() == before

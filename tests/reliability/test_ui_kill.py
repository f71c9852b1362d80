"""The review app killed with SIGKILL while a reviewer types, then reopened: nothing it showed as
saved is lost, the store opens, the dead app's lock is taken over, and the app resumes.

The app runs as a user runs it (its own process, a real pty, Textual's real driver); the test reads
the screen through a terminal emulator. "Shown as saved" is the status line's count of decided
spans (computed from the store after each save) next to the save indicator's "saved ✓".
"""

from __future__ import annotations

import os
import random
import re
import time
from pathlib import Path

import pytest

from annotator.core.store import Store
from tests.conftest import SEEDS
from tests.tui.conftest import fill_store

from .terminal import AppInTerminal

DECIDED = re.compile(r"(\d+)/(\d+) spans decided")
HEADER = re.compile(r"(\d{3}_[0-9a-f]{16})\s+\d/5")
DONE_HERE = ("all spans decided", "no extractor for en", "reviewed ✓")
DECISION_KEYS = "aaaaxx123"


def decided_on_screen(screen: str) -> int | None:
    found = DECIDED.search(screen)
    return int(found.group(1)) if found else None


def decided_in_store(root: Path) -> int:
    with Store.open(root, user="checker", readonly=True, create=False) as store:
        return sum(s.accepted + s.rejected for s in store.summaries())


def open_app(root: Path, config: Path) -> AppInTerminal:
    app = AppInTerminal([str(SEEDS), "--store", str(root), "--user", "reviewer"], config_dir=config)
    app.wait_for(lambda s: decided_on_screen(s) is not None, "the status line")
    return app


def current_doc(screen: str) -> str | None:
    found = HEADER.search(screen)
    return found.group(1) if found else None


def one_round(app: AppInTerminal, rng: random.Random, shown: int) -> tuple[int, int]:
    """Type decisions until a random instant, then kill. Returns (the highest count shown as
    saved, keys sent after it was shown)."""
    in_flight = 0
    for _ in range(rng.randint(1, 12)):
        screen = app.text()
        bottom = "\n".join(screen.splitlines()[-5:])  # the detail and status lines, not the list
        if any(marker in bottom for marker in DONE_HERE):
            doc = current_doc(screen)
            app.press("r")  # mark reviewed, on to the next unreviewed document
            app.wait_for(lambda s, d=doc: current_doc(s) != d, "the next document")  # type: ignore[misc]
            app.settle()  # the whole frame, not only the header: the detail line comes later
            continue
        app.press(rng.choice(DECISION_KEYS))
        in_flight += 1
        if rng.random() < 0.3:
            break  # kill with this key in flight: anywhere between read and repaint
        want = shown + 1
        screen = app.wait_for(
            lambda s, w=want: (decided_on_screen(s) or 0) >= w and "saved ✓" in s,  # type: ignore[misc]
            f"{want} decided spans, saved",
        )
        shown = decided_on_screen(screen) or shown
        in_flight = 0
    time.sleep(rng.random() * 0.02)
    app.kill()
    return shown, in_flight


def run_kills(tmp_path: Path, kills: int, seed: int) -> dict[str, int]:
    root = tmp_path / "annotations"
    config = tmp_path / "config"
    config.mkdir()
    fill_store(Store.open(root, user="filler")).close()
    rng = random.Random(seed)
    shown = 0
    figures = {"kills": 0, "decisions_checked": 0, "in_flight_saved": 0}
    for _ in range(kills):
        app = open_app(root, config)
        try:
            screen = app.text()
            on_screen = decided_on_screen(screen)
            # reopened: the dead app's lock was taken over (not read-only) and it shows the store
            assert "read-only" not in screen, screen
            assert on_screen == decided_in_store(root)
            assert on_screen is not None and on_screen >= shown
            shown = on_screen
            shown, in_flight = one_round(app, rng, shown)
        finally:
            app.close()
        in_store = decided_in_store(root)  # opens: never a store that cannot be read
        assert in_store >= shown, f"shown as saved: {shown}, in the store after kill -9: {in_store}"
        assert in_store <= shown + in_flight
        figures["kills"] += 1
        figures["decisions_checked"] = in_store
        figures["in_flight_saved"] += in_store - shown
        shown = in_store
        leftovers = [p for p in (root / "docs").iterdir() if p.name.startswith(".tmp")]
        figures.setdefault("temp_files_left", 0)
        figures["temp_files_left"] += len(leftovers)
    return figures


def test_app_killed_while_reviewing_loses_nothing_shown_as_saved(tmp_path: Path) -> None:
    kills = int(os.environ.get("UIKILL_KILLS", "6"))
    figures = run_kills(tmp_path, kills, seed=int(os.environ.get("UIKILL_SEED", "7")))
    assert figures["kills"] == kills
    assert figures["decisions_checked"] > 0


@pytest.mark.slow
def test_app_killed_forty_times(tmp_path: Path) -> None:
    figures = run_kills(tmp_path, 40, seed=11)
    print(f"UI kill run: {figures}")
    assert figures["kills"] == 40

"""Regenerate docs/screenshot.svg, the README's picture of the review screen.

    python -m docs.screenshot

Uses the seeds with natasha 1.6.0's predictions as saved for the UI tests
(tests/tui/data/seed_predictions.json), in a temporary store, and a few decisions.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from annotator.core.store import Store
from annotator.tui.app import make_app
from annotator.tui.context import ReviewContext
from tests.tui.conftest import fill_store

OUT = Path(__file__).with_name("screenshot.svg")
KEYS = ["a", "a", "a", "x", "2", "a", "x", "n"]


async def shoot(store: Store) -> None:
    app = make_app(ReviewContext(store, extractor_factory=None))
    async with app.run_test(size=(150, 42)) as pilot:
        await pilot.pause()
        for key in KEYS:
            await pilot.press(key)
        await pilot.pause()
        app.save_screenshot(filename=OUT.name, path=str(OUT.parent))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = fill_store(Store.open(Path(tmp) / "annotations", user="anna"))
        try:
            asyncio.run(shoot(store))
        finally:
            store.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

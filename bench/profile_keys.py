"""Profile the review app's handling of one key (a tool, not a figure).

    python bench/profile_keys.py a --doc big      # accept + save on the 100 KB, 2,000-span doc
    python bench/profile_keys.py n --doc seed     # move on the 2 KB seed
    python bench/profile_keys.py a --presses 40 --all

Builds the same stores as ``bench/keys.py``, runs the app headless in this process, presses the
key ``--presses`` times (each after a typist's gap, waiting until the app is settled) under
pyinstrument with asyncio frames included, and prints the profile: what a key costs inside the
app, Textual's compositor and the store.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.keys import (  # noqa: E402
    _make_pending,
    _press,
    _settled,
    build_big_store,
    build_seed_store,
)


async def _profile(key: str, doc: str, presses: int, show_all: bool) -> None:
    from pyinstrument import Profiler
    from textual import events

    from annotator.core.settings import Settings
    from annotator.core.store import Store
    from annotator.tui.app import make_app
    from annotator.tui.context import ReviewContext

    with tempfile.TemporaryDirectory(prefix="annotator-profile-keys-") as tmp:
        root = Path(tmp) / "store"
        if doc == "big":
            build_big_store(root)
        else:
            build_seed_store(root, presses // 40 + 3)
        store = Store.open(root, user="bench")
        activity: list[float] = []

        def hook(message: Any) -> None:
            if not isinstance(message, events.Callback):
                activity.append(time.perf_counter())

        profiler = Profiler(interval=0.0002, async_mode="disabled")
        spent = 0.0
        try:
            app = make_app(ReviewContext(store, Settings.model_construct(), None, [],
                                         extractor_factory=None))
            async with app.run_test(headless=True, size=(120, 40), message_hook=hook) as pilot:
                await asyncio.sleep(0.5)
                await _settled(pilot, activity)
                for _ in range(presses):
                    if key == "a":
                        await _make_pending(pilot, activity)
                    await asyncio.sleep(0.05)
                    profiler.start()
                    started = time.perf_counter()
                    await _press(app, key)
                    await _settled(pilot, activity)
                    spent += time.perf_counter() - started
                    profiler.stop()
                app.exit()
        finally:
            store.close()
    print(profiler.output_text(unicode=True, show_all=show_all))
    print(f"{presses} presses of {key!r} on the {doc} document: "
          f"{spent / presses * 1000:.1f} ms each to settled, under the profiler")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("key", help="a key name as Textual spells it: a, n, x, f12…")
    parser.add_argument("--doc", choices=("seed", "big"), default="big")
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--all", action="store_true", help="show library frames too")
    args = parser.parse_args()
    asyncio.run(_profile(args.key, args.doc, args.presses, args.all))


if __name__ == "__main__":
    main()

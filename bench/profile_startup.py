"""Profile ``annotator PATH…`` from process start to its first frame (a tool, not a figure).

    script -qc "python bench/profile_startup.py seeds/ --store STORE" /dev/null
    python bench/profile_startup.py … [--all] [--html OUT.html]

Runs the real command line in this process under pyinstrument (asyncio frames included) and exits
as soon as the review screen has been painted once (it says what that frame was drawn from: the
rows of the document laid out and the footer's keys), then prints the profile to stderr and saves
the session to ``/tmp/annotator-startup.pyisession`` (``pyinstrument --load FILE -r text
--show-all`` shows it again, unabridged). Textual needs a terminal: run it in one, or under
``script`` as above. Mind ``PYTHONDONTWRITEBYTECODE=1``: without cached bytecode every start
compiles annotator's sources, which no installed copy does (set ``PYTHONPYCACHEPREFIX`` instead).
"""

from __future__ import annotations

import sys
import time

START = time.perf_counter()

from pyinstrument import Profiler  # noqa: E402

SESSION = "/tmp/annotator-startup.pyisession"
PROFILER = Profiler(interval=0.0005, async_mode="disabled")
PROFILER.start()


def main() -> None:
    html = None
    show_all = "--all" in sys.argv
    argv = [a for a in sys.argv[1:] if a != "--all"]
    if "--html" in argv:
        i = argv.index("--html")
        html = argv[i + 1]
        del argv[i : i + 2]
    from textual.app import App
    from textual.screen import Screen

    original = App._display
    first_frame: list[float] = []
    shown: list[str] = []

    def display(self: App[object], screen: Screen[object], renderable: object) -> None:
        original(self, screen, renderable)  # type: ignore[arg-type]
        if type(screen).__name__ == "ReviewScreen" and renderable is not None and not first_frame:
            first_frame.append(time.perf_counter() - START)
            rows = getattr(screen.query_one("#doc"), "layout_rows", 0)
            keys = len(getattr(screen.query_one("KeysFooter"), "items", ()))
            shown.append(f"{rows} rows of the document, {keys} footer keys")
            self.exit(0)

    App._display = display  # type: ignore[method-assign, assignment]
    from annotator.cli import main as cli

    sys.argv = ["annotator", *argv]
    try:
        cli()
    except SystemExit:
        pass
    PROFILER.stop()
    session = PROFILER.last_session
    if session is not None:
        session.save(SESSION)
    if html:
        with open(html, "w") as out:
            out.write(PROFILER.output_html())
    print(PROFILER.output_text(unicode=True, color=False, show_all=show_all), file=sys.stderr)
    if first_frame:
        print(f"first frame after {first_frame[0]:.3f} s (profiler running): {shown[0]}",
              file=sys.stderr)
    print(f"session saved to {SESSION}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Start-up time and memory of ``annotator seeds/`` against the smallest Textual app.

Preparation: ``annotator extract seeds/ --store TMP`` (so predictions are cached and no model is
needed), then one untimed start of each app (it compiles bytecode into a private cache, as an
installed package would have it already). Then, interleaved, ``runs`` starts of each:

* ``annotator seeds/ --store TMP`` (the installed console script), until a word of the first
  document's body (``инициативы``, second paragraph of ``000_…``) and a key label of the footer
  (``Accept``) have both appeared in the terminal;
* ``python bench/bare_app.py`` (a Textual app that paints one line), until its line appears;
* ``python bench/bare_app.py --with-models``, the same app after importing annotator's data model
  (pydantic and the model classes, declared), for a reference row: what the required
  data-model library costs by itself, against the allowance the goal leaves over the bare app.

Each is timed from just before ``fork`` to the read that completes each marker, in a 120×40 pty
(:mod:`bench.terminal`). Two figures come from the same starts: the headline, to the complete
first screen (the later of the two markers: the document and the keys to review it), and to the
document alone. Both are divided by the bare app's time to its line (its whole screen). After the
markers the output is drained until quiet, then VmHWM (peak resident memory) and VmRSS are read
from ``/proc/PID/status`` and the process is killed.

natasha must not be imported on this path: every start checks that numpy (which natasha's models
need) is not mapped into the process, and one extra start runs the command line under an import
probe (``bench/import_probe.py``) that records any import of natasha, slovnet, navec or numpy.

    python -m bench.startup [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import Figure, interleaved, measure, render
from bench.corpus import ROOT, SEEDS
from bench.terminal import Launch, child_env, launch, run_in_pty

DOC_MARKER = "инициативы"
"""A word of the first document's body: the first frame that shows the document shows it."""
FOOTER_MARKER = "Accept"
"""A key label of the review screen's footer (``a Accept``): the footer is drawn whole."""
BARE_MARKER = "bare textual app ready"
START_GOAL = 1.6
MEMORY_GOAL_MIB = 80.0


def bare_app_command() -> list[str]:
    """The baseline program: the smallest Textual app that paints a line (``bare_app.py``)."""
    return [sys.executable, str(ROOT / "bench" / "bare_app.py")]


def annotator_script() -> list[str]:
    """The installed ``annotator`` console script of this interpreter (what users run)."""
    script = Path(sys.executable).with_name("annotator")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from annotator.cli import main; sys.exit(main())"]


class Startup:
    """A prepared store and the two commands to start."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.store = tmp / "store"
        self.pycache = tmp / "pycache"
        self.env = child_env({"ANNOTATOR_CONFIG_DIR": str(tmp / "config")}, self.pycache)
        self.app = [*annotator_script(), str(SEEDS), "--store", str(self.store),
                    "--user", "bench"]
        self.bare = bare_app_command()
        self.bare_models = [*self.bare, "--with-models"]
        if DOC_MARKER not in (SEEDS / "000_47d0eeae892115b2.txt").read_text(encoding="utf-8"):
            raise RuntimeError(f"the start-up marker {DOC_MARKER!r} is not in the first seed")

    def prepare(self) -> None:
        code = run_in_pty(
            [*annotator_script(), "extract", str(SEEDS), "--store", str(self.store),
             "--user", "bench"],
            self.env, ROOT, limit=300,
        )
        if code != 0:
            raise RuntimeError(f"`annotator extract` failed (exit {code})")
        self.start_app()  # warm-up: bytecode, page cache
        self.start_bare()
        self.start_bare_models()

    def start_app(self) -> Launch:
        return launch(self.app, DOC_MARKER, self.env, ROOT, also=[FOOTER_MARKER])

    def start_bare(self) -> Launch:
        return launch(self.bare, BARE_MARKER, self.env, ROOT)

    def start_bare_models(self) -> Launch:
        return launch(self.bare_models, BARE_MARKER, self.env, ROOT)

    def probe_imports(self) -> list[str]:
        """Heavy modules the review command imports before and just after its first frame."""
        record = self.tmp / "imports.txt"
        env = {**self.env, "ANNOTATOR_BENCH_IMPORT_LOG": str(record)}
        argv = [sys.executable, str(ROOT / "bench" / "import_probe.py"), *self.app[-5:]]
        launch(argv, DOC_MARKER, env, ROOT, settle=1.0)
        if not record.exists():
            return []
        return sorted(set(record.read_text().split()))


def run(runs: int) -> list[Figure]:
    apps: list[Launch] = []
    bares: list[Launch] = []
    modelled: list[Launch] = []
    with tempfile.TemporaryDirectory(prefix="annotator-startup-") as tmp:
        bench = Startup(Path(tmp))
        bench.prepare()
        interleaved(runs, lambda i: apps.append(bench.start_app()),
                    lambda i: bares.append(bench.start_bare()),
                    lambda i: modelled.append(bench.start_bare_models()))
        heavy = bench.probe_imports()
    bare = statistics.median(b.seconds * 1000 for b in bares)
    start = measure([a.complete_seconds * 1000 for a in apps],
                    "start-up to complete first screen (document and footer), `annotator seeds/`",
                    "ms", baseline=bare, baseline_name="bare Textual app",
                    goal=f"<= {START_GOAL}x bare")
    mapped = sum(a.numpy_mapped for a in apps)
    start.passed = start.ratio is not None and start.ratio <= START_GOAL and not heavy
    start.note = (f"natasha imported: {', '.join(heavy)}" if heavy else "natasha not imported") + (
        f"; numpy mapped in {mapped}/{len(apps)} starts" if mapped else "")
    gaps = [(a.complete_seconds - a.seconds) * 1000 for a in apps]
    document = measure([a.seconds * 1000 for a in apps],
                       "start-up to the document on screen, `annotator seeds/`", "ms",
                       baseline=bare, baseline_name="bare Textual app")
    document.note = (f"the footer followed the document by median {statistics.median(gaps):.0f}, "
                     f"max {max(gaps):.0f} ms")
    memory = measure([a.hwm_kib / 1024 for a in apps], "peak memory (VmHWM) after first frame",
                     "MiB", baseline=statistics.median(b.hwm_kib / 1024 for b in bares),
                     baseline_name="bare Textual app", goal=f"<= {MEMORY_GOAL_MIB:.0f} MiB")
    memory.passed = memory.p95 <= MEMORY_GOAL_MIB
    memory.note = f"VmRSS median {statistics.median(a.rss_kib / 1024 for a in apps):.1f} MiB"
    models = measure([b.seconds * 1000 for b in modelled],
                     "start-up of the bare app after importing annotator's data model", "ms",
                     baseline=bare, baseline_name="bare Textual app")
    models.note = ("reference: pydantic imported and the model classes declared (their "
                   "schemas are built after the first frame), "
                   f"{models.median - bare:.0f} ms of the {(START_GOAL - 1) * bare:.0f} ms "
                   "the goal allows over the bare app")
    return [start, document, models, memory]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(render(run(args.runs)))


if __name__ == "__main__":
    main()

"""``annotator review``: load the corpus, open the store, run the app, close the store."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from annotator.core.corpus import load_corpus
from annotator.core.errors import StoreLockedError, UsageError
from annotator.core.settings import load_settings
from annotator.core.store import Store
from annotator.tui.context import ReviewContext
from annotator.tui.wording import count

SWITCH_INTERVAL = 0.0005
"""Seconds a thread holds the GIL while another waits for it, while the app runs (Python's
default is 0.005; see :func:`run_review`)."""


def open_store(
    store_dir: Path, user: str, labels: Sequence[str] | None, readonly: bool
) -> tuple[Store, str | None]:
    """Open the store writable, or read-only with a banner saying why when someone else writes."""
    if readonly:
        store = Store.open(store_dir, user=user, readonly=True)
        return store, "read-only (--readonly): decisions are not saved"
    try:
        return Store.open(store_dir, user=user, labels=labels), None
    except StoreLockedError:
        holder = Store.lock_holder(store_dir)
        store = Store.open(store_dir, user=user, readonly=True)
        who = f"{holder.user} since {holder.since}" if holder else "another annotator"
        return store, f"read-only: store in use by {who} — decisions are not saved"


def run_review(
    paths: Sequence[Path],
    store_dir: Path,
    user: str,
    labels: Sequence[str] | None,
    readonly: bool,
) -> int:
    """Open the review app; returns the exit code. Domain errors propagate to the CLI."""
    settings = load_settings()
    notices: list[str] = []
    documents = []
    if paths:
        corpus = load_corpus(paths)
        for problem in corpus.problems:
            print(f"annotator: {problem}", file=sys.stderr)
        notices.extend(corpus.problems)
        notices.extend(corpus.warnings)
        documents = corpus.documents
    elif not (store_dir / "store.json").is_file():
        raise UsageError(
            f"There is no store at {store_dir} yet; name the documents to review, "
            "e.g. `annotator seeds/`."
        )
    store, banner = open_store(store_dir, user, labels, readonly)
    try:
        if documents:
            if store.readonly:
                missing = [d.id for d in documents if not store.has(d.id)]
                if missing:
                    notices.append(
                        f"{count(len(missing), 'document')} "
                        f"{'is' if len(missing) == 1 else 'are'} not in the store and cannot be "
                        "added while it is read-only."
                    )
            else:
                report = store.sync(documents)
                if report.stale:
                    notices.append(
                        f"{count(len(report.stale), 'document')} changed on disk since "
                        f"{'it was' if len(report.stale) == 1 else 'they were'} annotated "
                        f"(kept on the stored text): {', '.join(report.stale[:5])}"
                    )
                same = report.same_as_note()
                if same is not None:
                    notices.append(same)
                if report.skipped:
                    notices.append(
                        f"{count(len(report.skipped), 'document')} "
                        + (
                            "was skipped: its store file is damaged."
                            if len(report.skipped) == 1
                            else "were skipped: their store files are damaged."
                        )
                    )
        notices.extend(store.problems)
        from annotator.tui.app import make_app

        app = make_app(ReviewContext(store, settings, banner, notices))
        # What start-up built so far (modules, model classes, the corpus) lives as long as the
        # app: out of the cyclic GC's reach, the collection the app runs once its first frame is
        # painted (see AnnotatorApp._end_startup) only walks what the app itself made.
        gc.freeze()
        # Frames reach the terminal through Textual's writer thread, which needs the GIL to
        # write and again to flush. While the UI thread is busy (at start-up it goes on laying
        # out and handling the first events right after drawing the first frame) each of those
        # waits a whole switch interval, 5 ms by default: the first frame was written ~10 ms
        # after it was drawn. A short interval hands the GIL over within half a millisecond
        # (it only matters when two threads want it: also a key pressed during extraction).
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            code = app.run()
        finally:
            sys.setswitchinterval(switch_interval)
        return code or 0
    finally:
        store.close()

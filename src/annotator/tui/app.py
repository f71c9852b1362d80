"""The review app: wiring only (store context, keymap, screens). See screens/review.py."""

from __future__ import annotations

import gc
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from annotator.core.store import warm_up
from annotator.tui.context import ReviewContext
from annotator.tui.keymap import APP, check_keymap
from annotator.tui.screens.review import ReviewScreen


class AnnotatorApp(App[int]):
    """Keyboard-first review of entity spans; every decision is saved when the key is handled."""

    TITLE = "annotator"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = list(APP)

    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        self.context = context
        check_keymap(context.settings.keymap)
        self.set_keymap(context.settings.keymap)  # before any screen reads the bindings

    def get_default_screen(self) -> Screen[Any]:
        """The review screen is the app's first screen (no default screen to build, style and
        replace by a pushed one before the first frame)."""
        return ReviewScreen(self.context)

    def on_mount(self) -> None:
        self.call_after_refresh(self._end_startup)

    @staticmethod
    def _end_startup() -> None:
        """Once the review screen is painted: move what start-up built (Textual, pydantic, the
        widgets) out of the cyclic GC's reach, as a full collection of that heap took 55-75 ms
        and landed inside key presses. ``annotator review`` pauses the GC while it starts (and
        freezes what it built before the app ran): it runs again from here on."""
        warm_up()  # what the first frame was drawn without, before the first key needs it
        gc.collect()
        gc.freeze()
        gc.enable()

    @property
    def review(self) -> ReviewScreen | None:
        screens = [s for s in self.screen_stack if isinstance(s, ReviewScreen)]
        return screens[0] if screens else None

    def action_help(self) -> None:
        from annotator.tui.screens.help import HelpScreen  # not needed to start

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(
                HelpScreen(self.context.settings.keymap, self.context.store.labels.labels)
            )

    async def action_quit(self) -> None:
        review = self.review
        if review is not None:
            review.save_position()
        self.exit(0)

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        keys = ", ".join(sorted(f"{b.key} ({b.id})" for b in clashed_bindings))
        self.notify(f"Your keymap gives one key two jobs: {keys}.", severity="warning")


def make_app(context: ReviewContext) -> AnnotatorApp:
    """The one way to build the app, for ``run_review`` and for tests."""
    return AnnotatorApp(context)

"""Textual's footer, built with the screen and rebuilt only when the keys it shows change.

Textual's :class:`~textual.widgets.Footer` starts empty and rebuilds all its key widgets (a
recompose: ~15-25 ms at start-up) after every bindings signal of its screen: when the screen is
pushed, when a widget gets the focus, on every ``refresh_bindings``. Three of those arrive while
the review screen starts, none of which changes the keys, so the footer appeared three rebuilds
after the document. This footer composes its keys when it is mounted, so they are in the first
frame, and on a signal it compares what it would show with what it shows: it rebuilds (once per
refresh, however many signals came) only when they differ.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Keys = tuple[object, ...]


class KeysFooter(Footer):
    """A :class:`~textual.widgets.Footer` that skips rebuilds which would show the same keys."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Textual's footer waits for the first bindings signal to show anything; the screen's
        # bindings are known when the footer is mounted (the signal changes nothing here).
        self.set_reactive(Footer._bindings_ready, True)
        self._shown: Keys | None = None
        self._rebuild_pending = False

    def shown_keys(self) -> Keys:
        """What :meth:`compose` draws from the screen's bindings now: every shown binding with
        whether it is enabled and its tooltip, and the command palette's key."""
        active = self.screen.active_bindings
        keys: list[object] = [
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        ]
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            keys.append(active.get(self.app.COMMAND_PALETTE_BINDING))
        return tuple(keys)

    def compose(self) -> ComposeResult:
        self._shown = self.shown_keys() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Born in the footer's style: a key starts compact (its class added on mount,
                # a restyle) and is then bound to the footer's style (another restyle), for
                # each key of each rebuild. Its class set here, both are no-ops.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        keys = self.shown_keys()
        if keys != self._shown:
            self._shown = keys  # a signal during the rebuild compares with what it will show
            await self.recompose()

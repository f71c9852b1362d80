"""The baseline of the start-up and memory figures: the smallest Textual app that paints a line.

Started exactly like ``annotator`` (a fresh interpreter in the same terminal), it pays for Python,
Textual's import and its first frame, and nothing else.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "bare textual app ready"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(MARKER)


if __name__ == "__main__":
    BareApp().run()

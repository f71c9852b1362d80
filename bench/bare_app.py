"""The baseline of the start-up and memory figures: the smallest Textual app that paints a line.

Started exactly like ``annotator`` (a fresh interpreter in the same terminal), it pays for Python,
Textual's import and its first frame, and nothing else.

With ``--with-models`` it first imports annotator's data model (``annotator.core.model``: pydantic,
and the model classes declared, whose schemas ``annotator`` builds after its first frame), the way
``annotator`` does (pydantic's plugin scan switched off): a reference row of the start-up figure,
showing how much of the allowance over the bare app the required data-model library takes by
itself.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Static

MARKER = "bare textual app ready"


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(MARKER)


def _import_models() -> None:
    import gc
    import os

    gc.disable()  # as `annotator review` runs until its first frame
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    import annotator.core.model  # noqa: F401


if __name__ == "__main__":
    if "--with-models" in sys.argv[1:]:
        _import_models()
    BareApp().run()

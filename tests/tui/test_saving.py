"""The saver: a store refusal (SpanError) is not a failed save."""

from __future__ import annotations

from annotator.core.errors import SpanError, StoreError
from annotator.tui.saving import Saver, SaveState


def _raise(error: Exception) -> None:
    raise error


def test_a_refusal_keeps_the_indicator_and_is_reported_apart() -> None:
    states: list[SaveState] = []
    refused: list[str] = []
    saver = Saver(states.append, refused.append)
    assert saver.run("accept", lambda: 1) == 1
    assert saver.state == SaveState("saved", "accept")
    assert saver.run("adjust", lambda: _raise(SpanError("'x' at 0..1 is already marked PER."))) \
        is None
    assert saver.state == SaveState("saved", "accept")  # as before: nothing was written
    assert refused == ["'x' at 0..1 is already marked PER."]
    assert saver.refused == refused[0]
    assert saver.run("reject", lambda: _raise(StoreError("The store is closed."))) is None
    assert saver.state == SaveState("failed", "The store is closed.")  # a failure stays one
    assert saver.refused == ""

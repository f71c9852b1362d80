"""Run store calls and keep the truth about the last one for the save indicator.

A call is made synchronously in the key handler (a store write takes a millisecond or two and is
durable when it returns), so "saved" is shown only after the store said so, before the next key is
read. A failure is kept as "NOT SAVED: <sentence>" until the next successful save; it is never
swallowed. A refusal (:class:`~annotator.core.errors.SpanError`: the change does not fit the
rules, a duplicate or a span off the text) is no failure: nothing was written and nothing is
lost, so the indicator keeps what it said before and the refusal goes to ``on_refused``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple, TypeVar

from annotator.core.errors import AnnotatorError, SpanError

T = TypeVar("T")

SaveStatus = Literal["idle", "saving", "saved", "failed"]


class SaveState(NamedTuple):
    """What the indicator shows: the status and what was saved (or why it was not)."""

    status: SaveStatus = "idle"
    detail: str = ""

    def describe(self) -> str:
        if self.status == "saving":
            return "saving…"
        if self.status == "saved":
            return "saved ✓"
        if self.status == "failed":
            return f"NOT SAVED: {self.detail}"
        return ""


class Saver:
    """Calls the store and reports each call's state to ``on_change``."""

    def __init__(self, on_change: Callable[[SaveState], None],
                 on_refused: Callable[[str], None] | None = None) -> None:
        self._on_change = on_change
        self._on_refused = on_refused
        self.state = SaveState()
        self.refused = ""
        """Why the last call was refused ("" when it was not)."""

    def _set(self, state: SaveState) -> None:
        self.state = state
        self._on_change(state)

    def run(self, what: str, call: Callable[[], T]) -> T | None:
        """``call()`` with the indicator at "saving…", then "saved ✓" or "NOT SAVED: …".

        Returns the call's result, or None when it failed (the error is in :attr:`state`).
        """
        before = self.state
        self.refused = ""
        self._set(SaveState("saving", what))
        try:
            result = call()
        except SpanError as err:
            self._set(before)
            self.refused = str(err)
            if self._on_refused is not None:
                self._on_refused(self.refused)
            return None
        except AnnotatorError as err:
            self._set(SaveState("failed", str(err)))
            return None
        except OSError as err:
            reason = err.strerror or err.__class__.__name__
            where = f" ({err.filename})" if err.filename else ""
            self._set(SaveState("failed", f"the disk refused the write: {reason}{where}."))
            return None
        except ValueError as err:
            self._set(SaveState("failed", f"{err.__class__.__name__}: {err}".splitlines()[0]))
            return None
        self._set(SaveState("saved", what))
        return result

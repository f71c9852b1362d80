"""Undo and redo over a document's append-only decision log.

The log is never rewritten: ``undo`` and ``redo`` are themselves events naming their ``target``.
Replaying the log gives the two stacks, so undo and redo survive a restart:

* a user action pushes itself on the undo stack and clears the redo stack;
* ``undo`` moves the top of the undo stack to the redo stack;
* ``redo`` moves the top of the redo stack back.

System events (predictions loaded, imports) are not undoable and leave the stacks alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from annotator.core.model import Event

SYSTEM_ACTIONS = frozenset({"load_predictions", "import", "undo", "redo"})


@dataclass
class Stacks:
    undo: list[Event] = field(default_factory=list)
    redo: list[Event] = field(default_factory=list)


def replay(events: Sequence[Event]) -> Stacks:
    """The undo and redo stacks after ``events`` (in log order)."""
    by_seq = {event.seq: event for event in events}
    stacks = Stacks()
    for event in events:
        if event.action == "undo":
            if stacks.undo and stacks.undo[-1].seq == event.target:
                stacks.redo.append(stacks.undo.pop())
        elif event.action == "redo":
            if stacks.redo and stacks.redo[-1].seq == event.target:
                stacks.undo.append(stacks.redo.pop())
        elif event.action in SYSTEM_ACTIONS:
            continue
        elif event.seq in by_seq:
            stacks.undo.append(event)
            stacks.redo.clear()
    return stacks

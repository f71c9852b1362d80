"""Small modal questions: yes/no, and a one-line comment."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.tui.keymap import COMMENT, CONFIRM
from annotator.tui.widgets.footer import KeysFooter

Answer = TypeVar("Answer")


class DialogScreen(ModalScreen[Answer]):
    """A box in the middle of the screen: a question or a field, then the keys that answer it.
    Its CSS is parsed when a dialog first opens, not at start-up."""

    DEFAULT_CSS = """
    DialogScreen {
        align: center middle;
    }
    .dialog {
        width: 70;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }
    .dialog-text {
        margin: 0 0 1 0;
    }
    .dialog-keys {
        color: $text-muted;
    }
    """


class ConfirmScreen(DialogScreen[bool]):
    """A question answered with y (yes) or n / escape / enter (no: the default, so a reflex
    enter never says yes)."""

    BINDINGS: ClassVar[list[BindingType]] = list(CONFIRM)

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._question, classes="dialog-text")
            yield Static("y yes · n, enter or escape no", classes="dialog-keys")
        yield KeysFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class CommentScreen(DialogScreen[str | None]):
    """Edit a document's comment: enter saves (an empty comment removes it), escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = list(COMMENT)

    def __init__(self, doc_id: str, comment: str) -> None:
        super().__init__()
        self._doc_id = doc_id
        self._comment = comment

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Comment on {self._doc_id}", classes="dialog-text")
            yield Input(
                self._comment, placeholder="a note for whoever reads this later", id="comment"
            )
            yield Static("enter saves · escape cancels", classes="dialog-keys")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#comment", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)

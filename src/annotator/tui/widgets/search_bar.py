"""The search bar under the document (``/``): enter searches, escape closes."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Input

from annotator.tui.keymap import SEARCH_BAR


class SearchBar(Input):
    """An input that posts :class:`SearchBar.Cancelled` on escape."""

    BINDINGS: ClassVar[list[BindingType]] = list(SEARCH_BAR)

    class Cancelled(Message):
        """The user closed the search bar without searching."""

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def action_stay(self) -> None:
        """Swallow tab: typing a query must not move the span cursor behind the bar."""

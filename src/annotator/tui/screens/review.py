"""The review screen: document list, document view, span detail and status, with every action.

Its parts: :mod:`review_base` (layout, the open document, status lines), :mod:`review_decide`
(span decisions, boundaries, select mode, undo), :mod:`review_documents` (moving, reviewed, flags,
comments), :mod:`review_search` (search, filter, label every match), :mod:`review_labels` (the
label picker, ``e``) and :mod:`review_extraction` (the background extraction worker).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType

from annotator.tui.keymap import BOUNDS, DECIDE, DOCUMENT, EDIT, FIND, MOVE, SELECT
from annotator.tui.screens.review_documents import DocumentActions
from annotator.tui.screens.review_extraction import ExtractionHost
from annotator.tui.screens.review_labels import LabelActions
from annotator.tui.screens.review_search import SearchActions


class ReviewScreen(LabelActions, DocumentActions, SearchActions, ExtractionHost):
    """Everything a reviewer needs for one document at a time.

    All bindings are declared here, in one list: review mode and select mode share keys (``h``,
    ``l``, digits, escape) and ``check_action`` picks the one that applies.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *DECIDE,
        *MOVE,
        *BOUNDS,
        *EDIT,
        *DOCUMENT,
        *FIND,
        *SELECT,
    ]

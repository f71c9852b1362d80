"""Every key binding of the review app, with its id, and the checks on a user's keymap.

Ids are ``<scope>.<name>``; a user remaps them in ``config.toml`` (``[keymap]``, see
:mod:`annotator.core.settings`) and the app passes that table to ``App.set_keymap``. The help
screen is built from :data:`SECTIONS`, so it always lists what is bound.

Span boundaries use the home-row keys ``h j k l``: ``h``/``j`` move the **start** edge, ``k``/``l``
the **end** edge; the left key of each pair moves its edge left, so the outer keys (``h``, ``l``)
widen the span and the inner keys (``j``, ``k``) shrink it. Lower case moves by one razdel token,
upper case by one character.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from textual.binding import Binding

from annotator.core.errors import ConfigError
from annotator.core.settings import check_keymap_ids, config_path

LABEL_KEYS = 9
_LABEL_GROUP = Binding.Group("Label", compact=True)
_SELECT_LABEL_GROUP = Binding.Group("Add as", compact=True)


def _labels(scope: str, action: str, verb: str, group: Binding.Group, what: str) -> list[Binding]:
    return [
        Binding(
            str(n),
            f"{action}({n})",
            f"{verb} {n}",
            id=f"{scope}.label_{n}",
            group=group,
            tooltip=what,
        )
        for n in range(1, LABEL_KEYS + 1)
    ]


def _b(
    key: str, action: str, description: str, binding_id: str, help_text: str, *, show: bool = False
) -> Binding:
    return Binding(key, action, description, show=show, id=binding_id, tooltip=help_text)


APP = [
    _b("question_mark", "help", "Help", "app.help", "show every key binding", show=True),
    _b("q", "quit", "Quit", "app.quit", "save where you are and quit", show=True),
]

DECIDE = [
    _b(
        "a",
        "accept",
        "Accept",
        "review.accept",
        "accept the span, go to the next pending one",
        show=True,
    ),
    _b(
        "x",
        "reject",
        "Reject",
        "review.reject",
        "reject the span, go to the next pending one",
        show=True,
    ),
    *_labels("review", "relabel", "Label", _LABEL_GROUP, "set the label of that key and accept"),
    _b(
        "e",
        "pick_label",
        "Label…",
        "review.pick_label",
        "pick any label by name from the full list, and accept",
    ),
    _b(
        "0",
        "reset",
        "Reset",
        "review.reset",
        "undecide a model's span: back to pending as proposed",
    ),
    _b(
        "A",
        "accept_all",
        "Accept all",
        "review.accept_all",
        "accept every pending span not filtered out",
    ),
]

MOVE = [
    _b("n,tab", "next_span", "Next", "review.next_span", "next span (without deciding)", show=True),
    _b("p,shift+tab", "prev_span", "Prev", "review.prev_span", "previous span (without deciding)"),
    _b("right_square_bracket", "next_doc", "Next doc", "review.next_doc", "next document"),
    _b("left_square_bracket", "prev_doc", "Prev doc", "review.prev_doc", "previous document"),
    _b(
        "g",
        "documents",
        "Documents",
        "review.documents",
        "go to the document list (enter opens, escape returns)",
    ),
]

BOUNDS = [
    _b(
        "h",
        "bound('start', -1, 'token')",
        "Start ←",
        "review.start_left_token",
        "start edge one token left (widen)",
    ),
    _b(
        "j",
        "bound('start', 1, 'token')",
        "Start →",
        "review.start_right_token",
        "start edge one token right (shrink)",
    ),
    _b(
        "k",
        "bound('stop', -1, 'token')",
        "End ←",
        "review.end_left_token",
        "end edge one token left (shrink)",
    ),
    _b(
        "l",
        "bound('stop', 1, 'token')",
        "End →",
        "review.end_right_token",
        "end edge one token right (widen)",
    ),
    _b(
        "H",
        "bound('start', -1, 'char')",
        "Start ← char",
        "review.start_left_char",
        "start edge one character left",
    ),
    _b(
        "J",
        "bound('start', 1, 'char')",
        "Start → char",
        "review.start_right_char",
        "start edge one character right",
    ),
    _b(
        "K",
        "bound('stop', -1, 'char')",
        "End ← char",
        "review.end_left_char",
        "end edge one character left",
    ),
    _b(
        "L",
        "bound('stop', 1, 'char')",
        "End → char",
        "review.end_right_char",
        "end edge one character right",
    ),
]

EDIT = [
    _b(
        "s",
        "select",
        "Select",
        "review.select",
        "select tokens to add a span (then a digit picks the label)",
        show=True,
    ),
    _b("d", "delete", "Delete", "review.delete", "delete a span you added by hand"),
    _b("u", "undo", "Undo", "review.undo", "undo the last change in this document", show=True),
    _b("U", "redo", "Redo", "review.redo", "redo the last undone change in this document"),
]

DOCUMENT = [
    _b(
        "r",
        "mark_reviewed",
        "Reviewed",
        "review.mark_reviewed",
        "mark the document reviewed, go to the next unreviewed one",
        show=True,
    ),
    _b("f", "flag", "Flag", "review.flag", "flag or unflag the document"),
    _b("i", "ignore", "Ignore", "review.ignore", "ignore the document (again: stop ignoring)"),
    _b("c", "comment", "Comment", "review.comment", "write a comment on the document"),
]

FIND = [
    _b(
        "slash",
        "search",
        "Search",
        "review.search",
        "search this document (enter jumps to the next match from the cursor)",
        show=True,
    ),
    _b("m", "match(1)", "Next match", "review.next_match", "next search match"),
    _b("M", "match(-1)", "Prev match", "review.prev_match", "previous search match"),
    _b(
        "ctrl+f",
        "corpus_search",
        "Find all",
        "review.corpus_search",
        "search every document; a digit there labels every match with no span yet",
    ),
    _b(
        "F",
        "cycle_filter",
        "Filter",
        "review.filter",
        "cycle the span filter: all → pending → each label",
    ),
    _b("escape", "clear", "Clear", "review.clear", "clear search highlights and the filter"),
    _b("t", "toggle_sidebar", "Sidebar", "review.sidebar", "show or hide the document list"),
]

SELECT = [
    _b(
        "h,left",
        "select_move(-1, False)",
        "Token ←",
        "select.left",
        "move the selection one token left",
    ),
    _b(
        "l,right",
        "select_move(1, False)",
        "Token →",
        "select.right",
        "move the selection one token right",
    ),
    _b(
        "H,shift+left",
        "select_move(-1, True)",
        "Extend ←",
        "select.extend_left",
        "extend the selection one token left",
    ),
    _b(
        "L,shift+right",
        "select_move(1, True)",
        "Extend →",
        "select.extend_right",
        "extend the selection one token right",
    ),
    *_labels(
        "select",
        "add_span",
        "Add as",
        _SELECT_LABEL_GROUP,
        "add the selection with that key's label",
    ),
    _b(
        "e",
        "select_pick_label",
        "Add as…",
        "select.pick_label",
        "add the selection with a label picked from the full list",
    ),
    _b("escape", "select_cancel", "Cancel", "select.cancel", "leave select mode", show=True),
]

SEARCH_BAR = [
    _b("escape", "cancel", "Close", "search.cancel", "close the search bar", show=True),
    _b("tab,shift+tab", "stay", "Stay", "search.stay", "tab stays in the search bar"),
]

DOCUMENT_LIST = [
    _b("enter", "select", "Open", "documents.open", "open the highlighted document", show=True),
    _b("escape", "back", "Back", "documents.back", "back to the document", show=True),
]

CORPUS = [
    *_labels(
        "corpus",
        "label_all",
        "Label all",
        _LABEL_GROUP,
        "label every match that overlaps no span (ignored documents are left alone)",
    ),
    _b(
        "ctrl+t",
        "toggle_tokens",
        "Whole words",
        "corpus.tokens",
        "grow matches to whole tokens (on) or match exactly (off)",
        show=True,
    ),
    _b("slash", "focus_query", "Query", "corpus.query", "back to the query box"),
    _b("escape", "close", "Close", "corpus.close", "close the search", show=True),
]

COMMENT = [_b("escape", "cancel", "Cancel", "comment.cancel", "close without saving", show=True)]

CONFIRM = [
    _b("y", "answer(True)", "Yes", "confirm.yes", "yes", show=True),
    _b("n,escape,enter", "answer(False)", "No", "confirm.no", "no (the default)", show=True),
]

PICKER = [
    _b("up", "move(-1)", "Up", "picker.up", "previous label"),
    _b("down", "move(1)", "Down", "picker.down", "next label"),
    _b("escape", "cancel", "Cancel", "picker.cancel", "close without picking", show=True),
]

HELP = [_b("escape,question_mark,q", "close", "Close", "help.close", "close the help", show=True)]

FOOTER_PRIORITY: tuple[str, ...] = (
    "app.help",
    "app.quit",
    "help.close",
    "documents.open",
    "documents.back",
    "search.cancel",
    "confirm.yes",
    "confirm.no",
    "comment.cancel",
    "picker.cancel",
    "corpus.close",
    "select.cancel",
    "select.label_1",
    "corpus.label_1",
    "corpus.tokens",
    "review.accept",
    "review.reject",
    "review.label_1",
    "review.next_span",
    "review.undo",
    "review.mark_reviewed",
    "review.select",
    "review.search",
)
"""Which footer keys stay when the footer is narrower than its keys, most important first (a
group of keys ranks as its first key; keys not listed go first, from the end). ``? Help``
leads: it lists every other key."""

SCROLL_KEYS = ("up", "down", "pageup", "pagedown", "home", "end")
"""Keys the document view keeps for scrolling (not remappable) while it has the keyboard: in
review and select mode."""


class Section(NamedTuple):
    """A titled group of bindings, as the help screen shows them."""

    title: str
    bindings: Sequence[Binding]
    note: str = ""


SECTIONS: tuple[Section, ...] = (
    Section("Decide", DECIDE, "a decision saves at once and moves to the next pending span"),
    Section("Move", MOVE),
    Section(
        "Span boundaries",
        BOUNDS,
        "h j move the start edge, k l the end edge; outer keys widen, inner keys shrink; "
        "shift: by one character",
    ),
    Section("Add, delete, undo", EDIT),
    Section("Document", DOCUMENT),
    Section("Search and filter", FIND),
    Section(
        "Select mode (after s)",
        SELECT,
        "a digit adds the selected tokens as a span with that label",
    ),
    Section(
        "Search bar (after /)",
        SEARCH_BAR,
        "enter jumps to the next match from the cursor (wrapping to the first); m / M step on",
    ),
    Section("Document list (after g)", DOCUMENT_LIST),
    Section(
        "Find in all documents (after ctrl+f)",
        CORPUS,
        "enter runs the query, then enter on a hit opens it; a digit labels every match that "
        "overlaps no span and stays here with the counts updated; escape closes",
    ),
    Section(
        "Label picker (after e)",
        PICKER,
        "type part of a label to filter the list; enter picks the highlighted label",
    ),
    Section("Comment and questions", [*COMMENT, *CONFIRM]),
    Section("Everywhere", [*APP, *HELP]),
)

ACTIVE_TOGETHER: tuple[tuple[Sequence[Binding], ...], ...] = (
    (APP, DECIDE, MOVE, BOUNDS, EDIT, DOCUMENT, FIND),
    (APP, SELECT),
    (APP, DOCUMENT_LIST),
    (APP, CORPUS),
    (APP, CONFIRM),
    (APP, PICKER),
    (HELP,),
)
"""Binding groups that are live at the same time: a key may serve one id in each."""


def all_bindings() -> list[Binding]:
    return [binding for section in SECTIONS for binding in section.bindings]


def known_ids() -> set[str]:
    return {binding.id for binding in all_bindings() if binding.id}


def _keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The normalised keys a binding answers to once ``keymap`` applies."""
    spec = keymap.get(binding.id or "", binding.key)
    return [b.key for b in Binding.make_bindings([Binding(spec, binding.action)])]


def effective_keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys of ``binding`` with the user's keymap applied (normalised names)."""
    return _keys(binding, keymap)


def check_keymap(keymap: Mapping[str, str]) -> None:
    """Raise ConfigError for unknown ids, keys Textual cannot bind, or two ids on one key."""
    check_keymap_ids(keymap, known_ids())
    for group in ACTIVE_TOGETHER:
        scrolls = any(bindings is DECIDE or bindings is SELECT for bindings in group)
        owner: dict[str, str] = (
            {key: "document scrolling" for key in SCROLL_KEYS} if scrolls else {}
        )
        for binding in _flatten(group):
            try:
                keys = _keys(binding, keymap)
            except Exception as err:  # textual.binding.InvalidBinding and friends
                raise ConfigError(
                    f"{config_path()}: [keymap] {binding.id!r} has a key Textual cannot bind "
                    f"({err})."
                ) from None
            for key in keys:
                other = owner.get(key)
                if other is not None and other != binding.id:
                    raise ConfigError(
                        f"{config_path()}: [keymap] key {key!r} would serve both {other!r} and "
                        f"{binding.id!r}; give one of them another key."
                    )
                owner[key] = binding.id or binding.action


def _flatten(groups: Iterable[Sequence[Binding]]) -> list[Binding]:
    return [binding for group in groups for binding in group]

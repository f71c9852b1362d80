"""The review screen's shared state: layout, the open document, the status lines.

The actions live in mixins (``review_decide``, ``review_documents``, ``review_search``,
``review_extraction``) that all build on :class:`ReviewBase`; ``review.ReviewScreen`` puts them
together. Store calls are made right in the key handlers through
:class:`~annotator.tui.saving.Saver` (a write takes a millisecond or two and is durable when it
returns), so the save indicator tells the truth before the next key is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Resize, ScreenResume
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from annotator.core.model import Document, Span
from annotator.core.store import Store
from annotator.tui.context import ReviewContext
from annotator.tui.keymap import LABEL_KEYS
from annotator.tui.navigation import SpanOrder, overlapping
from annotator.tui.saving import Saver, SaveState
from annotator.tui.widgets.detail import header, legend, selection_detail, span_detail
from annotator.tui.widgets.doc_list import DocList
from annotator.tui.widgets.doc_view import DocView
from annotator.tui.widgets.footer import KeysFooter
from annotator.tui.widgets.save_indicator import SaveIndicator
from annotator.tui.widgets.search_bar import SearchBar
from annotator.tui.wording import numbered, quoted

if TYPE_CHECKING:  # select mode and search load these on first use
    from textual.notifications import SeverityLevel

    from annotator.core.tokens import Token
    from annotator.tui.bounds import TokenSelection
    from annotator.tui.search import Match

MIN_WIDTH, MIN_HEIGHT = 60, 15
SIDEBAR_MIN_WIDTH = 100
"""From this many columns the document list is shown, below it hidden: at start-up and whenever
the terminal's width crosses it (see :meth:`ReviewBase._fit_sidebar`; ``t`` overrides it)."""

SELECT_ACTIONS = {"select_move", "add_span", "select_pick_label", "select_cancel"}
ALWAYS = {"toggle_sidebar"}
"""Screen actions that work in every mode, even under the "terminal too small" note (help and
quit are the app's own)."""


class ReviewBase(Screen[None], inherit_bindings=False):
    """State and helpers every group of review actions uses."""

    AUTO_FOCUS = "#doc"
    """The document view has the focus from the start (Textual's default, the first focusable
    widget, is the document list: focusing it first and then the view cost a restyle of both and
    two more rebuilds of the footer at start-up)."""

    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        self.context = context
        self.store: Store = context.store
        self.saver = Saver(self._show_save_state, self._refused)
        self.labels = self.store.labels.labels
        self.doc: Document | None = None
        self.selecting: TokenSelection | None = None
        self._tokens: list[Token] = []
        self._query = ""
        self._corpus_query = ""
        """The last query of the search in every document (ctrl+f offers it again)."""
        self._matches: list[Match] = []
        self._match_index: int | None = None
        self._hint = ""
        self._shown: dict[str, Text] = {}
        self._extracting: set[str] = set()
        self._extractor_name = "the extractor"
        self._outside_labels: Counter[str] = Counter()
        self._resumed = False
        self._wide: bool | None = None
        """Whether the width was at least :data:`SIDEBAR_MIN_WIDTH` when last checked."""
        self._held_toasts: list[Callable[[], None]] = []
        """Toasts asked for while the terminal is too small, shown once it is big enough."""

    # ------------------------------------------------------------------ widgets
    @property
    def view(self) -> DocView:
        return self.query_one("#doc", DocView)

    @property
    def doc_list(self) -> DocList:
        return self.query_one("#doc-list", DocList)

    @property
    def search_bar(self) -> SearchBar:
        """The search bar (see :meth:`_open_search_bar`; only there once it was opened)."""
        return self.query_one("#search-bar", SearchBar)

    async def _open_search_bar(self) -> SearchBar:
        """The search bar, shown; mounted the first time (an ``Input`` and its styles are a few
        milliseconds of start-up that most sessions never use)."""
        try:
            bar = self.search_bar
        except NoMatches:
            bar = SearchBar(placeholder="search this document…", id="search-bar")
            await self.query_one("#main").mount(bar, before="#status")
        bar.display = True
        return bar

    def compose(self) -> ComposeResult:
        # Widgets the first screen does not show are not built for it: the banner only when
        # there is one, the "too small" note and the extraction's progress bar when needed.
        if self.context.banner:
            yield Static(self.context.banner, id="banner")
        # One container for the body: the document list is docked on its left (a row of two
        # columns would be one more container to mount, style and draw).
        with Vertical(id="main"):
            with Vertical(id="sidebar"):
                yield Static("Documents", id="sidebar-title")
                yield DocList(id="doc-list")
            yield Static(id="doc-header")
            yield Static(id="legend")
            view = DocView(id="doc")
            # The view has the focus from the start (on_mount focuses it): styled as focused
            # when it is mounted, the Focus event then changes nothing, where it restyled the
            # view and its 17 component classes a second time before the first frame (~2 ms).
            view.set_reactive(Widget.has_focus, True)
            yield view
            yield Static(id="detail")
            with Horizontal(id="status"):
                yield Static(id="status-text")
                yield SaveIndicator(id="save")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fit_sidebar(self.app.size.width)
        self._check_size(self.app.size.width, self.app.size.height)
        self.view.set_labels(self.labels)
        self.query_one("#legend", Static).update(legend(self.labels, self.view.label_style))
        self.doc_list.set_summaries(self.store.summaries())
        for notice in self.context.notices:
            self.notify(notice, severity="warning", timeout=10)
        self._open(*self._start_position(), save_position=False, resume=True)
        self.view.focus()
        self._after_mount()

    def _after_mount(self) -> None:
        """Hook for the mixins: runs once the first document is on screen."""

    def _start_position(self) -> tuple[str | None, str | None]:
        position = self.store.position()
        if position is not None:
            return position
        summaries = self.store.summaries()
        todo = [s.id for s in summaries if s.status in ("unreviewed", "in_progress")]
        if todo:
            return todo[0], None
        return (summaries[0].id if summaries else None), None

    def on_screen_resume(self, event: ScreenResume) -> None:
        """The first time the screen is shown its widgets have just been styled as they were
        mounted: Textual's restyle of the whole screen on resume (for a screen that comes back
        after the app's look changed) would be ~7 ms of the first frame for nothing. Runs
        before Textual's own handler; later resumes restyle as usual."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
            return
        # Textual sends a Resize only to the screen on top: the terminal may have changed
        # size while a dialog or the help covered this screen.
        width, height = self.app.size
        self._fit_sidebar(width)
        self._check_size(width, height)

    def on_resize(self, event: Resize) -> None:
        self._fit_sidebar(event.size.width)
        self._check_size(event.size.width, event.size.height)

    def _fit_sidebar(self, width: int) -> None:
        """Show the document list from :data:`SIDEBAR_MIN_WIDTH` columns, hide it below (with
        ``sidebar = false`` in the settings it stays hidden), at start-up and each time the
        width crosses that threshold.

        The reviewer's ``t`` (or ``g``) wins until the next crossing: a list hidden by hand on
        a wide terminal stays hidden while the window changes size above the threshold, and
        one shown by hand on a narrow terminal stays while the window stays narrow; a terminal
        that becomes narrow hides it (the text keeps its width), one that becomes wide brings
        it back.
        """
        wide = width >= SIDEBAR_MIN_WIDTH
        if wide == self._wide:
            return
        self._wide = wide
        sidebar = self.query_one("#sidebar")
        show = self.context.settings.sidebar and wide
        if sidebar.display != show:
            sidebar.display = show
            if not show and self.doc_list.has_focus:
                self.view.focus()

    def _check_size(self, width: int, height: int) -> None:
        """Below :data:`MIN_WIDTH` × :data:`MIN_HEIGHT` a note replaces the screen, and every
        key but quit, help and ``t`` is off (see :meth:`check_action`): nothing may change
        what the reviewer cannot see. Toasts wait too (see :meth:`notify`)."""
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small:
            text = f"terminal too small: need {MIN_WIDTH}×{MIN_HEIGHT} (now {width}×{height})"
            try:
                self.query_one("#too-small", Static).update(text)
            except NoMatches:
                self.mount(Static(text, id="too-small"), after="#main")
        if small != self.has_class("-too-small"):
            self.set_class(small, "-too-small")
            self.refresh_bindings()
            if not small:
                held, self._held_toasts = self._held_toasts, []
                for toast in held:
                    toast()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's, except that while the terminal is too small the toast waits until it is
        big enough: nothing is drawn over the "too small" note, and nothing is missed."""
        show = partial(
            super().notify, message, title=title, severity=severity, timeout=timeout, markup=markup
        )
        if self.has_class("-too-small"):
            self._held_toasts.append(show)
        else:
            show()

    # ------------------------------------------------------------------ showing things
    def _show(self, selector: str, text: Text) -> None:
        """Update a one- or two-line Static of fixed size, only when its text changed.

        These lines have a fixed height in app.tcss, so no layout pass is needed: a key press
        repaints the lines that changed and nothing else.
        """
        if self._shown.get(selector) != text:
            self._shown[selector] = text
            self.query_one(selector, Static).update(text, layout=False)

    def _refused(self, why: str) -> None:
        """A change the store refused (nothing was written): say why in the status line."""
        self.app.bell()
        self._set_hint(f"not changed: {why}")

    def _show_save_state(self, state: SaveState) -> None:
        self.query_one("#save", SaveIndicator).state = state
        if state.status == "failed":
            self.notify(f"NOT SAVED: {state.detail}", severity="error", timeout=8)

    def _set_hint(self, hint: str) -> None:
        self._hint = hint
        self._refresh_status()

    def _refresh_status(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.selecting is not None and self.doc is not None:
            start, stop = self.selecting.bounds(self._tokens)
            digits = "1" if len(self.labels) == 1 else f"1-{min(len(self.labels), 9)}"
            text.append(" select ", style="reverse bold")
            text.append(f" {start}‥{stop} {quoted(self.doc.text[start:stop], 20)}")
            if self._hint:  # what the last key in select mode said, in place of the keys
                text.append(f" — {self._hint}", style="italic")
            else:
                text.append(f" — h/l move, H/L extend, {digits} label, esc cancel", style="dim")
        else:
            summaries = self.store.summaries()
            reviewed = sum(1 for s in summaries if s.status == "reviewed")
            total = sum(s.pending + s.accepted + s.rejected for s in summaries)
            decided = sum(s.accepted + s.rejected for s in summaries)
            text.append(f"{reviewed}/{len(summaries)} docs reviewed", style="bold")
            text.append(f" · {decided}/{total} spans decided")
            span_filter = self.view.span_filter
            if span_filter.active:
                shown = len(SpanOrder.of(self.doc, span_filter))
                text.append(f" · filter: {span_filter.describe()} ({shown})", style="bold")
            if self._matches and self._match_index is not None:
                text.append(
                    f" · match {self._match_index + 1}/{len(self._matches)} «{self._query}»"
                )
            if self._hint:
                text.append(f" · {self._hint}", style="italic")
        self._show("#status-text", text)

    def _notice(self, doc: Document) -> str:
        """What to say about a document that is not a span."""
        if not doc.text:
            return "empty document — nothing to annotate (r marks it reviewed)"
        if doc.extraction == "unsupported" and not doc.spans:
            return f"no extractor for {doc.lang} — annotate by hand (s to select)"
        if doc.extraction == "pending" and doc.id in self._extracting:
            return f"{self._extractor_name} is reading this document… (s adds spans meanwhile)"
        if doc.extraction == "pending" and not doc.spans:
            why = "the store is read-only" if self.store.readonly else "no extractor ran"
            return f"no predictions ({why}) — annotate by hand (s to select)"
        if not doc.spans:
            return f"{doc.extractor or 'the extractor'} found nothing here — s adds a span by hand"
        if not any(s.state == "pending" for s in doc.spans):
            if doc.status == "reviewed":
                return "reviewed ✓ — ] goes to the next document"
            return "all spans decided — r marks reviewed"
        return ""

    def _refresh_doc_widgets(self) -> None:
        doc = self.doc
        if doc is None:
            self._show("#doc-header", Text("no documents in this store"))
            return
        ids = self.store.ids()
        position = ids.index(doc.id) + 1 if doc.id in ids else 0
        self._show("#doc-header", header(doc, position, len(ids)))
        self._refresh_detail()
        self._refresh_status()

    def _refresh_detail(self) -> None:
        if self.selecting is not None and self.doc is not None:
            start, stop = self.selecting.bounds(self._tokens)
            detail = selection_detail(self.doc, start, stop, self.view.label_style)
            self._show("#detail", detail)
            return
        notice = self._notice(self.doc) if self.doc else "no documents"
        if self.view.current_span is None and self._current_match() is not None:
            notice = "no span at this match — s selects it to add one"
        detail = span_detail(self.doc, self.view.current_span, notice, self.view.label_style)
        self._show("#detail", detail)

    def _notice_in_detail(self) -> bool:
        """Whether the detail line shows :meth:`_notice` now (it gives way to the spans that
        share the current span's characters), so the status line need not repeat it."""
        span = self.view.current_span
        return self.doc is None or span is None or not overlapping(self.doc, span)

    def _say_notice(self) -> None:
        """Say what :meth:`_notice` says once: in the status line only when the detail line
        does not show it."""
        notice = self._notice(self.doc) if self.doc else ""
        self._set_hint("" if self._notice_in_detail() else notice)

    def _current_match(self) -> Match | None:
        if self._match_index is None or self._match_index >= len(self._matches):
            return None
        return self._matches[self._match_index]

    def _cursor_offset(self) -> int:
        """Where the reviewer is: the current span, else the current search match, else the
        top of the view."""
        span = self.view.current_span
        if span is not None:
            return span.start
        match = self._current_match()
        return match.start if match is not None else self.view.top_offset()

    def _move_cursor(self, span_id: str) -> None:
        """Put the cursor on a span and describe it in the same frame (the view repaints only
        the rows of the old and the new span)."""
        self.view.cursor = span_id
        self._refresh_detail()

    @on(DocView.CursorMoved)
    def _cursor_moved(self, message: DocView.CursorMoved) -> None:
        self._refresh_detail()

    # ------------------------------------------------------------------ documents
    def _open(
        self,
        doc_id: str | None,
        span_id: str | None,
        *,
        save_position: bool = True,
        resume: bool = False,
    ) -> None:
        """Show a document, the cursor on ``span_id`` or on its first pending span.

        ``resume``: ``span_id`` is where this user left off; if it has been decided since (the
        position is saved when a document opens and on quit, so after a crash it can lag behind
        the decisions), the cursor goes on to the next pending span from there, so the first key
        after a restart decides a span still to do.
        """
        self._leave_select()
        self._clear_search()
        if doc_id is None or not self.store.has(doc_id):
            self.doc = None
            self.view.show_document(None, None, "no documents — open a folder of .txt files")
            self._refresh_doc_widgets()
            return
        doc = self.store.get(doc_id)
        self.doc = doc
        order = SpanOrder.of(doc, self.view.span_filter)
        if span_id is None or order.index(span_id) is None:
            first = order.first_pending() or order.first()
            span_id = first.id if first else None
        elif resume:
            here = next(s for s in doc.spans if s.id == span_id)
            if here.state != "pending":
                later = order.next_pending(here)
                span_id = later.id if later is not None else span_id
        self._tokens = []
        self.view.show_document(doc, span_id, self._notice(doc))
        self.doc_list.show_current(doc_id)
        self._hint = ""
        self._refresh_doc_widgets()
        if save_position:
            self.save_position()

    def save_position(self) -> None:
        """Remember where this user is (the document and span on screen)."""
        if self.doc is not None and not self.store.readonly:
            doc_id, span_id = self.doc.id, self.view.cursor
            self.saver.run("position", lambda: self.store.set_position(doc_id, span_id))

    def _changed(self, doc: Document) -> None:
        """Show a document after a store call changed it."""
        self.doc = doc
        self.view.update_document(doc)
        self.doc_list.update_summary(self.store.summary(doc.id))
        self._refresh_doc_widgets()

    def _step_document(self, delta: int) -> None:
        ids = self.store.ids()
        if not ids:
            return
        index = ids.index(self.doc.id) if self.doc and self.doc.id in ids else -delta
        target = index + delta
        if not 0 <= target < len(ids):
            self._set_hint(
                "this is the last document" if delta > 0 else "this is the first document"
            )
            return
        self._open(ids[target], None)

    def _next_unreviewed(self) -> bool:
        """Open the next document still to review (wrapping); False, with nothing opened, when
        there is none but this one."""
        summaries = self.store.summaries()
        ids = [s.id for s in summaries]
        todo = {s.id for s in summaries if s.status in ("unreviewed", "in_progress")}
        start = ids.index(self.doc.id) if self.doc and self.doc.id in ids else -1
        for doc_id in ids[start + 1 :] + ids[: start + 1]:
            if doc_id in todo and (self.doc is None or doc_id != self.doc.id):
                self._open(doc_id, None)
                return True
        return False

    # ------------------------------------------------------------------ enabling actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALWAYS:
            return True
        if self.has_class("-too-small"):
            return False
        if isinstance(self.focused, DocList | SearchBar):
            return False  # the list or the search bar has the keyboard: its own keys only
        return (self.selecting is not None) == (action in SELECT_ACTIONS)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, less the digit keys beyond the label set: they are on (a press says there
        is no such label, see :meth:`_no_label`), but the footer does not offer them."""
        bindings = super().active_bindings
        beyond = {
            f"{scope}.label_{n}"
            for scope in ("review", "select")
            for n in range(len(self.labels) + 1, LABEL_KEYS + 1)
        }
        if not beyond:
            return bindings
        return {key: b for key, b in bindings.items() if b.binding.id not in beyond}

    def _no_label(self, number: int) -> None:
        """Say that digit ``number`` has no label (a digit key beyond the label set)."""
        self.app.bell()
        self._set_hint(f"{number}: no label — the labels are {numbered(self.labels)}")

    def _span_or_hint(self) -> Span | None:
        span = self.view.current_span
        if span is None or self.doc is None:
            self.app.bell()
            self._set_hint("no span here — s selects text to add one")
            return None
        return span

    def _show_selection(self) -> None:
        """Draw the selection (or its absence) and switch the footer, status and detail lines
        between select mode and review mode, in the same frame."""
        self.view.set_selection(self.selecting.bounds(self._tokens) if self.selecting else None)
        self.refresh_bindings()
        self._refresh_status()
        self._refresh_detail()

    def _leave_select(self) -> None:
        if self.selecting is not None:
            self.selecting = None
            self._hint = ""  # a hint from select mode is about the selection just left
            self._show_selection()

    def _clear_search(self) -> None:
        self._matches, self._match_index = [], None
        self.view.set_matches([], None)

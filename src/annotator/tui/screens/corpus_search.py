"""Find in all documents (``ctrl+f``): hits per document; enter opens one, a digit labels them all.

The search reads the stored documents in a thread worker through its own read-only store handle,
so the app's store is only ever used on the UI thread. Labelling is not done here: a digit calls
the review screen's :data:`LabelAll` (which makes the store calls, with the save indicator), then
the query runs again so the counts show what is left; the screen stays open until escape or until
a hit is opened. It is dismissed with a :class:`CorpusAction` carrying the query, which the next
``ctrl+f`` offers again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from annotator.core.errors import AnnotatorError
from annotator.core.store import Store
from annotator.tui.keymap import CORPUS
from annotator.tui.search import DocHits, Match, context, corpus_hits
from annotator.tui.widgets.detail import STATE_MARK
from annotator.tui.widgets.footer import KeysFooter
from annotator.tui.wording import count

LabelAll = Callable[[Sequence[DocHits], str], str]
"""Label every free match of these hits with a label; returns the sentence saying what it did."""


MAX_LISTED_PER_DOCUMENT = 200
"""Matches listed for one document: a list of thousands of rows takes seconds to build, and
nobody reads it; the rest are counted in one line (labelling takes them all)."""
MAX_LISTED = 1000
"""Matches listed in all."""


@dataclass(frozen=True)
class CorpusAction:
    """How the search was left: the last query, and the hit to open (None: just closed)."""

    query: str
    doc_id: str = ""
    match: Match | None = None


class CorpusSearchScreen(ModalScreen[CorpusAction | None]):
    """A query box, a summary line and the hits grouped by document."""

    DEFAULT_CSS = """
    CorpusSearchScreen {
        align: center middle;
    }
    #corpus-box {
        width: 96%;
        height: 92%;
        border: round $primary;
        background: $surface;
    }
    #corpus-summary, #corpus-result {
        height: 1;
        padding: 0 1;
    }
    #corpus-result {
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $success;
    }
    #corpus-hits {
        height: 1fr;
        border: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = list(CORPUS)

    class Found(Message):
        """The worker's result for ``query``."""

        def __init__(self, query: str, hits: list[DocHits]) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    def __init__(
        self,
        root: Path,
        user: str,
        labels: Sequence[str],
        label_all: LabelAll,
        query: str = "",
    ) -> None:
        super().__init__()
        self._root = root
        self._user = user
        self._labels = list(labels)
        self._label_all = label_all
        self._query = query
        self._result = ""
        self._searched: str | None = None
        """The query the hits on screen belong to (None before the first search)."""
        self.searches = 0
        """How many searches have finished (tests wait on it)."""
        self._whole_tokens = True
        self._hits: list[DocHits] = []
        self._listed = 0
        """How many of the hits' matches the list shows (see :data:`MAX_LISTED`)."""
        self._options: dict[str, tuple[str, Match]] = {}

    @property
    def hits(self) -> list[DocHits]:
        return self._hits

    def compose(self) -> ComposeResult:
        with Vertical(id="corpus-box"):
            yield Input(self._query, placeholder="find in all documents…", id="corpus-query")
            yield Static(self._summary(), id="corpus-summary")
            yield Static("", id="corpus-result")
            yield OptionList(id="corpus-hits")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#corpus-query", Input).focus()

    def _summary(self, searching: bool = False) -> Text:
        mode = "whole words" if self._whole_tokens else "exact text"
        text = Text(no_wrap=True, overflow="ellipsis")
        if searching:
            text.append("searching…")
        elif self._searched is None:
            if self._query:
                text.append("enter searches again; typing replaces the last query")
            else:
                text.append("type a name and press enter")
        else:
            matches = sum(len(h.matches) for h in self._hits)
            text.append(
                f"{count(matches, 'match', 'matches')} in {count(len(self._hits), 'document')}",
                style="bold",
            )
            if self._listed < matches:
                text.append(f" ({self._listed} listed)")
            free = sum(h.free for h in self._hits)
            if self._hits and free:
                keys = " ".join(f"{n} {label}" for n, label in enumerate(self._labels[:9], 1))
                them = "it" if free == 1 else "them"
                text.append(f"  ·  {free} with no span yet: a digit labels {them} ({keys})")
            elif self._hits:
                text.append("  ·  none free: each overlaps a span or is in an ignored document")
        text.append(f"  ·  {mode} (ctrl+t)", style="dim")
        return text

    @on(Input.Submitted, "#corpus-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._query = event.value.strip()
        self._run()

    def _run(self) -> None:
        if not self._query:
            return
        self.query_one("#corpus-summary", Static).update(self._summary(searching=True))
        self._search(self._query, self._whole_tokens)

    @work(thread=True, exclusive=True, group="corpus-search", exit_on_error=False)
    def _search(self, query: str, whole_tokens: bool) -> None:
        worker = get_current_worker()
        with Store.open(self._root, user=self._user, readonly=True) as reader:
            docs = (reader.get(doc_id) for doc_id in reader.ids())
            hits = corpus_hits(
                docs, query, whole_tokens=whole_tokens, is_cancelled=lambda: worker.is_cancelled
            )
        if not worker.is_cancelled:
            self.post_message(self.Found(query, hits))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "corpus-search":
            error = event.worker.error
            reason = str(error) if isinstance(error, AnnotatorError) else repr(error)
            self.notify(f"The search failed: {reason}", severity="error")

    def on_corpus_search_screen_found(self, message: Found) -> None:
        self._hits = message.hits
        self._searched = message.query
        self._options = {}
        options: list[Option] = []
        hit_list = self.query_one("#corpus-hits", OptionList)
        was_on = hit_list.highlighted
        tag_width = max((len(label) for label in self._labels), default=3) + 3
        width = max(hit_list.scrollable_content_region.width - 8 - tag_width, 30)
        listed = 0
        for doc_hits in message.hits:
            title = Text(
                f"{doc_hits.doc_id} — {count(len(doc_hits.matches), 'match', 'matches')}",
                style="bold",
            )
            if doc_hits.ignored:
                title.append("  (ignored: left alone when labelling)", style="dim")
            options.append(Option(title, disabled=True))
            room = max(0, min(MAX_LISTED_PER_DOCUMENT, MAX_LISTED - listed))
            for n, match in enumerate(doc_hits.matches[:room]):
                before, surface, after = context(doc_hits.text, match, width)
                prompt = Text("  ", no_wrap=True, overflow="ellipsis")
                span = doc_hits.taken_by(n)
                tag = f"{span.label} {STATE_MARK[span.state]}" if span is not None else ""
                prompt.append(f"{tag:<{tag_width}}", style="bold")
                prompt.append(before, style="dim")
                prompt.append(surface, style="bold reverse")
                prompt.append(after, style="dim")
                option_id = f"{doc_hits.doc_id}\x00{n}"
                self._options[option_id] = (doc_hits.doc_id, match)
                options.append(Option(prompt, id=option_id))
            listed += min(room, len(doc_hits.matches))
            if len(doc_hits.matches) > room:
                more = len(doc_hits.matches) - room
                options.append(Option(Text(
                    f"  … {count(more, 'more match', 'more matches')} not listed "
                    "(a digit labels them too)", style="dim italic"), disabled=True))
        self._listed = listed
        hit_list.set_options(options)
        self.query_one("#corpus-summary", Static).update(self._summary())
        if self._options:
            hit_list.focus()
            keep = was_on is not None and was_on < len(options) and not options[was_on].disabled
            hit_list.highlighted = was_on if keep else 1
        self.searches += 1

    @on(OptionList.OptionSelected, "#corpus-hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = self._options.get(event.option.id or "")
        if chosen is not None:
            doc_id, match = chosen
            self.dismiss(CorpusAction(self._query, doc_id=doc_id, match=match))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "label_all":
            number = parameters[0] if parameters else 0
            return bool(self._hits) and isinstance(number, int) and number <= len(self._labels)
        return True

    def action_label_all(self, number: int) -> None:
        """Label the free matches, say what happened, and search again so the counts update."""
        if 1 <= number <= len(self._labels) and self._hits:
            self._result = self._label_all(tuple(self._hits), self._labels[number - 1])
            self.query_one("#corpus-result", Static).update(Text(self._result, style="italic"))
            self._run()

    @property
    def result(self) -> str:
        """What the last digit did (empty before one was pressed)."""
        return self._result

    def action_toggle_tokens(self) -> None:
        self._whole_tokens = not self._whole_tokens
        if self._query:
            self._run()
        else:
            self.query_one("#corpus-summary", Static).update(self._summary())

    def action_focus_query(self) -> None:
        self.query_one("#corpus-query", Input).focus()

    def action_close(self) -> None:
        self.dismiss(CorpusAction(self._query))

"""Find in all documents (``ctrl+f``): hits per document; enter opens one, a digit labels them all.

The search reads the stored texts in a thread worker through its own read-only store handle, so
the app's store is only ever used on the UI thread. Labelling is not done here: the screen returns
a :class:`CorpusAction` and the review screen makes the store calls (with the save indicator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from annotator.core.errors import AnnotatorError
from annotator.core.store import Store
from annotator.tui.keymap import CORPUS
from annotator.tui.search import DocHits, Match, context, corpus_hits


@dataclass(frozen=True)
class CorpusAction:
    """What the user chose: open one hit, or label every hit with ``label``."""

    kind: Literal["open", "label"]
    hits: tuple[DocHits, ...] = ()
    doc_id: str = ""
    match: Match | None = None
    label: str = ""


class CorpusSearchScreen(ModalScreen[CorpusAction | None]):
    """A query box, a summary line and the hits grouped by document."""

    BINDINGS: ClassVar[list[BindingType]] = list(CORPUS)

    class Found(Message):
        """The worker's result for ``query``."""

        def __init__(self, query: str, hits: list[DocHits]) -> None:
            super().__init__()
            self.query = query
            self.hits = hits

    def __init__(self, root: Path, user: str, labels: Sequence[str], query: str = "") -> None:
        super().__init__()
        self._root = root
        self._user = user
        self._labels = list(labels)
        self._query = query
        self._whole_tokens = True
        self._hits: list[DocHits] = []
        self._options: dict[str, tuple[str, Match]] = {}

    @property
    def hits(self) -> list[DocHits]:
        return self._hits

    def compose(self) -> ComposeResult:
        with Vertical(id="corpus-box"):
            yield Input(self._query, placeholder="find in all documents…", id="corpus-query")
            yield Static(self._summary(), id="corpus-summary")
            yield OptionList(id="corpus-hits")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#corpus-query", Input).focus()

    def _summary(self, searching: bool = False) -> Text:
        mode = "whole words" if self._whole_tokens else "exact text"
        text = Text(no_wrap=True, overflow="ellipsis")
        if searching:
            text.append("searching…")
        elif not self._query:
            text.append("type a name and press enter")
        else:
            matches = sum(len(h.matches) for h in self._hits)
            text.append(f"{matches} matches in {len(self._hits)} documents", style="bold")
            if self._hits:
                keys = " ".join(f"{n} {label}" for n, label in enumerate(self._labels[:9], 1))
                text.append(f"  ·  a digit labels every match not yet covered: {keys}")
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
            texts = ((doc_id, reader.get(doc_id).text) for doc_id in reader.ids())
            hits = corpus_hits(
                texts, query, whole_tokens=whole_tokens, is_cancelled=lambda: worker.is_cancelled
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
        self._options = {}
        options: list[Option] = []
        hit_list = self.query_one("#corpus-hits", OptionList)
        width = max(hit_list.scrollable_content_region.width - 8, 30)
        for doc_hits in message.hits:
            noun = "match" if len(doc_hits.matches) == 1 else "matches"
            title = Text(f"{doc_hits.doc_id} — {len(doc_hits.matches)} {noun}", style="bold")
            options.append(Option(title, disabled=True))
            for n, match in enumerate(doc_hits.matches):
                before, surface, after = context(doc_hits.text, match, width)
                prompt = Text("  ", no_wrap=True, overflow="ellipsis")
                prompt.append(before, style="dim")
                prompt.append(surface, style="bold reverse")
                prompt.append(after, style="dim")
                option_id = f"{doc_hits.doc_id}\x00{n}"
                self._options[option_id] = (doc_hits.doc_id, match)
                options.append(Option(prompt, id=option_id))
        hit_list.set_options(options)
        self.query_one("#corpus-summary", Static).update(self._summary())
        if self._options:
            hit_list.focus()
            hit_list.highlighted = 1

    @on(OptionList.OptionSelected, "#corpus-hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = self._options.get(event.option.id or "")
        if chosen is not None:
            doc_id, match = chosen
            self.dismiss(CorpusAction("open", doc_id=doc_id, match=match))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "label_all":
            number = parameters[0] if parameters else 0
            return bool(self._hits) and isinstance(number, int) and number <= len(self._labels)
        return True

    def action_label_all(self, number: int) -> None:
        if 1 <= number <= len(self._labels) and self._hits:
            self.dismiss(
                CorpusAction("label", hits=tuple(self._hits), label=self._labels[number - 1])
            )

    def action_toggle_tokens(self) -> None:
        self._whole_tokens = not self._whole_tokens
        if self._query:
            self._run()
        else:
            self.query_one("#corpus-summary", Static).update(self._summary())

    def action_focus_query(self) -> None:
        self.query_one("#corpus-query", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)

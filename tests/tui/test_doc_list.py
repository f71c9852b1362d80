"""The document list's entries: drawn exactly as their Rich text would be, as high as it is, and
built only when drawn (a store of thousands of documents opens without building them all)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import cast

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.css.styles import RulesMap
from textual.widgets.option_list import Option

from annotator.core.model import DOC_STATUSES, EXTRACTIONS, DocSummary
from annotator.core.store import Store
from annotator.tui.widgets.doc_list import PROMPT_LINES, DocList, SummaryPrompt, summary_prompt
from tests.tui.conftest import app_for


def widest(text: Text) -> int:
    return max(cell_len(line) for line in text.plain.split("\n"))


def summaries() -> list[DocSummary]:
    """Every status and extraction state, with and without flags, stale, long and Cyrillic ids."""
    found: list[DocSummary] = []
    combos = itertools.product(
        DOC_STATUSES,
        EXTRACTIONS,
        ((), ("check",), ("check", "typo", "long-flag-name")),
        (False, True),
        ("doc", "документ_с_очень_длинным_именем_файла_0123456789"),
        ((0, 0, 0), (12, 3, 1), (1234, 567, 89)),
    )
    for number, (status, extraction, flags, stale, stem, counts) in enumerate(combos):
        pending, accepted, rejected = counts
        found.append(
            DocSummary(
                id=f"{stem}-{number:04}",
                source=f"{stem}.txt",
                sha256="0" * 64,
                lang="ru",
                status=status,
                extractor="natasha-1.6.0",
                extraction=extraction,
                stale=stale,
                flags=list(flags),
                pending=pending,
                accepted=accepted,
                rejected=rejected,
            )
        )
    return found


async def test_an_entry_is_as_high_as_its_text_at_every_width(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)):
        rules = cast(RulesMap, app.screen.query_one(DocList).styles)
        for summary in summaries():
            text = summary_prompt(summary)
            assert text.plain.count("\n") == PROMPT_LINES - 1
            for width in (4, 12, 31, 80):
                measured = Content.from_rich_text(text).get_height(rules, width)
                assert SummaryPrompt(summary).get_height(rules, width) == measured
                if widest(text) <= width:
                    assert measured == PROMPT_LINES


async def test_the_list_draws_what_rich_text_entries_draw(seed_store: Store) -> None:
    """The same screen, to the character and colour, with the old entries (Rich texts)."""
    app = app_for(seed_store)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        doc_list = app.screen.query_one(DocList)
        chosen = summaries()[::9]
        doc_list.set_summaries(chosen)
        doc_list.highlighted = 3
        await pilot.pause()
        lazy = app.export_screenshot()
        doc_list.set_options(Option(summary_prompt(s), id=s.id) for s in chosen)
        doc_list.highlighted = 3
        await pilot.pause()
        assert app.export_screenshot() == lazy


async def test_only_entries_on_screen_are_built(seed_store: Store) -> None:
    app = app_for(seed_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        doc_list = app.screen.query_one(DocList)
        width = doc_list.scrollable_content_region.width
        fitting = [s for s in summaries() if widest(summary_prompt(s)) <= width]
        many = [replace(s, id=f"{s.id}-{k}") for k in range(20) for s in fitting]
        assert len(many) > 1000
        doc_list.set_summaries(many)
        await pilot.pause()
        assert doc_list.option_count == len(many)
        prompts = [option.prompt for option in doc_list.options]
        built = [p for p in prompts if isinstance(p, SummaryPrompt) and p._text is not None]
        # the list is at most 40 rows high: 20 entries, and none of the thousands below them
        # (an entry with a line too long for the list is measured, so built: none here)
        assert 0 < len(built) <= 40 // PROMPT_LINES
        assert all(isinstance(p, SummaryPrompt) for p in prompts)
        doc_list.highlighted = len(many) - 1  # the last entry scrolls into view and is built
        await pilot.pause()
        last = doc_list.get_option_at_index(len(many) - 1).prompt
        assert isinstance(last, SummaryPrompt) and last._text is not None
        assert isinstance(last.text, Text) and last.plain == summary_prompt(many[-1]).plain

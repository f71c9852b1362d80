"""Any label by name: ``e`` relabels the current span, ``e`` in select mode adds the selection,
each with a label picked from the full set (:mod:`label_picker`), for sets longer than the nine
digit keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.tui.screens.review_decide import DecideActions

if TYPE_CHECKING:
    from annotator.tui.screens.label_picker import LabelPickerScreen


def _picker(labels: list[str], prompt: str) -> LabelPickerScreen:
    """The picker screen (its module is loaded on first use, not at start-up)."""
    from annotator.tui.screens.label_picker import LabelPickerScreen

    return LabelPickerScreen(labels, prompt)


class LabelActions(DecideActions):
    """The label picker's two entry points."""

    def action_pick_label(self) -> None:
        span = self._span_or_hint()
        if span is None:
            return
        span_id = span.id

        def picked(label: str | None) -> None:
            # the picker is modal: the cursor cannot have moved, but check rather than guess
            current = self.view.current_span
            if label is None or current is None or current.id != span_id:
                return
            self._decide(
                f"label {label}", lambda d, s: self.store.relabel(d, s, label), advance=True
            )

        self.app.push_screen(_picker(self.labels, f"Label «{span.text}» ({span.label}) as"), picked)

    def action_select_pick_label(self) -> None:
        if self.selecting is None or self.doc is None:
            return
        start, stop = self.selecting.bounds(self._tokens)
        surface = self.doc.text[start:stop]

        def picked(label: str | None) -> None:
            if label is not None and self.selecting is not None:
                self._add_selection(label)

        self.app.push_screen(_picker(self.labels, f"Add «{surface}» as"), picked)

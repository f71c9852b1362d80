"""The model report card: what reviewers did with each of the model's labels."""

from __future__ import annotations

from annotator.core.model import Span
from annotator.core.reportcard import report_card
from tests.helpers import make_doc

TEXT = "Анна Каренина приехала в Москву из Петербурга."


def span(n: int, start: int, stop: int, label: str, **kw: object) -> Span:
    return Span.model_validate({"id": f"s{n}", "start": start, "stop": stop, "label": label,
                                "text": TEXT[start:stop], **kw})


def test_counts_by_the_models_original_label() -> None:
    nat = {"origin": "natasha-1.6.0"}
    doc = make_doc("k", TEXT, spans=[
        span(1, 0, 13, "PER", state="accepted", decision="accepted", **nat),
        # relabeled and re-bounded at once: counts in both columns, under PER
        span(2, 25, 31, "LOC", state="accepted", decision="relabeled", original_label="PER",
             original_start=25, original_stop=30, **nat),
        span(3, 35, 45, "LOC", state="rejected", decision="rejected", **nat),
        span(4, 0, 4, "PER", **nat),  # pending
        span(5, 35, 45, "GEO", state="accepted", decision="added"),  # missed by the model
        span(6, 14, 22, "ORG", state="rejected", decision="rejected"),  # manual, rejected
        span(7, 0, 13, "PER", state="accepted", decision="accepted", origin="import:rival"),
    ])
    card = report_card([doc], ["PER", "LOC", "ORG"]).as_dict()
    assert card["labels"]["PER"] == {"model": 4, "accepted": 2, "relabeled": 1,
                                     "relabeled_to": {"LOC": 1}, "adjusted": 1, "rejected": 0,
                                     "pending": 1, "missed": 0}
    assert card["labels"]["LOC"]["rejected"] == 1 and card["labels"]["LOC"]["model"] == 1
    assert card["labels"]["ORG"] == {"model": 0, "accepted": 0, "relabeled": 0,
                                     "relabeled_to": {}, "adjusted": 0, "rejected": 0,
                                     "pending": 0, "missed": 0}
    assert card["labels"]["GEO"]["missed"] == 1
    assert card["origins"]["import:rival"]["PER"]["accepted"] == 1
    assert card["origins"]["natasha-1.6.0"]["PER"]["model"] == 3

"""The review of the five seed documents: every decision, written down and checked.

This file is the audit record of the gold in ``annotations/``. For each seed it lists every span
natasha 1.6.0 proposed (offsets, label, surface) with the decision taken on it, the names natasha
missed, and, for each decision that is not a plain accept, the rule of docs/GUIDELINES.md behind it.

Seeds 002, 003 and 004 were reviewed by hand in the review app (``annotator seeds/ --user
reviewer``); 000 and 001 through the core API, by this script. Run on the project's store it

* applies the decisions to every document that is not ``reviewed`` yet (through ``Store.accept``,
  ``reject``, ``relabel``, ``adjust``, ``add_span``, ``set_status``, as user ``reviewer``),
  asserting ``text[start:stop]`` is the expected surface before every call, and
* checks every document against this record: the store's accepted spans, its rejected natasha
  spans and its status must be exactly what is written here (so the documents reviewed in the UI
  are audited by the same list).

Run on a fresh store it rebuilds the whole gold::

    rm -rf annotations && annotator extract seeds/ && python scripts/review_seeds.py

``--check`` only checks (opens the store read-only, never writes).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from annotator.core.model import MANUAL_ORIGIN, Document, Span
from annotator.core.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
STORE = ROOT / "annotations"
USER = "reviewer"
EXTRACTOR = "natasha-1.6.0"

Action = Literal["accept", "reject", "relabel", "adjust"]

# The rules of docs/GUIDELINES.md cited below.
FLAT = "rule 1 (flat, longest name)"
NAMES = "rule 2 (names, not descriptions)"
BOUNDS = "rule 3 (boundaries follow the words)"
ORG_COUNTRY = "ORG: with their country"
ORG_UNIT = "ORG: units named after their parent"
ORG_ACRONYM = "ORG: acronyms in brackets are a second span"
ORG_AGENCY = "ORG: agencies named Interpol, Europol, ... in every case form"
ORG_SOURCE = "ORG: news agencies and sources"
ORG_EVENT = "ORG: events, meetings, documents are not ORG"
PER_FULL = "PER: the full name as written"
PER_JOB = "PER: a bare job word is never PER"
HARD = "Hard cases table"


@dataclass(frozen=True)
class Natasha:
    """One span natasha proposed, and what the review made of it."""

    start: int
    stop: int
    label: str
    surface: str
    action: Action = "accept"
    why: str = ""
    new_start: int | None = None
    new_stop: int | None = None
    new_surface: str | None = None
    new_label: str | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.stop, self.label)

    @property
    def outcome(self) -> tuple[int, int, str] | None:
        """The gold span this decision leaves, or None when rejected."""
        if self.action == "reject":
            return None
        start = self.new_start if self.new_start is not None else self.start
        stop = self.new_stop if self.new_stop is not None else self.stop
        return (start, stop, self.new_label or self.label)


@dataclass(frozen=True)
class Added:
    """A name natasha missed, added by hand."""

    start: int
    stop: int
    label: str
    surface: str
    why: str

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.stop, self.label)


def ok(start: int, stop: int, label: str, surface: str) -> Natasha:
    """natasha is right: accept."""
    return Natasha(start, stop, label, surface)


def no(start: int, stop: int, label: str, surface: str, why: str) -> Natasha:
    """Not an entity (or swallowed by a merged span): reject."""
    return Natasha(start, stop, label, surface, "reject", why)


def relabel(start: int, stop: int, label: str, surface: str, new_label: str, why: str) -> Natasha:
    """Right bounds, wrong label."""
    return Natasha(start, stop, label, surface, "relabel", why, new_label=new_label)


def bound(
    start: int,
    stop: int,
    label: str,
    surface: str,
    new: tuple[int, int, str],
    why: str,
    *,
    new_label: str | None = None,
) -> Natasha:
    """Re-bound to ``new`` = (start, stop, surface), optionally with another label."""
    return Natasha(
        start, stop, label, surface, "adjust", why, new[0], new[1], new[2], new_label=new_label
    )


def merged(start: int, stop: int, label: str, surface: str, into: str) -> Natasha:
    """A piece of a name natasha split: the other piece was re-bounded over it, reject this one."""
    return no(start, stop, label, surface, f"merged into {into!r} ({FLAT})")


@dataclass(frozen=True)
class Review:
    doc_id: str
    via: Literal["ui", "api"]
    natasha: Sequence[Natasha]
    added: Sequence[Added] = ()


REVIEWS: tuple[Review, ...] = (
    Review(
        "000_47d0eeae892115b2",
        "api",
        [
            ok(17, 26, "PER", "Бастрыкин"),  # in the leading date/title line: annotated too
            ok(63, 72, "ORG", "Интерпола"),
            ok(75, 84, "LOC", "Марракеше"),
            bound(92, 94, "ORG", "СК", (92, 101, "СК России"), f"{ORG_COUNTRY}; {HARD}"),
            merged(95, 101, "LOC", "России", "СК России"),
            ok(232, 238, "LOC", "МОСКВА"),
            bound(252, 257, "ORG", "ТАСС/", (252, 256, "ТАСС"), f"{BOUNDS}; {HARD}"),
            bound(
                272,
                294,
                "ORG",
                "Следственного комитета",
                (272, 301, "Следственного комитета России"),
                ORG_COUNTRY,
            ),
            merged(295, 301, "LOC", "России", "Следственного комитета России"),
            ok(302, 321, "PER", "Александр Бастрыкин"),
            bound(
                362,
                416,
                "ORG",
                "Международной организации уголовной полиции (Интерпол)",
                (362, 405, "Международной организации уголовной полиции"),
                f"{ORG_ACRONYM}; {HARD}",
            ),
            ok(417, 433, "PER", "Вальдеси Уркизой"),
            bound(
                449,
                470,
                "ORG",
                "Генеральной ассамблеи",
                (449, 480, "Генеральной ассамблеи Интерпола"),
                ORG_UNIT,
            ),
            merged(471, 480, "ORG", "Интерпола", "Генеральной ассамблеи Интерпола"),
            ok(483, 492, "LOC", "Марракеше"),
            # "в пресс-службе СК РФ": the lower-case department word stays outside (rule 2)
            bound(526, 528, "ORG", "СК", (526, 531, "СК РФ"), ORG_COUNTRY),
            merged(529, 531, "LOC", "РФ", "СК РФ"),
            bound(
                548,
                570,
                "ORG",
                "Следственного комитета",
                (548, 591, "Следственного комитета Российской Федерации"),
                ORG_COUNTRY,
            ),
            merged(571, 591, "LOC", "Российской Федерации", "Следственного комитета ..."),
            ok(592, 620, "PER", "Александр Иванович Бастрыкин"),
            bound(
                644,
                675,
                "ORG",
                "Национального центрального бюро",
                (644, 696, "Национального центрального бюро Интерпола МВД России"),
                f"{ORG_UNIT}; {ORG_COUNTRY}",
            ),
            merged(676, 685, "ORG", "Интерпола", "Национального центрального бюро ..."),
            merged(686, 689, "ORG", "МВД", "Национального центрального бюро ..."),
            merged(690, 696, "LOC", "России", "Национального центрального бюро ..."),
            bound(
                697,
                717,
                "PER",
                "Валерия Анатольевича",
                (697, 726, "Валерия Анатольевича Калачева"),
                f"{PER_FULL}; {HARD}",
            ),
            merged(718, 726, "PER", "Калачева", "Валерия Анатольевича Калачева"),
            bound(
                755,
                776,
                "ORG",
                "Генеральной ассамблеи",
                (755, 786, "Генеральной ассамблеи Интерпола"),
                ORG_UNIT,
            ),
            merged(777, 786, "ORG", "Интерпола", "Генеральной ассамблеи Интерпола"),
            ok(796, 805, "LOC", "Марракеше"),
            ok(839, 848, "ORG", "Интерпола"),
            ok(849, 865, "PER", "Вальдеси Уркизой"),
            ok(909, 918, "PER", "Бастрыкин"),
            ok(963, 972, "ORG", "Интерпола"),
            ok(1291, 1293, "ORG", "СК"),  # "главы СК": bare СК is ORG
            ok(1314, 1323, "PER", "Бастрыкин"),
            ok(1354, 1363, "ORG", "Интерпола"),
            ok(1575, 1595, "ORG", "Следственный комитет"),  # the body's name (Hard cases)
            ok(1663, 1673, "ORG", "Интерполом"),
            bound(1726, 1728, "ORG", "СК", (1726, 1735, "СК России"), ORG_COUNTRY),
            merged(1729, 1735, "LOC", "России", "СК России"),
        ],
        [Added(407, 415, "ORG", "Интерпол", f"{ORG_ACRONYM} (brackets outside)")],
    ),
    Review(
        "001_edd16a1dfa848253",
        "api",
        [
            ok(25, 30, "LOC", "Лионе"),  # "г.Лионе": the abbreviation г. stays outside
            ok(32, 39, "LOC", "Франция"),  # a country in brackets after a city
            bound(
                66, 83, "ORG", "Диалога Интерпола", (74, 83, "Интерпола"), f"{ORG_EVENT}; {HARD}"
            ),
            bound(215, 227, "ORG", "Секретариата", (215, 231, "Секретариата ШОС"), ORG_UNIT),
            merged(228, 231, "ORG", "ШОС", "Секретариата ШОС"),
            ok(233, 245, "PER", "Ананд Пракаш"),
            ok(248, 264, "PER", "Евгения Казакова"),
            ok(267, 278, "ORG", "ИК РАТС ШОС"),
            ok(313, 329, "PER", "А.Б.Турдиматовым"),
            bound(331, 334, "ORG", "УНП", (331, 338, "УНП ООН"), ORG_UNIT),
            merged(335, 338, "ORG", "ООН", "УНП ООН"),
            ok(340, 391, "ORG", "Совета министров внутренних дел арабских государств"),
            ok(393, 402, "ORG", "АМЕРИПОЛа"),
            ok(426, 434, "ORG", "ЕВРОПОЛа"),
            bound(
                436,
                487,
                "ORG",
                "Полиции Совета сотрудничества стран Залива (GCCPOL)",
                (436, 478, "Полиции Совета сотрудничества стран Залива"),
                ORG_ACRONYM,
            ),
            bound(
                489,
                552,
                "ORG",
                "Европейского агентства пограничной и\xa0береговой охраны (Frontex)",
                (489, 542, "Европейского агентства пограничной и\xa0береговой охраны"),
                ORG_ACRONYM,
            ),
            bound(563, 575, "ORG", "Секретариата", (563, 579, "Секретариата ШОС"), ORG_UNIT),
            merged(576, 579, "ORG", "ШОС", "Секретариата ШОС"),
            ok(580, 588, "PER", "А.Пракаш"),
            ok(663, 666, "ORG", "ШОС"),  # "Генерального секретаря ШОС": the title stays outside
            ok(667, 683, "PER", "Владимира Норова"),
            ok(723, 726, "ORG", "ШОС"),
            ok(834, 839, "LOC", "Индии"),
            ok(842, 851, "LOC", "Пакистана"),
            ok(917, 920, "ORG", "ШОС"),
            ok(1633, 1636, "ORG", "ШОС"),
            ok(1857, 1860, "ORG", "ШОС"),
            ok(2055, 2063, "PER", "В.Норова"),
            bound(2141, 2154, "ORG", "Секретариатом", (2141, 2158, "Секретариатом ШОС"), ORG_UNIT),
            merged(2155, 2158, "ORG", "ШОС", "Секретариатом ШОС"),
            ok(2161, 2171, "ORG", "Интерполом"),
            ok(2200, 2203, "ORG", "ШОС"),  # "В рамках Диалога делегация ШОС": Диалога is an event
            ok(2238, 2247, "ORG", "Интерпола"),
            ok(2250, 2259, "ORG", "АСЕАНАПОЛ"),
        ],
        [
            Added(404, 414, "ORG", "АСЕАНАПОЛа", ORG_AGENCY),
            Added(416, 424, "ORG", "АФРИПОЛа", ORG_AGENCY),
            Added(480, 486, "ORG", "GCCPOL", ORG_ACRONYM),
            Added(544, 551, "ORG", "Frontex", ORG_ACRONYM),
        ],
    ),
    Review(
        "002_268afaa1d5e91440",
        "ui",
        [
            ok(10, 19, "LOC", "Сингапуре"),
            ok(74, 94, "LOC", "Российской Федерации"),  # a country after a job word (Hard cases)
            ok(95, 106, "PER", "Игорь Зубов"),
            bound(132, 135, "ORG", "МВД", (132, 142, "МВД России"), ORG_COUNTRY),
            merged(136, 142, "LOC", "России", "МВД России"),
            bound(
                194,
                215,
                "ORG",
                "Международного центра",
                (194, 239, "Международного центра Интерпола по инновациям"),
                f"{ORG_UNIT}; {HARD}",
            ),
            merged(216, 225, "ORG", "Интерпола", "Международного центра Интерпола по инновациям"),
            ok(293, 302, "ORG", "Интерпола"),  # "Генеральный секретарь Интерпола": a job title
            ok(303, 310, "PER", "Ю. Шток"),
            ok(322, 331, "ORG", "Интерпола"),
            ok(332, 347, "PER", "М. Баллестраззи"),
            bound(
                362,
                380,
                "ORG",
                "Центра Н. Накатани",
                (369, 380, "Н. Накатани"),
                f"{NAMES}: 'Центра' is anaphoric; {HARD}",
                new_label="PER",
            ),
            ok(471, 480, "ORG", "Интерпола"),
            ok(482, 493, "PER", "Игорь Зубов"),
            bound(
                568,
                589,
                "ORG",
                "Международного центра",
                (568, 613, "Международного центра Интерпола по инновациям"),
                f"{ORG_UNIT}; {HARD}",
            ),
            merged(590, 599, "ORG", "Интерпола", "Международного центра Интерпола по инновациям"),
            bound(712, 715, "ORG", "МВД", (712, 722, "МВД России"), ORG_COUNTRY),
            merged(716, 722, "LOC", "России", "МВД России"),
            no(917, 925, "PER", "Министра", f"{PER_JOB}; {HARD}"),
            no(946, 952, "ORG", "Центра", f"{NAMES}: anaphoric"),
            no(1001, 1021, "ORG", "Организации наряду с", f"{NAMES}: anaphoric; {HARD}"),
            ok(1039, 1044, "LOC", "Лионе"),
            ok(1046, 1053, "LOC", "Франция"),
            bound(
                1081,
                1090,
                "ORG",
                "Интерпола",
                (1055, 1090, "Генеральным секретариатом Интерпола"),
                f"{ORG_UNIT}; {HARD}",
            ),
            ok(1401, 1410, "ORG", "Интерпола"),
            ok(1795, 1804, "ORG", "Интерпола"),
        ],
    ),
    Review(
        "003_a88db5e05d3015ab",
        "ui",
        [],  # English: natasha does not apply; annotated by hand (The English document)
        [
            Added(
                62,
                128,
                "ORG",
                "General Assembly of the International Criminal Police Organization",
                f"{ORG_UNIT}; {HARD}",
            ),
            Added(131, 139, "ORG", "Interpol", f"{HARD}: the dash introduces the short name"),
            Added(152, 160, "LOC", "Istanbul", "LOC"),
            Added(162, 180, "LOC", "Republic of Turkey", "LOC: official long forms"),
            Added(293, 311, "LOC", "Russian Federation", "LOC: countries ('The' outside)"),
            Added(434, 452, "LOC", "Russian Federation", "LOC: a country after a job word"),
            Added(453, 463, "PER", "Igor Zubov", "PER"),
            Added(484, 504, "PER", "Recep Tayyip Erdogan", "PER: titles stay outside"),
            Added(611, 636, "ORG", "Interpol General Assembly", ORG_UNIT),
            Added(640, 648, "LOC", "Istanbul", "LOC"),
            Added(820, 828, "ORG", "Interpol", ORG_AGENCY),
            Added(848, 856, "ORG", "Interpol", ORG_AGENCY),
            Added(867, 881, "PER", "Kim Jong-young", "PER: titles stay outside"),
            Added(893, 901, "ORG", "Interpol", ORG_AGENCY),
            Added(1449, 1457, "ORG", "Interpol", ORG_AGENCY),
            Added(1953, 1956, "LOC", "UAE", "LOC: countries"),
            Added(1958, 1963, "LOC", "India", "LOC: countries"),
            Added(1965, 1971, "LOC", "Serbia", "LOC: countries"),
            Added(1973, 1980, "LOC", "Vietnam", "LOC: countries"),
            Added(1982, 1987, "LOC", "Chile", "LOC: countries"),
            Added(1989, 1996, "LOC", "Belarus", "LOC: countries"),
            Added(1998, 2003, "LOC", "China", "LOC: countries"),
            Added(2005, 2014, "LOC", "Argentina", "LOC: countries"),
            Added(2016, 2026, "LOC", "Uzbekistan", "LOC: countries"),
            Added(2028, 2039, "LOC", "South Korea", "LOC: countries"),
            Added(2307, 2328, "PER", "Ahmed Nasser Al Raisi", "PER"),
            Added(2355, 2387, "ORG", "UAE Ministry of Internal Affairs", f"{ORG_COUNTRY}; {HARD}"),
            Added(2418, 2426, "ORG", "Interpol", f"{ORG_AGENCY} ('the' outside)"),
            Added(2446, 2476, "LOC", "Federated States of Micronesia", "LOC: official long forms"),
            Added(2494, 2502, "ORG", "Interpol", ORG_AGENCY),
            Added(2664, 2672, "ORG", "Interpol", ORG_AGENCY),
            Added(2778, 2803, "ORG", "Interpol General Assembly", ORG_UNIT),
            Added(2834, 2851, "LOC", "Republic of India", "LOC: official long forms"),
            Added(2861, 2869, "ORG", "Interpol", f"{ORG_SOURCE}: 'Photo: Interpol Twitter'"),
        ],
    ),
    Review(
        "004_4e9f15d0b7126271",
        "ui",
        [
            ok(35, 40, "LOC", "Пекин"),
            ok(55, 71, "ORG", "KAZAKHSTAN TODAY"),
            ok(101, 112, "LOC", "Ляньюньгане"),
            ok(114, 117, "LOC", "КНР"),
            ok(142, 162, "LOC", "Республики Казахстан"),  # a country after a job word
            ok(163, 176, "PER", "Ержан Саденов"),
            ok(286, 296, "ORG", "Polisia.kz"),
            ok(583, 596, "PER", "Ержан Саденов"),
            ok(613, 622, "LOC", "Казахстан"),  # countries are LOC, also as an actor
            ok(1092, 1095, "ORG", "ООН"),  # "Конвенции ООН по киберпреступности": only ООН
            ok(1215, 1218, "ORG", "ООН"),
            ok(1220, 1223, "ORG", "ШОС"),
            ok(1225, 1228, "ORG", "СНГ"),
            ok(1230, 1261, "ORG", "Организации тюркских государств"),
            ok(1602, 1612, "LOC", "Казахстана"),
            ok(1638, 1647, "ORG", "Интерпола"),
            ok(1648, 1655, "PER", "Уркизой"),
            ok(1694, 1699, "LOC", "Китая"),
            ok(1716, 1722, "LOC", "Грузии"),
            ok(1725, 1733, "LOC", "Монголии"),
            bound(
                1749,
                1771,
                "ORG",
                "Следственного комитета",
                (1749, 1780, "Следственного комитета Беларуси"),
                f"{ORG_COUNTRY}; {HARD}",
            ),
            merged(1772, 1780, "LOC", "Беларуси", "Следственного комитета Беларуси"),
            ok(1805, 1811, "ORG", "Huawei"),
            ok(2178, 2181, "ORG", "МВД"),
        ],
        [Added(23, 33, "ORG", "Polisia.kz", f"{ORG_SOURCE}: 'Фото: Polisia.kz' in the title line")],
    ),
)


class ReviewError(AssertionError):
    """The store disagrees with this record."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ReviewError(message)


def _seed_text(doc_id: str) -> str:
    with open(SEEDS / f"{doc_id}.txt", encoding="utf-8", newline="") as handle:
        return handle.read()


def _surface(doc: Document, start: int, stop: int, expected: str) -> None:
    """Assert ``doc.text[start:stop] == expected`` (done before every call)."""
    found = doc.text[start:stop]
    _check(
        found == expected,
        f"{doc.id}: expected {expected!r} at {start}..{stop}, the text there is {found!r}",
    )


def _original(span: Span) -> tuple[int, int, str]:
    """A model span's key as the model proposed it (before any re-bound or relabel)."""
    return (
        span.original_start if span.original_start is not None else span.start,
        span.original_stop if span.original_stop is not None else span.stop,
        span.original_label if span.original_label is not None else span.label,
    )


def _natasha_spans(doc: Document) -> dict[tuple[int, int, str], Span]:
    spans = {_original(s): s for s in doc.spans if s.origin == EXTRACTOR}
    _check(
        len(spans) == sum(1 for s in doc.spans if s.origin == EXTRACTOR),
        f"{doc.id}: two natasha spans share one original range and label",
    )
    return spans


def _check_document(doc: Document, review: Review) -> None:
    """The stored document holds exactly the decisions of ``review`` and is reviewed."""
    text = _seed_text(review.doc_id)
    _check(doc.text == text, f"{doc.id}: stored text differs from seeds/{doc.id}.txt")
    _check(
        doc.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest(),
        f"{doc.id}: stored sha256 differs from the seed file's",
    )
    natasha = _natasha_spans(doc)
    _check(
        set(natasha) == {d.key for d in review.natasha},
        f"{doc.id}: natasha spans in the store {sorted(natasha)} differ from this record",
    )
    for decision in review.natasha:
        span = natasha[decision.key]
        _surface(doc, decision.start, decision.stop, decision.surface)
        outcome = decision.outcome
        if outcome is None:
            _check(span.state == "rejected", f"{doc.id}: {decision.surface!r} is not rejected")
        else:
            _check(span.state == "accepted", f"{doc.id}: {decision.surface!r} is not accepted")
            _check(
                span.key() == outcome,
                f"{doc.id}: {decision.surface!r} is {span.key()} in the store, not {outcome}",
            )
            if decision.new_surface is not None:
                _surface(doc, outcome[0], outcome[1], decision.new_surface)
        _check(span.annotator == USER, f"{doc.id}: {decision.surface!r} by {span.annotator}")
    manual = [s for s in doc.spans if s.origin == MANUAL_ORIGIN and s.state != "rejected"]
    _check(
        sorted(s.key() for s in manual) == sorted(a.key for a in review.added),
        f"{doc.id}: added spans {sorted(s.key() for s in manual)} differ from this record",
    )
    for added in review.added:
        _surface(doc, added.start, added.stop, added.surface)
    others = [s for s in doc.spans if s.origin not in (EXTRACTOR, MANUAL_ORIGIN)]
    _check(not others, f"{doc.id}: unexpected spans from {sorted({s.origin for s in others})}")
    gold = sorted(s.key() for s in doc.spans if s.state == "accepted")
    for (a_start, a_stop, _), (b_start, b_stop, _) in zip(gold, gold[1:], strict=False):
        _check(a_stop <= b_start, f"{doc.id}: accepted spans overlap at {a_start}..{b_stop}")
    _check(doc.status == "reviewed", f"{doc.id} is {doc.status}, not reviewed")


def _apply(store: Store, review: Review) -> None:
    """Make the decisions of ``review`` on a document that is not reviewed yet."""
    doc_id = review.doc_id
    doc = store.get(doc_id)
    _check(doc.text == _seed_text(doc_id), f"{doc_id}: stored text differs from the seed")
    natasha = _natasha_spans(doc)
    _check(
        set(natasha) == {d.key for d in review.natasha},
        f"{doc_id}: natasha spans in the store {sorted(natasha)} differ from this record",
    )
    for decision in review.natasha:
        span = natasha[decision.key]
        if span.state != "pending":
            continue  # decided before (an earlier, interrupted run): checked at the end
        doc = store.get(doc_id)
        _surface(doc, span.start, span.stop, decision.surface)
        if decision.action == "accept":
            store.accept(doc_id, span.id)
        elif decision.action == "reject":
            store.reject(doc_id, span.id)
        elif decision.action == "relabel":
            assert decision.new_label is not None
            store.relabel(doc_id, span.id, decision.new_label)
        else:
            assert decision.new_start is not None and decision.new_stop is not None
            assert decision.new_surface is not None
            _surface(doc, decision.new_start, decision.new_stop, decision.new_surface)
            store.adjust(doc_id, span.id, decision.new_start, decision.new_stop)
            if decision.new_label is not None:
                store.relabel(doc_id, span.id, decision.new_label)
    for added in review.added:
        doc = store.get(doc_id)
        if any(s.key() == added.key and s.state == "accepted" for s in doc.spans):
            continue
        _surface(doc, added.start, added.stop, added.surface)
        store.add_span(doc_id, added.start, added.stop, added.label)
    store.set_status(doc_id, "reviewed")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--store", type=Path, default=STORE, help="the store (./annotations/)")
    parser.add_argument("--check", action="store_true", help="only check, never write")
    args = parser.parse_args(argv)

    store = Store.open(args.store, user=USER, readonly=args.check, create=False)
    try:
        _check(
            set(store.ids()) == {r.doc_id for r in REVIEWS},
            f"the store holds {store.ids()}, not the five seeds",
        )
        for review in REVIEWS:
            if not args.check and store.get(review.doc_id).status != "reviewed":
                _apply(store, review)
                print(f"{review.doc_id}: decisions applied through the API")
        for review in REVIEWS:
            _check_document(store.get(review.doc_id), review)
            added = len(review.added)
            rejected = sum(1 for d in review.natasha if d.action == "reject")
            changed = sum(1 for d in review.natasha if d.action in ("adjust", "relabel"))
            print(
                f"{review.doc_id}: ok ({review.via}; {len(review.natasha)} natasha spans: "
                f"{len(review.natasha) - rejected - changed} accepted, {changed} changed, "
                f"{rejected} rejected; {added} added)"
            )
    except ReviewError as err:
        print(f"review_seeds: {err}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the review app is started with: the store and everything decided before it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.core.settings import Settings
from annotator.core.store import Store

if TYPE_CHECKING:
    from annotator.core.extract import Extractor

ExtractorFactory = Callable[[], "Extractor"]


def natasha() -> Extractor:
    """The default extractor; importing it does not import natasha (its models load lazily)."""
    from annotator.core.extract import NatashaExtractor

    return NatashaExtractor()


@dataclass
class ReviewContext:
    """The app's inputs. ``banner`` is shown on top (e.g. why the store is read-only);
    ``notices`` are shown once as notifications (e.g. files that could not be loaded)."""

    store: Store
    settings: Settings = field(default_factory=Settings.model_construct)
    banner: str | None = None
    notices: list[str] = field(default_factory=list)
    extractor_factory: ExtractorFactory | None = natasha

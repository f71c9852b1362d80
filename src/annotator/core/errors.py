"""Typed domain errors.

Every error a user can cause is an :class:`AnnotatorError` whose ``str()`` is one clear sentence.
``cli.py`` prints it to stderr and exits with ``exit_code``; the TUI shows it with ``notify``.
"""

from __future__ import annotations


class AnnotatorError(Exception):
    """Base class: a problem the user can understand and act on."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(AnnotatorError):
    """Bad arguments: a missing path, an unknown format, a bad option value."""

    exit_code = 2


class CorpusError(AnnotatorError):
    """A document file that cannot be read as text (not UTF-8, not a file, ...)."""


class SpanError(AnnotatorError):
    """A span that does not fit its document (range, order, surface text)."""


class StoreError(AnnotatorError):
    """The annotation store cannot be used as asked."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""

    exit_code = 3


class StoreCorruptError(StoreError):
    """A store file is unreadable; it is kept untouched."""

    exit_code = 4


class StoreVersionError(StoreError):
    """The store was written by a newer version of annotator."""

    exit_code = 5


class FormatError(AnnotatorError):
    """An import or prediction file that is not in the format it claims."""


class ConfigError(AnnotatorError):
    """A bad user config file (e.g. a keymap naming an unknown binding)."""


class ExtractionError(AnnotatorError):
    """The extractor could not run (model missing, worker crashed)."""

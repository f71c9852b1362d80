"""User settings: ``config.toml`` in the user's config folder (no Textual here).

The folder is ``$ANNOTATOR_CONFIG_DIR`` when set, else the platform's config folder for
``annotator`` (platformdirs: ``~/.config/annotator`` on Linux). The file is optional::

    sidebar = true              # show the document list at start

    [keymap]                    # binding id -> key(s), comma-separated or a list
    "review.accept" = "y"
    "review.reject" = ["x", "delete"]

Binding ids are listed by the help screen (``?``) of the review app. Environment variables with
the ``ANNOTATOR_`` prefix override the file (``ANNOTATOR_SIDEBAR=false``). Any problem with the
file is a :class:`ConfigError` whose message is one sentence naming the file.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from annotator.core.errors import ConfigError

CONFIG_DIR_ENV = "ANNOTATOR_CONFIG_DIR"
CONFIG_FILE = "config.toml"
ENV_PREFIX = "ANNOTATOR_"

_BINDING_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z0-9_]+")
_KEY = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[^\s,+]+|\+)")


def config_dir() -> Path:
    """Where the user's config lives: ``$ANNOTATOR_CONFIG_DIR``, else the platform's folder."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("annotator", appauthor=False))


def config_path() -> Path:
    """The config file (it need not exist)."""
    return config_dir() / CONFIG_FILE


class Settings(BaseModel):
    """What a user may configure. Defaults apply when the file is missing.

    :func:`load_settings` reads the file and the environment with pydantic-settings, which it
    imports only when there is something to read (a file, or an ``ANNOTATOR_`` variable naming
    a setting): start-up without a config does not pay for it.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    sidebar: bool = True
    """Show the document list when the review app starts (``t`` toggles it)."""

    keymap: dict[str, str] = {}
    """Binding id -> comma-separated keys, passed to Textual's ``App.set_keymap``."""

    @field_validator("keymap", mode="before")
    @classmethod
    def _keys_as_strings(cls, value: Any) -> Any:
        """Accept ``"a,b"`` or ``["a", "b"]`` for each binding; store the comma form."""
        if not isinstance(value, Mapping):
            return value
        out: dict[Any, Any] = {}
        for binding_id, keys in value.items():
            if isinstance(keys, list | tuple) and all(isinstance(k, str) for k in keys):
                out[binding_id] = ",".join(k.strip() for k in keys)
            else:
                out[binding_id] = keys
        return out

    @field_validator("keymap")
    @classmethod
    def _check_keymap(cls, value: dict[str, str]) -> dict[str, str]:
        for binding_id, keys in value.items():
            if not _BINDING_ID.fullmatch(binding_id):
                raise ValueError(
                    f"{binding_id!r} is not a binding id (ids look like 'review.accept')"
                )
            parts = [part.strip() for part in keys.split(",")]
            if not keys.strip() or not all(_KEY.fullmatch(part) for part in parts):
                raise ValueError(
                    f"{binding_id!r} = {keys!r} is not a key list (write e.g. 'a' or 'a,ctrl+y')"
                )
        return {binding_id: keys.replace(" ", "") for binding_id, keys in value.items()}


@functools.cache
def _settings_reader() -> type[Settings]:
    """:class:`Settings` as pydantic-settings reads it: arguments, then the environment, then
    the config file (built on first use: importing pydantic-settings takes ~10 ms)."""
    from pydantic_settings import (
        BaseSettings,
        PydanticBaseSettingsSource,
        SettingsConfigDict,
        TomlConfigSettingsSource,
    )

    class SettingsReader(BaseSettings, Settings):
        model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (
                init_settings,
                env_settings,
                TomlConfigSettingsSource(settings_cls, toml_file=config_path()),
            )

    return SettingsReader


def _anything_to_read(path: Path) -> bool:
    """Whether the config file exists or an environment variable names a setting (the
    variables pydantic-settings would read: ``ANNOTATOR_<field>``, in any case)."""
    try:
        if path.is_file():
            return True
    except OSError:
        return True  # the reader reports it as one sentence
    names = {f"{ENV_PREFIX}{name}".lower() for name in Settings.model_fields}
    return any(key.lower() in names for key in os.environ)


def load_settings() -> Settings:
    """Read the settings (file, then environment); a bad file is one ConfigError sentence."""
    path = config_path()
    if not _anything_to_read(path):
        return Settings.model_construct()  # the defaults, as the reader would give them
    import tomllib  # what the reader parses the file with

    try:
        return _settings_reader()()
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML ({err}).") from None
    except OSError as err:
        raise ConfigError(f"{path} could not be read ({err.strerror or err}).") from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ConfigError(f"{path}: {where!r} is not a setting annotator knows.") from None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{path}: {where}: {message}.") from None


def check_keymap_ids(keymap: Mapping[str, str], known: Collection[str]) -> None:
    """Raise ConfigError if ``keymap`` names a binding id that is not in ``known``."""
    for binding_id in keymap:
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f"; did you mean {close[0]!r}" if close else ""
            raise ConfigError(
                f"{config_path()}: [keymap] names an unknown binding {binding_id!r}{hint} "
                "(the help screen, ?, lists every binding id)."
            )

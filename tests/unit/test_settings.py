"""User settings: the config file, the environment, and one-sentence errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import ConfigError
from annotator.core.settings import (
    Settings,
    check_keymap_ids,
    config_dir,
    config_path,
    load_settings,
)


def write_config(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATOR_CONFIG_DIR", str(tmp_path / "cfg"))
    assert config_path() == tmp_path / "cfg" / "config.toml"
    monkeypatch.delenv("ANNOTATOR_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "annotator"


def test_defaults_without_a_file() -> None:
    assert not config_path().exists()
    settings = load_settings()
    assert settings.sidebar is True
    assert settings.keymap == {}


def test_keymap_from_the_file_accepts_strings_and_lists() -> None:
    write_config(
        'sidebar = false\n[keymap]\n"review.accept" = "y"\n"review.reject" = ["x", "ctrl+x"]\n'
    )
    settings = load_settings()
    assert settings.sidebar is False
    assert settings.keymap == {"review.accept": "y", "review.reject": "x,ctrl+x"}


def test_the_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config("sidebar = true\n")
    monkeypatch.setenv("ANNOTATOR_SIDEBAR", "false")
    assert load_settings().sidebar is False


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[keymap\n", "is not valid TOML"),
        ("colour = 'red'\n", "'colour' is not a setting annotator knows"),
        ('[keymap]\n"review.accept" = ""\n', "is not a key list"),
        ('[keymap]\n"review.accept" = "a b"\n', "is not a key list"),
        ('[keymap]\n"review.accept" = "ctrl+"\n', "is not a key list"),
        ('[keymap]\naccept = "a"\n', "is not a binding id"),
        ('[keymap]\n"review.accept" = 3\n', "keymap.review.accept"),
        ("sidebar = 'maybe'\n", "sidebar"),
    ],
)
def test_a_bad_file_is_one_sentence(text: str, fragment: str) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert fragment in message
    assert message.startswith(str(path))
    assert "\n" not in message and message.endswith(".")


def test_unknown_binding_ids_are_named_with_a_suggestion() -> None:
    check_keymap_ids({"review.accept": "y"}, {"review.accept", "review.reject"})
    with pytest.raises(ConfigError, match="unknown binding 'review.acept'; did you mean"):
        check_keymap_ids({"review.acept": "y"}, {"review.accept", "review.reject"})


def test_settings_do_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, annotator.core.settings; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_model_construct_gives_defaults_without_reading_files() -> None:
    write_config("[keymap\n")  # would fail to parse
    assert Settings.model_construct().keymap == {}

"""Who is annotating: the login name unless ``--user`` says otherwise."""

from __future__ import annotations

import getpass
import os


def default_user() -> str:
    """The login name, falling back to ``$USER`` and then ``annotator``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = os.environ.get("USER", "")
    return name.strip() or "annotator"

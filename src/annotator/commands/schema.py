"""``annotator schema``: print the JSON Schema of the gold format shipped with the package."""

from __future__ import annotations

import sys


def run_schema() -> int:
    from annotator.core.formats.gold import shipped_schema_text

    sys.stdout.write(shipped_schema_text())
    sys.stdout.flush()
    return 0

"""JSON lines: one alert document per line, UTF-8, no pretty-printing."""

from __future__ import annotations

import json
from typing import Any


def render_line(doc: dict[str, Any]) -> str:
    """One line, newline excluded. JSON escaping keeps newlines in paths inside the string."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def encode_line(doc: dict[str, Any]) -> bytes:
    # backslashreplace is a last resort: it turns a stray lone surrogate into a JSON escape.
    return (render_line(doc) + "\n").encode("utf-8", "backslashreplace")

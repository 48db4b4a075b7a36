"""LEEF 2.0 (IBM QRadar) from an ECS document.

`LEEF:2.0|Vendor|Product|Version|EventID|^|key=value^key=value...` on one line.
LEEF has no escaping at all (IBM's LEEF guide: keep tab, pipe and the delimiter out of keys and
values), so every character that could end a field or the event -- the delimiter, `|`, CR, LF
and other control characters -- becomes U+FFFD. Keys are fixed ASCII words chosen here.
Times: `devTime` in epoch milliseconds, which QRadar reads without a `devTimeFormat`.
"""

from __future__ import annotations

import re
from typing import Any

import agent
from agent.outputs.fields import CEF_SEVERITY, epoch_ms, get, severity_name, text

VENDOR = "webshell-agent"
PRODUCT = "webshell-agent"
DEFAULT_DELIMITER = "^"
REPLACEMENT = "\ufffd"
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"
MAX_VALUE = 4000


def check_delimiter(delimiter: str) -> str:
    """Tab, or one printable, non-alphanumeric ASCII character other than `=`, `|` and `\\`."""
    if delimiter == "\t":
        return delimiter
    if len(delimiter) != 1 or not (0x21 <= ord(delimiter) < 0x7F):
        raise ValueError("the LEEF delimiter must be one printable ASCII character")
    if delimiter.isalnum() or delimiter in "=|\\":
        raise ValueError(f"{delimiter!r} cannot be the LEEF delimiter")
    return delimiter


def _sanitizer(extra: str) -> re.Pattern[str]:
    return re.compile(_UNSAFE[:-1] + re.escape(extra) + "]")


def clean_value(value: str, delimiter: str = DEFAULT_DELIMITER) -> str:
    value = _sanitizer(delimiter + "|").sub(REPLACEMENT, value)
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "\u2026"


def clean_header(value: str) -> str:
    return _sanitizer("|^").sub(REPLACEMENT, value)[:255]


def attributes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """LEEF attributes as (key, raw value); predefined keys where IBM has one, else custom."""
    tags = sorted({t for m in get(doc, "webshell.matches", []) or [] for t in m.get("tags", [])})
    pairs: list[tuple[str, Any]] = [
        ("devTime", epoch_ms(doc.get("@timestamp"))),
        ("cat", get(doc, "event.dataset")),
        ("sev", CEF_SEVERITY[severity_name(doc)]),
        ("identHostName", get(doc, "host.hostname") or get(doc, "host.name")),
        ("usrName", get(doc, "file.owner")),
        ("eventId", get(doc, "event.id")),
        ("action", get(doc, "event.action")),
        ("message", doc.get("message")),
        ("filePath", get(doc, "file.path")),
        ("fileName", get(doc, "file.name")),
        ("fileSize", get(doc, "file.size")),
        ("fileMode", get(doc, "file.mode")),
        ("sha256", get(doc, "file.hash.sha256")),
        ("sha1", get(doc, "file.hash.sha1")),
        ("md5", get(doc, "file.hash.md5")),
        ("yaraRule", get(doc, "rule.name")),
        ("yaraTags", tags),
        ("ruleset", get(doc, "rule.version")),
        ("mitreTechnique", get(doc, "threat.technique.subtechnique.id")),
        ("agentId", get(doc, "agent.id")),
        ("errorMessage", get(doc, "error.message")),
    ]
    return [(k, text(v)) for k, v in pairs if text(v) != ""]


def event_id(doc: dict[str, Any]) -> str:
    """Static per event type (what QRadar maps to a QID): the ECS event.action."""
    return text(get(doc, "event.action")) or "event"


def format_leef(doc: dict[str, Any], delimiter: str = DEFAULT_DELIMITER) -> str:
    """One LEEF 2.0 line (no trailing newline)."""
    delimiter = check_delimiter(delimiter)
    header = [
        "LEEF:2.0",
        clean_header(VENDOR),
        clean_header(PRODUCT),
        clean_header(agent.__version__),
        clean_header(event_id(doc)),
        "x09" if delimiter == "\t" else delimiter,
    ]
    body = delimiter.join(f"{k}={clean_value(v, delimiter)}" for k, v in attributes(doc))
    return "|".join(header) + "|" + body

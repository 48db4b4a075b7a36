"""CEF (ArcSight Common Event Format, version 0) from an ECS document.

`CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|k=v k=v ...` on one line.
Escaping differs by part (ArcSight CEF guide): in the header `\\` and `|` are escaped with a
backslash; in the extension `\\` and `=` are, and CR/LF become the two-character `\\r`/`\\n`.
Other control characters (and Unicode line separators, which some parsers split on) have no
escape in either part, so they become U+FFFD: a hostile file name can never add a field, end
the header early or start a second event.
"""

from __future__ import annotations

import re
from typing import Any

import agent
from agent.outputs.fields import CEF_SEVERITY, epoch_ms, get, severity_name, text

VENDOR = "webshell-agent"
PRODUCT = "webshell-agent"
REPLACEMENT = "\ufffd"
# C0 controls, DEL, C1 controls and the Unicode line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_KEY = re.compile(r"[A-Za-z0-9_]+")
# Per-key length limits of the CEF guide (1,023 for names/paths, 4,000 for custom strings).
_MAX_LEN = {"msg": 4000, "filePath": 1023, "fname": 1023, "cs1": 4000, "cs2": 4000, "cs3": 4000}
DEFAULT_MAX_LEN = 1023


def _clean(value: str, keep: str = "") -> str:
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else REPLACEMENT, value)


def escape_header(value: str) -> str:
    return _clean(value).replace("\\", "\\\\").replace("|", "\\|")


def escape_value(value: str) -> str:
    value = _clean(value, keep="\r\n")
    value = value.replace("\\", "\\\\").replace("=", "\\=")
    return value.replace("\r", "\\r").replace("\n", "\\n")


def _truncate(key: str, value: str) -> str:
    limit = _MAX_LEN.get(key, DEFAULT_MAX_LEN)
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def extension(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The CEF extension as (key, raw value) pairs, empty values left out."""
    rules = get(doc, "rule.name")
    tags = sorted({t for m in get(doc, "webshell.matches", []) or [] for t in m.get("tags", [])})
    pairs: list[tuple[str, Any]] = [
        ("rt", epoch_ms(doc.get("@timestamp"))),
        ("dvchost", get(doc, "host.hostname") or get(doc, "host.name")),
        ("deviceExternalId", get(doc, "agent.id")),
        ("externalId", get(doc, "event.id")),
        ("cat", get(doc, "event.dataset")),
        ("act", get(doc, "event.action")),
        ("outcome", get(doc, "event.outcome")),
        ("msg", doc.get("message")),
        ("filePath", get(doc, "file.path")),
        ("fname", get(doc, "file.name")),
        ("fsize", get(doc, "file.size")),
        ("fileId", get(doc, "file.inode")),
        ("fileHash", get(doc, "file.hash.sha256")),
        ("fileModificationTime", epoch_ms(get(doc, "file.mtime"))),
        ("filePermission", get(doc, "file.mode")),
        ("fileType", get(doc, "webshell.file.filetype")),
        ("suser", get(doc, "file.owner")),
        ("cs1Label", "YaraRules" if rules else None),
        ("cs1", rules),
        ("cs2Label", "YaraTags" if tags else None),
        ("cs2", tags),
        ("cs3Label", "Ruleset" if get(doc, "rule.version") else None),
        ("cs3", get(doc, "rule.version")),
        ("cs4Label", "SHA1" if get(doc, "file.hash.sha1") else None),
        ("cs4", get(doc, "file.hash.sha1")),
        ("cs5Label", "MD5" if get(doc, "file.hash.md5") else None),
        ("cs5", get(doc, "file.hash.md5")),
        ("cs6Label", "MitreTechnique" if get(doc, "threat.technique.subtechnique.id") else None),
        ("cs6", get(doc, "threat.technique.subtechnique.id")),
        ("reason", get(doc, "error.message")),
    ]
    return [(k, text(v)) for k, v in pairs if text(v) != ""]


def signature_id(doc: dict[str, Any]) -> str:
    """Device Event Class ID: the (first) rule for detections, else the event action."""
    rules = get(doc, "rule.name")
    if isinstance(rules, list) and rules:
        return str(rules[0])
    return text(rules) or text(get(doc, "event.action")) or "event"


def name(doc: dict[str, Any]) -> str:
    if get(doc, "event.kind") == "alert":
        return f"Web shell detected: {signature_id(doc)}"
    return text(get(doc, "event.action")) or "webshell-agent event"


def format_cef(doc: dict[str, Any]) -> str:
    """One CEF line (no trailing newline)."""
    header = [
        "CEF:0",
        escape_header(VENDOR),
        escape_header(PRODUCT),
        escape_header(agent.__version__),
        escape_header(signature_id(doc)[:1023]),
        escape_header(name(doc)[:512]),
        str(CEF_SEVERITY[severity_name(doc)]),
    ]
    ext = " ".join(
        f"{k}={escape_value(_truncate(k, v))}" for k, v in extension(doc) if _KEY.fullmatch(k)
    )
    return "|".join(header) + "|" + ext

"""Fit one document into a receiver's message limit, least useful detail first.

rsyslog cuts (or splits) a message over its `maxMessageSize` (8k by default), which turns an
alert into unparseable halves. Before that happens the output drops detail in this order and
marks the document `webshell.trimmed: true`: match excerpts shortened, then removed, then the
per-match string lists, then rule metadata and descriptions; last, a minimal alert that keeps
what a SIEM rule keys on (ids, severity, path, hashes, rule names, host). The local alert file
always keeps the whole document.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

SHORT_EXCERPT = 32  # characters kept of each excerpt in the first step
_MINIMAL = {
    "@timestamp": None,
    "message": None,
    "ecs": None,
    "event": None,
    "file": ("path", "name", "extension", "size", "hash"),
    "rule": ("name", "ruleset", "version"),
    "threat": ("framework", "technique"),
    "host": ("name", "hostname"),
    "agent": ("type", "version", "id"),
    "process": ("pid", "name", "executable"),
}


def fit(doc: dict[str, Any], render: Callable[[dict[str, Any]], bytes], limit: int) -> bytes:
    """`render(doc)`, or the rendering of the first smaller version that fits under `limit`
    bytes (0: no limit). What does not fit even minimal is returned as the minimal form."""
    out = render(doc)
    if not limit or len(out) <= limit:
        return out
    for smaller in _versions(doc):
        out = render(smaller)
        if len(out) <= limit:
            break
    return out


def _matches(doc: dict[str, Any]) -> list[dict[str, Any]]:
    ws = doc.get("webshell")
    found = ws.get("matches") if isinstance(ws, dict) else None
    return [m for m in found if isinstance(m, dict)] if isinstance(found, list) else []


def _versions(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    d = copy.deepcopy(doc)
    ws = d.get("webshell")
    if not isinstance(ws, dict):
        ws = d["webshell"] = {}
    ws["trimmed"] = True
    strings = [s for m in _matches(d) for s in m.get("strings") or [] if isinstance(s, dict)]
    for s in strings:
        if isinstance(s.get("excerpt"), str) and len(s["excerpt"]) > SHORT_EXCERPT:
            s["excerpt"] = s["excerpt"][:SHORT_EXCERPT] + "…"
    yield d
    for s in strings:
        s.pop("excerpt", None)
    yield d
    for m in _matches(d):
        m.pop("strings", None)
    yield d
    for m in _matches(d):
        m.pop("meta", None)
    rule = d.get("rule")
    if isinstance(rule, dict):
        for key in ("description", "reference", "author", "id"):
            rule.pop(key, None)
    yield d
    yield _minimal(d)


def _minimal(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, keep in _MINIMAL.items():
        value = d.get(key)
        if value is None:
            continue
        if keep is None or not isinstance(value, dict):
            out[key] = value
        else:
            out[key] = {k: value[k] for k in keep if k in value}
    found = d.get("webshell")
    ws: dict[str, Any] = found if isinstance(found, dict) else {}
    out["webshell"] = {
        "trimmed": True,
        **{k: ws[k] for k in ("severity", "correlation_id", "trigger") if k in ws},
    }
    return out

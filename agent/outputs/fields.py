"""Small helpers shared by the wire formatters: nested lookups, times, severity scales.

Formatters accept any ECS-shaped document (alerts and health events alike), so every lookup
tolerates a missing field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# ECS event.severity (21/47/73/99) -> name used across outputs (research siem.md 3.3).
SEVERITY_NAME = {99: "critical", 73: "high", 47: "medium", 21: "low"}
CEF_SEVERITY = {"critical": 10, "high": 8, "medium": 5, "low": 3, "info": 1}
SYSLOG_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
LOG_LEVEL_SEVERITY = {
    "critical": "critical",
    "error": "high",
    "warning": "medium",
    "warn": "medium",
}


def get(doc: Any, dotted: str, default: Any = None) -> Any:
    """doc["a"]["b"] for "a.b"; `default` when any step is missing."""
    cur = doc
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def text(value: Any) -> str:
    """A field as one string: lists joined by commas, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(text(v) for v in value if v not in (None, ""))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def severity_name(doc: dict[str, Any]) -> str:
    """critical/high/medium/low for alerts; for events, from log.level (else "info")."""
    sev = get(doc, "event.severity")
    if isinstance(sev, int) and not isinstance(sev, bool):
        if sev in SEVERITY_NAME:
            return SEVERITY_NAME[sev]
        return (
            "critical" if sev >= 90 else "high" if sev >= 70 else "medium" if sev >= 40 else "low"
        )
    level = str(get(doc, "log.level", "")).lower()
    return LOG_LEVEL_SEVERITY.get(level, "info")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def epoch_ms(value: Any) -> int | None:
    when = parse_time(value)
    return None if when is None else int(when.timestamp() * 1000)


def timestamp(doc: dict[str, Any]) -> datetime:
    """The document's @timestamp, else now (a document is never refused for lacking one)."""
    return parse_time(doc.get("@timestamp")) or datetime.now(UTC)

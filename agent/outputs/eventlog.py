"""Windows Application event log: fixed event IDs under our own source.

The ID plan (what WEF subscriptions, Winlogbeat and AMA filter on): detections 1000+,
lifecycle 2000+, health 3000+ (see docs/siem.md). Insertion string 1 is a one-line summary,
string 2 the compact ECS JSON, cut to ReportEvent's 31,839-character limit per string.
The mapping is pure and tested everywhere; only `EventLogWriter` and the source registration
touch pywin32, and stay thin.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from agent.outputs.fields import get, severity_name, text
from agent.outputs.jsonl import render_line

SOURCE = "webshell-agent"
MAX_STRING = 31_839

# Event types of ReportEvent (winnt.h), so the mapping needs no pywin32.
ERROR = 0x0001
WARNING = 0x0002
INFORMATION = 0x0004

DETECTION_IDS = {"webshell-detected": 1000, "webshell-process": 1001}
DETECTION_OTHER = 1099
LIFECYCLE_IDS = {
    "agent-started": 2000,
    "agent-stopped": 2001,
    "rules-loaded": 2002,
    "rules-failed": 2003,
    "config-reloaded": 2004,
}
LIFECYCLE_OTHER = 2099
HEALTH_IDS = {
    "output-down": 3000,
    "output-up": 3001,
    "output-dropped": 3002,
    "output-rejected": 3003,
    "watch-overflow": 3004,
    "scan-error": 3005,
    "queue-dropped": 3006,
    "heartbeat": 3007,
}
HEALTH_OTHER = 3099
_LIFECYCLE_CATEGORIES = {"process", "configuration"}


@dataclass(frozen=True)
class EventRecord:
    event_id: int
    event_type: int
    strings: tuple[str, str]


def event_id_for(doc: dict[str, Any]) -> int:
    action = text(get(doc, "event.action"))
    if get(doc, "event.kind") == "alert":
        return DETECTION_IDS.get(action, DETECTION_OTHER)
    if action in LIFECYCLE_IDS:
        return LIFECYCLE_IDS[action]
    if action in HEALTH_IDS:
        return HEALTH_IDS[action]
    categories = get(doc, "event.category") or []
    if (
        isinstance(categories, list)
        and set(categories) & _LIFECYCLE_CATEGORIES
        and get(doc, "event.outcome") != "failure"
    ):
        return LIFECYCLE_OTHER
    return HEALTH_OTHER


def event_type_for(doc: dict[str, Any]) -> int:
    sev = severity_name(doc)
    if sev in ("critical", "high"):
        return ERROR
    if sev in ("medium", "low") or get(doc, "event.outcome") == "failure":
        return WARNING
    return INFORMATION


def _cut(value: str) -> str:
    return value if len(value) <= MAX_STRING else value[: MAX_STRING - 1] + "\u2026"


def summary(doc: dict[str, Any]) -> str:
    """One line: the message with control characters shown escaped."""
    message = text(doc.get("message")) or text(get(doc, "event.action")) or "webshell-agent event"
    return (
        message.encode("unicode_escape").decode("ascii") if not message.isprintable() else message
    )


def record(doc: dict[str, Any]) -> EventRecord:
    body = render_line(doc)
    return EventRecord(event_id_for(doc), event_type_for(doc), (_cut(summary(doc)), _cut(body)))


if sys.platform == "win32":
    import win32evtlog
    import win32evtlogutil

    def register_source(source: str = SOURCE) -> None:
        """Create the Application-log source (needs administrator rights; `service install`)."""
        win32evtlogutil.AddSourceToRegistry(source, eventLogType="Application")

    def unregister_source(source: str = SOURCE) -> None:
        win32evtlogutil.RemoveSourceFromRegistry(source, eventLogType="Application")

    class EventLogWriter:
        def __init__(self, source: str = SOURCE) -> None:
            self.source = source
            self._handle = win32evtlog.RegisterEventSource(None, source)

        def send(self, docs: list[dict[str, Any]]) -> None:
            for doc in docs:
                rec = record(doc)
                win32evtlog.ReportEvent(
                    self._handle, rec.event_type, 0, rec.event_id, None, list(rec.strings), None
                )

        def close(self) -> None:
            if self._handle is not None:
                win32evtlog.DeregisterEventSource(self._handle)
                self._handle = None

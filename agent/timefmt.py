"""The one timestamp format the agent emits, apart from the alert code so that a formatter
(syslog, CEF, LEEF) can use it without importing yara."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(when: datetime) -> str:
    """ISO 8601 / RFC 3339 in UTC with milliseconds and `Z`."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso(ts: float | None = None) -> str:
    """A POSIX timestamp (default: now) as utc_text."""
    return utc_text(datetime.now(UTC) if ts is None else datetime.fromtimestamp(ts, UTC))


def parse_utc(text: str) -> datetime:
    """The inverse of utc_text (accepts any ISO 8601 with an offset or `Z`); ValueError if not."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    when = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    if when.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return when.astimezone(UTC)

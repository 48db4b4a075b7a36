"""Health events of the outputs (ECS, dataset webshell_agent.health) and their counters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from agent.document import ErrorFields, EventFields, envelope


def health_event(
    action: str,
    message: str,
    output: dict[str, Any],
    *,
    level: str = "warning",
    error: str | None = None,
) -> dict[str, Any]:
    """An ECS event (kind=event, dataset webshell_agent.health) about one output."""
    doc = envelope(
        EventFields(
            kind="event",
            category=("network",),
            type=("connection", "error" if level in ("warning", "error") else "info"),
            action=action,
            outcome="success" if level == "info" else "failure",
            id=uuid.uuid4().hex,
            dataset="webshell_agent.health",
        ),
        message,
        level=level,
        error=ErrorFields(error, "OutputError") if error else None,
    )
    doc["webshell"] = {"output": output}
    return doc


@dataclass
class OutputStats:
    delivered: int = 0
    batches: int = 0
    dropped: int = 0
    rejected: int = 0
    failures: int = 0
    down_since: float | None = None
    last_error: str = ""

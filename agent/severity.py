"""Severity names and ranks: our rules' `severity` meta, a third-party numeric `score`, or the
default. The alert's `event.severity` and the decode stage's stopping rule both read them."""

from __future__ import annotations

from typing import Any

SEVERITY = {"low": 21, "medium": 47, "high": 73, "critical": 99}
SEVERITY_NAMES = {v: k for k, v in SEVERITY.items()}
DEFAULT_SEVERITY = "high"  # third-party rules without our metadata


def severity_of(meta: dict[str, Any]) -> str:
    """Our `severity` meta, else a signature-base style numeric `score`, else the default."""
    sev = str(meta.get("severity", "")).lower()
    if sev in SEVERITY:
        return sev
    score = meta.get("score")
    if isinstance(score, int) and not isinstance(score, bool):
        return (
            "critical"
            if score >= 90
            else "high"
            if score >= 70
            else "medium"
            if score >= 40
            else "low"
        )
    return DEFAULT_SEVERITY

"""Windows event-log mapping (pure; runs on every platform)."""

from __future__ import annotations

import json

import pytest

from agent.outputs import eventlog
from agent.outputs.health import health_event
from tests.outputs.siem_support import make_alert


def test_detection_maps_to_1000_as_error_with_summary_and_json() -> None:
    doc = make_alert("/var/www/x.php")
    rec = eventlog.record(doc)
    assert rec.event_id == 1000 and rec.event_type == eventlog.ERROR
    assert rec.strings[0] == doc["message"]
    assert json.loads(rec.strings[1]) == doc


@pytest.mark.parametrize(
    ("action", "kind", "category", "outcome", "expected"),
    [
        ("webshell-process", "alert", ["process"], "success", 1001),
        ("something-new", "alert", ["malware"], "success", 1099),
        ("agent-started", "event", ["process"], "success", 2000),
        ("agent-stopped", "event", ["process"], "success", 2001),
        ("rules-loaded", "event", ["configuration"], "success", 2002),
        ("rules-failed", "event", ["configuration"], "failure", 2003),
        ("config-reloaded", "event", ["configuration"], "success", 2004),
        ("other-lifecycle", "event", ["process"], "success", 2099),
        ("output-down", "event", ["network"], "failure", 3000),
        ("output-up", "event", ["network"], "success", 3001),
        ("output-dropped", "event", ["network"], "failure", 3002),
        ("output-rejected", "event", ["network"], "failure", 3003),
        ("watch-overflow", "event", ["file"], "failure", 3004),
        ("scan-error", "event", ["file"], "failure", 3005),
        ("queue-dropped", "event", ["file"], "failure", 3006),
        ("heartbeat", "metric", ["host"], "success", 3007),
        ("mystery", "event", ["file"], "failure", 3099),
    ],
)
def test_event_id_plan(
    action: str, kind: str, category: list[str], outcome: str, expected: int
) -> None:
    doc = {"event": {"action": action, "kind": kind, "category": category, "outcome": outcome}}
    assert eventlog.event_id_for(doc) == expected
    assert 1000 <= expected < 1100 if kind == "alert" else 2000 <= expected < 3100


def test_event_types_follow_severity_and_level() -> None:
    assert (
        eventlog.record(health_event("output-down", "m", {}, level="error")).event_type
        == eventlog.ERROR
    )
    assert (
        eventlog.record(health_event("output-dropped", "m", {}, level="warning")).event_type
        == eventlog.WARNING
    )
    assert (
        eventlog.record(health_event("output-up", "m", {}, level="info")).event_type
        == eventlog.INFORMATION
    )
    low = make_alert()
    low["event"]["severity"] = 21
    assert eventlog.record(low).event_type == eventlog.WARNING


def test_strings_are_cut_to_the_reportevent_limit_and_summary_is_one_line() -> None:
    doc = make_alert("/var/www/evil\nline.php")
    doc["webshell"]["padding"] = "x" * 40_000
    rec = eventlog.record(doc)
    assert len(rec.strings[1]) == eventlog.MAX_STRING
    assert "\n" not in rec.strings[0] and "\\n" in rec.strings[0]

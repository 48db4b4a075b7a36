"""The Application event log: write through our EventLogWriter, read the record back."""

from __future__ import annotations

import sys
import uuid

import pytest

from tests.windows.conftest import wait_for


@pytest.mark.usefixtures("admin")
def test_event_log_write_and_read_back() -> None:
    if sys.platform != "win32":
        pytest.skip("Windows only")
    import win32evtlog

    from agent.outputs import eventlog

    source = f"webshell-agent-test-{uuid.uuid4().hex[:8]}"
    marker = uuid.uuid4().hex
    eventlog.register_source(source)
    try:
        writer = eventlog.EventLogWriter(source)
        doc = {
            "event": {"kind": "alert", "action": "webshell-detected", "severity": 73},
            "message": f"test alert {marker}",
            "file": {"path": rf"C:\inetpub\wwwroot\{marker}.aspx"},
            "rule": {"name": "T_Test"},
        }
        writer.send([doc])
        writer.close()

        def find() -> object:
            handle = win32evtlog.OpenEventLog(None, "Application")
            try:
                flags = win32evtlog.EVENTLOG_BACKWARDS_READ | win32evtlog.EVENTLOG_SEQUENTIAL_READ
                for _ in range(20):
                    records = win32evtlog.ReadEventLog(handle, flags, 0)
                    if not records:
                        return None
                    for r in records:
                        if r.SourceName == source and marker in " ".join(r.StringInserts or ()):
                            return r
                return None
            finally:
                win32evtlog.CloseEventLog(handle)

        record = wait_for("the event record", find, 30, every=0.5)
        assert record.EventID & 0xFFFF == eventlog.DETECTION_IDS["webshell-detected"]
        assert record.EventType == eventlog.record(doc).event_type
    finally:
        eventlog.unregister_source(source)

"""The one way an alert leaves the agent: `run` (file and process alerts) and `scan` use it.

For a file alert: de-duplicate (path + sha256 + ruleset already alerted: nothing), respond
(quarantine, when enabled), write the line (run: durably, retried until it is on disk), then
remember it as alerted, wake the network outputs, tell the process watch (correlation) and echo
it on a terminal. A process alert takes the same write, wake and echo.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from agent.alerts import build_alert
from agent.document import Document
from agent.identity import Identity
from agent.quarantine import Quarantine, respond
from agent.scanner import ScanResult

if TYPE_CHECKING:  # `scan` imports this module: keep structlog, psutil and sqlite out of it
    from agent.health import Counters
    from agent.pipeline.durable import Durable
    from agent.state import State

Hook = Callable[[Document], None]


class AlertSink:
    def __init__(
        self,
        identity: Identity,
        write: Hook,
        *,
        state: State | None = None,
        quarantine: Quarantine | None = None,
        alert_writes: Durable | None = None,
        state_writes: Durable | None = None,
        counters: Counters | None = None,
        wake: Callable[[], None] | None = None,
        on_file_alert: Hook | None = None,
        echo: Hook | None = None,
    ) -> None:
        self.identity = identity
        self.write = write
        self.state = state
        self.quarantine = quarantine
        self.alert_writes = alert_writes
        self.state_writes = state_writes
        self.counters = counters
        self.wake = wake
        self.on_file_alert = on_file_alert
        self.echo = echo
        self._lock = threading.Lock()  # one writer: two workers never alert the same file twice

    def file_alert(
        self, result: ScanResult, ruleset: str, trigger: str, rules_version: str | None = None
    ) -> Document | None:
        """The alert for a matched file, once it is written; None if it was alerted before."""
        assert result.hashes is not None
        sha = result.hashes.sha256
        state = self.state
        with self._lock:
            if state is not None and state.alerted(result.path, sha, ruleset):
                self._count("duplicates")
                return None
            alert = build_alert(
                result, self.identity, ruleset, trigger, rules_version=rules_version
            )
            if self.quarantine is not None:
                respond(self.quarantine, alert, result.path, sha)
            self._write(alert, result.path)
            if state is not None:
                eid = alert["event"]["id"]

                def mark() -> None:
                    state.mark_alerted(result.path, sha, ruleset, eid)

                if self.state_writes is not None:
                    self.state_writes.run(mark, result.path)
                else:
                    mark()
            self._count("alerts")
        if self.on_file_alert is not None:
            self.on_file_alert(alert)
        self._after(alert)
        return alert

    def process_alert(self, alert: Document) -> None:
        with self._lock:
            self._write(alert, str(alert.get("process", {}).get("executable", "a process")))
            self._count("alerts")
        self._after(alert)

    def _count(self, key: str) -> None:
        if self.counters is not None:
            self.counters.bump(key)

    def _write(self, alert: Document, subject: str) -> None:
        if self.alert_writes is not None:
            self.alert_writes.run(lambda: self.write(alert), subject)
        else:
            self.write(alert)

    def _after(self, alert: Document) -> None:
        if self.wake is not None:
            self.wake()
        if self.echo is not None:
            with contextlib.suppress(Exception):  # a broken terminal must not stop alerting
                self.echo(alert)

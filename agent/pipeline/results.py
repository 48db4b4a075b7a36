"""What happens to a scan result in the running agent.

A matched file goes to the AlertSink first; only once its alert line is on disk is the verdict
recorded in the state (so a file is never "done" before its alert is durable). Clean files are
recorded, vanished ones forgotten; other errors are counted, left out of the state (retried by
the next rescan) and reported as rate-limited `scan-error` events.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from agent.health import Counters
from agent.logging import Emit
from agent.pipeline.durable import Durable
from agent.pipeline.ratelimit import EventBudget
from agent.pipeline.sink import AlertSink
from agent.pipeline.workers import Job
from agent.scanner import Reason, ScanResult, Verdict
from agent.state import State

OnScan = Callable[[Job, ScanResult], None]


class Results:
    def __init__(
        self,
        state: State,
        sink: AlertSink,
        counters: Counters,
        emit: Emit,
        state_writes: Durable,
        ruleset: Callable[[], str],
        *,
        on_scan: OnScan | None = None,
        errors_per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self.sink = sink
        self.counters = counters
        self.emit = emit
        self.state_writes = state_writes
        self.ruleset = ruleset
        self.on_scan = on_scan
        self.error_budget = EventBudget(
            emit, "scan-error", per_minute=errors_per_minute, clock=clock
        )

    def handle(self, job: Job, result: ScanResult) -> None:
        digest = str(result.extra.get("ruleset") or self.ruleset())
        self.counters.bump("scans")
        if result.verdict is Verdict.MATCHED:
            version = result.extra.get("rules_version")  # the signed bundle, if any
            self.sink.file_alert(result, digest, job.trigger, str(version) if version else None)
        if result.verdict is Verdict.ERROR and result.reason is not Reason.VANISHED:
            self.counters.bump("errors")
            if self.error_budget.allow():
                self.emit(
                    "scan-error",
                    f"cannot scan {result.path}: {result.reason} {result.detail}".strip(),
                    level="warning",
                    path=result.path,
                    reason=str(result.reason),
                    error=result.detail or str(result.reason),
                )
        else:
            if result.reason is Reason.VANISHED:
                self.counters.bump("vanished")
            self.state_writes.run(lambda: self.state.record(result, digest), result.path)
        if self.on_scan is not None:
            self.on_scan(job, result)

"""Builds the scan path of the running agent from its configuration: work queue, scan workers,
result stage and AlertSink, with durable alert and state writes."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from agent.config import Config
from agent.confine import Roots
from agent.document import Document
from agent.health import Counters
from agent.identity import Identity
from agent.logging import Emit
from agent.pipeline.durable import DiskFull, Durable
from agent.pipeline.queue import ScanQueue
from agent.pipeline.results import OnScan, Results
from agent.pipeline.sink import AlertSink
from agent.rules import RuleSet
from agent.scanner import Batch, Scanner, ScanResult
from agent.state import State
from agent.walk import Filter


class RulesetScanner(Scanner):
    """Tags each result with the ruleset that produced it (rules may be swapped mid-scan)."""

    def scan(self, path: str) -> ScanResult:
        return self._tagged(super().scan(path))

    def finish_batch(self, batch: Batch) -> list[ScanResult]:
        return [self._tagged(r) for r in super().finish_batch(batch)]

    def _tagged(self, result: ScanResult) -> ScanResult:
        result.extra["ruleset"] = self.ruleset.digest
        result.extra["rules_version"] = self.ruleset.version  # the signed bundle, if any
        return result


def new_scanner(
    config: Config, rules: RuleSet, roots: Roots | None = None, select: Filter | None = None
) -> Scanner:
    """`roots`: files under them are read by descriptor only; `select`: what the filter takes
    by name is scanned, anything else is sniffed for server code first."""
    return RulesetScanner(
        rules, max_size=config.scan.max_size, timeout=config.scan.timeout,
        roots=roots, select=select,
        processes=config.scan.threads if config.scan.processes else 0,
    )  # fmt: skip


@dataclass
class ScanPath:
    sink: AlertSink
    results: Results
    queue: ScanQueue
    alert_writes: Durable
    state_writes: Durable


def assemble(
    config: Config,
    identity: Identity,
    state: State,
    rules: Callable[[], RuleSet],
    write_alert: Callable[[Document], None],
    emit: Emit,
    counters: Counters,
    *,
    wake: Callable[[], None] | None = None,
    echo: Callable[[Document], None] | None = None,
    on_scan: OnScan | None = None,
    roots: Roots | None = None,
    select: Filter | None = None,
) -> ScanPath:
    """Made and started; the queue's workers run until queue.close()."""
    sc, wc = config.scan, config.watch
    holder: list[ScanQueue] = []

    def give_up() -> bool:  # only a stop whose drain time is up abandons a write
        return bool(holder) and holder[0].past_abort()

    def unchanged(path: str, st: os.stat_result) -> bool:
        return state.unchanged(path, st, rules().digest)

    disk = DiskFull(emit, str(config.agent.data_dir))
    alert_writes = Durable("alert", emit, counters, disk, give_up)
    state_writes = Durable("state", emit, counters, disk, give_up, errors=(OSError, sqlite3.Error))
    sink = AlertSink(
        identity,
        write_alert,
        state=state,
        alert_writes=alert_writes,
        state_writes=state_writes,
        counters=counters,
        wake=wake,
        echo=echo,
    )
    results = Results(
        state, sink, counters, emit, state_writes, lambda: rules().digest, on_scan=on_scan
    )
    queue = ScanQueue(
        new_scanner(config, rules(), roots, select),
        results.handle,
        unchanged,
        counters,
        threads=sc.threads,
        queue_size=max(16, min(wc.queue_size, 10_000)),
    )
    holder.append(queue)
    queue.start()
    return ScanPath(sink, results, queue, alert_writes, state_writes)

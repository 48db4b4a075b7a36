"""Builds the watch side of the running agent: settle stage, rescanner, watches and coverage,
all feeding one `submit(path, trigger)` (the work queue)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from agent.config import Config
from agent.errors import AgentError
from agent.health import Counters
from agent.logging import Emit
from agent.presets import Discovery
from agent.process.budget import CpuBudget
from agent.state import State
from agent.walk import Filter
from agent.watcher.coverage import Coverage
from agent.watcher.rescan import Rescanner, RescanReport
from agent.watcher.settle import Settler
from agent.watcher.watches import Watches, wanted_roots


@dataclass
class WatchSide:
    settler: Settler
    rescanner: Rescanner
    watches: Watches
    coverage: Coverage
    discovery: Discovery

    def check_coverage(self, root: str) -> None:
        for w in self.watches.roots:
            if w.root == root:
                self.coverage.check(w)


def assemble(
    config: Config,
    flt: Filter,
    submit: Callable[[str, str], None],
    queue_depth: Callable[[], int],
    state: State,
    ruleset: Callable[[], str],
    emit: Emit,
    counters: Counters,
    stop: threading.Event,
    *,
    poll_interval: float | None = None,
) -> WatchSide:
    """Made, not started: watches.start() puts the observers in place, rescanner.start() the
    background walks. Raises AgentError when there is nothing to watch."""
    sc, wc = config.scan, config.watch
    roots, discovery = wanted_roots(config)
    if not roots:
        raise AgentError("nothing to watch: give --watch DIR, watch.roots or a preset")
    holder: list[WatchSide] = []

    def settle_overflow(path: str) -> None:
        watches.overflow(watches.root_of(path), "settle backlog full")

    def coverage_after_rescan(root: str) -> None:
        if holder:
            holder[0].check_coverage(root)

    report = RescanReport(emit, counters, coverage_after_rescan)
    settler = Settler(
        submit, flt, settle=wc.settle, limit=wc.queue_size, on_overflow=settle_overflow,
        on_error=report.error,
    ).start()  # fmt: skip
    rescanner = Rescanner(
        state, flt, submit, ruleset, CpuBudget(config.agent.cpu_budget),
        queue_depth=queue_depth, max_depth=4 * sc.threads + 16, on_started=report.started,
        on_finished=report.finished, on_error=report.error, stop=stop,
    )  # fmt: skip

    def note_new_dir(path: str) -> None:
        if holder:
            holder[0].coverage.note_new_dir(path)

    watches = Watches(
        roots, flt, settler, emit, counters,
        lambda root, trigger, reason, delay: rescanner.request(root, trigger, reason, delay),
        on_new_dir=note_new_dir,
    )  # fmt: skip
    if poll_interval is not None:
        watches.poll_interval = poll_interval
    coverage = Coverage(
        watches,
        flt,
        lambda path, st: state.unchanged(path, st, ruleset()),
        settler.created,
        emit,
        counters,
    )
    side = WatchSide(settler, rescanner, watches, coverage, discovery)
    holder.append(side)
    return side

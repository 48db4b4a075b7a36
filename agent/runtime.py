"""The running agent's lifecycle: wires the stages, starts them in order, stops them in reverse.
Used by `webshell-agent run`, systemd and the Windows service (they only call start / wait /
stop / request_reload and read health).

    watches (watcher/) -> settle -> work queue -> scan workers -> results -> AlertSink -> alerts.jsonl
                                       ^  rescans, catch-up, coverage polls       (pipeline/)   -> delivery

start()  lowers priority (before any of our threads exist), opens the data folder, loads the
         rules, puts the watches in place, then walks every root against the state (baseline on
         a first start, catch-up after) and returns once that work is scanned: `ready` is set.
wait()   blocks until a stop is requested (request_stop(), e.g. from a signal handler) or done.
stop()   ends the watches, hands every pending path to the scanners, drains the queue within
         the timeout, flushes and closes the outputs. Paths left when time is up are not lost:
         they are not in the state, so the next start's catch-up scans them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from agent.config import Config
from agent.confine import Roots
from agent.datafolder import DataFolder
from agent.health import Counters, Health
from agent.identity import Identity
from agent.logging import Event, EventLog
from agent.monitor import Monitor
from agent.outputs.delivery import Outputs
from agent.pipeline.assemble import assemble, new_scanner
from agent.pipeline.queue import ScanQueue
from agent.pipeline.results import OnScan
from agent.pipeline.sink import AlertSink
from agent.presets import Discovery
from agent.process.correlate import tail_file_alerts
from agent.process.priority import lower_priority
from agent.process.watcher import ProcessWatcher
from agent.quarantine import Quarantine
from agent.rules import RuleSet
from agent.rules.reload import RulesReload, first_load
from agent.rules.update_poller import UpdatePoller
from agent.service.startup_checks import quarantine_problems
from agent.state import State
from agent.walk import Filter
from agent.watcher.assemble import assemble as assemble_watch
from agent.watcher.coverage import Coverage
from agent.watcher.rescan import Rescanner
from agent.watcher.settle import Settler
from agent.watcher.watches import Watches

Callback = Callable[[], None]


class Runtime:
    def __init__(
        self,
        config: Config,
        *,
        on_ready: Callback | None = None,
        on_stopping: Callback | None = None,
        on_heartbeat: Callable[[dict[str, Any]], None] | None = None,
        on_tick: Callback | None = None,
        echo_alert: Callable[[dict[str, Any]], None] | None = None,
        echo_event: Callable[[Event], None] | None = None,
        on_scan: OnScan | None = None,
        rules_cache: bool = True,
        os_log: Callable[[Event], None] | None = None,
    ) -> None:
        self.config = config
        self.rules_cache = rules_cache  # False: compile at every start and reload (--no-cache)
        self.on_ready = on_ready
        self.on_stopping = on_stopping
        self.on_heartbeat = on_heartbeat
        self.on_tick = on_tick  # each monitor round (~1 s) that completed: a liveness signal
        self.echo_alert = echo_alert
        self.echo_event = echo_event
        self.on_scan = on_scan
        self.os_log = os_log  # events that must reach the service's log (default: stderr)
        self.ready = threading.Event()
        self._stop_requested = threading.Event()
        self._stopped = threading.Event()
        self._start_running = threading.Event()
        self._stop_lock = threading.Lock()
        self._stopping = False
        self.state_name = "new"
        self.counters = Counters()
        self.priority: list[str] = []
        self.discovery = Discovery()
        self.poll_interval: float | None = None  # polled roots (network shares); None: default
        self._monitor: Monitor | None = None
        # the stages, made in start()
        self.data: DataFolder | None = None
        self.events: EventLog | None = None
        self.identity: Identity | None = None
        self.outputs: Outputs | None = None  # network outputs tailing alerts.jsonl (SIEM)
        self.reloader: RulesReload | None = None
        self.state: State | None = None
        self.queue: ScanQueue | None = None
        self.settler: Settler | None = None
        self.rescanner: Rescanner | None = None
        self.watches: Watches | None = None
        self.coverage: Coverage | None = None
        self.sink: AlertSink | None = None
        self.process_watcher: ProcessWatcher | None = None
        self.updater: UpdatePoller | None = None  # [rules.update]: signed bundles
        self.scan_roots = Roots()  # files under the watched roots are read by descriptor only
        self.health_stage = Health(self.counters, self._emit, self._figures)

    # -- public figures -------------------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        return self.counters.snapshot()

    @property
    def rules(self) -> RuleSet:
        assert self.reloader is not None, "not started"
        return self.reloader.rules

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def health(self, *, new_window: bool = False) -> dict[str, Any]:
        """Figures for the heartbeat and for service wrappers (cheap: a stat call or two)."""
        return self.health_stage.figures(new_window=new_window)

    def _figures(self) -> dict[str, Any]:
        files = 0
        if self.state is not None and not self.stopped:
            with contextlib.suppress(Exception):
                files = self.state.count()
        w = self.watches.figures() if self.watches is not None else {}
        return {
            "state": self.state_name,
            "queue_depth": (self.queue.depth if self.queue else 0)
            + (self.settler.depth if self.settler else 0),
            "in_flight": self.queue.in_flight if self.queue else 0,
            "files_watched": files,
            "roots": w.get("roots", []),
            "roots_lost": w.get("roots_lost", []),
            "unwatched_dirs": self.coverage.blind if self.coverage else {},
            "rescans_pending": self.rescanner.pending if self.rescanner else 0,
            "events_seen": w.get("events_seen", 0),
            "last_event_age_s": w.get("last_event_age_s"),
            "rules": self.reloader.rules.count if self.reloader else 0,
            "rules_version": self.reloader.rules.version if self.reloader else None,
            "event_write_failures": self.events.write_failures if self.events else 0,
            "process": self.process_watcher.health() if self.process_watcher else None,
        }

    def idle(self) -> bool:
        """Nothing waiting: no path settling, queued, in flight, or root waiting for a rescan."""
        return (
            self.queue is not None
            and self.queue.in_flight == 0
            and self.queue.depth == 0
            and (self.settler is None or self.settler.depth == 0)
            and (self.rescanner is None or self.rescanner.pending == 0)
        )

    def _emit(self, action: str, message: str, **details: Any) -> None:
        if self.events is not None:
            self.events.emit(action, message, **details)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Returns once watches are in place and the baseline / catch-up has been scanned.

        If a stop is requested meanwhile (request_stop() or stop() from another thread), it
        returns early without setting `ready`; stop() then tears down what was started.
        """
        if self.config.agent.low_priority:
            self.priority = lower_priority()  # first: Linux priorities are inherited by new threads
        self.state_name = "starting"
        self._start_running.set()
        try:
            for step in (
                self._open_data, self._load_rules, self._open_state, self._start_pipeline,
                self._start_watches, self._emit_started, self._start_response, self._baseline,
                self._start_monitor,
            ):  # fmt: skip
                if self._stop_requested.is_set():
                    return
                step()
        except BaseException:
            self._start_running.clear()
            self.stop(timeout=5.0)
            raise
        finally:
            self._start_running.clear()
        if self._stop_requested.is_set():
            return
        assert self.state is not None and self.watches is not None
        self.state_name = "ready"
        self.ready.set()
        self._emit(
            "ready",
            f"watching {len(self.watches.roots)} root(s), {self.state.count()} file(s) known",
            seconds=round(time.monotonic() - self.health_stage.started, 3),
            files=self.state.count(),
            scans=self.counters["scans"],
            alerts=self.counters["alerts"],
        )
        if self.on_ready is not None:
            self.on_ready()

    def request_stop(self) -> None:
        """Ask for a stop (safe from a signal handler); whoever waits in wait() calls stop()."""
        self._stop_requested.set()

    def request_reload(self, delay: float = 0.0) -> None:
        """Recompile the rules soon (SIGHUP, a rule folder edit, a newly installed bundle)."""
        if self.reloader is not None:
            self.reloader.request_reload(delay)

    def reload_rules(self) -> bool:
        """Recompile now; swap if the new set is at least as sound as the old."""
        assert self.reloader is not None, "not started"
        return self.reloader.reload()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested or the runtime stopped; True if so."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                return False
            if self._stop_requested.wait(left) or self._stopped.is_set():
                return True

    def stop(self, timeout: float = 10.0) -> bool:
        """Drain and stop; True if every pending file was scanned in time. Idempotent."""
        with self._stop_lock:
            if self._stopping:
                self._stopped.wait(timeout)
                return self.counters["left_for_catchup"] == 0
            self._stopping = True
        self._stop_requested.set()
        start = time.monotonic()
        deadline = start + max(1.0, timeout)
        while self._start_running.is_set() and time.monotonic() < deadline - 1.0:
            time.sleep(0.02)  # start() on another thread notices the request between steps
        abort_at = deadline - 0.5
        if self.queue is not None:
            self.queue.abort_at = abort_at
        self.state_name = "stopping"
        if self.on_stopping is not None:
            with contextlib.suppress(Exception):
                self.on_stopping()
        self._emit("stopping", "stopping: draining the scan queue")

        def left() -> float:
            return max(0.1, deadline - time.monotonic())

        if self.process_watcher is not None:
            self.process_watcher.stop(left())
        if self.updater is not None:
            self.updater.stop(left())
        if self._monitor is not None:  # first: it could otherwise re-create a watch
            self._monitor.join(left())
        if self.watches is not None:
            self.watches.stop(deadline)
        if self.reloader is not None:
            self.reloader.stop(deadline)
        if self.rescanner is not None:
            self.rescanner.stop(left())
        if self.settler is not None:
            self.settler.close(max(0.1, abort_at - time.monotonic()))
        drained = True
        if self.queue is not None:
            drained = self.queue.drain(abort_at)
            if not drained:
                self.queue.discard()
            self.queue.close(left())
        if self.data is not None:
            self.data.unhook()
        counts = self.counters.snapshot()
        self._emit(
            "stopped",
            "stopped"
            if drained and not counts["left_for_catchup"]
            else f"stopped; {counts['left_for_catchup']} file(s) left for the next start's catch-up",
            seconds=round(time.monotonic() - start, 3),
            drained=drained,
            **counts,
        )
        if self.data is not None:
            self.data.close(left())
        self.state_name = "stopped"
        self._stopped.set()
        return drained and self.counters["left_for_catchup"] == 0

    # -- start-up steps -------------------------------------------------------------------------

    def _open_data(self) -> None:
        self.data = DataFolder(self.config, self.echo_event, self.os_log)
        self.events, self.identity = self.data.events, self.data.identity
        self.outputs = self.data.outputs

    def _load_rules(self) -> None:
        data_dir = self.config.agent.data_dir
        rules = first_load(self.config.rules, self._emit, self.rules_cache, data_dir)
        self.reloader = RulesReload(
            self.config.rules, rules, self._emit, self._swap_rules,
            cache=self.rules_cache, data_dir=data_dir,
        )  # fmt: skip

    def _swap_rules(self, old: RuleSet, new: RuleSet) -> None:
        assert self.queue is not None and self.watches is not None and self.rescanner is not None
        self.queue.swap_scanner(new_scanner(self.config, new, self.scan_roots, self.filter))
        for w in self.watches.roots if new.digest != old.digest else ():
            self.rescanner.request(w.root, "reverify", "rules changed")

    def _open_state(self) -> None:
        assert self.data is not None
        self.state = self.data.open_state()

    def _start_pipeline(self) -> None:
        assert self.state is not None and self.identity is not None
        assert self.reloader is not None and self.events is not None
        assert self.data is not None
        sc = self.config.scan
        state, reloader = self.state, self.reloader
        self.filter = Filter(sc.extensions, sc.exclude, all_files=sc.all_files, sniff=sc.sniff)
        self.scan_path = assemble(
            self.config, self.identity, state, lambda: reloader.rules, self.data.alerts.write,
            self.events.emit, self.counters, wake=self.outputs.notify if self.outputs else None,
            echo=self.echo_alert, on_scan=self.on_scan, roots=self.scan_roots, select=self.filter,
        )  # fmt: skip
        self.sink, self.queue = self.scan_path.sink, self.scan_path.queue

    def _start_watches(self) -> None:
        assert self.queue is not None and self.state is not None and self.reloader is not None
        queue, reloader = self.queue, self.reloader
        side = assemble_watch(
            self.config, self.filter, queue.put, lambda: queue.depth, self.state,
            lambda: reloader.rules.digest, self._emit, self.counters, self._stop_requested,
            poll_interval=self.poll_interval,
        )  # fmt: skip
        self.settler, self.rescanner = side.settler, side.rescanner
        self.watches, self.coverage, self.discovery = side.watches, side.coverage, side.discovery
        for w in self.watches.roots:
            self.scan_roots.add(w.root)  # files under them are read by descriptor only
        self.watches.start()
        self.reloader.watch_folders()

    def _emit_started(self) -> None:
        assert self.watches is not None and self.identity is not None and self.coverage
        missing = [{"root": w.root, "reason": w.lost_reason} for w in self.watches.roots
                   if w.observer is None]  # fmt: skip
        self._emit(
            "started",
            f"webshell-agent {self.identity.version} started: {len(self.watches.watched)} root(s)"
            f" watched, {len(missing)} missing, {self.rules.count} rules",
            roots=self.watches.watched,
            missing=missing,
            presets={
                "found": [{"preset": p, "path": r} for p, r in self.discovery.found],
                "missing": [{"preset": p, "path": r} for p, r in self.discovery.missing],
            },
            rules=self.rules.count,
            ruleset=self.rules.digest,
            pid=os.getpid(),
            priority=self.priority,
            data_dir=str(self.config.agent.data_dir),
        )
        for m in missing:
            self.counters.bump("watch_lost")
            self._emit(
                "watch-lost", f"cannot watch {m['root']}: {m['reason']} (will retry)",
                level="warning", root=m["root"], reason=m["reason"],
            )  # fmt: skip
        for w in self.watches.roots:  # after `started`: a watch-limit event follows it
            self.coverage.check(w)

    def _start_response(self) -> None:
        """The process watch (on by default) and quarantine (off by default), both on the roots."""
        assert self.watches is not None and self.sink is not None and self.identity is not None
        roots = [w.root for w in self.watches.roots]
        if self.config.response.quarantine:
            self.sink.quarantine = Quarantine(self.config.agent.data_dir, roots)
            for problem in quarantine_problems(roots, self.config.agent.data_dir):
                self._emit("quarantine-unavailable", problem, level="warning")
        if self.config.process.enabled:
            recent = tail_file_alerts(self.config.agent.data_dir / "alerts.jsonl")
            self.process_watcher = ProcessWatcher(
                self.config, self.identity, self.sink.process_alert, recent, roots=roots
            ).start()
            self.sink.on_file_alert = self.process_watcher.note_file_alert
            w = self.process_watcher
            self._emit(
                "process-watch-started",
                f"process watch: {w.source}, a pass every {w.interval} s"
                + (f" (no exec events: {w.source_problem})" if w.source_problem else ""),
                source=w.source, interval=w.interval, problem=w.source_problem,
            )  # fmt: skip

    def _baseline(self) -> None:
        assert self.state is not None and self.watches is not None and self.queue is not None
        assert self.rescanner is not None
        trigger = "baseline" if self.state.is_empty() else "catchup"
        for w in self.watches.roots:
            if self._stop_requested.is_set():
                return
            if w.observer is not None:
                self.rescanner.rescan(w.root, trigger, "start")
        self.queue.drain(None, stop=self._stop_requested)

    def _start_monitor(self) -> None:
        assert self.rescanner is not None and self.watches is not None
        assert self.coverage is not None and self.reloader is not None
        self.rescanner.start()
        watches, rescanner, reloader = self.watches, self.rescanner, self.reloader
        self.updater = UpdatePoller(
            self.config, self.config.agent.data_dir, self._emit, reloader.request_reload,
            lambda: reloader.rules.count,
        ).start()  # fmt: skip

        def reconcile() -> None:
            for w in watches.roots:
                rescanner.request(w.root, "rescan", "periodic")

        def heartbeat() -> None:
            h = self.health_stage.heartbeat()
            if self.on_heartbeat is not None:
                with contextlib.suppress(Exception):
                    self.on_heartbeat(h)

        self._monitor = Monitor(
            [watches.check, self.coverage.poll, self.reloader.poll],
            [
                (self.config.watch.rescan_interval, reconcile),
                (self.config.agent.heartbeat_interval, heartbeat),
            ],
            self._emit,
            self._stop_requested,
            self.on_tick,
        ).start()

"""ServiceCore: the watching agent's lifecycle, shared by `webshell-agent run`, systemd and the
Windows service (they only call start / wait / stop and read health).

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
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from agent.alerts import build_alert
from agent.config import Config
from agent.confine import Roots
from agent.datadir import private_dir, private_umask
from agent.errors import AgentError, RuleError
from agent.identity import Identity, load_identity
from agent.logging import Event, EventLog, ForwardWarnings
from agent.outputs.delivery import Outputs
from agent.outputs.jsonfile import AlreadyOpen, JsonLinesFile
from agent.pipeline import Job, Pipeline
from agent.presets import Discovery, discover
from agent.process.budget import CpuBudget
from agent.process.correlate import tail_file_alerts
from agent.process.priority import lower_priority
from agent.process.watcher import ProcessWatcher
from agent.quarantine import Quarantine, respond
from agent.rules import RuleSet
from agent.rules.sources import RULE_SUFFIXES
from agent.scanner import Reason, Scanner, ScanResult, Verdict
from agent.service.lean_rules import load_rules_lean
from agent.state import State, StateError
from agent.walk import Filter
from agent.watcher.handler import EnqueueHandler
from agent.watcher.observers import (
    POLL_INTERVAL,
    Kind,
    make_observer,
    observer_threads,
    schedule,
)
from agent.watcher.overflow import OverflowHook
from agent.watcher.rescan import RescanCounts, Rescanner
from agent.watcher.settle import Settler

Callback = Callable[[], None]
# Triggers whose scan is skipped when the file is unchanged since it was judged by these rules.
_CHECK_UNCHANGED = frozenset({"created", "rescan", "catchup", "baseline", "reverify"})
MONITOR_TICK = 1.0
RELOAD_QUIET = 1.0
RETRY_WATCH = 30.0
ERRORS_PER_MINUTE = 20
OVERFLOW_RESCAN_DELAY = 2.0  # seconds after the last overflow signal before the recovery walk  # seconds between attempts to watch a root that exists but failed  # seconds of quiet in a rule folder before recompiling
_log = logging.getLogger(__name__)


class _Scanner(Scanner):
    """Tags each result with the ruleset that produced it (rules may be swapped mid-scan)."""

    def scan(self, path: str) -> ScanResult:
        result = super().scan(path)
        result.extra["ruleset"] = self.ruleset.digest
        return result


class _Watch:
    def __init__(self, root: str, kind: Kind) -> None:
        self.root = root
        self.kind = kind
        self.observer: BaseObserver | None = None
        self.inode: int | None = None
        self.lost_reason = ""
        self.retry_at = 0.0  # monotonic time of the next attempt to watch a lost root


class _RulesHandler(FileSystemEventHandler):
    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def dispatch(self, event: FileSystemEvent) -> None:
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")]
        if event.is_directory or any(p.lower().endswith(RULE_SUFFIXES) for p in paths if p):
            self.core.request_reload(delay=RELOAD_QUIET)


class ServiceCore:
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
        on_scan: Callable[[Job, ScanResult], None] | None = None,
        rules_cache: bool = True,
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
        self.ready = threading.Event()
        self._stop_requested = threading.Event()
        self._stopped = threading.Event()
        self._start_running = threading.Event()
        self._stop_lock = threading.Lock()
        self._stopping = False
        self._abort_at = float("inf")  # monotonic deadline after which submits give up
        self._qlock = threading.Condition()
        self._queued: set[str] = set()
        self._scanning: dict[str, float] = {}  # path -> wall time its scan started
        self._inflight = 0
        self._alert_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._err_window: list[float] = [time.monotonic(), 0, 0]  # start, emitted, suppressed
        self._reload_at: float | None = None
        self._watches: list[_Watch] = []
        self._rule_observers: list[BaseObserver] = []
        self._overflow_note: dict[str, float] = {}
        self.state_name = "new"
        self.discovery = Discovery()
        self.counts: dict[str, int] = {
            "scans": 0, "alerts": 0, "duplicates": 0, "unchanged": 0, "coalesced": 0,
            "vanished": 0, "errors": 0, "left_for_catchup": 0, "overflows": 0, "watch_lost": 0,
        }  # fmt: skip
        self._started_mono = time.monotonic()
        self._proc = psutil.Process()
        self._hb_last = (time.monotonic(), time.process_time(), 0)
        self.priority: list[str] = []
        self.poll_interval = POLL_INTERVAL  # polled roots (network shares)
        # set in start()
        self.events: EventLog
        self.identity: Identity
        self.rules: RuleSet
        self.state: State
        self.pipeline: Pipeline
        self.settler: Settler
        self.rescanner: Rescanner
        self._files: list[JsonLinesFile] = []
        self._alerts_file: JsonLinesFile | None = None
        self.outputs: Outputs | None = None  # network outputs tailing alerts.jsonl (SIEM)
        self._hooks: list[tuple[logging.Logger, logging.Handler]] = []
        self._overflow_hook: OverflowHook | None = None
        self._monitor: threading.Thread | None = None
        self._handlers: list[EnqueueHandler] = []
        self._threads_started = False
        self.process_watcher: ProcessWatcher | None = None
        self.quarantine: Quarantine | None = None
        self._umask: int | None = None
        self.scan_roots = Roots()

    # -- lifecycle ---------------------------------------------------------------------------

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
                self._open_outputs, self._load_rules, self._open_state, self._start_workers,
                self._start_watches, self._emit_started, self._start_response, self._baseline,
                self._start_background,
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
        self.state_name = "ready"
        self.ready.set()
        self.events.emit(
            "ready",
            f"watching {len(self._watches)} root(s), {self.state.count()} file(s) known",
            kind="state",
            seconds=round(time.monotonic() - self._started_mono, 3),
            files=self.state.count(),
            scans=self.counts["scans"],
            alerts=self.counts["alerts"],
        )
        if self.on_ready is not None:
            self.on_ready()

    def request_stop(self) -> None:
        """Ask for a stop (safe from a signal handler); whoever waits in wait() calls stop()."""
        self._stop_requested.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a stop is requested or the core stopped; True if so."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                return False
            if self._stop_requested.wait(left) or self._stopped.is_set():
                return True

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self, timeout: float = 10.0) -> bool:
        """Drain and stop; True if every pending file was scanned in time. Idempotent."""
        with self._stop_lock:
            if self._stopping:
                self._stopped.wait(timeout)
                return self.counts["left_for_catchup"] == 0
            self._stopping = True
        self._stop_requested.set()
        start = time.monotonic()
        deadline = start + max(1.0, timeout)
        while self._start_running.is_set() and time.monotonic() < deadline - 1.0:
            time.sleep(0.02)  # start() on another thread notices the request between steps
        self._abort_at = deadline - 0.5
        self.state_name = "stopping"
        if self.on_stopping is not None:
            with contextlib.suppress(Exception):
                self.on_stopping()
        events = getattr(self, "events", None)
        if events is not None:
            events.emit("stopping", "stopping: draining the scan queue", kind="state")
        if self.process_watcher is not None:
            self.process_watcher.stop(max(0.1, deadline - time.monotonic()))
        if self._monitor is not None:  # first: it could otherwise re-create a watch
            self._monitor.join(max(0.1, deadline - time.monotonic()))
        self._stop_observers(deadline)
        if hasattr(self, "rescanner"):
            self.rescanner.stop(max(0.1, deadline - time.monotonic()))
        if hasattr(self, "settler"):
            self.settler.close(max(0.1, self._abort_at - time.monotonic()))
        drained = True
        if hasattr(self, "pipeline"):
            drained = self._wait_idle(self._abort_at)
            if not drained:
                left = self.pipeline.discard()
                with self._qlock:
                    for job in left:
                        self._queued.discard(job.path)
                    self._inflight -= len(left)
                self._bump("left_for_catchup", len(left))
            self.pipeline.close(max(0.1, deadline - time.monotonic()))
        for logger, handler in self._hooks:
            logger.removeHandler(handler)
        self._hooks.clear()
        if events is not None:
            events.emit(
                "stopped",
                "stopped"
                if drained
                else f"stopped; {self.counts['left_for_catchup']} file(s) "
                "left for the next start's catch-up",
                kind="state",
                seconds=round(time.monotonic() - start, 3),
                drained=drained,
                **self.counts,
            )
        if hasattr(self, "state"):
            with contextlib.suppress(Exception):
                self.state.close()
        if self.outputs is not None:  # undelivered alerts go at the next start
            self.outputs.stop(max(0.1, deadline - time.monotonic()))
        for f in self._files:
            f.close()
        if self._umask is not None:
            os.umask(self._umask)
        self.state_name = "stopped"
        self._stopped.set()
        return drained and self.counts["left_for_catchup"] == 0

    # -- start-up steps ----------------------------------------------------------------------

    def _open_outputs(self) -> None:
        agent_cfg = self.config.agent
        data = agent_cfg.data_dir
        try:
            self._umask = private_umask()  # everything written from here on is private
            private_dir(data)
            events_file = JsonLinesFile(
                data / "events.jsonl", agent_cfg.rotate_size, agent_cfg.rotate_keep
            )
            self._files.append(events_file)
            self._alerts_file = JsonLinesFile(
                data / "alerts.jsonl", agent_cfg.rotate_size, agent_cfg.rotate_keep
            )
            self._files.append(self._alerts_file)
        except AlreadyOpen as e:
            raise AgentError(f"{e}: is another agent using this data folder?") from None
        except OSError as e:
            raise AgentError(f"cannot write the data folder: {e}", location=str(data)) from None
        self.identity = load_identity(data)
        self.events = EventLog(events_file, self.identity, self.echo_event)
        forward = ForwardWarnings(self.events)
        for name in ("agent", "watchdog"):
            logger = logging.getLogger(name)
            logger.addHandler(forward)
            self._hooks.append((logger, forward))
        # SIEM outputs ship alerts.jsonl from their saved positions (the backlog of a previous
        # run first); a bad [[outputs]] table is a ConfigError here, before anything is watched.
        self.outputs = Outputs.from_config(self.config.outputs, data, self._output_health)
        self.outputs.start()

    def _output_health(self, doc: dict[str, Any]) -> None:
        error = doc.get("error", {}).get("message")
        self.events.emit(
            doc["event"]["action"], doc["message"], level=doc["log"]["level"],
            error=error, output=doc["webshell"]["output"],
        )  # fmt: skip

    def _load_rules(self) -> None:
        rc = self.config.rules
        try:
            self.rules = load_rules_lean(
                rc.paths,
                default_rules=rc.default_rules,
                cache_dir=rc.cache_dir if self.rules_cache else None,
            )
        except RuleError as e:
            self.events.emit("rules-failed", f"no usable rules: {e}", level="error", error=e)
            raise
        for problem in self.rules.broken:
            self.events.emit(
                "rule-error", f"rule file skipped: {problem}", level="error", error=problem
            )
        self.events.emit(
            "rules-loaded",
            f"{self.rules.count} rules loaded" + (" (cached)" if self.rules.from_cache else ""),
            rules=self.rules.count,
            files=self.rules.files,
            ruleset=self.rules.digest,
            cached=self.rules.from_cache,
            seconds=round(self.rules.compile_seconds, 3),
        )

    def _open_state(self) -> None:
        try:
            self.state = State(self.config.agent.data_dir / "state.sqlite")
        except StateError as e:
            raise AgentError(f"cannot open the state database: {e}") from None

    def _start_workers(self) -> None:
        sc, wc = self.config.scan, self.config.watch
        self.filter = Filter(sc.extensions, sc.exclude, all_files=sc.all_files, sniff=sc.sniff)
        self.pipeline = Pipeline(
            self._new_scanner(self.rules),
            self._on_result,
            threads=sc.threads,
            queue_size=max(16, min(wc.queue_size, 10_000)),
            on_start=self._on_start,
        ).start()
        self._threads_started = True
        self.settler = Settler(
            self.enqueue,
            self.filter,
            settle=wc.settle,
            limit=wc.queue_size,
            on_overflow=lambda path: self._overflow(self._root_of(path), "settle backlog full"),
        ).start()
        self.budget = CpuBudget(self.config.agent.cpu_budget)
        self.rescanner = Rescanner(
            self.state,
            self.filter,
            self.enqueue,
            lambda: self.rules.digest,
            self.budget,
            queue_depth=lambda: self.pipeline.depth,
            max_depth=4 * sc.threads + 16,
            on_started=self._rescan_started,
            on_finished=self._rescan_finished,
            stop=self._stop_requested,
        )

    def _new_scanner(self, rules: RuleSet) -> Scanner:
        return _Scanner(
            rules, max_size=self.config.scan.max_size, timeout=self.config.scan.timeout,
            roots=self.scan_roots, select=self.filter,
        )  # fmt: skip

    def _roots(self) -> list[_Watch]:
        wc = self.config.watch
        self.discovery = discover(wc.presets) if wc.presets else Discovery()
        wanted: list[tuple[str, Kind]] = [(str(p), "native") for p in wc.roots]
        wanted += [(p, "native") for p in self.discovery.roots()]
        wanted += [(str(p), "polling") for p in wc.polling]
        out: list[_Watch] = []
        seen: set[str] = set()
        for root, kind in wanted:
            norm = os.path.abspath(root)
            if norm not in seen:
                seen.add(norm)
                out.append(_Watch(norm, kind))
        # a root inside another root is already covered by the outer one's recursive watch
        roots = [w.root for w in out]
        return [
            w
            for w in out
            if not any(w.root != r and w.root.startswith(os.path.join(r, "")) for r in roots)
        ]

    def _start_watches(self) -> None:
        self._overflow_hook = OverflowHook(self._inotify_overflow).install()
        self._hooks.append((logging.getLogger("watchdog.observers.inotify_c"), self._overflow_hook))
        self._watches = self._roots()
        for w in self._watches:
            self.scan_roots.add(w.root)  # files under them are read by descriptor only
        if not self._watches:
            raise AgentError("nothing to watch: give --watch DIR, watch.roots or a preset")
        for w in self._watches:
            self._schedule(w)
        for path in self.config.rules.paths if self.config.rules.reload else ():
            folder = path if path.is_dir() else path.parent
            if not folder.is_dir():
                continue
            observer, flt = make_observer("native")
            try:
                schedule(observer, _RulesHandler(self), str(folder), flt)
                observer.start()
                self._rule_observers.append(observer)
            except OSError as e:
                self.events.emit(
                    "watch-failed", f"cannot watch rule folder {folder}: {e}", level="warning",
                    path=str(folder), error=e,
                )  # fmt: skip

    def _schedule(self, w: _Watch) -> bool:
        try:
            st = os.stat(w.root)
            observer, flt = make_observer(w.kind, self.poll_interval)
            handler = EnqueueHandler(self.filter, self.settler)
            schedule(observer, handler, w.root, flt)
            observer.start()
        except OSError as e:
            w.observer = None
            w.lost_reason = e.strerror or str(e)
            return False
        w.observer, w.inode, w.lost_reason = observer, st.st_ino, ""
        self._handlers.append(handler)
        return True

    def _emit_started(self) -> None:
        watched = [w.root for w in self._watches if w.observer is not None]
        missing = [
            {"root": w.root, "reason": w.lost_reason} for w in self._watches if w.observer is None
        ]
        self.events.emit(
            "started",
            f"webshell-agent {self.identity.version} started: {len(watched)} root(s) watched, "
            f"{len(missing)} missing, {self.rules.count} rules",
            kind="state",
            roots=watched,
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
            self._bump("watch_lost", 1)
            self.events.emit(
                "watch-lost", f"cannot watch {m['root']}: {m['reason']} (will retry)",
                level="warning", root=m["root"], reason=m["reason"],
            )  # fmt: skip

    def _start_response(self) -> None:
        """The process watch (on by default) and quarantine (off by default), both on the roots."""
        roots = [w.root for w in self._watches]
        if self.config.response.quarantine:
            self.quarantine = Quarantine(self.config.agent.data_dir, roots)
        if self.config.process.enabled:
            recent = tail_file_alerts(self.config.agent.data_dir / "alerts.jsonl")
            self.process_watcher = ProcessWatcher(
                self.config, self.identity, self._process_alert, recent, roots=roots
            ).start()
            w = self.process_watcher
            self.events.emit(
                "process-watch-started",
                f"process watch: {w.source}, a pass every {w.interval} s"
                + (f" (no exec events: {w.source_problem})" if w.source_problem else ""),
                kind="state", source=w.source, interval=w.interval, problem=w.source_problem,
            )  # fmt: skip

    def _process_alert(self, alert: dict[str, Any]) -> None:
        assert self._alerts_file is not None
        with self._alert_lock:
            try:
                self._alerts_file.write(alert)
            except (OSError, ValueError) as e:
                self.events.emit(
                    "output-error", f"cannot write a process alert: {e}", level="error", error=e
                )
                return
            self._bump("alerts", 1)
        if self.echo_alert is not None:
            with contextlib.suppress(Exception):
                self.echo_alert(alert)

    def _baseline(self) -> None:
        trigger = "baseline" if self.state.is_empty() else "catchup"
        for w in self._watches:
            if self._stop_requested.is_set():
                return
            if w.observer is not None:
                self.rescanner.rescan(w.root, trigger, "start")
        self._wait_idle(None, stop=self._stop_requested)

    def _start_background(self) -> None:
        self.rescanner.start()
        self._monitor = threading.Thread(target=self._monitor_loop, name="wsa-monitor", daemon=True)
        self._monitor.start()

    def _stop_observers(self, deadline: float) -> None:
        observers = [w.observer for w in self._watches if w.observer is not None]
        observers += self._rule_observers
        for o in observers:
            with contextlib.suppress(Exception):
                o.stop()
        for o in observers:
            if o.is_alive():
                o.join(max(0.1, deadline - time.monotonic()))
        for w in self._watches:
            w.observer = None
        self._rule_observers.clear()

    def _bump(self, key: str, n: int = 1) -> None:
        with self._count_lock:
            self.counts[key] += n

    # -- the scan path -----------------------------------------------------------------------

    def enqueue(self, path: str, trigger: str) -> None:
        """Queue one path for a scan unless it is already waiting (coalesce). May block."""
        with self._qlock:
            if path in self._queued:
                self._bump("coalesced", 1)
                return
            self._queued.add(path)
            self._inflight += 1
        job = Job(path, trigger)
        while not self.pipeline.submit(job, timeout=0.25):
            if time.monotonic() > self._abort_at:
                self._job_done(path, discard=True)
                self._bump("left_for_catchup", 1)
                return

    def _job_done(self, path: str | None = None, *, discard: bool = False) -> None:
        with self._qlock:
            if discard and path is not None:
                self._queued.discard(path)
            self._inflight -= 1
            if self._inflight <= 0:
                self._qlock.notify_all()

    def _wait_idle(self, deadline: float | None, stop: threading.Event | None = None) -> bool:
        with self._qlock:
            while self._inflight > 0:
                if stop is not None and stop.is_set():
                    return False
                left = 0.25 if deadline is None else min(0.25, deadline - time.monotonic())
                if left <= 0:
                    return False
                self._qlock.wait(left)
        return True

    def _on_start(self, job: Job) -> bool:
        now = time.time()
        with self._qlock:
            self._queued.discard(job.path)
            busy_since = self._scanning.get(job.path)
        if job.trigger in _CHECK_UNCHANGED:
            try:
                st = os.stat(job.path)
            except OSError:
                busy_since = None  # the scan reports it as vanished
            else:
                # Judged already, or being scanned right now by a scan that began after the
                # last write (e.g. a close event, then the same file found by a directory walk).
                fresh = busy_since is not None and busy_since > st.st_mtime + 0.05  # clock tick
                if fresh or self.state.unchanged(job.path, st, self.rules.digest):
                    self._bump("unchanged", 1)
                    self._job_done()
                    return False
        with self._qlock:
            self._scanning[job.path] = now
        return True

    def _on_result(self, job: Job, result: ScanResult) -> None:
        with self._qlock:
            self._scanning.pop(job.path, None)
        try:
            digest = str(result.extra.get("ruleset", self.rules.digest))
            self._bump("scans", 1)
            self.state.record(result, digest)
            if result.verdict is Verdict.MATCHED:
                self._alert(job, result, digest)
            elif result.verdict is Verdict.ERROR:
                if result.reason is Reason.VANISHED:
                    self._bump("vanished", 1)
                else:
                    self._bump("errors", 1)
                    if not self._error_budget():
                        return
                    self.events.emit(
                        "scan-error",
                        f"cannot scan {result.path}: {result.reason} {result.detail}".strip(),
                        level="warning",
                        path=result.path,
                        reason=str(result.reason),
                        error=result.detail or str(result.reason),
                    )
            if self.on_scan is not None:
                self.on_scan(job, result)
        finally:
            self._job_done()

    def _error_budget(self) -> bool:
        """At most ERRORS_PER_MINUTE scan-error events a minute; the rest are counted and
        reported once (a folder of 10,000 unreadable files must not flood events.jsonl)."""
        now = time.monotonic()
        with self._count_lock:
            if now - self._err_window[0] >= 60.0:
                suppressed = self._err_window[2]
                self._err_window = [now, 0, 0]
            else:
                suppressed = 0
            self._err_window[1] += 1
            allowed = self._err_window[1] <= ERRORS_PER_MINUTE
            if not allowed:
                self._err_window[2] += 1
        if suppressed:
            self.events.emit(
                "scan-errors-suppressed",
                f"{suppressed} more scan error(s) in the last minute (see the counts in heartbeats)",
                level="warning",
                suppressed=suppressed,
            )
        return allowed

    def _alert(self, job: Job, result: ScanResult, digest: str) -> None:
        assert result.hashes is not None and self._alerts_file is not None
        sha = result.hashes.sha256
        with self._alert_lock:
            if self.state.alerted(result.path, sha, digest):
                self._bump("duplicates", 1)
                return
            alert = build_alert(result, self.identity, digest, job.trigger)
            if self.quarantine is not None:
                respond(self.quarantine, alert, result.path, sha)
            try:
                self._alerts_file.write(alert)
            except (OSError, ValueError) as e:
                self.events.emit(
                    "output-error", f"cannot write the alert for {result.path}: {e}",
                    level="error", path=result.path, error=e,
                )  # fmt: skip
                return  # not marked: the next rescan alerts again
            self.state.mark_alerted(result.path, sha, digest, alert["event"]["id"])
            self._bump("alerts", 1)
        if self.process_watcher is not None:
            self.process_watcher.note_file_alert(alert)
        if self.outputs is not None:
            self.outputs.notify()
        if self.echo_alert is not None:
            with contextlib.suppress(Exception):
                self.echo_alert(alert)

    # -- trouble: overflow, lost watches -----------------------------------------------------

    def _root_of(self, path: str) -> str | None:
        for w in self._watches:
            if path == w.root or path.startswith(os.path.join(w.root, "")):
                return w.root
        return None

    def _inotify_overflow(self, thread_ident: int | None) -> None:
        roots = [
            w.root
            for w in self._watches
            if w.observer is not None
            and any(t.ident == thread_ident for t in observer_threads(w.observer))
        ]
        if not roots:  # cannot tell which: every natively watched root
            roots = [w.root for w in self._watches if w.kind == "native"]
        for root in roots:
            self._overflow(root, "inotify queue overflow")

    def _overflow(self, root: str | None, reason: str) -> None:
        if root is None or self._stopping:
            return
        now = time.monotonic()
        with self._qlock:
            recent = now - self._overflow_note.get(root, -1e9) < 1.0
            self._overflow_note[root] = now
            self._bump("overflows", 1)
        if not recent:
            self.events.emit(
                "overflow-suspected", f"events may have been lost under {root} ({reason}): rescanning",
                level="warning", root=root, reason=reason,
            )  # fmt: skip
        # After an inotify overflow watchdog removes and re-adds every watch of the root: files
        # created in that window have no event, and a walk started at once can pass their
        # folder before they exist (seen in the 100,000-file benchmark). Walk after it settles.
        self.rescanner.request(root, "rescan", reason, delay=OVERFLOW_RESCAN_DELAY)

    def _check_watches(self) -> None:
        for w in self._watches:
            if w.observer is not None:
                reason = ""
                dead = [t.name for t in observer_threads(w.observer) if not t.is_alive()]
                try:
                    st = os.stat(w.root)
                    if w.inode is not None and st.st_ino != w.inode:
                        reason = "root was replaced"
                except OSError as e:
                    reason = f"root is gone ({e.strerror})"
                if dead and not reason:
                    reason = "observer thread died: " + ", ".join(dead)
                if reason:
                    self._bump("watch_lost", 1)
                    self.events.emit(
                        "watch-lost", f"lost the watch on {w.root}: {reason}", level="error",
                        root=w.root, reason=reason,
                    )  # fmt: skip
                    with contextlib.suppress(Exception):
                        w.observer.stop()
                        w.observer.join(2.0)
                    w.observer, w.lost_reason = None, reason
            lost = w.observer is None and not self._stopping and time.monotonic() >= w.retry_at
            if not lost or not os.path.isdir(w.root):
                continue
            if not self._schedule(w):
                # e.g. the inotify watch limit: a full recursive add is not cheap, back off
                w.retry_at = time.monotonic() + RETRY_WATCH
                continue
            self.events.emit(
                "watch-restored", f"watching {w.root} again", root=w.root, kind="state"
            )
            self.rescanner.request(w.root, "rescan", "watch restored")

    # -- rules ---------------------------------------------------------------------------------

    def request_reload(self, delay: float = 0.0) -> None:
        """Recompile the rules soon (SIGHUP, or an edit in a rule folder)."""
        self._reload_at = time.monotonic() + delay

    def reload_rules(self) -> bool:
        """Recompile now; swap atomically if the new set is at least as sound as the old."""
        rc = self.config.rules
        try:
            new = load_rules_lean(
                rc.paths,
                default_rules=rc.default_rules,
                cache_dir=rc.cache_dir if self.rules_cache else None,
            )
        except RuleError as e:
            self.events.emit(
                "rules-reload-failed", f"rules not reloaded, keeping the old ones: {e}",
                level="error", error=e, ruleset=self.rules.digest,
            )  # fmt: skip
            return False
        old_broken = {p.path for p in self.rules.broken}
        newly = [p for p in new.broken if p.path not in old_broken]
        if newly:
            self.events.emit(
                "rules-reload-failed",
                "rules not reloaded, keeping the old ones: " + "; ".join(map(str, newly)),
                level="error", error="; ".join(map(str, newly)), ruleset=self.rules.digest,
                problems=[str(p) for p in newly],
            )  # fmt: skip
            return False
        if new.digest == self.rules.digest:
            return True
        old, self.rules = self.rules, new
        self.pipeline.swap_scanner(self._new_scanner(new))
        self.events.emit(
            "rules-reloaded",
            f"rules reloaded: {new.count} rules (were {old.count}); re-verifying known files",
            rules=new.count, ruleset=new.digest, previous=old.digest,
        )  # fmt: skip
        for w in self._watches:
            self.rescanner.request(w.root, "reverify", "rules changed")
        return True

    # -- monitor: watches, heartbeat, periodic reconcile, reloads ----------------------------

    def _monitor_loop(self) -> None:
        hb_every = self.config.agent.heartbeat_interval
        rescan_every = self.config.watch.rescan_interval
        last_hb = last_rescan = time.monotonic()
        while not self._stop_requested.wait(MONITOR_TICK):
            try:
                self._check_watches()
                now = time.monotonic()
                if self._reload_at is not None and now >= self._reload_at:
                    self._reload_at = None
                    self.reload_rules()
                if rescan_every > 0 and now - last_rescan >= rescan_every:
                    last_rescan = now
                    for w in self._watches:
                        self.rescanner.request(w.root, "rescan", "periodic")
                if hb_every > 0 and now - last_hb >= hb_every:
                    last_hb = now
                    self._heartbeat()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception as e:  # the monitor must outlive any one failure
                self.events.emit("internal-error", f"monitor: {e}", level="error", error=e)

    def _heartbeat(self) -> None:
        h = self.health(new_window=True)
        self.events.emit(
            "heartbeat",
            f"rss {h['rss_mb']} MB, cpu {h['cpu_percent']} %, queue {h['queue_depth']}, "
            f"{h['scans_per_second']} scans/s, {h['files_watched']} files",
            kind="metric",
            **h,
        )
        if self.on_heartbeat is not None:
            with contextlib.suppress(Exception):
                self.on_heartbeat(h)

    def health(self, *, new_window: bool = False) -> dict[str, Any]:
        """Figures for the heartbeat and for service wrappers (cheap: a stat call or two).

        Rates (CPU, scans/s) are over the time since the last heartbeat; only the heartbeat
        starts a new window, so a wrapper polling health() does not skew them."""
        now, cpu = time.monotonic(), time.process_time()
        t0, c0, s0 = self._hb_last
        scans = self.counts["scans"]
        wall = max(now - t0, 1e-9)
        if new_window:
            self._hb_last = (now, cpu, scans)
        try:
            rss = self._proc.memory_info().rss
        except psutil.Error:
            rss = 0
        files = 0
        if hasattr(self, "state") and not self.stopped:
            with contextlib.suppress(Exception):
                files = self.state.count()
        return {
            "state": self.state_name,
            "uptime_s": round(now - self._started_mono, 1),
            "rss_mb": round(rss / 1024 / 1024, 1),
            "cpu_percent": round(100 * (cpu - c0) / wall, 2),
            "queue_depth": (self.pipeline.depth if hasattr(self, "pipeline") else 0)
            + (self.settler.depth if hasattr(self, "settler") else 0),
            "scans_per_second": round((scans - s0) / wall, 2),
            "files_watched": files,
            "roots": [w.root for w in self._watches if w.observer is not None],
            "roots_lost": [w.root for w in self._watches if w.observer is None],
            "rescans_pending": self.rescanner.pending if hasattr(self, "rescanner") else 0,
            "events_seen": sum(h.events for h in self._handlers),
            "last_event_age_s": round(now - last, 1)
            if (last := max((h.last_event for h in self._handlers), default=0.0))
            else None,
            "counts": dict(self.counts),
            "rules": self.rules.count if hasattr(self, "rules") else 0,
            "process": self.process_watcher.health() if self.process_watcher else None,
        }

    def _rescan_started(self, c: RescanCounts) -> None:
        self.events.emit(
            "rescan-started", f"{c.trigger} of {c.root} ({c.reason})", root=c.root,
            trigger=c.trigger, reason=c.reason,
        )  # fmt: skip

    def _rescan_finished(self, c: RescanCounts) -> None:
        self.events.emit(
            "rescan-finished",
            f"{c.trigger} of {c.root}: {c.files} files, {c.queued} queued, "
            f"{c.unchanged} unchanged, {c.forgotten} gone, {c.seconds} s",
            **c.as_dict(),
        )

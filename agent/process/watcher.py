"""The running process watch: one daemon thread polling for new processes below web workers.

    watcher = ProcessWatcher(config, identity, on_alert, recent_file_alerts)
    watcher.start()
    watcher.note_file_alert(alert)   # from the file pipeline, for correlation
    watcher.stop(timeout=5)

Polling is best-effort: a child that lives shorter than the interval is seen only if a pass
happens to fall inside its life (see docs/process-and-quarantine.md for measured catch rates).
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from agent.alerts import Alert
from agent.config import Config
from agent.identity import Identity
from agent.process.alert import build_process_alert
from agent.process.correlate import FileAlerts
from agent.process.lineage import Finding, Lineage
from agent.process.names import Names
from agent.process.netlink import Connector, open_connector

log = logging.getLogger(__name__)
STOP_CHECK = 0.5  # seconds: how soon stop() is noticed while waiting on exec events
NETLINK_BACKSTOP = 1.0  # seconds between polls while exec events arrive


def names_from(config: Config) -> Names:
    p = config.process
    return Names.from_config(p.workers, p.children, p.allow)


class ProcessWatcher:
    def __init__(
        self,
        config: Config,
        identity: Identity,
        on_alert: Callable[[Alert], None],
        recent_file_alerts: Iterable[dict[str, Any]] = (),
        *,
        roots: Sequence[Path | str] | None = None,
        report_existing: bool = False,
    ) -> None:
        self.config = config
        self.identity = identity
        self.on_alert = on_alert
        self.interval = max(0.01, config.process.interval)
        self.report_existing = report_existing
        if roots is None:
            roots = (*config.watch.roots, *config.watch.polling)
        self.file_alerts = FileAlerts([str(r) for r in roots], config.process.correlation_window)
        self.file_alerts.extend(recent_file_alerts)
        self.lineage = Lineage(names_from(config))
        self.errors = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.source = "poll"  # or "netlink" once subscribed
        self.source_problem = ""
        self.exec_events = 0

    def note_file_alert(self, alert: dict[str, Any]) -> None:
        """Remember a file alert so a process alert soon after in the same root links to it."""
        self.file_alerts.note(alert)

    def emit(self, finding: Finding) -> Alert:
        corr = self.file_alerts.match(finding.process, finding.chain)
        alert = build_process_alert(finding, self.identity, corr)
        self.on_alert(alert)
        return alert

    def start(self) -> ProcessWatcher:
        """Take the baseline (existing processes are not reported unless asked), then poll."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="wsa-process", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        return self

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def stop(self, timeout: float | None = 5.0) -> bool:
        """True once the thread has ended."""
        self._stop.set()
        t = self._thread
        if t is None:
            return True
        t.join(timeout)
        return not t.is_alive()

    def poll_once(self) -> list[Alert]:
        """One pass on the caller's thread (also what the thread runs)."""
        return [self.emit(f) for f in self.lineage.poll()]

    def _open_source(self) -> Connector | None:
        """The Linux exec-event source when configured (or `auto`) and allowed, else None."""
        wanted = self.config.process.source
        if wanted == "poll":
            self.source = "poll"
            return None
        try:
            conn = open_connector()
        except OSError as e:
            self.source = "poll"
            self.source_problem = str(e)
            if wanted == "netlink":
                log.warning("process.source netlink unavailable, polling instead: %s", e)
            return None
        self.source = "netlink"
        # Exec events see every new process; the poll is only a backstop for dropped events,
        # so it need not run more often than once a second (idle CPU: 0.2 % -> see docs).
        self.interval = max(self.interval, NETLINK_BACKSTOP)
        return conn

    def _run(self) -> None:
        conn = self._open_source()  # before the baseline: no gap between the two
        try:
            self._loop(conn)
        finally:
            if conn is not None:
                conn.close()

    def _loop(self, conn: Connector | None) -> None:
        try:
            existing = self.lineage.baseline()
            if self.report_existing:
                for f in existing:
                    self.emit(f)
        except Exception:
            self.errors += 1
            log.exception("process baseline failed")
        finally:
            self._ready.set()
        next_at = time.monotonic()
        while not self._stop.is_set():
            next_at += self.interval
            try:
                self.poll_once()
            except Exception:  # a bad pass must not end the watch
                self.errors += 1
                log.exception("process pass failed")
            while not self._stop.is_set():
                delay = next_at - time.monotonic()
                if delay <= 0:
                    if delay < -self.interval:  # fell behind (suspended): do not catch up
                        next_at = time.monotonic()
                    break
                if conn is None:
                    self._stop.wait(delay)
                elif select.select([conn], [], [], min(delay, STOP_CHECK))[0]:
                    self._exec_events(conn)

    def _exec_events(self, conn: Connector) -> None:
        try:
            pids = conn.read()
        except OSError as e:
            self.errors += 1
            log.warning("proc connector read failed: %s", e)
            return
        self.exec_events += len(pids)
        for pid in pids:
            try:
                finding = self.lineage.on_exec(pid)
                if finding is not None:
                    self.emit(finding)
            except Exception:
                self.errors += 1
                log.exception("exec event for pid %s failed", pid)

    def health(self) -> dict[str, int | float | str]:
        s = self.lineage.stats
        return {
            "passes": s.passes,
            "new": s.new,
            "vanished": s.vanished,
            "findings": s.findings,
            "allowed": s.allowed,
            "errors": self.errors,
            "tracked": len(self.lineage.cache),
            "interval": self.interval,
            "source": self.source,
            "exec_events": self.exec_events,
        }

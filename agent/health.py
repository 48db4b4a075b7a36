"""The running agent's figures: counters every stage bumps, and the heartbeat built from them.

Rates (CPU, scans/s) are over the time since the last heartbeat; only the heartbeat starts a new
window, so a service wrapper polling `figures()` does not skew them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil

from agent.logging import Emit

COUNTERS = (
    "scans", "alerts", "duplicates", "unchanged", "coalesced", "vanished", "errors",
    "left_for_catchup", "overflows", "watch_lost", "alert_write_retries", "state_write_retries",
    "rescan_errors",
)  # fmt: skip


class Counters:
    """Thread-safe named counters (the `counts` of heartbeats and the `stopped` event)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = dict.fromkeys(COUNTERS, 0)

    def bump(self, key: str, n: int = 1) -> None:
        with self._lock:
            self._values[key] = self._values.get(key, 0) + n

    def __getitem__(self, key: str) -> int:
        with self._lock:
            return self._values.get(key, 0)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._values)


Figures = Callable[[], dict[str, Any]]


class Health:
    """Builds the health figures from the stages' own figures; emits the heartbeat event."""

    def __init__(self, counters: Counters, emit: Emit, parts: Figures) -> None:
        self.counters = counters
        self.emit = emit
        self.parts = parts  # the stages' figures (queue depth, roots, ...), from the runtime
        self.started = time.monotonic()
        self._proc = psutil.Process()
        self._last = (time.monotonic(), time.process_time(), 0)

    def figures(self, *, new_window: bool = False) -> dict[str, Any]:
        now = time.monotonic()
        rss, cpu, processes = self._footprint()
        t0, c0, s0 = self._last
        scans = self.counters["scans"]
        wall = max(now - t0, 1e-9)
        if new_window:
            self._last = (now, cpu, scans)
        parts = self.parts()
        return {
            "state": parts.pop("state", "?"),
            "uptime_s": round(now - self.started, 1),
            "rss_mb": round(rss / 1024 / 1024, 1),
            "processes": processes,
            "cpu_percent": round(100 * (cpu - c0) / wall, 2),
            "scans_per_second": round((scans - s0) / wall, 2),
            **parts,
            "counts": self.counters.snapshot(),
        }

    def _footprint(self) -> tuple[int, float, int]:
        """RSS bytes, CPU seconds and process count of the agent with its children (the scan
        workers of agent.matchproc): what the host pays for us, not one process of it."""
        times = os.times()  # children already reaped (a restarted scan worker) count too
        cpu = time.process_time() + times.children_user + times.children_system
        rss, processes = 0, 1
        try:
            rss = self._proc.memory_info().rss
            children = self._proc.children(recursive=True)
        except psutil.Error:
            return rss, cpu, processes
        for child in children:
            try:
                rss += child.memory_info().rss
                used = child.cpu_times()
            except psutil.Error:
                continue  # gone since the listing
            cpu += used.user + used.system
            processes += 1
        return rss, cpu, processes

    def heartbeat(self) -> dict[str, Any]:
        h = self.figures(new_window=True)
        self.emit(
            "heartbeat",
            f"rss {h['rss_mb']} MB, cpu {h['cpu_percent']} %, queue {h.get('queue_depth', 0)}, "
            f"{h['scans_per_second']} scans/s, {h.get('files_watched', 0)} files",
            kind="metric",
            **h,
        )
        return h

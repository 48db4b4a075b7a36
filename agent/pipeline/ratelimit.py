"""At most N events of a kind a minute; the rest are counted and reported in one summary event
(a folder of 10,000 unreadable files must not flood events.jsonl)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from agent.logging import Emit

WINDOW = 60.0


class EventBudget:
    def __init__(
        self,
        emit: Emit,
        what: str,
        *,
        per_minute: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.emit = emit
        self.what = what  # e.g. "scan-error": the summary is "scan-errors-suppressed"
        self.per_minute = per_minute
        self.clock = clock
        self._lock = threading.Lock()
        self._start = clock()
        self._emitted = 0
        self._suppressed = 0

    def allow(self) -> bool:
        """True if this event may be emitted now; reports what a past window suppressed."""
        now = self.clock()
        with self._lock:
            suppressed = 0
            if now - self._start >= WINDOW:
                suppressed = self._suppressed
                self._start, self._emitted, self._suppressed = now, 0, 0
            self._emitted += 1
            allowed = self._emitted <= self.per_minute
            if not allowed:
                self._suppressed += 1
        if suppressed:
            self.emit(
                f"{self.what}s-suppressed",
                f"{suppressed} more {self.what} event(s) in the last minute (see the counts in"
                " heartbeats)",
                level="warning",
                suppressed=suppressed,
            )
        return allowed

"""A CPU budget for bulk work (rescans, re-verification): a duty cycle on process CPU time.

After each unit of work the caller sleeps until the process's CPU time over a sliding window is
at most `share` of the wall time (1.0 = one full core). `time.process_time()` counts every
thread of the process, so the budget covers the scan workers that the bulk work keeps busy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

WINDOW = 2.0  # seconds; long enough to average out one large file, short enough to react


class CpuBudget:
    def __init__(
        self,
        share: float,
        *,
        cpu: Callable[[], float] = time.process_time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.share = share
        self._cpu = cpu
        self._clock = clock
        self._lock = threading.Lock()
        self._reset()
        self.slept = 0.0
        self.waiting = False  # in throttle()'s sleep now

    def _reset(self) -> None:
        self._wall0 = self._clock()
        self._cpu0 = self._cpu()

    def delay(self) -> float:
        """Seconds to sleep now to stay within the budget (0 when under it)."""
        with self._lock:
            wall = self._clock() - self._wall0
            used = self._cpu() - self._cpu0
            if wall > WINDOW and used <= self.share * wall:
                self._reset()  # slide the window so an idle hour is not credit for a burst
                return 0.0
            return max(0.0, used / self.share - wall)

    def throttle(self, stop: threading.Event | None = None) -> float:
        """Sleep as long as needed, at most one window; returns early once `stop` is set.
        Returns the seconds actually slept (also added to `slept`)."""
        pause = self.delay()
        if pause <= 0 or (stop is not None and stop.is_set()):
            return 0.0
        pause = min(pause, WINDOW)
        began = time.monotonic()
        self.waiting = True
        try:
            if stop is not None:
                stop.wait(pause)
            else:
                time.sleep(pause)
        finally:
            self.waiting = False
        slept = time.monotonic() - began
        self.slept += slept
        return slept

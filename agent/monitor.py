"""The runtime's once-a-second round: each stage's check (lost watches, coverage polls, rules
reload), the periodic reconcile and the heartbeat. A completed round is the liveness signal
(systemd's watchdog): a wedged round stops it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from agent.logging import Emit

TICK = 1.0
Job = Callable[[], None]


class Monitor:
    def __init__(
        self,
        checks: list[Job],
        periodic: list[tuple[float, Job]],
        emit: Emit,
        stop: threading.Event,
        on_tick: Job | None = None,
    ) -> None:
        self.checks = checks  # every tick
        self.periodic = [(every, job) for every, job in periodic if every > 0]
        self.emit = emit
        self.stop = stop
        self.on_tick = on_tick
        self._thread = threading.Thread(target=self._run, name="wsa-monitor", daemon=True)

    def start(self) -> Monitor:
        self._thread.start()
        return self

    def join(self, timeout: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        last = [time.monotonic()] * len(self.periodic)
        while not self.stop.wait(TICK):
            try:
                for check in self.checks:
                    check()
                now = time.monotonic()
                for i, (every, job) in enumerate(self.periodic):
                    if now - last[i] >= every:
                        last[i] = now
                        job()
                if self.on_tick is not None:
                    self.on_tick()
            except Exception as e:  # the monitor must outlive any one failure
                self.emit("internal-error", f"monitor: {e}", level="error", error=e)

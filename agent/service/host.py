"""Hosting a ServiceCore for a service manager: start, wait, stop on request, within a timeout.

Platform-neutral, so it is tested on Linux; the Windows service and the systemd front end only
translate their manager's events into `run()` and `request_stop()`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

STOP_TIMEOUT = 10.0  # seconds ServiceCore.stop() may take to drain; managers wait a bit longer


def make_core(config_file: str | None) -> Core:
    """The real ServiceCore for a configuration file (None: defaults and environment)."""
    from agent import config as cfgmod
    from agent.service.core import ServiceCore

    return ServiceCore(cfgmod.load(Path(config_file) if config_file else None))


class Core(Protocol):
    """The part of agent.service.core.ServiceCore a host uses."""

    ready: threading.Event

    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...
    def wait(self) -> None: ...
    def health(self) -> Mapping[str, Any]: ...


class ServiceHost:
    """Runs one core until a stop is requested; a stop that arrives first wins."""

    def __init__(self, make_core: Callable[[], Core], stop_timeout: float = STOP_TIMEOUT) -> None:
        self._make_core = make_core
        self.stop_timeout = stop_timeout
        self._lock = threading.Lock()
        self._stop_requested = False
        self.core: Core | None = None

    def run(self) -> None:
        """Build and start the core, block until it ends, make sure it is stopped."""
        with self._lock:
            if self._stop_requested:
                return
            self.core = core = self._make_core()
        try:
            core.start()
            if self.stop_requested():  # asked to stop while the baseline was running
                core.stop(self.stop_timeout)
            core.wait()
        finally:
            core.stop(self.stop_timeout)  # idempotent: returns at once if already stopped

    def stop_requested(self) -> bool:
        with self._lock:
            return self._stop_requested

    def request_stop(self) -> None:
        """From the manager's thread (SCM control handler, signal handler)."""
        with self._lock:
            self._stop_requested = True
            core = self.core
        if core is not None and core.ready.is_set():
            core.stop(self.stop_timeout)

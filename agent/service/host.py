"""Hosting a Runtime for a service manager: start, wait, stop on request, within a timeout.

Platform-neutral, so it is tested on Linux; the Windows service and the systemd front end only
translate their manager's events into `run()` and `request_stop()`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

STOP_TIMEOUT = 10.0  # seconds Runtime.stop() may take to drain; managers wait a bit longer


def make_core(config_file: str | None) -> Core:
    """The real Runtime for a configuration file (None: defaults and environment)."""
    from agent import config as cfgmod
    from agent.runtime import Runtime

    return Runtime(cfgmod.load(Path(config_file) if config_file else None), os_log=os_log())


if sys.platform == "win32":

    def os_log() -> Callable[[dict[str, Any]], None] | None:
        """Events that must be seen (disk full, a corrupt state, the watch limit, events the
        data folder could not keep) go to the Application event log."""
        from agent.outputs import eventlog

        writer_class = getattr(eventlog, "EventLogWriter", None)
        if writer_class is None:
            return None
        writer = writer_class()

        def send(doc: dict[str, Any]) -> None:
            writer.send([doc])

        return send

else:

    def os_log() -> Callable[[dict[str, Any]], None] | None:
        return None  # stderr: the journal keeps it


class Core(Protocol):
    """The part of agent.runtime.Runtime a host uses."""

    ready: threading.Event

    def start(self) -> None: ...
    def request_stop(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...
    def stop(self, timeout: float = 10.0) -> bool: ...
    def health(self) -> dict[str, Any]: ...


class ServiceHost:
    """Runs one core until a stop is requested; a stop that arrives first wins.

    The manager's thread only asks (`request_stop`, safe from a signal handler or the SCM
    control handler); the thread in `run` does the draining stop, within `stop_timeout`.
    """

    def __init__(self, make_core: Callable[[], Core], stop_timeout: float = STOP_TIMEOUT) -> None:
        self._make_core = make_core
        self.stop_timeout = stop_timeout
        self._lock = threading.Lock()
        self._stop_requested = False
        self.core: Core | None = None
        self.drained: bool | None = None  # after run(): did the stop scan everything pending?

    def run(self) -> None:
        """Build and start the core, block until a stop is requested, then stop it."""
        if self.stop_requested():
            return
        core = self._make_core()
        with self._lock:
            if self._stop_requested:
                return  # built, never started: nothing to stop
            self.core = core
        try:
            core.start()  # returns early (not ready) if a stop arrives during the baseline
            core.wait()
        finally:
            self.drained = core.stop(self.stop_timeout)  # idempotent

    def stop_requested(self) -> bool:
        with self._lock:
            return self._stop_requested

    def request_stop(self) -> None:
        """From the manager's thread: ask the core to stop; run() does the rest."""
        with self._lock:
            self._stop_requested = True
            core = self.core
        if core is not None:
            core.request_stop()

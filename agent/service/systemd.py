"""sd_notify: tell systemd we are ready, alive, or stopping (Type=notify units).

The protocol is one datagram per message to the socket named by $NOTIFY_SOCKET; a leading
`@` names an abstract-namespace socket. Our own few lines instead of a dependency. Sending never
raises: a lost notification must not stop the agent (systemd then times out and says so).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

HealthFn = Callable[[], Mapping[str, Any]]


def notify_address(environ: Mapping[str, str]) -> str | None:
    """The socket address from $NOTIFY_SOCKET, or None when we are not under systemd."""
    name = environ.get("NOTIFY_SOCKET", "")
    if name.startswith("@"):
        return "\0" + name[1:]
    if name.startswith("/"):
        return name
    return None  # unset, or a kind we do not speak (vsock)


def notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send one notification ("READY=1", "STATUS=...\\nWATCHDOG=1"); False if nobody listens."""
    address = notify_address(os.environ if environ is None else environ)
    if address is None:
        return False
    return _send(address, message.encode("utf-8"))


if sys.platform == "win32":

    def _send(address: str, data: bytes) -> bool:
        return False  # no systemd on Windows

else:

    def _send(address: str, data: bytes) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(address)
                sock.sendall(data)
        except OSError:
            return False
        return True


def watchdog_period(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between WATCHDOG=1 pings (half of WatchdogSec), or None if no watchdog is armed."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
        pid = int(env.get("WATCHDOG_PID", "0"))
    except ValueError:
        return None
    if usec <= 0 or (pid and pid != os.getpid()):
        return None  # no watchdog, or it is meant for another process (e.g. our parent)
    return usec / 2_000_000


def is_healthy(health: Mapping[str, Any]) -> bool:
    """Read the core's health() dict: healthy unless it says otherwise."""
    for key in ("healthy", "ok"):
        if key in health:
            return bool(health[key])
    status = health.get("status")
    return status is None or str(status).lower() in {"ok", "running", "healthy", "ready"}


class SystemdNotifier:
    """Binds a ServiceCore's lifecycle to sd_notify.

    READY=1 once the initial baseline is done, STOPPING=1 when a stop begins, and WATCHDOG=1
    every half WatchdogSec, but only while the core reports itself healthy: a wedged agent stops
    pinging and systemd restarts it (a timer that always pinged would hide exactly that).
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self.period = watchdog_period(self._environ)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return notify_address(self._environ) is not None

    def send(self, message: str) -> bool:
        return notify(message, self._environ)

    def ready(self, status: str = "watching") -> bool:
        return self.send(f"READY=1\nSTATUS={status}\nMAINPID={os.getpid()}")

    def stopping(self, status: str = "stopping") -> bool:
        self._stop.set()
        return self.send(f"STOPPING=1\nSTATUS={status}")

    def heartbeat(self, health: Mapping[str, Any]) -> bool:
        """Ping the watchdog if the core is healthy; otherwise tell systemd why not."""
        if not is_healthy(health):
            self.send(f"STATUS=unhealthy: {health.get('reason', health.get('status', '?'))}")
            return False
        return self.period is not None and self.send("WATCHDOG=1")

    def start_watchdog(self, health: HealthFn) -> None:
        """Ping from our own thread at the period systemd asked for (WATCHDOG_USEC / 2)."""
        if self.period is None or self._thread is not None:
            return
        period = self.period

        def loop() -> None:
            while not self._stop.wait(period):
                try:
                    self.heartbeat(health())
                except Exception:  # a failing health() means unhealthy: no ping
                    continue

        self._thread = threading.Thread(target=loop, name="systemd-watchdog", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

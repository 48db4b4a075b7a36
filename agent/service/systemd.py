"""sd_notify: tell systemd we are ready, alive, or stopping (Type=notify units).

The protocol is one datagram per message to the socket named by $NOTIFY_SOCKET; a leading
`@` names an abstract-namespace socket. Our own few lines instead of a dependency. Sending never
raises: a lost notification must not stop the agent (systemd then times out and says so).
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from typing import Any

from agent import config as cfgmod
from agent.config import Config


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
    """Read Runtime.health(): healthy while its state is "ready" (explicit flags win)."""
    for key in ("healthy", "ok"):
        if key in health:
            return bool(health[key])
    state = health.get("state", health.get("status"))
    return state is None or str(state).lower() in {"ready", "ok", "running", "healthy"}


class SystemdNotifier:
    """Binds a Runtime's lifecycle to sd_notify.

    READY=1 once the initial baseline is done, STOPPING=1 when a stop begins, and WATCHDOG=1
    from the core's own heartbeat (its monitor loop), only while the core reports itself
    healthy: a wedged or unhealthy agent stops pinging and systemd restarts it. A separate timer
    thread would keep pinging for a dead monitor loop, which is exactly what must not happen.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self.period = watchdog_period(self._environ)

    @property
    def active(self) -> bool:
        return notify_address(self._environ) is not None

    def send(self, message: str) -> bool:
        return notify(message, self._environ)

    def ready(self, status: str = "watching") -> bool:
        return self.send(f"READY=1\nSTATUS={status}\nMAINPID={os.getpid()}")

    def stopping(self, status: str = "stopping: draining the scan queue") -> bool:
        return self.send(f"STOPPING=1\nSTATUS={status}")

    def heartbeat(self, health: Mapping[str, Any]) -> bool:
        """Ping the watchdog if the core is healthy; otherwise tell systemd why not."""
        if not is_healthy(health):
            self.send(f"STATUS=unhealthy: {health.get('reason', health.get('state', '?'))}")
            return False
        lost = health.get("roots_lost") or []
        status = f"watching; {len(lost)} root(s) lost" if lost else "watching"
        return self.send(f"STATUS={status}" + ("\nWATCHDOG=1" if self.period else ""))

    def heartbeat_interval(self, configured: float) -> float:
        """The core's heartbeat must beat at least once per half WatchdogSec."""
        if self.period is None:
            return configured
        return min(configured, self.period) if configured > 0 else self.period

    def bind(self, cfg: Config) -> tuple[Config, dict[str, Any]]:
        """The config (heartbeat fast enough for the watchdog) and Runtime callbacks.

        Outside systemd (no $NOTIFY_SOCKET) both come back unchanged / empty.
        """
        if not self.active:
            return cfg, {}
        interval = self.heartbeat_interval(cfg.agent.heartbeat_interval)
        if interval != cfg.agent.heartbeat_interval:
            cfg = cfgmod.replace(cfg, agent={"heartbeat_interval": interval})
        return cfg, {
            "on_ready": lambda: self.ready(),
            "on_stopping": lambda: self.stopping(),
            "on_heartbeat": self.heartbeat,
        }

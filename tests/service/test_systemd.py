"""sd_notify against real datagram sockets (path and abstract), watchdog timing from the env."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.service import systemd


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(10)
    yield sock, path
    sock.close()


def receive(sock: socket.socket) -> dict[str, str]:
    data = sock.recv(4096).decode()
    return dict(line.split("=", 1) for line in data.splitlines())


def test_ready_and_stopping_reach_a_path_socket(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    n = systemd.SystemdNotifier({"NOTIFY_SOCKET": path})
    assert n.active
    assert n.ready("baseline done: 3 files")
    msg = receive(sock)
    assert msg["READY"] == "1" and msg["STATUS"] == "baseline done: 3 files"
    assert msg["MAINPID"] == str(os.getpid())
    assert n.stopping()
    assert receive(sock)["STOPPING"] == "1"


def test_abstract_namespace_socket() -> None:
    name = f"wsa-test-{os.getpid()}-{threading.get_ident()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(10)
        assert systemd.notify("READY=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(100) == b"READY=1"


@pytest.mark.parametrize("value", ["", "vsock:2:1234", "relative/path"])
def test_no_or_unsupported_socket_is_a_quiet_no(value: str) -> None:
    assert systemd.notify_address({"NOTIFY_SOCKET": value}) is None
    assert not systemd.notify("READY=1", {"NOTIFY_SOCKET": value})


def test_nobody_listening_is_not_an_error(tmp_path: Path) -> None:
    assert not systemd.notify("READY=1", {"NOTIFY_SOCKET": str(tmp_path / "gone")})


@pytest.mark.parametrize(
    ("env", "period"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({}, None),
    ],
)
def test_watchdog_period(env: dict[str, str], period: float | None) -> None:
    assert systemd.watchdog_period(env) == period


@pytest.mark.parametrize(
    ("health", "healthy"),
    [
        ({}, True),
        ({"healthy": True}, True),
        ({"healthy": False, "reason": "observer died"}, False),
        ({"ok": False}, False),
        ({"status": "running"}, True),
        ({"status": "degraded"}, False),
    ],
)
def test_health_reading(health: dict[str, Any], healthy: bool) -> None:
    assert systemd.is_healthy(health) is healthy


def test_heartbeat_pings_only_while_healthy(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    n = systemd.SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"})
    assert n.period == 1.0
    assert n.heartbeat({"healthy": True})
    assert receive(sock) == {"WATCHDOG": "1"}
    assert not n.heartbeat({"healthy": False, "reason": "watch lost"})
    assert receive(sock) == {"STATUS": "unhealthy: watch lost"}


def test_watchdog_thread_pings_from_health_and_stops(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    n = systemd.SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000"})  # 10 ms
    states = iter([True, True, False] + [True] * 10_000)

    def health() -> dict[str, Any]:
        return {"healthy": next(states)}

    n.start_watchdog(health)
    got = [receive(sock) for _ in range(3)]
    n.close()
    assert got[:2] == [{"WATCHDOG": "1"}] * 2
    assert got[2] == {"STATUS": "unhealthy: ?"}  # the third health check failed: no ping
    assert not any(t.name == "systemd-watchdog" for t in threading.enumerate())


def test_watchdog_thread_is_not_started_without_a_watchdog() -> None:
    n = systemd.SystemdNotifier({"NOTIFY_SOCKET": "/nonexistent"})
    n.start_watchdog(dict)
    n.close()
    assert not any(t.name == "systemd-watchdog" for t in threading.enumerate())

"""sd_notify against real datagram sockets (path and abstract), watchdog timing from the env."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import config as cfgmod
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
        ({"state": "ready", "roots_lost": []}, True),
        ({"state": "starting"}, False),
        ({"state": "stopping"}, False),
        ({"healthy": False, "state": "ready"}, False),
        ({"ok": False}, False),
    ],
)
def test_health_reading(health: dict[str, Any], healthy: bool) -> None:
    assert systemd.is_healthy(health) is healthy


def test_heartbeat_pings_only_while_healthy(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    n = systemd.SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"})
    assert n.period == 1.0
    assert n.heartbeat({"state": "ready", "roots_lost": []})
    assert receive(sock) == {"STATUS": "watching", "WATCHDOG": "1"}
    assert n.heartbeat({"state": "ready", "roots_lost": ["/srv/www"]})
    assert receive(sock) == {"STATUS": "watching; 1 root(s) lost", "WATCHDOG": "1"}
    assert not n.heartbeat({"state": "starting"})
    assert receive(sock) == {"STATUS": "unhealthy: starting"}


def test_heartbeat_without_watchdog_only_updates_status(
    listener: tuple[socket.socket, str],
) -> None:
    sock, path = listener
    assert systemd.SystemdNotifier({"NOTIFY_SOCKET": path}).heartbeat({"state": "ready"})
    assert receive(sock) == {"STATUS": "watching"}


def test_bind_makes_the_heartbeat_beat_for_the_watchdog(
    listener: tuple[socket.socket, str],
) -> None:
    _, path = listener
    cfg = cfgmod.Config()
    assert cfg.agent.heartbeat_interval == 60.0
    fast, callbacks = systemd.SystemdNotifier(
        {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"}
    ).bind(cfg)
    assert fast.agent.heartbeat_interval == 15.0
    assert set(callbacks) == {"on_ready", "on_stopping", "on_heartbeat"}
    slow, _ = systemd.SystemdNotifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "600000000"}).bind(
        cfg
    )
    assert slow.agent.heartbeat_interval == 60.0


def test_bind_outside_systemd_changes_nothing() -> None:
    cfg = cfgmod.Config()
    assert systemd.SystemdNotifier({}).bind(cfg) == (cfg, {})

"""A real `webshell-agent run` process under a fake systemd: READY after the baseline, WATCHDOG
from its heartbeat, STOPPING on SIGTERM, exit 0 — all observed on a real datagram socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("agent.runtime")


def messages(sock: socket.socket) -> dict[str, str]:
    data = sock.recv(4096).decode()
    return dict(line.split("=", 1) for line in data.splitlines())


def wait_for(sock: socket.socket, key: str) -> list[dict[str, str]]:
    """Every message up to and including the first that carries `key`."""
    seen = []
    while True:
        msg = messages(sock)
        seen.append(msg)
        if key in msg:
            return seen


def test_agent_process_notifies_ready_watchdog_stopping(tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    for i in range(20):
        (root / f"page{i}.php").write_text(f"<?php echo {i}; ?>\n")
    cfg = tmp_path / "agent.toml"
    cfg.write_text(
        f"[agent]\ndata_dir = '{tmp_path / 'data'}'\nlow_priority = false\n"
        f"[rules]\ncache_dir = '{tmp_path / 'cache'}'\n"
        f"[watch]\nroots = ['{root}']\n[process]\nenabled = false\n"
    )
    sock_path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(sock_path))
        sock.settimeout(120)  # an upper bound for a slow machine, not a speed assertion
        env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSHELL_AGENT_")}
        env.update(NOTIFY_SOCKET=str(sock_path), WATCHDOG_USEC="2000000", HOME=str(tmp_path))
        proc = subprocess.Popen(
            [sys.executable, "-m", "agent", "run", "--quiet", "--config", str(cfg)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            before_ready = wait_for(sock, "READY")
            ready = before_ready[-1]
            assert ready["READY"] == "1" and ready["MAINPID"] == str(proc.pid)
            # the baseline was done before READY: every page is in the state already
            assert (tmp_path / "data" / "state.sqlite").exists()
            beats = wait_for(sock, "WATCHDOG")
            assert beats[-1]["WATCHDOG"] == "1" and beats[-1]["STATUS"].startswith("watching")
            proc.send_signal(signal.SIGTERM)
            stopping = wait_for(sock, "STOPPING")
            assert stopping[-1]["STOPPING"] == "1"
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err

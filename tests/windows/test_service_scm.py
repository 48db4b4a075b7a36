"""The Windows service through the real SCM: `service install` (pywin32, pythonservice.exe),
running, detecting in a watched folder, `service stop`, `service uninstall --purge`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHELL
from tests.windows.conftest import read_jsonl, wait_for

NAME = "webshell-agent"


def agent(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args], capture_output=True, text=True, timeout=180,
        check=False,
    )  # fmt: skip


def state() -> str:
    import win32serviceutil

    code = win32serviceutil.QueryServiceStatus(NAME)[1]
    return {1: "stopped", 2: "starting", 3: "stopping", 4: "running"}.get(code, str(code))


@pytest.mark.usefixtures("admin")
def test_install_start_detect_stop_uninstall(tmp_path: Path) -> None:
    if sys.platform != "win32":
        pytest.skip("Windows only")
    www, data = tmp_path / "www", Path(os.environ["PROGRAMDATA"]) / "webshell-agent-test"
    www.mkdir()
    config = tmp_path / "agent.toml"
    config.write_text(
        f"[watch]\nroots = ['{www}']\n[agent]\ndata_dir = '{data}'\n"
        f"[rules]\ncache_dir = '{data / 'cache'}'\n",
        encoding="utf-8",
    )
    done = agent("service", "install", "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        wait_for("the service running", lambda: state() == "running", 120)
        status = agent("service", "status")
        assert status.returncode == 0 and "running" in status.stdout
        shell = www / "chopper.aspx"
        shell.write_bytes(SHELL)
        wait_for(
            "an alert from the service",
            lambda: any(a.get("file", {}).get("path") == str(shell)
                        for a in read_jsonl(data / "alerts.jsonl")),
            60,
        )  # fmt: skip
        done = agent("service", "stop")
        assert done.returncode == 0, done.stderr
        wait_for("the service stopped", lambda: state() == "stopped", 60)
    finally:
        done = agent("service", "uninstall", "--purge")
    assert done.returncode == 0, done.stdout + done.stderr
    gone = subprocess.run(["sc.exe", "query", NAME], capture_output=True, text=True, check=False)
    assert gone.returncode == 1060  # ERROR_SERVICE_DOES_NOT_EXIST

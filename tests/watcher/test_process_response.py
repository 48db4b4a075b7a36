"""The running agent: a file alert, then the web worker starts a shell in that root -> a linked
process alert; with response.quarantine on, the shell file is moved away."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from agent.config import ProcessConfig, ResponseConfig
from agent.process.correlate import tail_file_alerts
from agent.quarantine import Quarantine
from tests.watcher.conftest import SHELL, Agent, make_config, read_jsonl, wait_for

pytestmark = pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")


def test_file_alert_then_worker_shell_are_linked(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: Callable[..., Agent]
) -> None:
    cfg = make_config(tmp_path, [web_root], agent_rules)
    cfg = dataclasses.replace(cfg, process=ProcessConfig(interval=0.05))
    agent = run_agent(cfg)
    uploads = web_root / "uploads"
    uploads.mkdir()
    (uploads / "s.aspx").write_bytes(SHELL)
    wait_for(lambda: len(agent.alerts()) == 1, what="the file alert")
    (file_alert,) = agent.alerts()  # file alerts only

    w3wp = tmp_path / "w3wp.exe"
    shutil.copy2(shutil.which("sh") or "/bin/sh", w3wp)
    worker = subprocess.Popen(
        [str(w3wp), "-c", "sh -c 'sleep 60; true'; true"], cwd=uploads, start_new_session=True
    )

    def ours() -> list[dict[str, Any]]:  # the host may run other web workers meanwhile
        return [
            a
            for a in read_jsonl(agent.data / "alerts.jsonl")
            if a.get("process", {}).get("parent", {}).get("pid") == worker.pid
        ]

    try:
        wait_for(lambda: bool(ours()), what="the process alert")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    (proc_alert,) = ours()
    assert proc_alert["event"]["dataset"] == "webshell_agent.process"
    assert proc_alert["process"]["parent"]["pid"] == worker.pid
    assert proc_alert["webshell"]["correlation_id"] == file_alert["webshell"]["correlation_id"]
    assert proc_alert["webshell"]["correlation"]["basis"] == "cwd"
    assert file_alert["file"]["hash"]["sha256"] in proc_alert["related"]["hash"]
    assert agent.core.health()["process"]["findings"] >= 1
    # the file stays: quarantine is off by default
    assert (uploads / "s.aspx").exists()
    assert "response" not in file_alert["webshell"]


def test_quarantine_on_moves_the_shell(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: Callable[..., Agent]
) -> None:
    cfg = make_config(tmp_path, [web_root], agent_rules)
    cfg = dataclasses.replace(
        cfg, response=ResponseConfig(quarantine=True), process=ProcessConfig(enabled=False)
    )
    agent = run_agent(cfg)
    assert agent.core.process_watcher is None
    (web_root / "s.aspx").write_bytes(SHELL)
    (web_root / "ok.aspx").write_bytes(b"<html>fine</html>")
    wait_for(lambda: len(agent.alerts()) == 1, what="the file alert")
    (alert,) = agent.alerts()
    response = alert["webshell"]["response"]
    assert response["outcome"] == "success"
    assert not (web_root / "s.aspx").exists() and (web_root / "ok.aspx").exists()
    q = Quarantine(agent.data)
    assert q.content(q.get(response["id"])) == SHELL


def test_a_restarted_agent_still_links_to_a_file_alert_made_before(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: Callable[..., Agent]
) -> None:
    cfg = make_config(tmp_path, [web_root], agent_rules)
    cfg = dataclasses.replace(cfg, process=ProcessConfig(interval=0.05))
    first = run_agent(cfg)
    (web_root / "s.aspx").write_bytes(SHELL)
    wait_for(lambda: len(first.alerts()) == 1, what="the file alert")
    (file_alert,) = first.alerts()
    assert first.core.stop(10)

    second = run_agent(cfg)  # same data folder: it reads the recent alerts back
    w3wp = tmp_path / "w3wp.exe"
    shutil.copy2(shutil.which("sh") or "/bin/sh", w3wp)
    worker = subprocess.Popen(
        [str(w3wp), "-c", "sh -c 'sleep 60; true'; true"], cwd=web_root, start_new_session=True
    )

    def ours() -> list[dict[str, Any]]:
        return [
            a
            for a in read_jsonl(second.data / "alerts.jsonl")
            if a.get("process", {}).get("parent", {}).get("pid") == worker.pid
        ]

    try:
        wait_for(lambda: bool(ours()), what="the process alert")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    (proc_alert,) = ours()
    assert proc_alert["webshell"]["correlation_id"] == file_alert["webshell"]["correlation_id"]


def test_tail_file_alerts_skips_cut_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    good = {"file": {"path": "/x"}, "event": {"id": "a"}}
    path.write_text(
        "\n".join(
            ['{"file": {"path": "/old"}, "padding": "' + "x" * 100 + '"}', "not json",
             '{"process": {"pid": 1}}', json.dumps(good)]
        ) + "\n"
    )  # fmt: skip
    assert tail_file_alerts(path) == [{"file": {"path": "/old"}, "padding": "x" * 100}, good]
    assert tail_file_alerts(path, max_bytes=60) == [good]  # the cut first line is dropped
    assert tail_file_alerts(tmp_path / "missing.jsonl") == []

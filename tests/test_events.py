"""Operational events: the alert envelope, one JSON line each, apart from alerts."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path

import pytest

from agent.identity import load_identity
from agent.logging import EventLog, ForwardWarnings
from agent.outputs.jsonfile import JsonLinesFile


def test_event_documents(tmp_path: Path) -> None:
    f = JsonLinesFile(tmp_path / "events.jsonl", 0, 1)
    shown: list[dict[str, object]] = []
    log = EventLog(f, load_identity(tmp_path), echo=shown.append)
    log.emit("started", "started: 1 root", kind="state", roots=["/srv/www"], rules=3)
    log.emit("scan-error", "cannot scan x", level="warning", error="boom", path="x")
    f.close()
    docs = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [d["event"]["action"] for d in docs] == ["started", "scan-error"]
    started, err = docs
    assert (
        started["event"]["kind"] == "state"
        and started["event"]["dataset"] == "webshell_agent.events"
    )
    assert started["webshell"] == {"roots": ["/srv/www"], "rules": 3}
    assert started["message"] == "started: 1 root" and started["@timestamp"].endswith("Z")
    assert started["agent"]["id"] == load_identity(tmp_path).agent_id
    assert err["log"]["level"] == "warning" and err["error"] == {"message": "boom"}
    assert shown == docs
    assert log.counts == {"started": 1, "scan-error": 1}


def test_a_closed_file_does_not_stop_the_agent(tmp_path: Path) -> None:
    f = JsonLinesFile(tmp_path / "events.jsonl", 0, 1)
    log = EventLog(f, load_identity(None))
    f.close()
    log.emit("heartbeat", "hb")
    assert log.write_failures == 1


def test_library_warnings_become_events(tmp_path: Path) -> None:
    got: list[dict[str, object]] = []
    log = EventLog(None, load_identity(None), echo=got.append)
    handler = ForwardWarnings(log)
    logger = logging.getLogger("watchdog.test-forward")
    logger.addHandler(handler)
    try:
        logger.warning("Inotify queue overflowed; filesystem events were lost")
        logger.info("not forwarded")
    finally:
        logger.removeHandler(handler)
    assert len(got) == 1
    assert got[0]["message"] == "Inotify queue overflowed; filesystem events were lost"
    assert got[0]["webshell"] == {"logger": "watchdog.test-forward"}


def test_events_the_file_cannot_keep_go_to_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    f = JsonLinesFile(tmp_path / "events.jsonl", 0, 1)
    log = EventLog(f, load_identity(None))
    log.emit("kept", "written to the file only")
    assert capfd.readouterr().err == ""
    log.emit("disk-full", "the data folder is full", level="critical", stderr=True)
    (line,) = capfd.readouterr().err.splitlines()
    assert json.loads(line)["event"]["action"] == "disk-full"
    subprocess.run(["chattr", "+i", str(tmp_path / "events.jsonl")], check=False)
    try:
        if os.access(tmp_path / "events.jsonl", os.W_OK) and not _immutable(tmp_path):
            pytest.skip("chattr +i is not possible here")
        log.emit("lost-otherwise", "the file refuses it")
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "events.jsonl")], check=False)
        f.close()
    (line,) = capfd.readouterr().err.splitlines()
    assert json.loads(line)["event"]["action"] == "lost-otherwise"
    assert log.write_failures == 1
    actions = [json.loads(x)["event"]["action"] for x in (tmp_path / "events.jsonl").open()]
    assert actions == ["kept", "disk-full"]


def _immutable(folder: Path) -> bool:
    out = subprocess.run(["lsattr", str(folder / "events.jsonl")], capture_output=True, text=True)
    return "i" in out.stdout.split(" ", 1)[0]

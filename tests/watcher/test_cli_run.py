"""`webshell-agent run` as a real process: signals, kill -9 and catch-up, exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.watcher.conftest import BENIGN, SHELL, read_jsonl, wait_for


class AgentProcess:
    def __init__(self, tmp_path: Path, root: Path, rules: Path) -> None:
        self.data = tmp_path / "data"
        self.args = [
            sys.executable, "-m", "agent", "run", "--watch", str(root), "--data-dir",
            str(self.data), "--rules", str(rules), "--no-default-rules",
        ]  # fmt: skip
        self.env = os.environ | {
            "WEBSHELL_AGENT_RULES_CACHE_DIR": str(tmp_path / "cache"),
            "WEBSHELL_AGENT_WATCH_SETTLE": "0.3",
            "WEBSHELL_AGENT_AGENT_LOW_PRIORITY": "false",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        self.proc = subprocess.Popen(
            self.args, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_for(
            lambda: len(self.events("ready")) == self.runs or self.proc.poll() is not None,
            what="ready",
        )
        assert self.proc.poll() is None, self.proc.communicate()

    def events(self, action: str) -> list[dict[str, object]]:
        return [d for d in read_jsonl(self.data / "events.jsonl") if d["event"]["action"] == action]

    def alerts(self) -> list[dict[str, object]]:
        # file alerts only: the process watch may report other web workers on this host
        return [a for a in read_jsonl(self.data / "alerts.jsonl") if "file" in a]

    def signal(self, sig: int) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)  # a hang guard, not a speed assertion
        self.proc.communicate()
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self.proc.communicate()


@pytest.fixture
def agent_process(tmp_path: Path, web_root: Path, agent_rules: Path) -> Iterator[AgentProcess]:
    p = AgentProcess(tmp_path, web_root, agent_rules)
    yield p
    p.kill()


def test_kill_9_then_restart_catches_up(web_root: Path, agent_process: AgentProcess) -> None:
    (web_root / "before.aspx").write_bytes(SHELL)
    page = web_root / "page.aspx"
    page.write_bytes(BENIGN)
    agent_process.start()
    assert [a["file"]["path"] for a in agent_process.alerts()] == [str(web_root / "before.aspx")]
    agent_process.proc.kill()  # SIGKILL: no drain, no goodbye
    agent_process.proc.wait()
    agent_process.proc.communicate()
    (web_root / "while_down.aspx").write_bytes(SHELL + b"down")
    page.write_bytes(BENIGN + SHELL)  # a page turned into a shell while nobody watched
    (web_root / "before.aspx").unlink()
    agent_process.start()
    alerts = agent_process.alerts()
    by_path = Counter(a["file"]["path"] for a in alerts)
    assert by_path == {
        str(web_root / "before.aspx"): 1,
        str(web_root / "while_down.aspx"): 1,
        str(page): 1,
    }
    assert {a["webshell"]["trigger"] for a in alerts[1:]} == {"catchup"}
    finished = agent_process.events("rescan-finished")[-1]["webshell"]
    assert finished["trigger"] == "catchup" and finished["forgotten"] == 1
    assert agent_process.signal(signal.SIGTERM) == 0
    stopped = agent_process.events("stopped")
    assert len(stopped) == 1 and stopped[0]["webshell"]["drained"] is True


def test_sigterm_drains_and_nothing_is_lost(web_root: Path, agent_process: AgentProcess) -> None:
    agent_process.start()
    shells = set()
    for i in range(600):
        p = web_root / f"p{i}.aspx"
        p.write_bytes(SHELL + str(i).encode() if i % 50 == 0 else BENIGN)
        if i % 50 == 0:
            shells.add(str(p))
    assert agent_process.signal(signal.SIGTERM) == 0  # at once, with the burst still in flight
    stopped = agent_process.events("stopped")[-1]["webshell"]
    assert agent_process.events("stopping")
    # whatever the drain did not reach is picked up by the next start, never lost nor doubled
    agent_process.start()
    assert agent_process.signal(signal.SIGINT) == 0
    alerted = Counter(a["file"]["path"] for a in agent_process.alerts())
    assert set(alerted) == shells and max(alerted.values()) == 1
    assert stopped["left_for_catchup"] == 0 or stopped["drained"] is False


def test_run_without_roots_is_a_clear_error(tmp_path: Path, agent_rules: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "agent", "run", "--data-dir", str(tmp_path / "d"), "--rules",
         str(agent_rules), "--no-default-rules"],
        capture_output=True, text=True, timeout=60,
        env=os.environ | {"WEBSHELL_AGENT_RULES_CACHE_DIR": str(tmp_path / "cache")},
    )  # fmt: skip
    assert out.returncode == 2
    assert "nothing to watch" in out.stderr


def test_a_second_agent_on_the_same_data_folder_is_refused(
    tmp_path: Path, web_root: Path, agent_process: AgentProcess
) -> None:
    agent_process.start()
    out = subprocess.run(
        agent_process.args, env=agent_process.env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "another agent" in out.stderr
    assert agent_process.signal(signal.SIGTERM) == 0


def test_run_from_a_config_file_and_sighup_reloads(
    tmp_path: Path, web_root: Path, agent_rules: Path
) -> None:
    data = tmp_path / "cfgdata"
    cfg = tmp_path / "agent.toml"
    cfg.write_text(
        f'[watch]\nroots = ["{web_root}"]\nsettle = 0.3\n'
        f'[rules]\npaths = ["{agent_rules}"]\ndefault_rules = false\nreload = false\n'
        f'cache_dir = "{tmp_path / "cache"}"\n'
        f'[agent]\ndata_dir = "{data}"\nlow_priority = false\n',
        encoding="utf-8",
    )
    (web_root / "m.aspx").write_bytes(b"<% MARKER-SIGHUP %>")
    # the file alone decides (the suite's isolation variables would override it: env > file)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBSHELL_AGENT_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent", "run", "--config", str(cfg)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:

        def events(action: str) -> list[dict[str, object]]:
            docs = read_jsonl(data / "events.jsonl")
            return [d for d in docs if d["event"]["action"] == action]

        wait_for(lambda: bool(events("ready")) or proc.poll() is not None, what="ready")
        assert proc.poll() is None
        assert read_jsonl(data / "alerts.jsonl") == []
        rule = 'rule T_Hup { strings: $a = "MARKER-SIGHUP" condition: $a }\n'
        (agent_rules / "hup.yar").write_text(rule, encoding="utf-8")
        proc.send_signal(signal.SIGHUP)  # rule folders are not watched here (reload = false)
        wait_for(lambda: bool(events("rules-reloaded")), what="the reload on SIGHUP")
        wait_for(lambda: len(read_jsonl(data / "alerts.jsonl")) == 1, what="the re-verification")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.communicate()

"""Running a real agent (Runtime or the CLI) on real folders with real inotify."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import AgentConfig, Config, RulesConfig, ScanConfig, WatchConfig
from agent.pipeline import Job
from agent.runtime import Runtime
from agent.scanner import ScanResult

RULES = r"""
rule T_Eval_Request
{
    meta:
        description = "eval of request data"
        family = "Test Family"
        severity = "critical"
    strings:
        $a = "eval(Request" nocase
    condition:
        $a
}
"""
SHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>'
BENIGN = b"<html><body><% Response.Write(DateTime.Now) %></body></html>"


def wait_for(pred: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll until pred() holds. The timeout only stops a hung test; it asserts no speed."""
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    data = path.read_bytes()
    data = data[: data.rfind(b"\n") + 1]  # the agent may be mid-write: only complete lines
    return [json.loads(x) for x in data.decode("utf-8").split("\n") if x.strip()]


@pytest.fixture
def agent_rules(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test.yar").write_text(RULES, encoding="utf-8")
    return d


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    d = tmp_path / "www"
    d.mkdir()
    return d


def make_config(
    tmp_path: Path, roots: list[Path], rules: Path, *, settle: float = 0.3, **agent: Any
) -> Config:
    agent_cfg = {"data_dir": tmp_path / "data", "low_priority": False, "cpu_budget": 8.0} | agent
    return Config(
        agent=AgentConfig(**agent_cfg),
        scan=ScanConfig(threads=2),
        rules=RulesConfig(paths=(rules,), default_rules=False, cache_dir=tmp_path / "cache"),
        watch=WatchConfig(roots=tuple(roots), settle=settle, rescan_interval=0),
    )


class Agent:
    """A started Runtime plus what it scanned and alerted, for assertions."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.scans: Counter[str] = Counter()
        self.triggers: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self.core = Runtime(cfg, on_scan=self._on_scan)

    def _on_scan(self, job: Job, result: ScanResult) -> None:
        with self._lock:
            self.scans[job.path] += 1
            self.triggers.setdefault(job.path, []).append(job.trigger)

    @property
    def data(self) -> Path:
        return self.cfg.agent.data_dir

    def alerts(self) -> list[dict[str, Any]]:
        # file alerts only: the process watch may report other web workers on this host
        return [a for a in read_jsonl(self.data / "alerts.jsonl") if "file" in a]

    def alerted_paths(self) -> Counter[str]:
        return Counter(a["file"]["path"] for a in self.alerts())

    def events(self, action: str | None = None) -> list[dict[str, Any]]:
        docs = read_jsonl(self.data / "events.jsonl")
        return [d for d in docs if action is None or d["event"]["action"] == action]

    def idle(self) -> bool:
        return self.core.idle()


@pytest.fixture
def run_agent() -> Iterator[Callable[[Config], Agent]]:
    started: list[Agent] = []
    before = set(threading.enumerate())

    def start(cfg: Config) -> Agent:
        a = Agent(cfg)
        started.append(a)
        a.core.start()
        return a

    start.started = started  # type: ignore[attr-defined]
    yield start
    for a in started:
        a.core.stop(10.0)
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in leaked:
        t.join(5)
    assert not [t.name for t in leaked if t.is_alive()], "threads leaked"

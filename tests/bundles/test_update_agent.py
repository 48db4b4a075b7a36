"""A real `webshell-agent run` process polling a real HTTPS server: it picks up a bundle within
one poll interval, takes a new one in the middle of a burst without losing a file or an alert,
and refuses bad bundles with an event while it keeps scanning with the rules it has."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bundles.conftest import BENIGN, SHELL, Keys, Server, publish, rule_folder, wait_for
from tests.watcher.conftest import read_jsonl


class Agent:
    def __init__(self, tmp_path: Path, server: Server, keys: Keys) -> None:
        self.data, self.root = tmp_path / "data", tmp_path / "web"
        self.root.mkdir()
        conf = tmp_path / "agent.toml"
        conf.write_text(
            f"""
[agent]
heartbeat_interval = 1
low_priority = false
[watch]
roots = ["{self.root}"]
settle = 0.3
[process]
enabled = false
[rules.update]
url = "{server.url}"
public_key_file = "{keys.public_file}"
ca_file = "{server.ca}"
interval = 2
timeout = 10
""",
            encoding="utf-8",
        )
        env = os.environ | {
            "WEBSHELL_AGENT_AGENT_DATA_DIR": str(self.data),
            "WEBSHELL_AGENT_RULES_CACHE_DIR": str(tmp_path / "cache"),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent", "run", "--config", str(conf)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for(lambda: self.events("ready") or self.proc.poll() is not None, what="ready")
        assert self.proc.poll() is None, self.proc.communicate()

    def events(self, action: str, **fields: Any) -> list[dict[str, Any]]:
        return [
            d
            for d in read_jsonl(self.data / "events.jsonl")
            if d["event"]["action"] == action
            and all(d.get("webshell", {}).get(k, d.get(k)) == v for k, v in fields.items())
        ]

    def alerts(self) -> list[dict[str, Any]]:
        return [a for a in read_jsonl(self.data / "alerts.jsonl") if "file" in a]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)  # a hang guard
        self.proc.communicate()
        return code


def _field(doc: dict[str, Any], key: str) -> Any:
    """Event fields sit under `webshell` or at the top, depending on the event writer."""
    return doc.get("webshell", {}).get(key, doc.get(key))


@pytest.fixture
def agent(tmp_path: Path, https_server: Server, keys: Keys) -> Iterator[Agent]:
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, https_server.root)
    a = Agent(tmp_path, https_server, keys)
    yield a
    if a.proc.poll() is None:
        a.proc.kill()
        a.proc.communicate()


def _reloaded_to(agent: Agent, version: str) -> bool:
    return any(_field(e, "version") == version for e in agent.events("rules-reloaded"))


def test_updates_arrive_mid_burst_and_bad_bundles_change_nothing(
    tmp_path: Path, agent: Agent, https_server: Server, keys: Keys
) -> None:
    # bundle 1 was on the server at start: taken within one interval, and reloaded hot
    wait_for(lambda: _reloaded_to(agent, "1"), what="bundle 1 loaded")
    wait_for(
        lambda: any(_field(h, "rules_version") == "1" for h in agent.events("heartbeat")),
        what="a heartbeat naming bundle 1",
    )
    shells, benign = [], []
    for i in range(300):
        if i == 100:  # bundle 2 is published while the burst is being written and scanned
            publish(rule_folder(tmp_path / "v2", 2), 2, keys, https_server.root)
        path = agent.root / f"d{i % 7}" / f"f{i}.aspx"
        path.parent.mkdir(exist_ok=True)
        if i % 3 == 0:
            path.write_bytes(SHELL + f"<!-- {i} -->".encode())
            shells.append(str(path))
        else:
            path.write_bytes(BENIGN + f"<!-- {i} -->".encode())
            benign.append(str(path))
    wait_for(lambda: _reloaded_to(agent, "2"), what="bundle 2 loaded")

    def versions_of(path: str) -> set[str]:
        return {a["rule"]["version"] for a in agent.alerts() if a["file"]["path"] == path}

    # every shell alerted, and re-verified under bundle 2: no file unscanned, no alert lost
    wait_for(lambda: all("2" in versions_of(p) for p in shells), what="every shell under bundle 2")
    assert not any(a["file"]["path"] in benign for a in agent.alerts())
    updated = agent.events("rules-updated")
    assert [(_field(e, "previous"), _field(e, "version")) for e in updated] == [(None, 1), (1, 2)]

    # bad bundles: each refused with an event; the agent scans on with bundle 2
    archive = publish(rule_folder(tmp_path / "v3", 3), 3, keys, https_server.root)
    good = archive.read_bytes()
    archive.write_bytes(good[:-40] + bytes(40))  # tampered after signing
    wait_for(lambda: agent.events("rules-update-failed"), what="the tampered bundle refused")
    publish(
        rule_folder(tmp_path / "v3b", 3, rule="rule broken { condition: $x }"),
        3,
        keys,
        https_server.root,
    )
    wait_for(
        lambda: any(_field(e, "reason") == "compile" for e in agent.events("rules-update-failed")),
        what="the broken bundle refused",
    )
    reasons = {_field(e, "reason") for e in agent.events("rules-update-failed")}
    assert reasons == {"signature", "compile"}
    late = agent.root / "late.aspx"
    late.write_bytes(SHELL + b"<!-- late -->")
    wait_for(lambda: versions_of(str(late)) == {"2"}, what="a new shell caught with bundle 2")
    assert not _reloaded_to(agent, "3")
    assert agent.stop() == 0

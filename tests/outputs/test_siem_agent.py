"""The running agent ships its alerts: Runtime starts the outputs, a shell written under a
watched root reaches a real rsyslog (TLS) and a HEC collector with the same event.id."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import Config
from agent.errors import ConfigError
from agent.runtime import Runtime
from tests.outputs.siem_support import FakeCollector, parse_sd, rsyslog_server
from tests.outputs.test_siem_http import hec_events, hec_handler
from tests.watcher.conftest import SHELL, Agent, make_config, wait_for

FAST = {"backoff_initial": 0.05, "backoff_max": 0.5}


@pytest.mark.needs_rsyslog
def test_alerts_reach_syslog_and_hec_and_health_goes_to_events(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: Callable[[Config], Agent]
) -> None:
    with rsyslog_server() as rs, FakeCollector(hec_handler) as hec:
        outputs = (
            {"type": "syslog", "name": "soc", "address": rs.address("tls"), "transport": "tls",
             "ca_file": str(rs.pki["ca"]), **FAST},
            {"type": "hec", "url": hec.url, "token": "s3cret", **FAST},
            {"type": "syslog", "name": "nowhere", "address": "127.0.0.1:9", "transport": "tcp", **FAST},
        )  # fmt: skip
        cfg = dataclasses.replace(make_config(tmp_path, [web_root], agent_rules), outputs=outputs)
        agent = run_agent(cfg)
        (web_root / "shell.aspx").write_bytes(SHELL)
        wait_for(lambda: len(agent.alerts()) == 1, what="the alert")
        wait_for(lambda: len(rs.received()) == 1 and len(hec_events(hec)) == 1, what="delivery")
        wait_for(lambda: bool(agent.events("output-down")), what="a health event")
        alert = agent.alerts()[0]
        (msg,) = rs.received()
    assert json.loads(msg["msg"]) == alert
    assert parse_sd(msg["sd"])["webshell@32473"]["eventId"] == alert["event"]["id"]
    assert hec_events(hec)[0]["event"] == alert
    down = agent.events("output-down")[0]
    assert down["webshell"]["output"]["name"] == "nowhere" and down["log"]["level"] == "error"
    assert "127.0.0.1:9" in down["message"]


def test_a_bad_output_table_stops_the_start_with_a_clear_error(
    tmp_path: Path, web_root: Path, agent_rules: Path
) -> None:
    outputs = ({"type": "syslog", "address": "127.0.0.1:6514", "transport": "tpc"},)
    cfg = dataclasses.replace(make_config(tmp_path, [web_root], agent_rules), outputs=outputs)
    core = Runtime(cfg)
    with pytest.raises(ConfigError) as err:
        core.start()
    assert err.value.location == "outputs[0] (syslog).transport"
    assert core.stopped

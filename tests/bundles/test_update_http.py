"""Updates over a real HTTPS server on loopback (CA made by the test): conditional GET, a
wrong CA, a server that is down, slow, truncating or failing, and the poller's backoff."""

from __future__ import annotations

import dataclasses
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from agent import config as cfgmod
from agent.rules import bundle_store
from agent.rules.update_poller import UpdatePoller
from tests.bundles.conftest import Keys, Server, publish, rule_folder


def _poller(
    server_url: str, keys: Keys, ca: Path, **update: Any
) -> tuple[UpdatePoller, list[dict[str, Any]]]:
    cfg = cfgmod.load(None)
    up = dataclasses.replace(
        cfg.rules.update, url=server_url, public_key_file=str(keys.public_file), ca_file=str(ca),
        **{"interval": 3600.0, "timeout": 5.0, **update},
    )  # fmt: skip
    cfg = dataclasses.replace(cfg, rules=dataclasses.replace(cfg.rules, update=up))
    events: list[dict[str, Any]] = []
    reloads: list[int] = []

    def emit(action: str, message: str, **fields: Any) -> None:
        events.append({"action": action, "message": message, **fields})

    poller = UpdatePoller(cfg, cfg.agent.data_dir, emit, lambda: reloads.append(1))
    return poller, events


def _actions(events: list[dict[str, Any]]) -> list[str]:
    return [e["action"] for e in events]


def test_poll_installs_then_conditional_get_moves_no_bundle(
    tmp_path: Path, keys: Keys, https_server: Server
) -> None:
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, https_server.root)
    poller, events = _poller(https_server.url, keys, https_server.ca)
    poller.poll()
    assert _actions(events) == ["rules-update-available", "rules-updated"]
    assert events[1]["version"] == 1 and events[1]["rules"] == 1 and events[1]["tests"] == 2
    assert bundle_store.read_pointer(cfgmod.load(None).agent.data_dir).version == 1
    poller.poll()
    poller.poll()
    assert _actions(events) == ["rules-update-available", "rules-updated"]  # nothing new
    assert https_server.count(".minisig", 304) == 2  # If-None-Match answered "not modified"
    assert https_server.count(".tar.gz") == 1  # the archive was fetched once


def test_cli_update_over_https_and_a_wrong_ca(
    tmp_path: Path, keys: Keys, https_server: Server, cli: Any
) -> None:
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, https_server.root)
    r = cli(
        "rules",
        "update",
        "--from",
        https_server.url,
        "--public-key",
        str(keys.public_file),
        "--ca-file",
        str(https_server.wrong_ca),
    )
    assert r.code == 2 and "(network)" in r.err and "CERTIFICATE" in r.err.upper()
    r = cli(
        "rules",
        "update",
        "--from",
        https_server.url,
        "--public-key",
        str(keys.public_file),
        "--ca-file",
        str(https_server.ca),
    )
    assert r.code == 0 and "installed bundle 1" in r.out, r.err


@pytest.mark.parametrize("mode", ["error", "truncate", "slow"])
def test_bad_servers_are_network_failures_within_the_timeout(
    tmp_path: Path, keys: Keys, https_server: Server, mode: str
) -> None:
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, https_server.root)
    # the archive is over 1 KB: a 64-byte-a-second server cannot finish inside 2 s
    https_server.mode = mode
    poller, events = _poller(https_server.url, keys, https_server.ca, timeout=2.0)
    started = time.monotonic()
    poller.poll()
    assert time.monotonic() - started < 60  # a hang guard: the 2 s limit ends it, not the server
    failed = [e for e in events if e["action"] == "rules-update-failed"]
    assert len(failed) == 1 and failed[0]["reason"] == "network", events
    assert {"error": "HTTP 503", "truncate": "truncated", "slow": "too slow"}[mode] in failed[0][
        "error"
    ]
    assert bundle_store.read_pointer(cfgmod.load(None).agent.data_dir).version is None


def test_a_server_that_is_down_backs_off_then_recovers(
    tmp_path: Path, keys: Keys, https_server: Server
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"https://127.0.0.1:{s.getsockname()[1]}/webshell-rules.tar.gz"  # nobody listens
    poller, events = _poller(dead, keys, https_server.ca)
    waits = [poller.poll() for _ in range(3)]
    assert [e["reason"] for e in events] == ["network"] * 3
    assert 24 <= waits[0] <= 30 and 48 <= waits[1] <= 60 and 96 <= waits[2] <= 120  # doubling
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, https_server.root)
    poller.update = dataclasses.replace(poller.update, url=https_server.url)
    assert 2880 <= poller.poll() <= 3600  # success: back to the interval (with jitter below it)
    assert events[-1]["action"] == "rules-updated"


def test_refusals_are_events_with_a_reason(
    tmp_path: Path, keys: Keys, https_server: Server
) -> None:
    publish(rule_folder(tmp_path / "v2", 2), 2, keys, https_server.root)
    poller, events = _poller(https_server.url, keys, https_server.ca)
    poller.poll()
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, https_server.root)
    poller.poll()
    publish(
        rule_folder(tmp_path / "v3", 3, rule="rule x { condition: nope }"),
        3,
        keys,
        https_server.root,
    )
    poller.poll()
    reasons = [e.get("reason") for e in events if e["action"] == "rules-update-failed"]
    assert reasons == ["downgrade", "compile"]
    assert all(
        "keeping bundle 2" in e["message"] for e in events if e["action"] == "rules-update-failed"
    )

"""Syslog output against a real rsyslog on loopback: TCP, TLS (CA made here) and UDP; JSON,
CEF and LEEF; outages, a SIGKILL mid-delivery and a wrong CA lose nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.outputs import cef, leef
from agent.outputs.delivery import Outputs
from tests.outputs.siem_support import (
    Rsyslog,
    make_alert,
    parse_cef,
    parse_leef,
    parse_sd,
    rsyslog_server,
    write_alerts,
)

pytestmark = pytest.mark.needs_rsyslog
FAST = {"backoff_initial": 0.05, "backoff_max": 0.5, "timeout": 5.0}
HOSTILE = [
    "/var/www/a|b=c\\d.php",
    "/var/www/x.php\nCEF:0|evil|evil|1|1|forged|10|msg=owned",
    "/var/www/x.php\r\n<13>1 2026-01-01T00:00:00Z evil - - - - forged",
    "/var/www/^sev=1^cat=forged.php",
    '/var/www/"q" ] \\] [x@1 a="b"].php',
    "/var/www/ünïcödé-木马.php",
]


def wait_until(cond: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def rsyslog() -> Iterator[Rsyslog]:
    with rsyslog_server() as server:
        yield server


def syslog_output(server: Rsyslog, transport: str, **extra: Any) -> dict[str, Any]:
    out = {
        "type": "syslog",
        "address": server.address(transport),
        "transport": transport,
        **FAST,
        **extra,
    }
    if transport == "tls" and "ca_file" not in extra:
        out["ca_file"] = str(server.pki["ca"])
    return out


class Running:
    def __init__(self, data_dir: Path, *raw: dict[str, Any]) -> None:
        self.health: list[dict[str, Any]] = []
        self.outputs = Outputs.from_config(list(raw), data_dir, self.health.append)
        self.outputs.start()

    def actions(self) -> list[str]:
        return [h["event"]["action"] for h in self.health]

    def stop(self) -> None:
        assert self.outputs.stop(10)


def msg_id(record: dict[str, Any]) -> str:
    return parse_sd(record["sd"])["webshell@32473"]["eventId"]


@pytest.mark.parametrize("transport", ["tcp", "tls", "udp"])
@pytest.mark.parametrize("fmt", ["json", "cef", "leef"])
def test_hostile_names_arrive_intact_through_every_transport_and_format(
    tmp_path: Path, rsyslog: Rsyslog, transport: str, fmt: str
) -> None:
    docs = [make_alert(p, n=i) for i, p in enumerate(HOSTILE)]
    write_alerts(tmp_path / "alerts.jsonl", docs)
    run = Running(tmp_path, syslog_output(rsyslog, transport, format=fmt))
    try:
        got = rsyslog.wait_for(len(docs))
    finally:
        run.stop()
    assert len(got) == len(docs), got
    by_id = {msg_id(r): r for r in got}
    for doc in docs:
        r = by_id[doc["event"]["id"]]
        assert r["input"] == transport and r["app"] == "webshell-agent" and r["msgid"] == "alert"
        assert r["hostname"] == "web01.example.test" and r["pri"] == str(19 * 8 + 2)
        assert r["timestamp"].startswith(doc["@timestamp"][:19])
        path = doc["file"]["path"]
        if fmt == "json":
            assert json.loads(r["msg"]) == doc
        elif fmt == "cef":
            header, ext = parse_cef(r["msg"])
            assert header[0] == "CEF:0" and ext["filePath"] == cef._clean(path, keep="\r\n")
            assert ext["externalId"] == doc["event"]["id"]
        else:
            _, attrs = parse_leef(r["msg"])
            assert (
                attrs["filePath"] == leef.clean_value(path)
                and attrs["eventId"] == doc["event"]["id"]
            )
    assert run.health == []


def test_newline_framing_over_tcp(tmp_path: Path, rsyslog: Rsyslog) -> None:
    docs = [make_alert(p, n=i) for i, p in enumerate(HOSTILE)]
    write_alerts(tmp_path / "alerts.jsonl", docs)
    run = Running(tmp_path, syslog_output(rsyslog, "tcp", framing="newline", format="cef"))
    try:
        got = rsyslog.wait_for(len(docs))
    finally:
        run.stop()
    assert sorted(msg_id(r) for r in got) == sorted(d["event"]["id"] for d in docs)


@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_receiver_down_while_50_alerts_are_raised_then_back(
    tmp_path: Path, rsyslog: Rsyslog, transport: str
) -> None:
    first = [make_alert(f"/var/www/before{i}.php", n=i) for i in range(5)]
    write_alerts(tmp_path / "alerts.jsonl", first)
    run = Running(tmp_path, syslog_output(rsyslog, transport))
    try:
        assert len(rsyslog.wait_for(5)) == 5  # connected and delivering
        rsyslog.stop()
        later = [make_alert(f"/var/www/during{i}.php", n=100 + i) for i in range(50)]
        for d in later:
            write_alerts(tmp_path / "alerts.jsonl", [d])
            run.outputs.notify()
        assert wait_until(lambda: "output-down" in run.actions())
        rsyslog.start()
        want = {d["event"]["id"] for d in first + later}
        got = rsyslog.wait_for(55, where=lambda r: True)
        assert wait_until(lambda: {msg_id(r) for r in rsyslog.received()} >= want)
        assert wait_until(lambda: "output-up" in run.actions())
    finally:
        run.stop()
    ids = [msg_id(r) for r in rsyslog.received()]
    assert set(ids) == want  # none lost, nothing foreign
    down = next(h for h in run.health if h["event"]["action"] == "output-down")
    assert down["webshell"]["output"]["target"].startswith(f"syslog {transport}://127.0.0.1:")
    assert got


def test_wrong_ca_is_a_clear_health_event_and_loses_nothing(
    tmp_path: Path, rsyslog: Rsyslog
) -> None:
    docs = [make_alert(f"/var/www/s{i}.php", n=i) for i in range(5)]
    write_alerts(tmp_path / "alerts.jsonl", docs)
    run = Running(tmp_path, syslog_output(rsyslog, "tls", ca_file=str(rsyslog.pki["wrong_ca"])))
    try:
        assert wait_until(lambda: "output-down" in run.actions())
    finally:
        run.stop()
    down = run.health[0]
    assert "TLS certificate verification failed" in down["message"]
    assert down["error"]["message"] and down["log"]["level"] == "error"
    assert rsyslog.received() == []
    run = Running(tmp_path, syslog_output(rsyslog, "tls"))  # the operator fixes the CA
    try:
        got = rsyslog.wait_for(5)
    finally:
        run.stop()
    assert sorted(msg_id(r) for r in got) == sorted(d["event"]["id"] for d in docs)


def test_sigkill_mid_delivery_then_restart_loses_nothing(tmp_path: Path, rsyslog: Rsyslog) -> None:
    docs = [make_alert(f"/var/www/k{i}.php", n=i) for i in range(3000)]
    write_alerts(tmp_path / "alerts.jsonl", docs)
    cfg = json.dumps([syslog_output(rsyslog, "tcp", batch_size=5)])
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}

    def runner() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.outputs.siem_runner", str(tmp_path), cfg],
            cwd=root,
            env=env,
        )

    proc = runner()
    try:
        rsyslog.wait_for(200)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        proc = runner()
        want = {d["event"]["id"] for d in docs}
        assert wait_until(lambda: {msg_id(r) for r in rsyslog.received()} >= want, timeout=120)
    finally:
        proc.terminate()
        proc.wait(10)
    ids = [msg_id(r) for r in rsyslog.received()]
    assert set(ids) == want  # nothing lost; any duplicate repeats a real event.id
    dupes = len(ids) - len(set(ids))
    assert dupes <= 5 * 2  # at most the batch in flight at the kill is sent again


def test_a_document_that_cannot_be_formatted_is_refused_alone(
    tmp_path: Path, rsyslog: Rsyslog
) -> None:
    docs = [make_alert(f"/var/www/f{i}.php", n=i) for i in range(6)]
    docs[2]["webshell"]["matches"] = ["not-an-object"]  # CEF reads tags from match objects
    write_alerts(tmp_path / "alerts.jsonl", docs)
    run = Running(tmp_path, syslog_output(rsyslog, "tcp", format="cef"))
    try:
        got = rsyslog.wait_for(5)
        assert wait_until(lambda: "output-rejected" in run.actions())
    finally:
        run.stop()
    assert sorted(msg_id(r) for r in got) == sorted(
        d["event"]["id"] for i, d in enumerate(docs) if i != 2
    )
    (rej,) = [h for h in run.health if h["event"]["action"] == "output-rejected"]
    assert rej["webshell"]["output"]["event_ids"] == [docs[2]["event"]["id"]]
    assert "cannot format" in rej["message"]


def test_events_true_also_ships_the_event_file(tmp_path: Path, rsyslog: Rsyslog) -> None:
    from agent.outputs.health import health_event

    alert = make_alert("/var/www/e.php")
    write_alerts(tmp_path / "alerts.jsonl", [alert])
    event = health_event("agent-started", "started", {}, level="info")
    write_alerts(tmp_path / "events.jsonl", [event])
    run = Running(tmp_path, syslog_output(rsyslog, "tcp", events=True))
    try:
        got = rsyslog.wait_for(2)
        assert set(run.outputs.stats()) == {"syslog", "syslog.events"}
    finally:
        run.stop()
    assert sorted(r["msgid"] for r in got) == ["alert", "event"]
    assert {msg_id(r) for r in got} == {alert["event"]["id"], event["event"]["id"]}


def test_the_real_agent_killed_mid_delivery_loses_no_alert(
    tmp_path: Path, rsyslog: Rsyslog
) -> None:
    """`webshell-agent run` with a syslog output in its TOML file: SIGKILL while it ships its
    baseline alerts, start it again, and every alert in alerts.jsonl reaches rsyslog."""
    from tests.watcher.conftest import RULES, SHELL, read_jsonl

    root, rules, data = tmp_path / "www", tmp_path / "rules", tmp_path / "data"
    root.mkdir()
    rules.mkdir()
    (rules / "t.yar").write_text(RULES)
    for i in range(400):
        (root / f"s{i}.aspx").write_bytes(SHELL + f"<!-- {i} -->".encode())
    (tmp_path / "agent.toml").write_text(
        "[agent]\nlow_priority = false\n"
        "[[outputs]]\n"
        f'type = "syslog"\naddress = "{rsyslog.address("tls")}"\ntransport = "tls"\n'
        f'ca_file = "{rsyslog.pki["ca"]}"\nbatch_size = 5\nbackoff_initial = 0.05\n'
    )
    args = [sys.executable, "-m", "agent", "run", "--config", str(tmp_path / "agent.toml"),
            "--watch", str(root), "--data-dir", str(data), "--rules", str(rules),
            "--no-default-rules", "--quiet"]  # fmt: skip
    env = os.environ | {"WEBSHELL_AGENT_RULES_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_until(
            lambda: len(rsyslog.received()) >= 20 or proc.poll() is not None, timeout=120
        )
        assert proc.poll() is None, proc.communicate()
        proc.kill()  # SIGKILL: no drain, no saved position beyond the last acknowledged batch
        proc.wait(30)
        proc.communicate()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def all_there() -> bool:
            # Process alerts (other tests' worker-named processes) may share the file: all of
            # them must arrive too, but the 400 counted are the file alerts.
            docs = read_jsonl(data / "alerts.jsonl")
            files = {a["event"]["id"] for a in docs if "file" in a["event"]["category"]}
            want = {a["event"]["id"] for a in docs}
            return len(files) == 400 and {msg_id(r) for r in rsyslog.received()} >= want

        assert wait_until(all_there, timeout=180)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        proc.communicate()
    ids = [msg_id(r) for r in rsyslog.received()]
    assert set(ids) == {a["event"]["id"] for a in read_jsonl(data / "alerts.jsonl")}
    assert all(json.loads(r["msg"])["event"]["kind"] == "alert" for r in rsyslog.received())


@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_frozen_then_killed_receiver_loses_nothing(
    tmp_path: Path, rsyslog: Rsyslog, transport: str
) -> None:
    """The write returned, the position moved, and the receiver died with the bytes unread:
    the resend window puts them on the next connection (duplicates allowed, by event.id)."""
    first = [make_alert(f"/var/www/before{i}.php", n=i) for i in range(5)]
    write_alerts(tmp_path / "alerts.jsonl", first)
    run = Running(tmp_path, syslog_output(rsyslog, transport))
    try:
        assert len(rsyslog.wait_for(5)) == 5
        rsyslog.freeze()
        later = [make_alert(f"/var/www/frozen{i}.php", n=100 + i) for i in range(50)]
        for d in later:
            write_alerts(tmp_path / "alerts.jsonl", [d])
            run.outputs.notify()
        # every write returned and the saved position is past all 50
        assert wait_until(lambda: run.outputs.stats()["syslog"]["backlog_bytes"] == 0)
        assert run.outputs.stats()["syslog"]["delivered"] == 55
        rsyslog.kill()
        assert wait_until(lambda: "output-down" in run.actions())  # noticed while idle
        rsyslog.start()
        want = {d["event"]["id"] for d in first + later}
        assert wait_until(lambda: {msg_id(r) for r in rsyslog.received()} >= want)
        assert wait_until(lambda: "output-up" in run.actions())
    finally:
        run.stop()
    ids = [msg_id(r) for r in rsyslog.received()]
    assert set(ids) == want
    up = next(h for h in run.health if h["event"]["action"] == "output-up")
    assert up["webshell"]["output"]["resent"] >= 50


def big_alert(n: int, target: int = 10_000) -> dict[str, Any]:
    """An alert of about `target` bytes of JSON: many matched strings with long excerpts."""
    doc = make_alert(f"/var/www/big{n}.php", rules=("PHP_Webshell_Eval", "PHP_Obfuscated"), n=n)
    strings = doc["webshell"]["matches"][0]["strings"]
    i = 0
    while len(json.dumps(doc)) < target:
        strings.append(
            {"identifier": f"$s{i}", "offset": 100 * i, "length": 64, "excerpt": "A\\x00b" * 40}
        )
        i += 1
    return doc


@pytest.mark.parametrize("fmt", ["json", "cef", "leef"])
def test_a_10kb_alert_arrives_whole_under_rsyslogs_default_max_message_size(
    tmp_path: Path, fmt: str
) -> None:
    docs = [make_alert("/var/www/small.php", n=1), big_alert(2), big_alert(3, 20_000)]
    assert len(json.dumps(docs[1])) >= 10_000
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with rsyslog_server(max_message_size=None) as server:  # rsyslog's default: 8096 bytes
        run = Running(tmp_path, syslog_output(server, "tcp", format=fmt))
        try:
            assert wait_until(lambda: run.outputs.stats()["syslog"]["backlog_bytes"] == 0)
            got = server.wait_for(3)
            log = (server.dir / "rsyslogd.log").read_text()
        finally:
            run.stop()
    assert "oversize" not in log
    assert len(got) == 3  # no message was cut in two
    by_id = {msg_id(r): r for r in got}
    for doc in docs:
        msg = by_id[doc["event"]["id"]]["msg"]
        if fmt != "json":
            assert (parse_cef(msg) if fmt == "cef" else parse_leef(msg))[1]
            continue
        sent = json.loads(msg)  # whole and parseable
        big = doc is not docs[0]
        assert sent.get("webshell", {}).get("trimmed", False) is big
        assert sent["event"]["id"] == doc["event"]["id"] and sent["file"] == doc["file"]
        if big:
            assert sent["rule"]["name"] == doc["rule"]["name"]
            assert [m["rule"] for m in sent["webshell"]["matches"]] == [
                m["rule"] for m in doc["webshell"]["matches"]
            ]
        else:
            assert sent == doc

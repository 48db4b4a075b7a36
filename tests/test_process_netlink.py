"""The Linux proc connector: message parsing, the capability check, and the live source."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.config import Config, ProcessConfig
from agent.identity import Identity
from agent.process import netlink
from agent.process.watcher import ProcessWatcher
from tests.test_process_lineage import LONG, Procs, child_named, wait_for


def exec_message(tgid: int, what: int = netlink.PROC_EVENT_EXEC) -> bytes:
    body = struct.pack("=IIQ", what, 0, 123) + struct.pack("=II", tgid + 1, tgid)
    cn = struct.pack("=IIIIHH", netlink.CN_IDX_PROC, netlink.CN_VAL_PROC, 0, 0, len(body), 0)
    payload = cn + body
    return struct.pack("=IHHII", 16 + len(payload), 3, 0, 0, 0) + payload


def test_parse_exec_events() -> None:
    assert netlink.parse_exec_events(exec_message(4242)) == [4242]
    assert netlink.parse_exec_events(exec_message(7, what=0x1)) == []  # a fork: not an exec
    two = exec_message(1) + exec_message(2)
    assert netlink.parse_exec_events(two) == [1, 2]
    assert netlink.parse_exec_events(exec_message(9)[:-3]) == []  # truncated: nothing misread


@given(st.binary(max_size=200))
def test_parse_never_fails_on_garbage(data: bytes) -> None:
    assert all(isinstance(p, int) for p in netlink.parse_exec_events(data))


def test_capability_check(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tx\nCapEff:\t0000000000001000\n")
    assert netlink.has_net_admin(str(status))
    status.write_text("Name:\tx\nCapEff:\t0000000000000400\n")
    assert not netlink.has_net_admin(str(status))
    assert not netlink.has_net_admin(str(tmp_path / "missing"))


def _connector_works() -> bool:
    try:
        netlink.open_connector().close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _connector_works(), reason="needs the proc connector and CAP_NET_ADMIN")
def test_exec_events_catch_a_shell_without_any_pass(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    procs = Procs(bindir)
    got: list[dict[str, Any]] = []

    mine: set[int] = set()

    def on_alert(a: dict[str, Any]) -> None:
        got.append(a)  # filtered below: the host may run other web workers meanwhile

    # One pass at start, the next an hour later: only exec events can report the shell.
    cfg = Config(process=ProcessConfig(interval=3600, source="netlink"))
    watcher = ProcessWatcher(cfg, Identity("h", "a"), on_alert, roots=[])
    watcher.start()
    try:
        assert watcher.source == "netlink"
        worker = procs.start("httpd", f"sh -c '{LONG}'; true")
        mine.add(worker.pid)
        sh = wait_for(child_named(worker, "sh"), "the shell")
        wait_for(lambda: [a for a in got if a["process"]["parent"]["pid"] in mine], "the alert")
        passes = watcher.health()["passes"]
    finally:
        assert watcher.stop(5)
        procs.close()
    assert passes == 1
    assert [a["process"]["pid"] for a in got if a["process"]["parent"]["pid"] in mine] == [sh.pid]


def test_poll_source_does_not_subscribe() -> None:
    cfg = Config(process=ProcessConfig(source="poll"))
    watcher = ProcessWatcher(cfg, Identity("h", "a"), lambda a: None, roots=[])
    assert watcher._open_source() is None
    assert watcher.source == "poll"

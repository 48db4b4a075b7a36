"""FIFOs, sockets and devices in a web root are looked at, never opened.

A writer blocked on a FIFO is the probe: the moment any reader opens the FIFO, the writer's
open() returns and it prints a line; if the reader then closes, its write fails (SIGPIPE). The
writer must still be blocked, silent, when the scan (or the watching agent) is done.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.cli import main
from tests.watcher.conftest import SHELL, Agent, make_config, wait_for

WRITER = "import sys; f = open(sys.argv[1], 'wb'); print('opened', flush=True); f.write(b'x' * 100000); f.flush()"


@pytest.fixture
def blocked_writer() -> Iterator[Callable[[Path], subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []

    def start(fifo: Path) -> subprocess.Popen[bytes]:
        os.mkfifo(fifo)
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(fifo)], stdout=subprocess.PIPE)
        procs.append(p)
        return p

    yield start
    for p in procs:
        p.kill()
        p.wait()


def still_blocked(p: subprocess.Popen[bytes]) -> None:
    assert p.poll() is None, f"the FIFO writer ended (code {p.returncode}): someone opened it"
    p.kill()  # the test ends it; its output says whether its open() ever returned
    out, _ = p.communicate()
    assert out == b"", "the FIFO was opened for reading"


def test_one_off_scan_never_opens_a_fifo(
    tmp_path: Path, blocked_writer: Callable[[Path], subprocess.Popen[bytes]], capsys
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "www"
    root.mkdir()
    writer = blocked_writer(root / "pipe.php")  # a web extension: a candidate for the scan
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock.php"))
    rule = tmp_path / "t.yar"
    rule.write_text('rule T { strings: $a = "eval($_POST" condition: $a }\n')
    (root / "s.php").write_bytes(b'<?php eval($_POST["x"]); ?>')
    argv = ["scan", "--no-default-rules", "--rules", str(rule), "--no-cache", "--format", "json"]
    try:
        assert main([*argv, str(root), str(root / "pipe.php")]) == 1
    finally:
        sock.close()
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["matched"] == 1
    # the FIFO twice (in the tree and named directly), the socket once: skipped and counted
    assert summary["skipped"] == {"not_regular": 3}
    still_blocked(writer)


def test_watched_root_never_opens_a_fifo(
    tmp_path: Path,
    web_root: Path,
    agent_rules: Path,
    run_agent: Callable[..., Agent],
    blocked_writer: Callable[[Path], subprocess.Popen[bytes]],
) -> None:
    before = blocked_writer(web_root / "before.aspx")  # there at the start: the baseline walk
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    live = blocked_writer(web_root / "live.aspx")  # created while watched: live events
    (web_root / "shell.aspx").write_bytes(SHELL)
    wait_for(lambda: agent.alerted_paths()[str(web_root / "shell.aspx")] == 1, what="alert")
    wait_for(lambda: agent.scans[str(web_root / "live.aspx")] >= 1, what="the FIFO looked at")
    wait_for(agent.idle, what="idle")
    assert agent.scans[str(web_root / "before.aspx")] >= 1
    still_blocked(before)
    still_blocked(live)

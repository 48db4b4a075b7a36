"""Real processes: copies of /bin/sh named like web workers start shells; the watch sees them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from agent.alerts import build_alert
from agent.config import Config, ProcessConfig
from agent.identity import Identity
from agent.process.alert import build_process_alert
from agent.process.lineage import Finding, Lineage
from agent.process.names import Names
from agent.process.watcher import ProcessWatcher
from agent.rules import load_rules
from agent.scanner import Scanner, Verdict

pytestmark = pytest.mark.skipif(not shutil.which("sh"), reason="needs a POSIX shell")
IDENTITY = Identity("test-host", "test-agent-id")
LONG = "sleep 60; true"  # `; true` keeps dash from exec'ing sleep in place of the shell


def wait_for(cond: Callable[[], Any], what: str, limit: float = 20.0) -> Any:
    """Wait for a condition (not a timing assertion: the limit only stops a hung test)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


class Procs:
    """Start processes in their own session; kill every one of them at the end."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.started: list[subprocess.Popen[bytes]] = []

    def binary(self, name: str) -> str:
        path = self.bindir / name
        if not path.exists():
            shutil.copy2(shutil.which("sh") or "/bin/sh", path)
        return str(path)

    def start(self, name: str, script: str, *extra: str, cwd: Path | None = None) -> psutil.Process:
        p = subprocess.Popen(
            [self.binary(name), "-c", script, *extra], cwd=cwd, start_new_session=True
        )
        self.started.append(p)
        return psutil.Process(p.pid)

    def close(self) -> None:
        for p in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Procs]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    p = Procs(bindir)
    try:
        yield p
    finally:
        p.close()


def child_named(worker: psutil.Process, name: str) -> Callable[[], psutil.Process | None]:
    def find() -> psutil.Process | None:
        for c in worker.children(recursive=True):
            try:
                if c.name() == name and c.cmdline():
                    return c
            except psutil.Error:
                pass
        return None

    return find


def ours(findings: list[Finding], *workers: int | psutil.Process) -> list[Finding]:
    """Findings below our workers only: the host may run other web workers meanwhile (another
    test suite, a benchmark)."""
    pids = {w if isinstance(w, int) else w.pid for w in workers}
    return [f for f in findings if f.worker.pid in pids]


def lineage(**cfg: Any) -> Lineage:
    lin = Lineage(Names.from_config(**cfg))
    lin.baseline()
    return lin


@pytest.mark.parametrize("worker_name", ["httpd", "w3wp.exe", "php-fpm8.2"])
def test_worker_starting_a_shell_is_found_with_its_chain(procs: Procs, worker_name: str) -> None:
    lin = lineage()
    worker = procs.start(worker_name, f"sh -c '{LONG}'; true")
    sh = wait_for(child_named(worker, "sh"), "the shell")
    findings = ours(lin.poll(), worker)
    assert [f.process.pid for f in findings] == [sh.pid]
    f = findings[0]
    assert f.worker.pid == worker.pid and f.worker.name == worker_name
    assert [p.pid for p in f.chain] == [worker.pid]
    assert f.process.cmdline == ["sh", "-c", LONG]
    assert not f.critical
    assert ours(lin.poll(), worker) == []  # reported once


def test_deeper_chain_and_recon_tool(procs: Procs) -> None:
    lin = lineage()
    # httpd -> sh -> "whoami" (a copy of sh, so it can be kept alive)
    whoami = procs.binary("whoami")
    worker = procs.start("httpd", f"sh -c '{whoami} -c \"{LONG}\"; true'; true")
    w = wait_for(child_named(worker, "whoami"), "whoami")
    sh = psutil.Process(w.ppid())
    findings = {f.process.pid: f for f in ours(lin.poll(), worker)}
    assert set(findings) == {sh.pid, w.pid}
    assert [p.pid for p in findings[w.pid].chain] == [sh.pid, worker.pid]


def test_unrelated_parent_is_not_reported(procs: Procs) -> None:
    lin = lineage()
    parent = procs.start("cron", f"sh -c '{LONG}'; true")
    wait_for(child_named(parent, "sh"), "the shell")
    assert [f for f in lin.poll() if parent.pid in {c.pid for c in f.chain}] == []


def test_allow_listed_child_is_silent_but_its_children_are_not(procs: Procs) -> None:
    lin = lineage()
    csc = procs.binary("csc.exe")
    worker = procs.start("w3wp.exe", f"{csc} -c 'sh -c \"{LONG}\"; true'; true")
    sh = wait_for(child_named(worker, "sh"), "the shell below csc.exe")
    findings = ours(lin.poll(), worker)
    assert [f.process.pid for f in findings] == [sh.pid]
    assert [p.name for p in findings[0].chain] == ["csc.exe", "w3wp.exe"]
    assert lin.stats.allowed == 0  # csc.exe is not a suspicious child at all

    lin2 = lineage(allow=("default", "sh@marker-ok"))
    worker2 = procs.start("httpd", f"sh -c '{LONG} # marker-ok'; true")
    wait_for(child_named(worker2, "sh"), "the allowed shell")
    assert ours(lin2.poll(), worker2) == []
    assert lin2.stats.allowed == 1


def test_java_needs_a_servlet_container_command_line(procs: Procs) -> None:
    lin = lineage()
    tomcat = procs.start("java", f"sh -c '{LONG}'; true", "org.apache.catalina.startup.Bootstrap")
    other = procs.start("java", f"sh -c '{LONG}'; true", "some.build.Tool")
    sh1 = wait_for(child_named(tomcat, "sh"), "tomcat's shell")
    wait_for(child_named(other, "sh"), "the other shell")
    assert [f.process.pid for f in ours(lin.poll(), tomcat, other)] == [sh1.pid]


def test_child_seen_between_fork_and_exec_is_looked_at_again(procs: Procs, tmp_path: Path) -> None:
    lin = lineage()
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    # The subshell is a fork of "httpd" that waits on the fifo before exec'ing a shell.
    worker = procs.start("httpd", f"(read x < {gate}; exec sh -c '{LONG}'); true")
    sub = wait_for(
        lambda: next((c for c in worker.children() if c.name() == "httpd"), None), "the fork"
    )
    assert ours(lin.poll(), worker) == []  # still named httpd: nothing to report yet
    fd = os.open(gate, os.O_WRONLY)
    os.write(fd, b"go\n")
    os.close(fd)
    wait_for(lambda: sub.name() == "sh", "the exec")
    assert [f.process.pid for f in ours(lin.poll(), worker)] == [sub.pid]


def test_vanished_processes_are_forgotten(procs: Procs) -> None:
    lin = lineage()
    worker = procs.start("httpd", f"sh -c '{LONG}'; true")
    wait_for(child_named(worker, "sh"), "the shell")
    lin.poll()
    assert worker.pid in lin.cache
    procs.close()
    lin.poll()
    assert worker.pid not in lin.cache


def _file_alert(tmp_path: Path, target: Path) -> dict[str, Any]:
    rule = tmp_path / "t.yar"
    rule.write_text('rule T { strings: $a = "eval($_POST" condition: $a }\n')
    target.write_text('<?php eval($_POST["x"]); ?>')
    rules = load_rules([rule], default_rules=False, cache_dir=None)
    result = Scanner(rules).scan(str(target))
    assert result.verdict is Verdict.MATCHED
    return build_alert(result, IDENTITY, rules.digest, "created")


def test_watcher_alert_links_to_the_file_alert_in_the_same_root(
    procs: Procs, tmp_path: Path
) -> None:
    www, other = tmp_path / "www", tmp_path / "other"
    (www / "uploads").mkdir(parents=True)
    other.mkdir()
    earlier = _file_alert(tmp_path, www / "uploads" / "s.php")
    elsewhere = _file_alert(tmp_path, other / "x.php")
    got: list[dict[str, Any]] = []

    mine: set[int] = set()

    def on_alert(a: dict[str, Any]) -> None:
        got.append(a)  # filtered below: the host may run other web workers meanwhile

    cfg = Config(process=ProcessConfig(interval=0.05))
    watcher = ProcessWatcher(cfg, IDENTITY, on_alert, [earlier], roots=[www, other])
    watcher.start()
    try:
        watcher.note_file_alert(elsewhere)  # newer, but in another root
        worker = procs.start("php-fpm8.2", f"sh -c '{LONG}'; true", cwd=www / "uploads")
        mine.add(worker.pid)
        sh = wait_for(child_named(worker, "sh"), "the shell")
        wait_for(lambda: [a for a in got if a["process"]["parent"]["pid"] in mine], "the alert")
    finally:
        assert watcher.stop(5)
    (alert,) = [a for a in got if a["process"]["parent"]["pid"] in mine]
    assert alert["event"]["kind"] == "alert"
    assert alert["event"]["category"] == ["process", "intrusion_detection", "malware"]
    assert alert["process"]["pid"] == sh.pid
    assert alert["process"]["args"] == ["sh", "-c", LONG]
    assert alert["process"]["parent"]["pid"] == worker.pid
    assert alert["process"]["parent"]["name"] == "php-fpm8.2"
    assert alert["process"]["working_directory"] == str(www / "uploads")
    assert alert["webshell"]["process"]["worker"]["pid"] == worker.pid
    assert "T1505.003" in alert["threat"]["technique"]["subtechnique"]["id"]
    corr = alert["webshell"]["correlation"]
    assert alert["webshell"]["correlation_id"] == earlier["webshell"]["correlation_id"]
    assert earlier["webshell"]["correlation_id"] == earlier["event"]["id"]
    assert corr["basis"] == "cwd" and corr["root"] == str(www)
    assert corr["file_path"] == earlier["file"]["path"]
    assert earlier["file"]["hash"]["sha256"] in alert["related"]["hash"]
    assert watcher.health()["findings"] >= 1


def test_no_link_without_a_file_alert(procs: Procs, tmp_path: Path) -> None:
    lin_cfg = Config(process=ProcessConfig(interval=0.05))
    got: list[dict[str, Any]] = []
    watcher = ProcessWatcher(lin_cfg, IDENTITY, got.append, roots=[tmp_path])
    watcher.start()
    try:
        worker = procs.start("httpd", f"sh -c '{LONG}'; true")
        wait_for(child_named(worker, "sh"), "the shell")

        def mine() -> list[dict[str, Any]]:
            return [a for a in got if a["process"]["parent"]["pid"] == worker.pid]

        wait_for(mine, "the alert")
    finally:
        assert watcher.stop(5)
    (alert,) = mine()
    assert "correlation_id" not in alert["webshell"]
    assert "hash" not in alert["related"]


def test_parent_seen_before_its_exec_is_read_again(procs: Procs, tmp_path: Path) -> None:
    """A fork of this Python seen as "python" for many passes, that then becomes a worker:
    the chain must use its new name, not the stale cached one."""
    lin = lineage()
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    httpd = procs.binary("httpd")
    pid = os.fork()
    if pid == 0:  # child: wait for the gate, then become the worker
        try:
            with open(gate, "rb") as fh:
                fh.read(1)
            os.execv(httpd, [httpd, "-c", f"sh -c '{LONG}'; true"])
        finally:
            os._exit(127)
    try:
        for _ in range(5):  # longer than the fork re-checks last
            lin.poll()
        assert lin.cache[pid].name == psutil.Process().name()
        with open(gate, "wb") as fh:
            fh.write(b"x")
        worker = psutil.Process(pid)
        sh = wait_for(child_named(worker, "sh"), "the shell")
        findings = ours(lin.poll(), pid)
        assert [f.process.pid for f in findings] == [sh.pid]
        assert findings[0].worker.name == "httpd"
    finally:
        with contextlib.suppress(ProcessLookupError):
            for c in psutil.Process(pid).children(recursive=True):
                c.kill()
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_iis_app_pool_is_named_in_the_alert(procs: Procs) -> None:
    lin = lineage()
    worker = procs.start("w3wp.exe", f"sh -c '{LONG}'; true", "-ap", "MSExchangeOWAAppPool")
    wait_for(child_named(worker, "sh"), "the shell")
    (finding,) = ours(lin.poll(), worker)
    alert = build_process_alert(finding, IDENTITY)
    assert alert["webshell"]["process"]["worker"]["app_pool"] == "MSExchangeOWAAppPool"
    assert "MSExchangeOWAAppPool" in alert["message"]


def test_processes_command(procs: Procs, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli import main

    worker = procs.start("httpd", f"sh -c '{LONG}'; true")
    sh = wait_for(child_named(worker, "sh"), "the shell")
    assert main(["processes", "--format", "jsonl"]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    (alert,) = [a for a in lines if a["process"]["parent"]["pid"] == worker.pid]
    assert alert["process"]["pid"] == sh.pid
    assert main(["processes"]) == 1
    text = capsys.readouterr().out
    assert f"W {worker.pid:>7} httpd" in text
    assert f"! {sh.pid:>7} sh" in text

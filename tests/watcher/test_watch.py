"""The agent on real folders with real inotify: nothing written under a root goes unscanned."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from agent.config import Config
from agent.runtime import Runtime
from tests.watcher.conftest import BENIGN, SHELL, Agent, make_config, wait_for

RunAgent = Callable[[Config], Agent]
# watchdog warns when a watch it re-adds replaces its own callback (directories created fast)
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


def test_baseline_alerts_on_shells_already_there(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    (web_root / "sub").mkdir()
    (web_root / "sub" / "old.aspx").write_bytes(SHELL)
    (web_root / "index.aspx").write_bytes(BENIGN)
    # not a web extension and no server-side code in it: sniffed, never alerted
    (web_root / "notes.txt").write_bytes(b"the shell calls eval(Request.Item)\n")
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    # start() returns after the baseline: the alert is already written
    assert agent.core.ready.is_set()
    assert agent.alerted_paths() == {str(web_root / "sub" / "old.aspx"): 1}
    assert agent.alerts()[0]["webshell"]["trigger"] == "baseline"
    assert set(agent.scans) == {
        str(web_root / "sub" / "old.aspx"), str(web_root / "index.aspx"), str(web_root / "notes.txt")
    }  # fmt: skip
    started = agent.events("started")[0]["webshell"]
    assert started["roots"] == [str(web_root)] and started["rules"] == 1
    assert agent.events("ready")


def test_burst_every_shell_alerted_every_file_scanned_once(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    shells: set[str] = set()
    files = 3000
    for d in range(10):
        (web_root / f"d{d}").mkdir()
    for i in range(files):
        p = web_root / f"d{i % 10}" / f"page_{i}.aspx"
        if i % 97 == 0:
            p.write_bytes(SHELL + f"<!-- {i} -->".encode())
            shells.add(str(p))
        else:
            p.write_bytes(BENIGN + f"<!-- {i} -->".encode())
    wait_for(lambda: len(agent.scans) >= files and agent.idle(), what="the burst to be scanned")
    assert set(agent.alerted_paths()) == shells
    assert max(agent.alerted_paths().values()) == 1
    assert len(agent.scans) == files
    assert max(agent.scans.values()) == 1, [p for p, n in agent.scans.items() if n > 1][:5]


def test_shells_written_into_a_directory_created_a_moment_before(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    shells = []
    for d in range(20):
        deep = web_root / f"new{d}" / "a" / "b"
        os.makedirs(deep)  # files follow at once, before any watch can exist on the new dirs
        for i in range(5):
            p = deep / f"s{i}.aspx"
            p.write_bytes(SHELL + f"{d}-{i}".encode())
            shells.append(str(p))
    wait_for(lambda: set(agent.alerted_paths()) == set(shells), what="every shell in new dirs")
    wait_for(lambda: agent.idle() and agent.core.settler.depth == 0)
    assert max(agent.alerted_paths().values()) == 1
    # a file seen both by the walk of its new directory and by its own events is scanned once
    assert max(agent.scans.values()) == 1, [p for p, n in agent.scans.items() if n > 1]


def test_a_file_written_slowly_is_scanned_once_after_the_last_write(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules, settle=0.4))
    p = web_root / "slow.aspx"
    with p.open("wb") as f:
        for chunk in (b"<%@ Page %>", b"<% var x = 1; %>", b"<% /* more */ %>"):
            f.write(chunk)
            f.flush()
            time.sleep(0.15)  # the writer is slow (the scenario, not a wait for the agent)
        f.write(SHELL)  # the shell part arrives last
        f.flush()
        time.sleep(0.15)
    # A marker moved in from outside gets a created event only: it is scanned when its settle
    # time is over. A created-only timer of slow.aspx (older) would have fired before it.
    (outside / "marker.aspx").write_bytes(BENIGN)
    os.rename(outside / "marker.aspx", web_root / "marker.aspx")
    marker = str(web_root / "marker.aspx")
    wait_for(lambda: agent.scans[marker] == 1 and agent.idle(), what="the marker's scan")
    assert agent.scans[str(p)] == 1
    assert agent.alerted_paths() == {str(p): 1}


def test_rename_into_the_root_and_within_it(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    (outside / "x.aspx").write_bytes(SHELL)
    os.rename(outside / "x.aspx", web_root / "in.aspx")  # from outside: only a created event
    # Not a web extension: scanned only if the agent sniffs it before the rename (it holds
    # server code, so that scan alerts too; how soon depends on the scheduler, not the agent).
    (web_root / "upload.tmp").write_bytes(SHELL + b"2")
    os.rename(web_root / "upload.tmp", web_root / "final.aspx")  # a move's destination
    renamed = {str(web_root / "in.aspx"), str(web_root / "final.aspx")}
    wait_for(lambda: renamed <= set(agent.alerted_paths()), what="both renamed shells")
    assert set(agent.alerted_paths()) - renamed <= {str(web_root / "upload.tmp")}
    by_path = {a["file"]["path"]: a["webshell"]["trigger"] for a in agent.alerts()}
    assert by_path[str(web_root / "final.aspx")] == "moved"


def test_files_deleted_before_the_scan(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules, settle=0.5))
    for i in range(100):
        # moved in from outside: a created event only, so the path waits to settle...
        (outside / f"m{i}.aspx").write_bytes(SHELL)
        os.rename(outside / f"m{i}.aspx", web_root / f"moved_in{i}.aspx")
        (web_root / f"moved_in{i}.aspx").unlink()  # ...and is gone before it is ready
    for i in range(100):
        p = web_root / f"gone{i}.aspx"
        p.write_bytes(SHELL)  # closed: queued at once, may or may not be scanned in time
        p.unlink()
    keep = web_root / "kept.aspx"
    keep.write_bytes(SHELL)
    wait_for(lambda: agent.alerted_paths().get(str(keep)) == 1, what="the kept shell")
    wait_for(lambda: agent.idle() and agent.core.settler.depth == 0)
    assert agent.core.settler.vanished == 100
    assert not any("moved_in" in p for p in agent.scans)
    # a file deleted before or while it is read is neither an error nor the end of the agent
    assert agent.events("scan-error") == []
    assert agent.core.counts["errors"] == 0


def test_restart_does_not_alert_twice(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    shell = web_root / "s.aspx"
    shell.write_bytes(SHELL)
    cfg = make_config(tmp_path, [web_root], agent_rules)
    first = run_agent(cfg)
    assert len(first.alerts()) == 1
    first.core.stop()
    os.utime(shell, (time.time() + 5, time.time() + 5))  # touched: rescanned, same content
    (web_root / "new.aspx").write_bytes(SHELL + b"new")  # written while down
    second = run_agent(cfg)
    assert second.scans == {str(shell): 1, str(web_root / "new.aspx"): 1}
    alerts = second.alerts()
    assert [a["file"]["path"] for a in alerts] == [str(shell), str(web_root / "new.aspx")]
    assert alerts[1]["webshell"]["trigger"] == "catchup"
    assert second.core.counts["duplicates"] == 1


MARKER_RULE = r"""
rule T_Marker
{
    meta:
        severity = "high"
    strings:
        $m = "MARKER-NEW-FAMILY"
    condition:
        $m
}
"""


def test_rules_changed_while_running(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    marked = web_root / "marked.aspx"
    marked.write_bytes(b"<% MARKER-NEW-FAMILY %>")
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    assert agent.alerts() == []
    old_digest = agent.core.rules.digest
    # an edit in the rule folder: recompiled off-thread, swapped, known files re-verified
    (agent_rules / "marker.yar").write_text(MARKER_RULE, encoding="utf-8")
    wait_for(lambda: agent.alerted_paths().get(str(marked)) == 1, what="re-verification alert")
    alert = agent.alerts()[0]
    assert alert["webshell"]["trigger"] == "reverify"
    assert alert["rule"]["name"] == ["T_Marker"]
    assert agent.events("rules-reloaded")[0]["webshell"]["previous"] == old_digest
    good = agent.core.rules.digest
    # a broken edit keeps the old rules and says so
    (agent_rules / "marker.yar").write_text(MARKER_RULE + "\nrule broken {", encoding="utf-8")
    wait_for(lambda: bool(agent.events("rules-reload-failed")), what="the reload error event")
    failed = agent.events("rules-reload-failed")[0]
    assert failed["log"]["level"] == "error" and "marker.yar" in failed["error"]["message"]
    assert agent.core.rules.digest == good
    later = web_root / "later.aspx"
    later.write_bytes(b"MARKER-NEW-FAMILY")  # still caught by the kept rules
    wait_for(lambda: str(later) in agent.alerted_paths(), what="alert with the kept rules")


def test_sighup_style_reload_request_with_unchanged_rules_is_quiet(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    (web_root / "a.aspx").write_bytes(BENIGN)
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    assert agent.core.reload_rules() is True
    assert agent.events("rules-reloaded") == [] and agent.events("rules-reload-failed") == []
    assert agent.scans[str(web_root / "a.aspx")] == 1


def test_kernel_queue_overflow_is_noticed_and_the_root_rescanned(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    observer = agent.core.watches.roots[0].observer
    reader = observer._inotify_fd
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    shells = set()
    # Hold the reader's lock so it cannot drain the kernel queue: a real IN_Q_OVERFLOW.
    with reader._lock:
        for i in range(limit // 2 + 500):  # created + closed: two events per file
            p = web_root / f"f{i}.aspx"
            p.write_bytes(SHELL if i % 500 == 0 else BENIGN)
            if i % 500 == 0:
                shells.add(str(p))
    # keep writing while watchdog handles the overflow (it drops and re-adds every watch)
    for i in range(2000):
        p = web_root / f"after{i}.aspx"
        p.write_bytes(SHELL if i % 100 == 0 else BENIGN)
        if i % 100 == 0:
            shells.add(str(p))
    wait_for(lambda: bool(agent.events("overflow-suspected")), what="the overflow event")
    ev = agent.events("overflow-suspected")[0]
    assert ev["webshell"]["root"] == str(web_root)
    wait_for(lambda: bool(agent.events("rescan-finished")), what="the recovery rescan")
    wait_for(lambda: set(agent.alerted_paths()) == shells, what="every shell after the overflow")
    wait_for(agent.idle)
    assert max(agent.alerted_paths().values()) == 1


def test_a_dead_observer_or_a_replaced_root_is_noticed_and_rewatched(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    observer = agent.core.watches.roots[0].observer
    assert observer is not None
    observer.stop()  # as if watchdog's thread had died
    observer.join()
    wait_for(lambda: bool(agent.events("watch-restored")), what="the watch to come back")
    assert "observer thread died" in agent.events("watch-lost")[0]["webshell"]["reason"]
    # the root itself removed and made again (a redeploy)
    os.rename(web_root, tmp_path / "www.old")
    web_root.mkdir()
    (web_root / "after.aspx").write_bytes(SHELL)
    wait_for(lambda: len(agent.events("watch-restored")) == 2, what="the second restore")
    wait_for(lambda: str(web_root / "after.aspx") in agent.alerted_paths(), what="the new shell")
    (web_root / "live.aspx").write_bytes(SHELL)
    wait_for(lambda: str(web_root / "live.aspx") in agent.alerted_paths(), what="a live alert")


def test_a_missing_root_is_reported_and_watched_once_it_exists(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    later = tmp_path / "later"
    agent = run_agent(make_config(tmp_path, [web_root, later], agent_rules))
    started = agent.events("started")[0]["webshell"]
    assert started["missing"][0]["root"] == str(later)
    assert agent.core.health()["roots_lost"] == [str(later)]
    later.mkdir()
    (later / "s.aspx").write_bytes(SHELL)
    wait_for(
        lambda: str(later / "s.aspx") in agent.alerted_paths(), what="the shell in the new root"
    )


def test_heartbeat_event_has_the_figures(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    for i in range(3):
        (web_root / f"p{i}.aspx").write_bytes(BENIGN + str(i).encode())
    (web_root / "s.aspx").write_bytes(SHELL)
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules, heartbeat_interval=1.0))
    wait_for(lambda: bool(agent.events("heartbeat")), what="a heartbeat")
    hb = agent.events("heartbeat")[0]
    assert hb["event"]["kind"] == "metric"
    h = hb["webshell"]
    # the figures are this agent's, not placeholders
    assert h["files_watched"] == 4 and h["queue_depth"] == 0 and h["state"] == "ready"
    assert h["counts"]["scans"] == 4 and h["counts"]["alerts"] == 1
    assert h["roots"] == [str(web_root)] and h["roots_lost"] == [] and h["unwatched_dirs"] == {}
    # the agent's footprint holds its scan workers (agent.matchproc children) too
    me = psutil.Process()
    rss_mb = sum(p.memory_info().rss for p in (me, *me.children(recursive=True))) / 1024 / 1024
    assert 0.5 * rss_mb < h["rss_mb"] < 2 * rss_mb
    assert h["processes"] >= 2
    assert h["cpu_percent"] >= 0 and h["scans_per_second"] >= 0


def test_burst_larger_than_the_kernel_queue(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    """30,000 files (the default inotify queue holds 16,384 events), written as fast as possible."""
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    files = 30_000
    shells = set()
    for d in range(30):
        (web_root / f"d{d}").mkdir()
    for i in range(files):
        p = web_root / f"d{i % 30}" / f"p{i}.aspx"
        p.write_bytes((SHELL if i % 300 == 0 else BENIGN) + str(i).encode())
        if i % 300 == 0:
            shells.add(str(p))
    wait_for(lambda: len(agent.scans) >= files and agent.idle(), timeout=600, what="the burst")
    assert set(agent.alerted_paths()) == shells and max(agent.alerted_paths().values()) == 1
    assert len(agent.scans) == files
    overflowed = bool(agent.events("overflow-suspected"))
    # without an overflow every file is scanned exactly once; after one, the recovery rescan
    # skips files already judged, so still once
    assert max(agent.scans.values()) == 1, (
        overflowed,
        [p for p, n in agent.scans.items() if n > 1][:5],
    )


def test_rules_compiled_in_a_child_match_the_in_process_compile(
    tmp_path: Path, agent_rules: Path
) -> None:
    from agent.rules import load_rules
    from agent.rules.child import load_rules_lean

    cache = tmp_path / "cache"
    lean = load_rules_lean((agent_rules,), default_rules=False, cache_dir=cache)
    assert not lean.from_cache and list(cache.glob("rules-*.yarc"))  # the child filled the cache
    again = load_rules_lean((agent_rules,), default_rules=False, cache_dir=cache)
    assert again.from_cache and again.digest == lean.digest
    here = load_rules((agent_rules,), default_rules=False, cache_dir=None)
    assert (lean.digest, lean.count) == (here.digest, here.count)
    assert [m.rule for m in lean.rules.match(data=b"eval(Request")] == ["T_Eval_Request"]


def test_a_polled_root_settles_on_quiet_like_windows(
    tmp_path: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    """Polling has no close events (like Windows): created/modified paths settle on quiet."""
    share = tmp_path / "share"
    share.mkdir()
    cfg = make_config(tmp_path, [], agent_rules)
    cfg = dataclasses.replace(cfg, watch=dataclasses.replace(cfg.watch, polling=(share,)))
    agent = Agent(cfg)
    agent.core.poll_interval = 0.3
    run_agent.started.append(agent)  # type: ignore[attr-defined]
    agent.core.start()
    p = share / "s.aspx"
    p.write_bytes(BENIGN)
    wait_for(lambda: agent.scans[str(p)] == 1, what="the first version")
    p.write_bytes(SHELL)  # modified: a new scan once quiet
    wait_for(lambda: str(p) in agent.alerted_paths(), what="the modified version's alert")
    # the alert is written before the scan callback runs: wait for the callback too
    wait_for(lambda: agent.scans[str(p)] == 2, what="the second scan's callback")
    assert agent.triggers[str(p)] == ["created", "modified"]


def test_lifecycle_callbacks_and_wait(tmp_path: Path, web_root: Path, agent_rules: Path) -> None:
    calls: list[str] = []
    cfg = make_config(tmp_path, [web_root], agent_rules, heartbeat_interval=1.0)
    core = Runtime(
        cfg,
        on_ready=lambda: calls.append("ready"),
        on_stopping=lambda: calls.append("stopping"),
        on_heartbeat=lambda h: calls.append(f"heartbeat {h['state']}"),
        on_tick=lambda: ticks.append(1),
    )
    ticks: list[int] = []
    core.start()
    try:
        assert core.ready.is_set() and calls == ["ready"]
        assert core.wait(timeout=0.05) is False  # nobody asked to stop
        wait_for(lambda: "heartbeat ready" in calls, what="a heartbeat callback")
        wait_for(lambda: len(ticks) >= 1, what="a monitor tick")
        assert core.health()["last_event_age_s"] is None
        (web_root / "x.aspx").write_bytes(BENIGN)
        wait_for(lambda: core.health()["events_seen"] >= 1, what="the event count")
        assert core.health()["last_event_age_s"] is not None
        core.request_stop()
        assert core.wait() is True
    finally:
        assert core.stop() is True
    assert calls[-1] == "stopping" and core.stopped
    assert core.health()["state"] == "stopped"
    assert core.stop() is True  # idempotent


def test_exclusions_and_extensions(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    cfg = make_config(tmp_path, [web_root], agent_rules)
    cfg = dataclasses.replace(
        cfg,
        scan=dataclasses.replace(
            cfg.scan, exclude=("*/cache/*", "*.min.aspx"), extensions=(".aspx", ".PHP")
        ),
    )
    agent = run_agent(cfg)
    (web_root / "cache").mkdir()
    (web_root / "c.txt").write_bytes(b"eval(Request) without server-side code\n")  # sniffed
    for name in ("cache/a.aspx", "b.min.aspx", "D.ASPX", "e.php"):
        (web_root / name).write_bytes(SHELL)
    # e.php was written last: once it is scanned, every earlier event has been handled
    wait_for(lambda: str(web_root / "e.php") in agent.alerted_paths(), what="the last file")
    wait_for(agent.idle)
    assert set(agent.alerted_paths()) == {str(web_root / "D.ASPX"), str(web_root / "e.php")}
    # c.txt is only sniffed (no server code: not read whole); excluded names are never looked at
    assert set(agent.scans) == {str(web_root / n) for n in ("c.txt", "D.ASPX", "e.php")}


def test_stop_from_another_thread_during_the_baseline(
    tmp_path: Path, web_root: Path, agent_rules: Path
) -> None:
    for i in range(3000):
        (web_root / f"f{i}.aspx").write_bytes(BENIGN)
    core = Runtime(make_config(tmp_path, [web_root], agent_rules, cpu_budget=0.05))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            core.start()
        except BaseException as e:
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    wait_for(lambda: core.state_name == "starting" and core.counts["scans"] > 0, what="baseline")
    core.stop()
    t.join(30)
    assert not t.is_alive() and errors == []
    assert not core.ready.is_set() and core.stopped
    # what the baseline did not reach is simply scanned by the next start's catch-up
    again = Runtime(make_config(tmp_path, [web_root], agent_rules))
    again.start()
    try:
        assert again.state.count() == 3000
    finally:
        again.stop()


def test_scan_errors_are_reported_but_never_flood(tmp_path: Path) -> None:
    """The result stage on a real state and event log: 20 scan-error events a minute, the rest
    counted and summed up once the minute is over."""
    from agent.health import Counters
    from agent.identity import load_identity
    from agent.logging import EventLog
    from agent.pipeline import Job
    from agent.pipeline.durable import DiskFull, Durable
    from agent.pipeline.results import Results
    from agent.pipeline.sink import AlertSink
    from agent.scanner import Reason, ScanResult, Verdict
    from agent.state import State

    now = [1000.0]
    events: list[dict[str, object]] = []
    log = EventLog(None, load_identity(None), echo=events.append)
    counters = Counters()
    state = State(tmp_path / "state.sqlite")
    writes = Durable("state", log.emit, counters, DiskFull(log.emit, "x"), lambda: True)
    sink = AlertSink(load_identity(None), lambda doc: None, state=state, counters=counters)
    stage = Results(state, sink, counters, log.emit, writes, lambda: "r", clock=lambda: now[0])

    def error(name: str, reason: Reason, detail: str) -> None:
        stage.handle(Job(name, "rescan"), ScanResult(name, Verdict.ERROR, reason, detail))

    for i in range(30):  # e.g. a folder of unreadable files
        error(f"/x/{i}.aspx", Reason.PERMISSION_DENIED, "denied")
    errors = [e for e in events if e["event"]["action"] == "scan-error"]  # type: ignore[index]
    assert len(errors) == 20 and counters["errors"] == 30
    assert errors[0]["webshell"] == {"path": "/x/0.aspx", "reason": "permission_denied"}
    assert errors[0]["error"] == {"message": "denied"}
    now[0] += 61  # a minute later
    error("/x/late.aspx", Reason.IO_ERROR, "eio")
    suppressed = [e for e in events if e["event"]["action"] == "scan-errors-suppressed"]  # type: ignore[index]
    assert [s["webshell"]["suppressed"] for s in suppressed] == [10]  # type: ignore[index]
    assert events[-1]["webshell"]["path"] == "/x/late.aspx"  # type: ignore[index]
    assert state.count() == 0  # errors are retried by the next rescan, never recorded

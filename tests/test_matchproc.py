"""Matching in child processes: real children, real rules, real signals.

The children must give exactly the in-process results; a child that dies costs one retry, a
child that hangs is killed at its deadline and the file becomes a scan-timeout alert, and no
child outlives its scanner.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.confine import Roots
from agent.decode import Limits
from agent.matchproc import MatchPool, matches_from_json, matches_to_json
from agent.pipeline.workers import Job, Pipeline
from agent.rules import load_rules
from agent.scanner import TIMEOUT_RULE, Reason, RuleMatch, Scanner, ScanResult, StringHit, Verdict
from tests.conftest import SHELL
from tests.decode_helpers import script_encode

# A shell that only its decoded layer shows (the encoded page alone is no finding)
ENCODED = b"<%@ LANGUAGE = VBScript.Encode %>\r\n<%" + script_encode(b'eval request("x")') + b"%>"


@pytest.fixture
def pooled(rules_dir: Path) -> Iterator[Scanner]:
    s = Scanner(load_rules((rules_dir,), default_rules=False), processes=2)
    yield s
    s.close()


def _gone(pids: list[int]) -> bool:
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).wait(timeout=15)
    return not any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in pids)


def test_children_give_the_in_process_results_on_the_bundled_rules(tmp_path: Path) -> None:
    rules = load_rules(())
    files = {
        "a.aspx": SHELL,
        "b.asp": ENCODED,  # found on a decoded layer only
        "c.php": b"<?php echo 'hello';",
        "d.jsp": b'<%Runtime.getRuntime().exec(request.getParameter("c"));%>',
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    alone, pooled = Scanner(rules), Scanner(rules, processes=2)
    try:
        for name in files:
            a, b = alone.scan(str(tmp_path / name)), pooled.scan(str(tmp_path / name))
            assert (a.verdict, a.matches, a.hashes) == (b.verdict, b.matches, b.hashes), name
        assert pooled.pool is not None and pooled.pool.started >= 1
        assert any(m.layer for m in pooled.scan(str(tmp_path / "b.asp")).matches)
    finally:
        pooled.close()


def test_the_child_never_gets_a_path_it_could_open(pooled: Scanner, tmp_path: Path) -> None:
    # The parent opens and reads; the child sees bytes and holds no descriptor of the file.
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    r = pooled.scan(str(f))
    assert r.verdict is Verdict.MATCHED and [m.rule for m in r.matches] == ["T_Eval_Request"]
    assert pooled.pool is not None
    for pid in pooled.pool.pids():
        opened = {p.path for p in psutil.Process(pid).open_files()}
        assert str(f) not in opened


def test_a_child_killed_between_files_is_replaced(pooled: Scanner, tmp_path: Path) -> None:
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    assert pooled.scan(str(f)).matched
    assert pooled.pool is not None
    for pid in pooled.pool.pids():
        os.kill(pid, signal.SIGKILL)
    r = pooled.scan(str(f))
    assert r.verdict is Verdict.MATCHED and [m.rule for m in r.matches] == ["T_Eval_Request"]
    assert pooled.pool.started >= 2


def test_a_hung_child_is_killed_and_the_file_is_a_timeout_alert(
    rules_dir: Path, tmp_path: Path
) -> None:
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    s.pool = MatchPool(s.ruleset, size=1, timeout=1, limits=None, python=sys.executable, deadline=1)
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    try:
        assert s.scan(str(f)).matched  # the child is up
        (pid,) = s.pool.pids()
        os.kill(pid, signal.SIGSTOP)
        r = s.scan(str(f))
        assert r.verdict is Verdict.MATCHED and r.reason is Reason.TIMEOUT
        assert [m.rule for m in r.matches] == [TIMEOUT_RULE]
        assert "killed" in r.detail
        assert _gone([pid])
        assert s.scan(str(f)).matches[0].rule == "T_Eval_Request"  # a fresh child took over
    finally:
        s.close()


def test_a_child_that_cannot_run_is_an_error_result_not_a_lost_file(
    rules_dir: Path, tmp_path: Path
) -> None:
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    events: list[str] = []
    s.pool = MatchPool(
        s.ruleset, size=1, timeout=1, limits=None, python="/bin/false", on_event=events.append
    )
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    try:
        r = s.scan(str(f))
        assert r.verdict is Verdict.ERROR and r.reason is Reason.INTERNAL
        assert "exited with status 1" in r.detail
        assert len(events) == 2 and s.pool.started == 2  # retried once in a fresh child
    finally:
        s.close()


def test_yara_timeout_in_a_child_keeps_head_and_tail(rules_dir: Path, tmp_path: Path) -> None:
    (rules_dir / "slow.yar").write_text(
        "rule T_Slow { condition: filesize > 100000 and for all i in (0..filesize) : "
        "( for all j in (0..filesize) : ( uint8(i) != 0xff or uint8(j) != 0xfe ) ) }"
    )
    s = Scanner(load_rules((rules_dir,), default_rules=False), timeout=1, processes=1)
    f = tmp_path / "t.php"
    data = SHELL + b"a" * 200_000 + b"MARKER-SCORED-75"
    f.write_bytes(data)
    try:
        r = s.scan(str(f))
        assert r.verdict is Verdict.MATCHED and r.reason is Reason.TIMEOUT
        assert [m.rule for m in r.matches] == ["T_Eval_Request", "T_Scored", TIMEOUT_RULE]
        assert r.matches[1].strings[0].offset == data.index(b"MARKER-SCORED-75")
    finally:
        s.close()


def test_no_child_outlives_the_pipeline(rules_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    seen: list[ScanResult] = []
    scanner = Scanner(load_rules((rules_dir,), default_rules=False), processes=2)
    pipeline = Pipeline(scanner, lambda job, r: seen.append(r), threads=2).start()
    for _ in range(20):
        pipeline.submit(Job(str(f)))
    assert scanner.pool is not None
    assert pipeline.close()
    assert [r.verdict for r in seen] == [Verdict.MATCHED] * 20
    assert scanner.pool.pids() == [] and psutil.Process().children() == []


def test_swap_scanner_stops_the_old_children(rules_dir: Path, tmp_path: Path) -> None:
    rules = load_rules((rules_dir,), default_rules=False)
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    old, new = Scanner(rules, processes=1), Scanner(rules, processes=1)
    assert old.scan(str(f)).matched
    assert old.pool is not None
    pids = old.pool.pids()
    assert pids
    pipeline = Pipeline(old, lambda job, r: None, threads=1).start()
    try:
        pipeline.swap_scanner(new)
        assert _gone(pids)
    finally:
        pipeline.close()


def test_decode_limits_reach_the_child(tmp_path: Path) -> None:
    # No decode stage in the child: the encoded shell is not found, exactly as in-process.
    rules = load_rules(())
    f = tmp_path / "b.asp"
    f.write_bytes(ENCODED)
    plain = Scanner(rules, decode=None, processes=1)
    layered = Scanner(rules, decode=Limits(), processes=1)
    try:
        assert not plain.scan(str(f)).matches
        assert any(m.layer for m in layered.scan(str(f)).matches)
    finally:
        plain.close()
        layered.close()


_text = st.text(max_size=20)
_hit = st.builds(
    StringHit, _text, st.integers(0, 2**40), st.integers(0, 2**20), st.binary(max_size=64)
)
_meta = st.dictionaries(_text, st.one_of(_text, st.integers(-(2**53), 2**53), st.booleans()))
_match = st.builds(
    RuleMatch,
    _text,
    _text,
    st.lists(_text, max_size=3).map(tuple),
    _meta,
    st.lists(_hit, max_size=4).map(tuple),
    _text,
)


@given(st.lists(_match, max_size=4).map(tuple))
def test_matches_survive_the_wire(matches: tuple[RuleMatch, ...]) -> None:
    import json

    wire = json.loads(json.dumps(matches_to_json(matches)))
    assert matches_from_json(wire) == matches


def test_an_idle_child_stops_and_the_next_file_starts_one(rules_dir: Path, tmp_path: Path) -> None:
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    s.pool = MatchPool(s.ruleset, size=1, timeout=1, limits=None, python=sys.executable, idle=0.2)
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    try:
        assert s.scan(str(f)).matched
        (pid,) = s.pool.pids()
        assert _gone([pid]) and s.pool.pids() == []
        assert s.scan(str(f)).matches[0].rule == "T_Eval_Request"
        assert s.pool.started == 2
    finally:
        s.close()


def test_a_job_that_took_a_swapped_scanner_is_still_scanned(
    rules_dir: Path, tmp_path: Path
) -> None:
    # A rule reload closes the old scanner while a worker may already hold it.
    s = Scanner(load_rules((rules_dir,), default_rules=False), processes=1)
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    s.close()
    try:
        r = s.scan(str(f))
        assert r.verdict is Verdict.MATCHED and r.matches[0].rule == "T_Eval_Request"
        assert s.pool is not None and _gone(s.pool.pids())
    finally:
        s.close()


# A child that crashes (SIGABRT) on a file holding CRASH and stops answering on one holding
# HANG: a real `agent.matchproc` child, with its judge wrapped before it serves.
_FAULTY_CHILD = """
import os, signal, sys
import agent.scanner, agent.matchproc
judge = agent.scanner.Scanner.judge
def faulty(self, data, externals):
    if b"CRASH" in data:
        os.abort()
    if b"HANG" in data:
        os.kill(os.getpid(), signal.SIGSTOP)
    return judge(self, data, externals)
agent.scanner.Scanner.judge = faulty
agent.matchproc.child_main()
"""


def _faulty_python(tmp_path: Path) -> str:
    script = tmp_path / "faulty_child.py"
    script.write_text(_FAULTY_CHILD)
    launcher = tmp_path / "python-faulty"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}"\n')
    launcher.chmod(0o755)
    return str(launcher)


def _batch(tmp_path: Path, names: dict[str, bytes]) -> list[str]:
    paths = []
    for name, data in names.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    return paths


def test_a_batch_gives_what_each_file_gives_alone(tmp_path: Path) -> None:
    rules = load_rules(())
    paths = _batch(
        tmp_path,
        {
            "a.aspx": SHELL,
            "b.asp": ENCODED,
            "c.php": b"<?php echo 'hello';",
            "d.jsp": b'<%Runtime.getRuntime().exec(request.getParameter("c"));%>',
            "e.php": b"x" * 300,
        },
    )
    (tmp_path / "link.php").symlink_to(tmp_path / "a.aspx")
    paths[2:2] = [str(tmp_path / "missing.php"), str(tmp_path / "link.php")]
    roots = Roots([str(tmp_path)])
    alone = Scanner(rules, max_size=200, roots=roots)
    pooled = Scanner(rules, max_size=200, roots=roots, processes=1)
    try:
        one = [alone.scan(p) for p in paths]
        many = pooled.scan_many(paths)
        assert [(r.path, r.verdict, r.reason, r.matches) for r in many] == [
            (r.path, r.verdict, r.reason, r.matches) for r in one
        ]
        assert [r.reason for r in many][2:4] == [Reason.VANISHED, Reason.SYMLINK]
        assert [r.verdict for r in many].count(Verdict.MATCHED) == 3
        assert pooled.pool is not None and pooled.pool.started == 1  # one child, one batch
    finally:
        pooled.close()


def test_a_batch_across_folders_gives_what_each_file_gives_alone(tmp_path: Path) -> None:
    # The batch keeps the folder of its previous file open (confine.HeldFolder): files from
    # folders taken back and forth, a deeper one, a folder symlink and a vanished folder must
    # each be found where they are, as a lone scan finds them.
    rules = load_rules(())
    for d in ("a", "b", "a/deep"):
        (tmp_path / d).mkdir()
    files = {
        "a/1.aspx": SHELL,
        "b/1.php": b"<?php echo 'hello';",
        "a/2.php": b"<?php echo 'world';",
        "a/deep/1.jsp": b'<%Runtime.getRuntime().exec(request.getParameter("c"));%>',
        "a/3.aspx": SHELL,
        "b/2.aspx": SHELL,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "ln").symlink_to(tmp_path / "a")  # a folder reached through a symlink: refused
    paths = [str(tmp_path / n) for n in files]
    paths[3:3] = [str(tmp_path / "ln" / "1.aspx"), str(tmp_path / "gone" / "1.php")]
    roots = Roots([str(tmp_path)])
    alone = Scanner(rules, roots=roots)
    pooled = Scanner(rules, roots=roots, processes=1)
    try:
        one = [alone.scan(p) for p in paths]
        many = pooled.scan_many(paths)
        assert [(r.path, r.verdict, r.reason, r.matches) for r in many] == [
            (r.path, r.verdict, r.reason, r.matches) for r in one
        ]
        assert [r.verdict for r in many].count(Verdict.MATCHED) == 4
        assert [r.reason for r in many][3:5] == [Reason.SYMLINK, Reason.VANISHED]
    finally:
        pooled.close()


def test_a_child_dying_mid_batch_costs_one_file_a_retry_and_no_other_file(
    rules_dir: Path, tmp_path: Path
) -> None:
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    events: list[str] = []
    s.pool = MatchPool(
        s.ruleset, size=1, timeout=1, limits=None, python=_faulty_python(tmp_path),
        on_event=events.append,
    )  # fmt: skip
    paths = _batch(
        tmp_path,
        {"1.aspx": SHELL, "2.php": b"CRASH", "3.aspx": SHELL, "4.php": b"<?php echo 1;"},
    )
    try:
        r = s.scan_many(paths)
        assert [x.verdict for x in r] == [
            Verdict.MATCHED, Verdict.ERROR, Verdict.MATCHED, Verdict.CLEAN
        ]  # fmt: skip
        assert r[1].reason is Reason.INTERNAL and "SIGABRT" in r[1].detail
        assert [m.rule for m in r[2].matches] == ["T_Eval_Request"]
        # the first child, the crashing file's retry, then a fresh child for the rest
        assert len(events) == 2 and s.pool.started == 3
    finally:
        s.close()


def test_a_file_that_hangs_its_child_mid_batch_is_a_timeout_alert_the_rest_are_scanned(
    rules_dir: Path, tmp_path: Path
) -> None:
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    s.pool = MatchPool(
        s.ruleset, size=1, timeout=1, limits=None, python=_faulty_python(tmp_path), deadline=2
    )
    paths = _batch(tmp_path, {"1.aspx": SHELL, "2.php": b"HANG", "3.aspx": SHELL})
    try:
        r = s.scan_many(paths)
        assert [x.verdict for x in r] == [Verdict.MATCHED] * 3
        assert r[1].reason is Reason.TIMEOUT and "killed" in r[1].detail
        assert [m.rule for m in r[2].matches] == ["T_Eval_Request"]
    finally:
        s.close()


def test_a_worker_takes_a_batch_but_never_a_stop_meant_for_another() -> None:
    from agent.pipeline.workers import WorkQueue

    q = WorkQueue(10)
    stop = Job("")
    for job in (Job("a"), Job("b"), stop, stop, Job("c")):
        q.put(job)
    assert [j.path for j in q.get_batch(16, stop)] == ["a", "b"]
    assert q.get_batch(16, stop) == [stop]
    assert q.get_batch(16, stop) == [stop]
    assert [j.path for j in q.get_batch(16, stop)] == ["c"]


def test_an_empty_queue_gives_no_batch_when_told_not_to_wait() -> None:
    from agent.pipeline.workers import WorkQueue

    q = WorkQueue(10)
    stop = Job("")
    assert q.get_batch(16, stop, wait=False) == []
    q.put(Job("a"))
    assert [j.path for j in q.get_batch(16, stop, wait=False)] == ["a"]


def test_a_sent_batch_waits_for_a_slow_reader_past_the_deadline(
    rules_dir: Path, tmp_path: Path
) -> None:
    # A scan thread sends a batch, then reads its next files before it takes the replies
    # (agent.pipeline.workers). A child that is done, or blocked writing replies that fill the
    # pipe, is waiting on the parent, not hung: the deadline runs only while the parent waits.
    pieces = [f"{k:02d}{j}".encode() * 32 for k in range(24) for j in range(10)]  # 64 bytes
    (rules_dir / "wide.yar").write_text(
        "\n".join(
            f"rule wide_{k} {{ strings: "
            + " ".join(f'$s{j} = "{pieces[k * 10 + j].decode()}"' for j in range(10))
            + " condition: any of them }"
            for k in range(24)
        )
    )
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    s.pool = MatchPool(
        s.ruleset, size=1, timeout=1, limits=None, python=sys.executable, deadline=1, idle=0.2
    )
    page = b"\n".join(pieces * 3)  # every string three times: ~65 KB of reply per file
    paths = _batch(tmp_path, {"1.php": page, "2.php": page})
    try:
        assert s.scan(paths[0]).matched  # the child is up
        batch = s.read_batch(paths)
        s.send_batch(batch)
        # the subject here is the clock: the parent is busy elsewhere for twice the deadline
        # while the watchdog looks every 0.2 s and the child waits to write its second reply
        until = time.monotonic() + 2.0
        while time.monotonic() < until:
            time.sleep(0.1)
        r = s.finish_batch(batch)
        assert [(x.verdict, x.reason) for x in r] == [(Verdict.MATCHED, None)] * 2
        assert all(len(x.matches) == 24 for x in r)
        assert s.pool.started == 1  # the same child: never killed
    finally:
        s.close()

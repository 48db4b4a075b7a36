"""Quarantine round trips on real files: bytes, mode, owner, times; the refusals."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.cli import main
from agent.quarantine import CONTENT, METADATA, Quarantine, QuarantineError, respond, xor

SHELL = b'<?php @eval($_POST["x"]); ?>\n'
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def www(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "uploads").mkdir(parents=True)
    return root


@pytest.fixture
def q(tmp_path: Path, www: Path) -> Quarantine:
    return Quarantine(tmp_path / "data", [www])


def plant(path: Path, data: bytes = SHELL, mode: int = 0o754) -> Path:
    path.write_bytes(data)
    os.chmod(path, mode)
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_650_000_000_987_654_321))
    return path


def test_round_trip_keeps_bytes_mode_owner_and_times(q: Quarantine, www: Path) -> None:
    shell = plant(www / "uploads" / "s.php")
    if IS_ROOT:
        os.chown(shell, 1234, 4321)
    before = os.stat(shell)
    entry = q.take(str(shell), sha(SHELL), alert_id="abc")
    assert not shell.exists()
    assert os.listdir(shell.parent) == []  # nothing left behind, not even the hidden name

    store = q.dir / entry.id
    stored = (store / CONTENT).read_bytes()
    assert stored != SHELL and SHELL not in stored  # encoded
    assert stat.S_IMODE(os.stat(store / CONTENT).st_mode) == 0o400  # not executable
    meta = json.loads((store / METADATA).read_text())
    assert meta["original_path"] == str(shell)
    assert meta["sha256"] == sha(SHELL) and meta["alert_id"] == "abc"
    assert [e.id for e in q.entries()] == [entry.id]

    assert q.restore(entry.id) == str(shell)
    after = os.stat(shell)
    assert shell.read_bytes() == SHELL
    assert stat.S_IMODE(after.st_mode) == 0o754
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert after.st_mtime_ns == before.st_mtime_ns
    assert q.entries() == []  # restored entries leave the store


def test_restore_never_overwrites(q: Quarantine, www: Path) -> None:
    shell = plant(www / "s.php")
    entry = q.take(str(shell), sha(SHELL))
    shell.write_bytes(b"new page")
    with pytest.raises(QuarantineError) as e:
        q.restore(entry.id)
    assert e.value.reason == "exists"
    assert shell.read_bytes() == b"new page"
    other = www / "restored-copy.php"
    assert q.restore(entry.id, str(other)) == str(other)
    assert other.read_bytes() == SHELL


def test_symlink_is_refused_and_left_alone(q: Quarantine, www: Path, tmp_path: Path) -> None:
    target = plant(www / "real.php")
    link = www / "link.php"
    link.symlink_to(target)
    with pytest.raises(QuarantineError) as e:
        q.take(str(link), sha(SHELL))
    assert e.value.reason == "symlink"
    assert link.is_symlink() and target.read_bytes() == SHELL
    assert q.entries() == []


def test_outside_the_roots_is_refused(q: Quarantine, www: Path, tmp_path: Path) -> None:
    outside = plant(tmp_path / "elsewhere.php")
    with pytest.raises(QuarantineError) as e:
        q.take(str(outside), sha(SHELL))
    assert e.value.reason == "outside_roots"
    assert outside.exists()
    # a folder inside the root that links outside is never followed
    (www / "escape").symlink_to(tmp_path)
    with pytest.raises(QuarantineError) as e:
        q.take(str(www / "escape" / "elsewhere.php"), sha(SHELL))
    assert e.value.reason == "symlink"
    assert outside.exists()
    # no roots: nothing may be taken
    with pytest.raises(QuarantineError):
        Quarantine(tmp_path / "data").take(str(www / "x"), sha(SHELL))


def test_changed_since_scan_is_not_moved(q: Quarantine, www: Path) -> None:
    shell = plant(www / "s.php")
    scanned = sha(SHELL)
    shell.write_bytes(SHELL + b"// edited\n")
    with pytest.raises(QuarantineError) as e:
        q.take(str(shell), scanned)
    assert e.value.reason == "changed"
    assert shell.read_bytes() == SHELL + b"// edited\n"
    assert q.entries() == []


def test_concurrent_writer_never_loses_or_mixes_bytes(q: Quarantine, www: Path) -> None:
    """A writer keeps swapping the file between two versions (write to a temp, rename over).
    Each take either stores exactly the scanned version or leaves the file alone."""
    shell = www / "s.php"
    a, b = SHELL, b"<html>harmless</html>\n" * 50
    plant(shell, a)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            tmp = www / ".w.tmp"
            tmp.write_bytes(a if i % 2 == 0 else b)
            os.replace(tmp, shell)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    outcomes = []
    try:
        for _ in range(200):
            try:
                outcomes.append(q.take(str(shell), sha(a)))
            except QuarantineError as e:
                assert e.reason in {"changed", "unreadable", "vanished"}
    finally:
        stop.set()
        t.join()
    for entry in outcomes:
        assert q.content(entry) == a
    taken = {e.id for e in outcomes}
    for entry in q.entries():  # the rest: older copies displaced by the writer, kept
        assert entry.id in taken or entry.extra == {"displaced": True}
        assert q.content(entry) in (a, b)
    leftovers = [n for n in os.listdir(www) if n.startswith(".webshell-agent")]
    assert leftovers == []


def test_list_restore_purge_commands(q: Quarantine, www: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    e1 = q.take(str(plant(www / "a.php")), sha(SHELL))
    e2 = q.take(str(plant(www / "b.php")), sha(SHELL))
    data = str(tmp_path / "data")
    assert main(["quarantine", "list", "--data-dir", data, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {x["id"] for x in listed} == {e1.id, e2.id}
    assert main(["quarantine", "restore", "--data-dir", data, e1.id]) == 0
    assert (www / "a.php").read_bytes() == SHELL
    assert main(["quarantine", "purge", "--data-dir", data, e2.id]) == 0
    assert not (www / "b.php").exists() and q.entries() == []
    assert main(["quarantine", "restore", "--data-dir", data, "no-such-id"]) == 2
    assert main(["quarantine", "restore", "--data-dir", data, "../etc"]) == 2


def test_scan_quarantine_moves_only_matches(tmp_path: Path, www: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    rule = tmp_path / "t.yar"
    rule.write_text('rule T { strings: $a = "eval($_POST" condition: $a }\n')
    shell = plant(www / "uploads" / "s.php")
    page = plant(www / "index.php", b"<?php echo 'hello'; ?>\n")
    monkeypatch.setenv("WEBSHELL_AGENT_AGENT_DATA_DIR", str(tmp_path / "data"))
    argv = ["scan", "--no-default-rules", "--rules", str(rule), "--no-cache", "--format", "jsonl"]
    assert main([*argv, "--quarantine", str(www)]) == 1
    (alert,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    response = alert["webshell"]["response"]
    assert response["outcome"] == "success"
    assert not shell.exists() and page.exists()
    entry = Quarantine(tmp_path / "data").get(response["id"])
    assert entry.alert_id == alert["event"]["id"]
    # without the flag nothing moves
    plant(shell)
    assert main([*argv, str(www)]) == 1
    assert shell.exists()


@given(st.binary(max_size=2000), st.binary(min_size=1, max_size=32))
def test_xor_is_its_own_inverse(data: bytes, key: bytes) -> None:
    enc = xor(data, key)
    assert len(enc) == len(data)
    assert xor(enc, key) == data


def test_purge_all_and_usage_errors(q: Quarantine, www: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    q.take(str(plant(www / "a.php")), sha(SHELL))
    q.take(str(plant(www / "b.php")), sha(SHELL))
    data = str(tmp_path / "data")
    assert main(["quarantine", "purge", "--data-dir", data]) == 2  # neither IDs nor --all
    assert len(q.entries()) == 2
    assert main(["quarantine", "purge", "--data-dir", data, "--all"]) == 0
    assert q.entries() == []
    assert main(["quarantine", "list", "--data-dir", data]) == 0
    assert "0 quarantined file(s)" in capsys.readouterr().out


def test_a_restored_file_is_not_taken_again_until_it_changes(q: Quarantine, www: Path) -> None:
    shell = plant(www / "s.php")
    q.restore(q.take(str(shell), sha(SHELL)).id)
    with pytest.raises(QuarantineError) as e:
        q.take(str(shell), sha(SHELL))  # the running agent scans the restored file at once
    assert e.value.reason == "restored"
    assert shell.read_bytes() == SHELL
    changed = SHELL + b"// changed later\n"
    shell.write_bytes(changed)
    assert q.content(q.take(str(shell), sha(changed))) == changed


def test_a_scan_timeout_alone_is_not_quarantined(tmp_path: Path) -> None:
    www = tmp_path / "www"
    www.mkdir()
    f = www / "pad.php"
    f.write_bytes(b"a" * 100)
    q = Quarantine(tmp_path / "data", [www])
    alert: dict[str, Any] = {"rule": {"name": ["WSA_Scan_Timeout"]}, "event": {"id": "x"}}
    out = respond(q, alert, str(f), sha(b"a" * 100))
    assert out == {"action": "none", "outcome": "skipped", "reason": "scan-timeout"}
    assert alert["webshell"]["response"] == out
    assert f.read_bytes() == b"a" * 100 and q.entries() == []


def test_a_file_named_as_the_root_can_be_taken_and_restored(tmp_path: Path, www: Path) -> None:
    shell = plant(www / "s.php")  # `scan --quarantine www/s.php`: the PATH is the file
    q = Quarantine(tmp_path / "data", [shell])
    entry = q.take(str(shell), sha(SHELL))
    assert not shell.exists()
    assert q.restore(entry.id) == str(shell)  # below the recorded root, its folder
    assert shell.read_bytes() == SHELL

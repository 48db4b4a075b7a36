"""The SQLite state: unchanged detection, verdicts, alert de-duplication, odd paths."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.scanner import FileInfo, Hashes, Reason, ScanResult, Verdict
from agent.state import State


def result_for(path: Path, verdict: Verdict = Verdict.CLEAN, sha: str = "ab" * 32) -> ScanResult:
    s = os.stat(path)
    info = FileInfo(s.st_size, s.st_mtime, s.st_ctime, s.st_mode, s.st_uid, "", s.st_ino, s.st_dev)
    return ScanResult(str(path), verdict, info=info, hashes=Hashes(sha, "", ""))


def test_unchanged_until_size_mtime_inode_or_rules_change(tmp_path: Path) -> None:
    f = tmp_path / "a.php"
    f.write_bytes(b"<?php echo 1;")
    state = State(tmp_path / "state.sqlite")
    assert state.is_empty()
    assert not state.unchanged(str(f), os.stat(f), "r1")
    state.record(result_for(f), "r1")
    assert state.unchanged(str(f), os.stat(f), "r1")
    assert not state.unchanged(str(f), os.stat(f), "r2")  # new rules: re-verify
    os.utime(f, (1, 1))
    assert not state.unchanged(str(f), os.stat(f), "r1")
    state.record(result_for(f), "r1")
    f2 = tmp_path / "b.php"
    f2.write_bytes(b"<?php echo 1;")
    os.replace(f2, f)  # same size, new inode
    os.utime(f, (1, 1))
    assert not state.unchanged(str(f), os.stat(f), "r1")
    assert state.stale("r1") == 0 and state.stale("r2") == 1
    state.close()


def test_state_survives_a_reopen_and_forgets(tmp_path: Path) -> None:
    f = tmp_path / "a.php"
    f.write_bytes(b"x")
    db = tmp_path / "state.sqlite"
    s1 = State(db)
    s1.record(result_for(f, Verdict.MATCHED), "r1")
    s1.mark_alerted(str(f), "ab" * 32, "r1", "id1")
    s1.close()
    s2 = State(db)
    assert s2.verdict(str(f)) == ("matched", "ab" * 32, "r1")
    assert s2.alerted(str(f), "ab" * 32, "r1")
    assert not s2.alerted(str(f), "cd" * 32, "r1")
    assert not s2.alerted(str(f), "ab" * 32, "r2")
    s2.record(ScanResult(str(f), Verdict.ERROR, Reason.VANISHED), "r1")
    assert s2.verdict(str(f)) is None
    s2.close()


def test_a_retryable_error_is_not_remembered(tmp_path: Path) -> None:
    f = tmp_path / "a.php"
    f.write_bytes(b"x")
    s = State(tmp_path / "state.sqlite")
    s.record(ScanResult(str(f), Verdict.ERROR, Reason.PERMISSION_DENIED), "r1")
    assert s.is_empty()
    s.close()


def test_paths_under_a_root_only(tmp_path: Path) -> None:
    s = State(tmp_path / "state.sqlite")
    for rel in ("www/a.php", "www/sub/b.php", "www2/c.php", "ww/d.php"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
        s.record(result_for(p), "r")
    assert sorted(s.paths_under(str(tmp_path / "www"))) == [
        str(tmp_path / "www/a.php"),
        str(tmp_path / "www/sub/b.php"),
    ]
    s.close()


@settings(max_examples=30, deadline=None)
@given(
    name=st.binary(min_size=1, max_size=30).filter(
        lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b"..")
    )
)
def test_any_file_name_round_trips(tmp_path_factory: object, name: bytes) -> None:
    base = tmp_path_factory.mktemp("names")  # type: ignore[attr-defined]
    p = os.path.join(os.fsencode(base), name)
    with open(p, "wb") as f:
        f.write(b"x")
    path = os.fsdecode(p)
    s = State(base / "state.sqlite")
    s.record(result_for(Path(path)), "r")
    assert list(s.paths_under(str(base))) == [path]
    assert s.unchanged(path, os.stat(path), "r")
    s.close()

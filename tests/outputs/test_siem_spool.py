"""The alert-file tail: follows rotation by inode, resumes from the saved position, bounds
the backlog and counts what it drops."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.outputs.jsonfile import JsonLinesFile
from agent.outputs.spool import FileTail


def doc(i: int) -> dict[str, object]:
    return {"event": {"id": f"id-{i:05d}"}, "n": i, "pad": "x" * 50}


def drain(tail: FileTail, max_lines: int = 7, commit: bool = True) -> list[int]:
    got: list[int] = []
    for _ in range(10_000):
        batch = tail.read(max_lines, 1 << 20)
        if not batch.lines:
            if batch.moved and batch.end.inode:
                tail.commit(batch.end)
                continue
            return got
        got += [json.loads(line)["n"] for line in batch.lines]
        if commit:
            tail.commit(batch.end)
    raise AssertionError("did not converge")


def test_follows_rotation_and_resumes_after_restart(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "outputs" / "x.json"
    w = JsonLinesFile(path, rotate_size=1000, keep=50)
    seen: list[int] = []
    tail = FileTail(path, reg)
    for i in range(120):
        w.write(doc(i))
        if i % 13 == 0:
            seen += drain(tail)
        if i == 60:  # the agent restarts: a fresh reader from the saved position
            tail = FileTail(path, reg)
    seen += drain(FileTail(path, reg))
    w.close()
    assert len(list(tmp_path.glob("alerts.jsonl.*"))) > 5  # it really rotated
    assert seen == list(range(120))


def test_uncommitted_batches_are_read_again(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "r.json"
    with JsonLinesFile(path, rotate_size=0, keep=0) as w:
        for i in range(10):
            w.write(doc(i))
    tail = FileTail(path, reg)
    first = tail.read(4, 1 << 20)
    assert [json.loads(x)["n"] for x in first.lines] == [0, 1, 2, 3]
    assert drain(FileTail(path, reg)) == list(range(10))  # not committed: all again


def test_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "r.json"
    path.write_bytes(b'{"n": 1}\n{"n": 2')
    tail = FileTail(path, reg)
    assert drain(tail) == [1]
    with open(path, "ab") as fh:
        fh.write(b"}\n")
    assert drain(tail) == [2]


def test_start_at_end_skips_history(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "r.json"
    with JsonLinesFile(path, rotate_size=0, keep=0) as w:
        w.write(doc(1))
        tail = FileTail(path, reg, start_at="end")
        assert drain(tail) == []
        w.write(doc(2))
        assert drain(tail) == [2]


def test_rotated_away_data_is_reported_as_lost(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "r.json"
    w = JsonLinesFile(path, rotate_size=400, keep=1)
    tail = FileTail(path, reg)
    w.write(doc(0))
    b = tail.read(1, 1 << 20)
    tail.commit(b.end)
    for i in range(1, 30):  # the reader falls behind beyond what rotation keeps
        w.write(doc(i))
    w.close()
    gaps = 0
    got: list[int] = []
    for _ in range(100):
        batch = tail.read(100, 1 << 20)
        gaps += batch.gaps
        if not batch.lines and not batch.moved:
            break
        got += [json.loads(x)["n"] for x in batch.lines]
        tail.commit(batch.end)
    assert gaps == 1
    assert got == sorted(got) and got[-1] == 29 and len(got) < 29


def test_drop_to_bounds_the_backlog_and_counts(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "r.json"
    with JsonLinesFile(path, rotate_size=2000, keep=100) as w:
        for i in range(100):
            w.write(doc(i))
    tail = FileTail(path, reg)
    total = tail.backlog_bytes()
    sizes = [len(json.dumps(doc(i), separators=(",", ":"))) + 1 for i in range(100)]
    assert total == sum(sizes)
    dropped, dropped_bytes = tail.drop_to(sum(sizes[70:]))
    assert tail.backlog_bytes() == sum(sizes[70:])
    assert dropped == 70 and dropped_bytes == sum(sizes[:70])
    assert drain(FileTail(path, reg), 50) == list(range(70, 100))


def test_damaged_registry_restarts_from_the_beginning(tmp_path: Path) -> None:
    path, reg = tmp_path / "alerts.jsonl", tmp_path / "r.json"
    with JsonLinesFile(path, rotate_size=0, keep=0) as w:
        w.write(doc(1))
    reg.write_text("{not json")
    assert drain(FileTail(path, reg)) == [1]
    saved = json.loads(reg.read_text())
    assert saved["inode"] == os.stat(path).st_ino and saved["offset"] == path.stat().st_size


ops = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(1, 15)),
        st.tuples(st.just("read"), st.integers(1, 9)),
        st.tuples(st.just("restart"), st.just(0)),
    ),
    max_size=40,
)


@given(rotate=st.integers(150, 1500), script=ops)
@settings(max_examples=60, deadline=None)
def test_any_interleaving_of_writes_rotations_reads_and_restarts_delivers_in_order(
    rotate: int, script: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory() as d:
        path, reg = Path(d) / "alerts.jsonl", Path(d) / "r.json"
        w = JsonLinesFile(path, rotate_size=rotate, keep=1000)
        tail, got, written = FileTail(path, reg), [], 0
        for op, n in script:
            if op == "write":
                for _ in range(n):
                    w.write(doc(written))
                    written += 1
            elif op == "read":
                for _ in range(n):
                    batch = tail.read(3, 1 << 20)
                    got += [json.loads(x)["n"] for x in batch.lines]
                    if batch.lines or (batch.moved and batch.end.inode):
                        tail.commit(batch.end)
            else:
                tail = FileTail(path, reg)
        got += drain(FileTail(path, reg))
        w.close()
        assert got == list(range(written))

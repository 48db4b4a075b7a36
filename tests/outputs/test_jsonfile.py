"""The single writer of rotated JSON-lines files: every document lands once, whole, in order."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.outputs.jsonfile import AlreadyOpen, JsonLinesFile


def _lines(p: Path) -> list[dict[str, object]]:
    # split on "\n" only: str.splitlines() would also split inside strings on U+0085, U+2028...
    return [json.loads(line) for line in p.read_bytes().decode("utf-8").split("\n") if line]


def read_all(path: Path, keep: int) -> list[dict[str, object]]:
    """Every document, oldest first, across the rotated files."""
    docs: list[dict[str, object]] = []
    for i in range(keep, 0, -1):
        p = path.with_name(f"{path.name}.{i}")
        if p.exists():
            docs += _lines(p)
    if path.exists():
        docs += _lines(path)
    return docs


def test_lines_are_flushed_before_write_returns(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    with JsonLinesFile(path, rotate_size=0, keep=3) as f:
        f.write({"n": 1, "path": "a\nb"})
        # another reader sees the whole line now, without close()
        assert path.read_bytes() == b'{"n":1,"path":"a\\nb"}\n'
        f.write({"n": 2})
        assert [d["n"] for d in read_all(path, 0)] == [1, 2]


def test_rotation_keeps_n_files_in_order(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    with JsonLinesFile(path, rotate_size=200, keep=2) as f:
        for n in range(100):
            f.write({"n": n, "pad": "x" * 20})
    assert sorted(p.name for p in tmp_path.glob("alerts.jsonl*")) == [
        "alerts.jsonl",
        "alerts.jsonl.1",
        "alerts.jsonl.2",
        "alerts.jsonl.lock",
    ]
    for p in (path, path.with_name("alerts.jsonl.1"), path.with_name("alerts.jsonl.2")):
        assert 0 < p.stat().st_size <= 200
    ns = [d["n"] for d in read_all(path, 2)]
    assert ns == list(range(ns[0], 100))  # the newest survive, contiguous, none duplicated


def test_rotation_creates_a_new_inode(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with JsonLinesFile(path, rotate_size=50, keep=1) as f:
        f.write({"a": "y" * 30})
        first = path.stat().st_ino
        f.write({"a": "z" * 30})
        assert path.with_name("events.jsonl.1").stat().st_ino == first
        assert path.stat().st_ino != first


def test_keep_zero_discards_the_full_file(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    with JsonLinesFile(path, rotate_size=40, keep=0) as f:
        for n in range(10):
            f.write({"n": n, "p": "q" * 10})
    assert not path.with_name("a.jsonl.1").exists()
    assert read_all(path, 0)[-1] == {"n": 9, "p": "q" * 10}


def test_a_line_larger_than_the_rotate_size_is_still_written(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    with JsonLinesFile(path, rotate_size=10, keep=1) as f:
        f.write({"big": "b" * 100})
        f.write({"big": "c" * 100})
    assert [d["big"][0] for d in read_all(path, 1)] == ["b", "c"]


def test_reopen_appends_and_closes_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(b'{"n":0}\n{"n":1, "tor')  # a crash mid-write
    with JsonLinesFile(path, rotate_size=0, keep=1) as f:
        assert f.size == path.stat().st_size
        f.write({"n": 2})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == ['{"n":0}', '{"n":1, "tor', '{"n":2}']


def test_never_opened_twice_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    f = JsonLinesFile(path, rotate_size=0, keep=1)
    with pytest.raises(AlreadyOpen):
        JsonLinesFile(tmp_path / "." / "alerts.jsonl", rotate_size=0, keep=1)
    f.close()
    f.close()  # idempotent
    with pytest.raises(ValueError):
        f.write({"late": True})
    JsonLinesFile(path, rotate_size=0, keep=1).close()  # free again after close


def test_a_second_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    code = (
        "import sys\n"
        "from agent.outputs.jsonfile import JsonLinesFile, AlreadyOpen\n"
        "try:\n"
        "    JsonLinesFile(sys.argv[1], 0, 1)\n"
        "except AlreadyOpen:\n"
        "    sys.exit(3)\n"
    )
    with JsonLinesFile(path, rotate_size=0, keep=1):
        held = subprocess.run([sys.executable, "-c", code, str(path)], check=False)
    assert held.returncode == 3
    free = subprocess.run([sys.executable, "-c", code, str(path)], check=False)
    assert free.returncode == 0


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    f = JsonLinesFile(path, rotate_size=4096, keep=50)

    def writer(k: int) -> None:
        for n in range(300):
            f.write({"k": k, "n": n, "pad": "p" * (n % 17)})

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    f.close()
    docs = read_all(path, 50)
    assert len(docs) == 1200
    for k in range(4):
        assert [d["n"] for d in docs if d["k"] == k] == list(range(300))


@settings(max_examples=40, deadline=None)
@given(
    docs=st.lists(
        st.dictionaries(st.text(max_size=8), st.text(max_size=40) | st.integers(), max_size=4),
        max_size=40,
    ),
    rotate_size=st.integers(min_value=0, max_value=400),
)
def test_round_trip_whatever_the_rotation(
    tmp_path_factory: pytest.TempPathFactory, docs: list[dict[str, object]], rotate_size: int
) -> None:
    path = tmp_path_factory.mktemp("rt") / "x.jsonl"
    with JsonLinesFile(path, rotate_size=rotate_size, keep=1000) as f:
        for d in docs:
            f.write(d)
    assert read_all(path, 1000) == docs

"""The settle stage on its own: coalescing, quiet checks, new directories, the bound."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.walk import Filter
from agent.watcher.settle import Settler
from tests.watcher.conftest import wait_for


class Sink:
    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, path: str, trigger: str) -> None:
        with self.lock:
            self.got.append((path, trigger))


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def settler(sink: Sink) -> Iterator[Settler]:
    s = Settler(sink, Filter(), settle=0.3, limit=5).start()
    yield s
    s.close()


def test_created_then_closed_is_one_scan_now(tmp_path: Path, settler: Settler, sink: Sink) -> None:
    p = tmp_path / "a.php"
    p.write_bytes(b"x")
    settler.created(str(p))
    settler.created(str(p))
    settler.closed(str(p))
    wait_for(lambda: len(sink.got) == 1)
    time.sleep(0.5)  # past the settle time: the created timer must not fire again
    assert sink.got == [(str(p), "created")]


def test_created_only_waits_for_quiet(tmp_path: Path, settler: Settler, sink: Sink) -> None:
    p = tmp_path / "a.php"
    p.write_bytes(b"x")
    settler.created(str(p))
    assert sink.got == []
    wait_for(lambda: len(sink.got) == 1)
    assert sink.got == [(str(p), "created")]


def test_a_vanished_path_is_dropped(tmp_path: Path, settler: Settler, sink: Sink) -> None:
    settler.created(str(tmp_path / "never.php"))
    wait_for(lambda: settler.vanished == 1)
    assert sink.got == [] and settler.depth == 0


def test_a_new_directory_is_walked(tmp_path: Path, settler: Settler, sink: Sink) -> None:
    d = tmp_path / "new" / "deep"
    d.mkdir(parents=True)
    (d / "a.php").write_bytes(b"x")
    (d / "b.txt").write_bytes(b"x")
    settler.new_dir(str(tmp_path / "new"))
    wait_for(lambda: len(sink.got) == 1)
    assert sink.got == [(str(d / "a.php"), "created")]


def test_the_bound_reports_overflow_instead_of_growing(tmp_path: Path, sink: Sink) -> None:
    lost: list[str] = []
    s = Settler(sink, Filter(), settle=30.0, limit=5, on_overflow=lost.append).start()
    try:
        for i in range(8):
            s.created(str(tmp_path / f"{i}.php"))
        assert s.depth == 5 and s.dropped == 3
        assert lost == [str(tmp_path / f"{i}.php") for i in (5, 6, 7)]
    finally:
        s.close()
    # close hands on whatever is pending (a stop drains), quiet or not
    assert len(sink.got) == 0  # the files do not exist: nothing to scan


def test_close_hands_on_pending_paths_at_once(tmp_path: Path, sink: Sink) -> None:
    s = Settler(sink, Filter(), settle=30.0).start()
    p = tmp_path / "a.php"
    p.write_bytes(b"x")
    s.modified(str(p))
    s.close()
    assert sink.got == [(str(p), "modified")]

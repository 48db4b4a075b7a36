"""The work queue and the worker pool: bounded, FIFO, nothing lost, nothing scanned twice."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.pipeline import Job, Pipeline, WorkQueue
from agent.rules import load_rules
from agent.scanner import Reason, Scanner, ScanResult, Verdict
from tests.conftest import SHELL


def test_fifo_and_bound() -> None:
    q = WorkQueue(3)
    for i in range(3):
        q.put(Job(str(i)))
    with pytest.raises(queue.Full):
        q.put(Job("x"), timeout=0.01)
    assert [q.get().path for _ in range(3)] == ["0", "1", "2"]
    with pytest.raises(queue.Empty):
        q.get_nowait()


def test_blocked_producer_resumes_once_half_drained() -> None:
    q = WorkQueue(4)
    for i in range(4):
        q.put(Job(str(i)))
    done = threading.Event()

    def produce() -> None:
        q.put(Job("late"))
        done.set()

    t = threading.Thread(target=produce)
    t.start()
    q.get()
    assert not done.wait(0.2)  # 3 left: above the low-water mark, the producer keeps waiting
    q.get()
    assert done.wait(5)  # 2 left: woken
    t.join()
    assert [q.get().path for _ in range(3)] == ["2", "3", "late"]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 64), st.integers(1, 4), st.integers(0, 400))
def test_every_item_delivered_exactly_once(maxsize: int, consumers: int, n: int) -> None:
    q = WorkQueue(maxsize)
    got: list[str] = []
    lock = threading.Lock()

    def consume() -> None:
        while (job := q.get()).path != "":
            with lock:
                got.append(job.path)

    threads = [threading.Thread(target=consume) for _ in range(consumers)]
    for t in threads:
        t.start()
    for i in range(n):
        q.put(Job(str(i)))
    for _ in threads:
        q.put(Job(""))
    for t in threads:
        t.join()
    assert sorted(got, key=int) == [str(i) for i in range(n)]


def test_pipeline_scans_each_job_once_and_survives_bad_handlers(
    rules_dir: Path, tmp_path: Path
) -> None:
    scanner = Scanner(load_rules((rules_dir,), default_rules=False))
    files = []
    for i in range(200):
        f = tmp_path / f"f{i}.aspx"
        f.write_bytes(SHELL if i % 10 == 0 else b"plain")
        files.append(str(f))
    seen: list[ScanResult] = []
    lock = threading.Lock()

    def on_result(job: Job, r: ScanResult) -> None:
        with lock:
            seen.append(r)
        if job.path.endswith("f5.aspx"):
            raise RuntimeError("a consumer bug")

    p = Pipeline(scanner, on_result, threads=2, queue_size=8).start()
    for f in files:
        p.submit(Job(f))
    assert p.close(timeout=60)
    assert sorted(r.path for r in seen) == sorted(files)
    assert sum(r.verdict is Verdict.MATCHED for r in seen) == 20


def test_scanner_crash_still_yields_a_result(rules_dir: Path) -> None:
    class Broken(Scanner):
        def scan(self, path: str) -> ScanResult:
            raise ValueError("boom")

    results: list[ScanResult] = []
    p = Pipeline(
        Broken(load_rules((rules_dir,), default_rules=False)),
        lambda j, r: results.append(r),
        threads=1,
    ).start()
    p.submit(Job("/x"))
    assert p.close(timeout=10)
    (r,) = results
    assert r.verdict is Verdict.ERROR and r.reason is Reason.INTERNAL and "boom" in r.detail

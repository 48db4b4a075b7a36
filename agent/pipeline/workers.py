"""The scan workers: a few long-lived threads fed by a bounded queue; shared by `scan` and `run`.

yara-python releases the GIL during a match, so threads scan in parallel (measured 1.8-1.9x on
2 cores); one long-lived thread per core beats a task per file.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.matchproc import BATCH_FILES
from agent.scanner import Batch, Reason, Scanner, ScanResult, Verdict


@dataclass(frozen=True, slots=True)
class Job:
    path: str
    trigger: str = "oneoff"
    queued_at: float = field(default_factory=time.monotonic)


_log = logging.getLogger(__name__)


class WorkQueue:
    """A bounded FIFO whose producer wakes only when the queue has drained to half.

    queue.Queue wakes a blocked producer on every get(): with a walker that is always ahead,
    that is one thread hand-off (and GIL switch) per file, measured at ~10 % of a scan worker's
    time. Same method names as queue.Queue, so it is a drop-in.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = max(1, maxsize)
        self._low = self.maxsize // 2
        self._items: deque[Job] = deque()
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)
        self._producers_waiting = 0

    def put(self, item: Job, timeout: float | None = None) -> None:
        with self._not_full:
            if len(self._items) >= self.maxsize:
                deadline = None if timeout is None else time.monotonic() + timeout
                self._producers_waiting += 1
                try:
                    while len(self._items) >= self.maxsize:
                        left = None if deadline is None else deadline - time.monotonic()
                        if left is not None and left <= 0:
                            raise queue.Full
                        self._not_full.wait(left)
                finally:
                    self._producers_waiting -= 1
            self._items.append(item)
            self._not_empty.notify()

    def get(self) -> Job:
        with self._not_empty:
            while not self._items:
                self._not_empty.wait()
            return self._take()

    def get_batch(self, limit: int, until: Job, wait: bool = True) -> list[Job]:
        """The first job (waiting for one, unless not `wait`: then [] when none is queued), then
        up to `limit` in all of what is queued already, never waiting for more and never past
        `until` (each worker takes one stop job)."""
        with self._not_empty:
            while not self._items:
                if not wait:
                    return []
                self._not_empty.wait()
            batch = [self._take()]
            while (
                batch[0] is not until
                and len(batch) < limit
                and self._items
                and self._items[0] is not until
            ):
                batch.append(self._take())
            return batch

    def get_nowait(self) -> Job:
        with self._lock:
            if not self._items:
                raise queue.Empty
            return self._take()

    def _take(self) -> Job:
        item = self._items.popleft()
        if self._producers_waiting and len(self._items) <= self._low:
            self._not_full.notify_all()
        return item

    def qsize(self) -> int:
        return len(self._items)


ResultHandler = Callable[[Job, ScanResult], None]
StartHandler = Callable[[Job], bool]
_STOP = Job("")


@dataclass(slots=True)
class _Pending:
    """A batch out with a matching child, its results not handed on yet."""

    scanner: Scanner
    jobs: list[Job]
    batch: Batch


class Pipeline:
    """submit() jobs; each result goes to `on_result`, called on a worker thread."""

    def __init__(
        self,
        scanner: Scanner,
        on_result: ResultHandler,
        *,
        threads: int = 2,
        queue_size: int = 10_000,
        name: str = "wsa-scan",
        on_start: StartHandler | None = None,
    ) -> None:
        self.scanner = scanner
        self.on_result = on_result
        # Called on the worker just before the scan; False skips the job (e.g. unchanged since
        # it was queued). Lets the watcher coalesce: a path is "pending" only until this point.
        self.on_start = on_start
        self._queue = WorkQueue(queue_size)
        # One thread per matching child, no more: a second "feeder" thread per child (to keep a
        # file read and ready) cost more than it won. Measured on the dev corpus (2 cores,
        # `python -m agent scan --all-files --threads 2`, alternating): 4 threads 18.2-18.9 s of
        # the parent's CPU and ~218,000 context switches, 2 threads 13.3-14.7 s and ~68,000, wall
        # 48.2-48.5 s against 42.9-46.5 s. Every system call of one thread handed the GIL over.
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(max(1, threads))
        ]
        self._started = False
        self.scanned = 0
        self._lock = threading.Lock()

    def start(self) -> Pipeline:
        if not self._started:
            self._started = True
            for t in self._threads:
                t.start()
        return self

    def submit(self, job: Job, timeout: float | None = None) -> bool:
        """Blocks while the queue is full (back-pressure); False if still full after timeout."""
        try:
            self._queue.put(job, timeout=timeout)
        except queue.Full:
            return False
        return True

    def swap_scanner(self, scanner: Scanner) -> None:
        """New rules: the next job uses them; jobs in flight finish with the old ones (whose
        matching children stop when those jobs are done)."""
        old, self.scanner = self.scanner, scanner
        if old is not scanner:
            old.close()

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def _work(self) -> None:
        # With matching children a worker takes what is queued, up to a batch, so that its
        # child gets the files in one round trip (agent.matchproc); alone, one job at a time.
        # It reads its next batch while the child matches the last one, and hands the last
        # one's results on while the child matches the next: a worker that waited on its child,
        # then read, left the child idle while it read (measured on the dev corpus, 2 cores:
        # the children's CPU at 1.35 of 2 cores).
        pending: _Pending | None = None
        while True:
            limit = BATCH_FILES if self.scanner.pool is not None else 1
            # while a batch is out, only what is queued already: never wait with results held
            jobs = self._queue.get_batch(limit, _STOP, wait=pending is None)
            if not jobs or jobs[0] is _STOP:
                if pending is not None:
                    self._deliver(pending.jobs, self._finish(pending))
                    pending = None
                if jobs:
                    return
                continue
            if self.on_start is not None:
                jobs = [job for job in jobs if self._starts(job)]
                if not jobs:
                    continue
            scanner = self.scanner  # one scanner for the batch, even across a swap
            try:
                batch = scanner.read_batch([job.path for job in jobs])
            except Exception as e:  # a scanner bug must still yield results: nothing is lost
                self._deliver(jobs, self._failed(jobs, e))
                continue
            if pending is not None:
                self._deliver(pending.jobs, self._finish(pending))  # its child is free now
            nxt = _Pending(scanner, jobs, batch)
            try:
                scanner.send_batch(batch)
            except Exception as e:
                batch.close()
                self._deliver(jobs, self._failed(jobs, e))
                continue
            pending = nxt

    def _finish(self, pending: _Pending) -> list[ScanResult]:
        try:
            return pending.scanner.finish_batch(pending.batch)
        except Exception as e:
            return self._failed(pending.jobs, e)

    @staticmethod
    def _failed(jobs: list[Job], e: Exception) -> list[ScanResult]:
        _log.exception("scan failed for %d files from %r", len(jobs), jobs[0].path)
        why = f"{type(e).__name__}: {e}"
        return [ScanResult(j.path, Verdict.ERROR, Reason.INTERNAL, why) for j in jobs]

    def _deliver(self, jobs: list[Job], results: list[ScanResult]) -> None:
        with self._lock:
            self.scanned += len(jobs)
        for job, result in zip(jobs, results, strict=True):
            try:
                self.on_result(job, result)
            except Exception:  # a consumer bug must not kill a scan worker
                _log.exception("result handler failed for %r", job.path)

    def _starts(self, job: Job) -> bool:
        assert self.on_start is not None
        try:
            return self.on_start(job)
        except Exception:
            _log.exception("start handler failed for %r", job.path)
            return True

    def discard(self) -> list[Job]:
        """Take every queued job out unscanned (a stop whose drain time is up); returns them."""
        dropped: list[Job] = []
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return dropped
            if job is not _STOP:
                dropped.append(job)

    def close(self, timeout: float = 10.0) -> bool:
        """Finish the queued work, stop the workers; True if they all stopped in time."""
        if not self._started:
            return True
        deadline = time.monotonic() + timeout
        for _ in self._threads:
            left = max(0.0, deadline - time.monotonic())
            try:
                self._queue.put(_STOP, timeout=left)
            except queue.Full:
                return False
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        stopped = not any(t.is_alive() for t in self._threads)
        self.scanner.close()  # a job still in flight keeps its child until it is done
        return stopped

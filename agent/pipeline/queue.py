"""The work queue of the running agent: which paths wait for a scan and which are in flight.

A path is queued at most once (a repeat while it waits is coalesced); just before its scan, a
job found by a walk or a created event is dropped if the file is unchanged since these rules
judged it, or if a scan of it started after its last write. `drain(deadline)` waits until
nothing is in flight; at a stop whose time is up, `discard()` takes the rest out: those files
are not in the state, so the next start's catch-up scans them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from agent.confine import stat_path
from agent.health import Counters
from agent.pipeline.durable import Abandoned
from agent.pipeline.workers import Job, Pipeline
from agent.scanner import Scanner, ScanResult

# Triggers whose scan is skipped when the file is unchanged since it was judged by these rules.
CHECK_UNCHANGED = frozenset({"created", "rescan", "catchup", "baseline", "reverify"})
Unchanged = Callable[[str, os.stat_result], bool]
Handler = Callable[[Job, ScanResult], None]
_log = logging.getLogger(__name__)


class ScanQueue:
    def __init__(
        self,
        scanner: Scanner,
        handle: Handler,
        unchanged: Unchanged,
        counters: Counters,
        *,
        threads: int = 2,
        queue_size: int = 10_000,
    ) -> None:
        self.handle = handle
        self.unchanged = unchanged
        self.counters = counters
        self._cond = threading.Condition()
        self._queued: set[str] = set()
        self._scanning: dict[str, float] = {}  # path -> wall time its scan started
        self._in_flight = 0
        self.abort_at = float("inf")  # monotonic time after which put() and retries give up
        self._workers = Pipeline(
            scanner, self._result, threads=threads, queue_size=queue_size, on_start=self._start
        )

    def start(self) -> ScanQueue:
        self._workers.start()
        return self

    @property
    def depth(self) -> int:
        return self._workers.depth

    @property
    def in_flight(self) -> int:
        """Paths queued or being scanned whose result is not handled yet."""
        with self._cond:
            return self._in_flight

    @property
    def scanner(self) -> Scanner:
        return self._workers.scanner

    def swap_scanner(self, scanner: Scanner) -> None:
        self._workers.swap_scanner(scanner)

    def past_abort(self) -> bool:
        return time.monotonic() > self.abort_at

    def put(self, path: str, trigger: str) -> None:
        """Queue one path unless it is already waiting (coalesce). Blocks while the queue is full."""
        with self._cond:
            if path in self._queued:
                self.counters.bump("coalesced")
                return
            self._queued.add(path)
            self._in_flight += 1
        job = Job(path, trigger)
        while not self._workers.submit(job, timeout=0.25):
            if self.past_abort():
                with self._cond:
                    self._queued.discard(path)
                self._done()
                self.counters.bump("left_for_catchup")
                return

    def drain(self, deadline: float | None, stop: threading.Event | None = None) -> bool:
        """Wait until nothing is in flight; False at the deadline or once `stop` is set."""
        with self._cond:
            while self._in_flight > 0:
                if stop is not None and stop.is_set():
                    return False
                left = 0.25 if deadline is None else min(0.25, deadline - time.monotonic())
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def discard(self) -> int:
        """Take every waiting job out unscanned; returns how many (left for the catch-up)."""
        left = self._workers.discard()
        with self._cond:
            for job in left:
                self._queued.discard(job.path)
            self._in_flight -= len(left)
            self._cond.notify_all()
        self.counters.bump("left_for_catchup", len(left))
        return len(left)

    def close(self, timeout: float) -> bool:
        return self._workers.close(timeout)

    def _done(self) -> None:
        with self._cond:
            self._in_flight -= 1
            if self._in_flight <= 0:
                self._cond.notify_all()

    def _start(self, job: Job) -> bool:
        now = time.time()
        with self._cond:
            self._queued.discard(job.path)
            busy_since = self._scanning.get(job.path)
        if job.trigger in CHECK_UNCHANGED:
            try:
                st = stat_path(job.path)  # by descriptors beyond PATH_MAX
            except OSError:
                busy_since = None  # the scan reports it as vanished
            else:
                # Judged already, or being scanned right now by a scan that began after the
                # last write (e.g. a close event, then the same file found by a directory walk).
                fresh = busy_since is not None and busy_since > st.st_mtime + 0.05  # clock tick
                if fresh or self.unchanged(job.path, st):
                    self.counters.bump("unchanged")
                    self._done()
                    return False
        with self._cond:
            self._scanning[job.path] = now
        return True

    def _result(self, job: Job, result: ScanResult) -> None:
        with self._cond:
            self._scanning.pop(job.path, None)
        try:
            self.handle(job, result)
        except Abandoned as e:  # a stop while the disk was full: the catch-up scans it again
            self.counters.bump("left_for_catchup")
            _log.warning("left for the next start: %s", e)
        finally:
            self._done()

"""Reconcile a root with the state: walk it, scan what is new or changed, forget what is gone.

Used for the baseline (first start), the catch-up at every start, recovery after an overflow
or a lost watch, the periodic reconcile and re-verification after a rules change. It is bulk
work: every file submitted passes the CPU budget, and the walk keeps the scan queue short so
live events are never stuck behind a whole tree.
"""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.confine import Roots, lexists
from agent.health import Counters
from agent.logging import Emit
from agent.pipeline.ratelimit import EventBudget
from agent.process.budget import CpuBudget
from agent.state import State
from agent.walk import Filter, walk

SubmitFn = Callable[[str, str], None]


@dataclass
class RescanCounts:
    root: str
    trigger: str
    reason: str
    files: int = 0
    queued: int = 0
    unchanged: int = 0
    forgotten: int = 0
    errors: int = 0
    seconds: float = 0.0
    aborted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Rescanner:
    def __init__(
        self,
        state: State,
        flt: Filter,
        submit: SubmitFn,
        ruleset: Callable[[], str],
        budget: CpuBudget,
        *,
        queue_depth: Callable[[], int],
        max_depth: int = 64,
        on_started: Callable[[RescanCounts], None] | None = None,
        on_finished: Callable[[RescanCounts], None] | None = None,
        on_error: Callable[[str, OSError], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.state = state
        self.flt = flt
        self.submit = submit
        self.ruleset = ruleset
        self.budget = budget
        self.queue_depth = queue_depth
        self.max_depth = max_depth
        self.on_started = on_started
        self.on_finished = on_finished
        self.on_error = on_error  # a folder the walk could not enter (its path and why)
        # root -> (trigger, reason, monotonic time not to start before); coalesced
        self._requests: dict[str, tuple[str, str, float]] = {}
        self._cond = threading.Condition()
        self._stop = stop if stop is not None else threading.Event()
        self._thread = threading.Thread(target=self._run, name="wsa-rescan", daemon=True)
        self.busy = False
        self.done = 0
        self._roots = Roots()  # each root pinned at its first walk: a swapped root is refused

    def request(
        self, root: str, trigger: str = "rescan", reason: str = "", delay: float = 0.0
    ) -> None:
        """Rescan `root` once `delay` seconds have passed (repeats coalesce; a later request
        only pushes the start later, so the walk follows the last of a series of overflows)."""
        not_before = time.monotonic() + delay
        with self._cond:
            old = self._requests.get(root)
            if old is not None:
                if old[0] == "reverify":  # a re-verification covers a rescan
                    trigger, reason = old[0], old[1]
                not_before = max(not_before, old[2])
            self._requests[root] = (trigger, reason, not_before)
            self._cond.notify()

    @property
    def pending(self) -> int:
        return len(self._requests) + (1 if self.busy else 0)

    def start(self) -> Rescanner:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                while not self._stop.is_set():
                    if self._requests:
                        root, (trigger, reason, when) = min(
                            self._requests.items(), key=lambda kv: kv[1][2]
                        )
                        wait = when - time.monotonic()
                        if wait <= 0:
                            break
                        self._cond.wait(wait)
                    else:
                        self._cond.wait()
                if self._stop.is_set():
                    return
                del self._requests[root]
                self.busy = True
            try:
                self.rescan(root, trigger, reason)
            finally:
                self.busy = False

    def rescan(self, root: str, trigger: str, reason: str) -> RescanCounts:
        """Walk one root now, on the calling thread."""
        counts = RescanCounts(root, trigger, reason)
        if self.on_started is not None:
            self.on_started(counts)
        started = time.monotonic()
        ruleset = self.ruleset()
        seen: set[str] = set()
        self._roots.add(root)
        for found in walk([root], self.flt, self._roots):
            if self._stop.is_set():
                counts.aborted = True
                break
            if found.error is not None:
                counts.errors += 1
                if self.on_error is not None:
                    self.on_error(found.path, found.error)
                continue
            counts.files += 1
            seen.add(found.path)
            st = found.stat
            if st is None:
                continue
            if self.state.unchanged(found.path, st, ruleset):
                counts.unchanged += 1
                continue
            while self.queue_depth() > self.max_depth and not self._stop.is_set():
                self._stop.wait(0.005)
            self.submit(found.path, trigger)
            counts.queued += 1
            self.budget.throttle(self._stop)
        if not counts.aborted and counts.errors == 0:
            for path in self.state.paths_under(root):
                if path not in seen and not lexists(path):
                    self.state.forget(path)
                    counts.forgotten += 1
        counts.seconds = round(time.monotonic() - started, 3)
        self.done += 1
        if self.on_finished is not None:
            self.on_finished(counts)
        return counts


class RescanReport:
    """The events of rescans: started, finished (then the root's watch coverage is checked),
    and every folder a walk could not enter, with its path (rate-limited)."""

    def __init__(
        self,
        emit: Emit,
        counters: Counters,
        on_finished: Callable[[str], None] | None = None,
        *,
        per_minute: int = 20,
    ) -> None:
        self.emit = emit
        self.counters = counters
        self.on_finished = on_finished
        self.budget = EventBudget(emit, "rescan-error", per_minute=per_minute)

    def started(self, c: RescanCounts) -> None:
        self.emit(
            "rescan-started", f"{c.trigger} of {c.root} ({c.reason})", root=c.root,
            trigger=c.trigger, reason=c.reason,
        )  # fmt: skip

    def finished(self, c: RescanCounts) -> None:
        self.emit(
            "rescan-finished",
            f"{c.trigger} of {c.root}: {c.files} files, {c.queued} queued, "
            f"{c.unchanged} unchanged, {c.forgotten} gone, {c.errors} errors, {c.seconds} s",
            **c.as_dict(),
        )
        if self.on_finished is not None and not c.aborted:
            self.on_finished(c.root)

    def error(self, path: str, error: OSError) -> None:
        self.counters.bump("rescan_errors")
        if not self.budget.allow():
            return
        if error.errno == errno.ENAMETOOLONG:
            why = "the path is longer than the system allows (PATH_MAX)"
        else:
            why = f"cannot read this folder ({error.strerror or error})"
        self.emit(
            "rescan-error", f"{path}: {why}: the files below it are not scanned",
            level="warning", path=path, error=error,
            errno=errno.errorcode.get(error.errno or 0, str(error.errno)),
        )  # fmt: skip

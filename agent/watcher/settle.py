"""When is a path ready to scan? Holds each path until it is complete, coalescing repeats.

- closed after writing (Linux): ready now;
- moved into place (a move's destination): ready now;
- created, with no close (yet): ready once quiet - its mtime is at least `settle` seconds old,
  or its size and mtime did not change between two checks (a clock-skewed mtime). A close that
  arrives meanwhile makes it ready at once, so a file written slowly is scanned once, after it is
  closed;
- modified (Windows, polling: no close events): re-armed by every event, ready once quiet;
- a new directory: walked at once (files written into a brand-new directory before its watch
  exists get no event), its files treated as created.

A path is pending at most once: repeats only move its deadline. The number of pending paths is
bounded; beyond it a path is not kept but reported to `on_overflow` (the owner rescans its root).
"""

from __future__ import annotations

import errno
import heapq
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from agent.confine import lexists, stat_path
from agent.walk import Filter, walk

SubmitFn = Callable[[str, str], None]
_GONE = (errno.ENOENT, errno.ENOTDIR)  # removed while being walked: nothing to report


@dataclass(eq=False, slots=True)
class _Pending:
    trigger: str
    due: float
    quiet: bool  # needs the quiet check first
    is_dir: bool = False
    sig: tuple[int, int] | None = None


class Settler:
    def __init__(
        self,
        submit: SubmitFn,
        flt: Filter,
        *,
        settle: float = 0.5,
        limit: int = 100_000,
        on_overflow: Callable[[str], None] | None = None,
        on_error: Callable[[str, OSError], None] | None = None,
        name: str = "wsa-settle",
    ) -> None:
        self.submit = submit
        self.flt = flt
        self.settle = settle
        self.limit = limit
        self.on_overflow = on_overflow
        self.on_error = on_error  # a new directory its walk could not enter (path, why)
        self._pending: dict[str, _Pending] = {}
        self._heap: list[tuple[float, int, str, _Pending]] = []
        self._seq = 0
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.dropped = 0  # paths not kept because the bound was reached
        self.vanished = 0  # deleted before they were ready
        self.dirs_walked = 0

    # -- called from the watchdog dispatch thread: constant time, no I/O -------------------

    def closed(self, path: str) -> None:
        old = self._pending.get(path)
        trigger = "created" if old is not None and old.trigger == "created" else "modified"
        self._put(path, _Pending(trigger, time.monotonic(), quiet=False))

    def moved(self, path: str) -> None:
        self._put(path, _Pending("moved", time.monotonic(), quiet=False))

    def created(self, path: str) -> None:
        if path not in self._pending:
            self._put(path, _Pending("created", time.monotonic() + self.settle, quiet=True))

    def modified(self, path: str) -> None:
        old = self._pending.get(path)
        if old is not None and not old.quiet:
            return  # already due now
        trigger = old.trigger if old is not None else "modified"
        self._put(path, _Pending(trigger, time.monotonic() + self.settle, quiet=True))

    def new_dir(self, path: str) -> None:
        self._put(path, _Pending("created", time.monotonic(), quiet=False, is_dir=True))

    def _put(self, path: str, item: _Pending, *, replace: bool = True) -> None:
        with self._cond:
            if path not in self._pending and len(self._pending) >= self.limit:
                self.dropped += 1
                overflow = self.on_overflow
            else:
                overflow = None
                self._pending[path] = item
                self._seq += 1
                heapq.heappush(self._heap, (item.due, self._seq, path, item))
                if self._heap[0][3] is item:
                    self._cond.notify()
        if overflow is not None:
            overflow(path)

    # -- the settle thread -------------------------------------------------------------------

    @property
    def depth(self) -> int:
        return len(self._pending)

    def start(self) -> Settler:
        self._thread.start()
        return self

    def close(self, timeout: float = 10.0) -> bool:
        """Make everything due now, hand it on, stop. True if done in time."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _take_due(self) -> list[tuple[str, _Pending]] | None:
        """Wait for due entries; None when closing and nothing is left."""
        with self._cond:
            while True:
                now = time.monotonic()
                due: list[tuple[str, _Pending]] = []
                while self._heap and (self._closing or self._heap[0][0] <= now) and len(due) < 512:
                    when, _, path, item = heapq.heappop(self._heap)
                    if self._pending.get(path) is item and item.due == when:
                        due.append((path, item))
                if due:
                    return due
                if self._closing and not self._heap:
                    return None
                wait = self._heap[0][0] - now if self._heap else None
                self._cond.wait(wait)

    def _run(self) -> None:
        while (batch := self._take_due()) is not None:
            for path, item in batch:
                if item.is_dir:
                    self._finish(path, item)
                    self._walk_dir(path)
                elif item.quiet and not self._closing:
                    self._check_quiet(path, item)
                elif item.quiet and not lexists(path):  # closing: no wait, but no ghost
                    if self._finish(path, item):
                        self.vanished += 1
                else:
                    if self._finish(path, item):
                        self.submit(path, item.trigger)

    def _finish(self, path: str, item: _Pending) -> bool:
        """Drop the entry if it is still this one; False if a newer event replaced it."""
        with self._cond:
            if self._pending.get(path) is item:
                del self._pending[path]
                return True
            return False

    def _walk_dir(self, path: str) -> None:
        self.dirs_walked += 1
        for found in walk([path], self.flt):
            if found.error is None:
                self.created(found.path)
            elif self.on_error is not None and found.error.errno not in _GONE:
                self.on_error(found.path, found.error)  # e.g. beyond PATH_MAX

    def _check_quiet(self, path: str, item: _Pending) -> None:
        try:
            st = stat_path(path)  # by descriptors beyond PATH_MAX
        except OSError:
            if self._finish(path, item):
                self.vanished += 1
            return
        sig = (st.st_size, st.st_mtime_ns)
        age = time.time() - st.st_mtime
        if age >= self.settle or sig == item.sig:
            if self._finish(path, item):
                self.submit(path, item.trigger)
            return
        with self._cond:
            if self._pending.get(path) is not item:
                return
            item.sig = sig
            item.due = time.monotonic() + max(0.05, min(self.settle, self.settle - age))
            self._seq += 1
            heapq.heappush(self._heap, (item.due, self._seq, path, item))

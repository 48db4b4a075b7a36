"""Writes that must succeed: the alert line and the state row behind it.

A failed write (disk full, the alert file made immutable, the database locked) is retried with
exponential backoff on the calling worker until it succeeds, so the scan queue stops moving and
nothing is marked done that is not on disk. Each failure episode is reported once when it
starts and once when it ends; a full disk additionally raises one `disk-full` event that also
goes to stderr (a journal or service log on another disk still sees it), and `disk-full-cleared`
when writes go through again. Only a stop whose drain time is up abandons a write: the file is
then not in the state, and the next start's catch-up scans it again.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from agent.health import Counters
from agent.logging import Emit

T = TypeVar("T")
FIRST_DELAY = 0.1  # seconds before the first retry
MAX_DELAY = 5.0  # backoff cap: space that comes back is used within seconds
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SQLITE_FULL = 13


class Abandoned(Exception):
    """A stop's deadline passed while a write was still failing."""


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in _FULL_ERRNOS
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "full" in str(exc)
    return False


class DiskFull:
    """One `disk-full` episode at a time, shared by every durable writer of the data folder."""

    def __init__(self, emit: Emit, where: str) -> None:
        self.emit = emit
        self.where = where
        self._lock = threading.Lock()
        self.full_since: float | None = None
        self.episodes = 0

    def full(self, error: BaseException) -> None:
        with self._lock:
            if self.full_since is not None:
                return
            self.full_since = time.monotonic()
            self.episodes += 1
        self.emit(
            "disk-full",
            f"the data folder {self.where} is full: alerts and state wait in memory and are"
            f" written as soon as there is space ({error})",
            level="critical", stderr=True, path=self.where, error=error,
        )  # fmt: skip

    def written(self) -> None:
        with self._lock:
            since, self.full_since = self.full_since, None
        if since is not None:
            self.emit(
                "disk-full-cleared",
                f"the data folder {self.where} has space again: writes go through",
                stderr=True, path=self.where, seconds=round(time.monotonic() - since, 3),
            )  # fmt: skip


class Durable:
    """Runs one kind of write (`what`: "alert" or "state") until it succeeds."""

    def __init__(
        self,
        what: str,
        emit: Emit,
        counters: Counters,
        disk: DiskFull,
        give_up: Callable[[], bool],
        *,
        errors: tuple[type[BaseException], ...] = (OSError,),
        max_delay: float = MAX_DELAY,
    ) -> None:
        self.what = what
        self.emit = emit
        self.counters = counters
        self.disk = disk
        self.give_up = give_up
        self.errors = errors
        self.max_delay = max_delay
        self._lock = threading.Lock()
        self._failing_since: float | None = None
        self.failures = 0  # writes that failed at least once
        self.abandoned = 0

    @property
    def failing(self) -> bool:
        return self._failing_since is not None

    def run(self, write: Callable[[], T], subject: str) -> T:
        delay = FIRST_DELAY
        failed = False
        while True:
            try:
                result = write()
            except self.errors as e:
                if not failed:
                    failed = True
                    self.failures += 1
                self._failed(e, subject)
                end = time.monotonic() + delay
                while time.monotonic() < end:
                    if self.give_up():
                        self.abandoned += 1
                        raise Abandoned(f"{self.what} write for {subject}: {e}") from e
                    time.sleep(min(0.1, max(0.0, end - time.monotonic())))
                delay = min(self.max_delay, delay * 2)
                continue
            self._succeeded()
            return result

    def _failed(self, error: BaseException, subject: str) -> None:
        self.counters.bump(f"{self.what}_write_retries")
        if is_disk_full(error):
            self.disk.full(error)
        with self._lock:
            first = self._failing_since is None
            if first:
                self._failing_since = time.monotonic()
        if first:
            self.emit(
                f"{self.what}-write-failed",
                f"cannot write the {self.what} for {subject}: {error}; retrying until it works"
                " (nothing is marked scanned before it is written)",
                level="error", stderr=True, path=subject, error=error,
            )  # fmt: skip

    def _succeeded(self) -> None:
        with self._lock:
            since, self._failing_since = self._failing_since, None
        if since is not None:
            self.disk.written()
            self.emit(
                f"{self.what}-write-recovered",
                f"{self.what} writes go through again",
                seconds=round(time.monotonic() - since, 3),
            )

"""Noticing lost events. watchdog 7.1 delivers no event for an inotify queue overflow: it only
logs a WARNING on `watchdog.observers.inotify_c` from the reader thread of the observer whose
kernel queue overflowed. This handler turns that record into a call with the thread's ident,
so the owner can rescan that observer's root (or all roots if it cannot tell).

Brittle by nature (a log message is not an API): watchdog is pinned and a test produces a real
kernel overflow to prove the hook still fires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

INOTIFY_LOGGER = "watchdog.observers.inotify_c"


class OverflowHook(logging.Handler):
    def __init__(self, on_overflow: Callable[[int | None], None]) -> None:
        super().__init__(logging.WARNING)
        self.on_overflow = on_overflow
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if "overflow" in record.getMessage().lower():
                self.seen += 1
                self.on_overflow(record.thread)
        except Exception:
            self.handleError(record)

    def install(self) -> OverflowHook:
        logger = logging.getLogger(INOTIFY_LOGGER)
        if not logger.isEnabledFor(logging.WARNING):
            logger.setLevel(logging.WARNING)
        logger.addHandler(self)
        return self

    def remove(self) -> None:
        logging.getLogger(INOTIFY_LOGGER).removeHandler(self)

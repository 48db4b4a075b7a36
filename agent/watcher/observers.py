"""Observer selection: native (inotify, ReadDirectoryChangesW) or polling (network shares).

The event filter is never watchdog's default mask: with it, every read by the web server (and
by our own scanner) becomes open/close-nowrite events, and a 50,000-file burst overflowed the
kernel queue 1-4 times; with created / closed / moved / dir-created only, none was lost.
"""

from __future__ import annotations

import sys
import threading
from typing import Literal

from watchdog.events import (
    DirCreatedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

Kind = Literal["native", "polling"]

# Linux: a close after writing is the moment a file is complete.
INOTIFY_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileClosedEvent, FileMovedEvent, DirCreatedEvent, DirMovedEvent,
]  # fmt: skip
# Windows and polling have no close events: a modified path is scanned once it is quiet.
QUIET_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileMovedEvent, DirCreatedEvent, DirMovedEvent,
]  # fmt: skip

POLL_INTERVAL = 5.0  # seconds between snapshots of a polled root (a stat of every entry)


def native_has_close_events() -> bool:
    return sys.platform == "linux"


def make_observer(
    kind: Kind, poll_interval: float = POLL_INTERVAL
) -> tuple[BaseObserver, list[type[FileSystemEvent]]]:
    """A new observer for one root, and the event filter to schedule it with."""
    if kind == "polling":
        return PollingObserver(timeout=poll_interval), QUIET_FILTER
    if sys.platform == "linux":
        from watchdog.observers.inotify import InotifyObserver

        observer: BaseObserver = InotifyObserver()
        return observer, INOTIFY_FILTER
    else:
        from watchdog.observers import Observer

        return Observer(), QUIET_FILTER


def observer_threads(observer: BaseObserver) -> list[threading.Thread]:
    """The observer thread, its emitters and (inotify) the reader thread: all must be alive."""
    threads: list[threading.Thread] = [observer, *observer.emitters]
    reader = getattr(observer, "_inotify_fd", None)  # watchdog 7.1 InotifyObserver (pinned)
    if isinstance(reader, threading.Thread):
        threads.append(reader)
    return threads


def schedule(
    observer: BaseObserver,
    handler: FileSystemEventHandler,
    root: str,
    event_filter: list[type[FileSystemEvent]],
) -> None:
    observer.schedule(handler, root, recursive=True, event_filter=event_filter)

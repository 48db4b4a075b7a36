"""Observer selection: native (inotify, ReadDirectoryChangesW) or polling (network shares).

The event filter is never watchdog's default mask: with it, every read by the web server (and
by our own scanner) becomes open/close-nowrite events, and a 50,000-file burst overflowed the
kernel queue 1-4 times; with created / closed / moved / dir-created only, none was lost.
"""

from __future__ import annotations

import os
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
    for emitter in observer.emitters:
        # Windows: ReadDirectoryChangesW runs in the emitter's reader thread; an error there
        # kills it while the emitter lives on, deaf (watchdog 7.1, pinned).
        win_reader = getattr(getattr(emitter, "_reader", None), "_reader_thread", None)
        if isinstance(win_reader, threading.Thread):
            threads.append(win_reader)
    return threads


def schedule(
    observer: BaseObserver,
    handler: FileSystemEventHandler,
    root: str,
    event_filter: list[type[FileSystemEvent]],
) -> None:
    observer.schedule(handler, root, recursive=True, event_filter=event_filter)


def watched_dirs(observer: BaseObserver) -> set[str] | None:
    """The directories an inotify observer holds a watch on (None: not inotify, e.g. polling or
    Windows, whose recursive watch has no per-directory limit).

    watchdog 7.1 (pinned) skips a subdirectory whose watch cannot be added (the inotify watch
    limit) without a word; this is how the agent notices. A copy, safe to iterate."""
    out: set[str] = set()
    found = False
    for emitter in list(observer.emitters):
        group = getattr(emitter, "_inotify", None)
        paths = getattr(group, "_active_callbacks_by_path", None)
        if isinstance(paths, dict):
            found = True
            for _ in range(3):  # the reader thread may add a watch meanwhile: copy again
                try:
                    out.update(os.fsdecode(p) for p in list(paths))
                    break
                except RuntimeError:
                    continue
    return out if found else None


def is_watched(observer: BaseObserver, path: str) -> bool | None:
    """Whether an inotify observer holds a watch on this directory; None if it cannot tell.
    A dictionary lookup only: safe on watchdog's dispatch thread."""
    key = os.fsencode(path)
    answer: bool | None = None
    for emitter in list(observer.emitters):
        paths = getattr(getattr(emitter, "_inotify", None), "_active_callbacks_by_path", None)
        if isinstance(paths, dict):
            answer = bool(answer) or key in paths
    return answer

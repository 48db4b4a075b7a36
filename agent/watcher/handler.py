"""The watchdog handler: filters by path and hands events to the settle stage. Nothing else.

It runs on watchdog's dispatch thread; anything slow here backs up watchdog's unbounded queue
(a handler spending 0.5 ms per event fell 46 s behind a 6 s burst), so it never stats, reads
or scans.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from agent.walk import Filter
from agent.watcher.settle import Settler


def _text(p: bytes | str) -> str:
    return os.fsdecode(p)


class EnqueueHandler(FileSystemEventHandler):
    def __init__(
        self, flt: Filter, settler: Settler, on_new_dir: Callable[[str], None] | None = None
    ) -> None:
        self.flt = flt
        self.settler = settler
        # watchdog has tried to watch a new directory before its event reaches us: the hook
        # (coverage) checks, without I/O, that it did
        self.on_new_dir = on_new_dir
        self.events = 0
        self.last_event = 0.0  # monotonic time of the last event, 0 = none yet

    def dispatch(self, event: FileSystemEvent) -> None:
        self.events += 1
        self.last_event = time.monotonic()
        kind = event.event_type
        if event.is_directory:
            if kind == "created":
                path = _text(event.src_path)
            elif kind == "moved":
                path = _text(event.dest_path)
            else:
                return
            if not self.flt.excluded(path):
                self.settler.new_dir(path)  # its files may never get an event of their own
                if self.on_new_dir is not None:
                    self.on_new_dir(path)
            return
        if kind == "closed":
            path = _text(event.src_path)
            if self.flt.wants(path):
                self.settler.closed(path)
        elif kind == "moved":
            path = _text(event.dest_path)
            if self.flt.wants(path):
                self.settler.moved(path)
        elif kind == "created":
            path = _text(event.src_path)
            if self.flt.wants(path):
                self.settler.created(path)
        elif kind == "modified":
            path = _text(event.src_path)
            if self.flt.wants(path):
                self.settler.modified(path)

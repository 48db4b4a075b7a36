"""The watches on the web roots: one observer per root, and what can go wrong with them.

- an inotify queue overflow (noticed through watchdog's log, see overflow.py): the root is
  rescanned once the burst is over;
- a lost watch (observer thread died, root removed or replaced): reported, retried each tick
  until the root is back, then rescanned;
- a root that is missing at start: reported and watched as soon as it exists.
Each root's watch coverage (the inotify watch limit) is checked by coverage.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

from watchdog.observers.api import BaseObserver

from agent.config import Config
from agent.health import Counters
from agent.logging import Emit
from agent.presets import Discovery, discover
from agent.walk import Filter
from agent.watcher.handler import EnqueueHandler
from agent.watcher.observers import (
    POLL_INTERVAL,
    Kind,
    make_observer,
    observer_threads,
    schedule,
    watched_dirs,
)
from agent.watcher.overflow import INOTIFY_LOGGER, OverflowHook
from agent.watcher.settle import Settler

RETRY_WATCH = 30.0  # seconds between attempts to watch a root that exists but failed
OVERFLOW_RESCAN_DELAY = 2.0  # seconds after the last overflow signal before the recovery walk
RescanRequest = Callable[[str, str, str, float], None]  # root, trigger, reason, delay


class Watch:
    """One root: its observer (None while lost) and why it is lost."""

    def __init__(self, root: str, kind: Kind) -> None:
        self.root = root
        self.kind = kind
        self.observer: BaseObserver | None = None
        self.handler: EnqueueHandler | None = None
        self.inode: int | None = None
        self.lost_reason = ""
        self.retry_at = 0.0  # monotonic time of the next attempt to watch a lost root

    def watched_dirs(self) -> set[str] | None:
        return None if self.observer is None else watched_dirs(self.observer)


def distinct_roots(wanted: list[tuple[str, Kind]]) -> list[Watch]:
    """One Watch per root; a root inside another is covered by the outer recursive watch."""
    out: list[Watch] = []
    seen: set[str] = set()
    for root, kind in wanted:
        norm = os.path.abspath(root)
        if norm not in seen:
            seen.add(norm)
            out.append(Watch(norm, kind))
    roots = [w.root for w in out]
    return [
        w
        for w in out
        if not any(w.root != r and w.root.startswith(os.path.join(r, "")) for r in roots)
    ]


class Watches:
    def __init__(
        self,
        roots: list[Watch],
        flt: Filter,
        settler: Settler,
        emit: Emit,
        counters: Counters,
        rescan: RescanRequest,
        *,
        poll_interval: float = POLL_INTERVAL,
        on_new_dir: Callable[[str], None] | None = None,
    ) -> None:
        self.roots = roots
        self.flt = flt
        self.settler = settler
        self.emit = emit
        self.counters = counters
        self.rescan = rescan
        self.poll_interval = poll_interval  # polled roots (network shares)
        self.on_new_dir = on_new_dir
        self._overflow_note: dict[str, float] = {}
        self._lock = threading.Lock()
        self._hook: OverflowHook | None = None
        self._handlers: list[EnqueueHandler] = []
        self.stopping = False

    # -- start / stop ---------------------------------------------------------------------------

    def start(self) -> None:
        self._hook = OverflowHook(self._inotify_overflow).install()
        for w in self.roots:
            self.watch(w)

    def watch(self, w: Watch) -> bool:
        """(Re)create the observer of one root; False (reason in lost_reason) if it failed."""
        try:
            st = os.stat(w.root)
            observer, flt = make_observer(w.kind, self.poll_interval)
            handler = EnqueueHandler(self.flt, self.settler, on_new_dir=self.on_new_dir)
            schedule(observer, handler, w.root, flt)
            observer.start()
        except OSError as e:
            w.observer = None
            w.lost_reason = e.strerror or str(e)
            return False
        w.observer, w.handler, w.inode, w.lost_reason = observer, handler, st.st_ino, ""
        with self._lock:
            self._handlers.append(handler)
        return True

    def unwatch(self, w: Watch, timeout: float = 2.0) -> None:
        if w.observer is not None:
            with contextlib.suppress(Exception):
                w.observer.stop()
                w.observer.join(timeout)
        w.observer = None

    def stop(self, deadline: float) -> None:
        self.stopping = True
        if self._hook is not None:
            logging.getLogger(INOTIFY_LOGGER).removeHandler(self._hook)
        observers = [w.observer for w in self.roots if w.observer is not None]
        for o in observers:
            with contextlib.suppress(Exception):
                o.stop()
        for o in observers:
            if o.is_alive():
                o.join(max(0.1, deadline - time.monotonic()))
        for w in self.roots:
            w.observer = None

    # -- figures --------------------------------------------------------------------------------

    @property
    def watched(self) -> list[str]:
        return [w.root for w in self.roots if w.observer is not None]

    @property
    def lost(self) -> list[str]:
        return [w.root for w in self.roots if w.observer is None]

    def root_of(self, path: str) -> str | None:
        for w in self.roots:
            if path == w.root or path.startswith(os.path.join(w.root, "")):
                return w.root
        return None

    def figures(self) -> dict[str, object]:
        with self._lock:
            handlers = list(self._handlers)
        last = max((h.last_event for h in handlers), default=0.0)
        return {
            "roots": self.watched,
            "roots_lost": self.lost,
            "events_seen": sum(h.events for h in handlers),
            "last_event_age_s": round(time.monotonic() - last, 1) if last else None,
        }

    # -- trouble --------------------------------------------------------------------------------

    def _inotify_overflow(self, thread_ident: int | None) -> None:
        roots = [
            w.root
            for w in self.roots
            if w.observer is not None
            and any(t.ident == thread_ident for t in observer_threads(w.observer))
        ]
        if not roots:  # cannot tell which: every natively watched root
            roots = [w.root for w in self.roots if w.kind == "native"]
        for root in roots:
            self.overflow(root, "inotify queue overflow")

    def overflow(self, root: str | None, reason: str) -> None:
        """Events may have been lost under `root`: report (at most once a second), rescan."""
        if root is None or self.stopping:
            return
        now = time.monotonic()
        with self._lock:
            recent = now - self._overflow_note.get(root, -1e9) < 1.0
            self._overflow_note[root] = now
        self.counters.bump("overflows")
        if not recent:
            self.emit(
                "overflow-suspected", f"events may have been lost under {root} ({reason}): rescanning",
                level="warning", root=root, reason=reason,
            )  # fmt: skip
        # After an inotify overflow watchdog removes and re-adds every watch of the root: files
        # created in that window have no event, and a walk started at once can pass their
        # folder before they exist (seen in the 100,000-file benchmark). Walk after it settles.
        self.rescan(root, "rescan", reason, OVERFLOW_RESCAN_DELAY)

    def check(self) -> None:
        """Each monitor tick: notice lost watches, re-watch roots that are back."""
        for w in self.roots:
            if w.observer is not None:
                reason = ""
                dead = [t.name for t in observer_threads(w.observer) if not t.is_alive()]
                try:
                    st = os.stat(w.root)
                    if w.inode is not None and st.st_ino != w.inode:
                        reason = "root was replaced"
                except OSError as e:
                    reason = f"root is gone ({e.strerror})"
                if dead and not reason:
                    reason = "observer thread died: " + ", ".join(dead)
                if reason:
                    self.counters.bump("watch_lost")
                    self.emit(
                        "watch-lost", f"lost the watch on {w.root}: {reason}", level="error",
                        root=w.root, reason=reason,
                    )  # fmt: skip
                    self.unwatch(w)
                    w.lost_reason = reason
            lost = w.observer is None and not self.stopping and time.monotonic() >= w.retry_at
            if not lost or not os.path.isdir(w.root):
                continue
            if not self.watch(w):
                w.retry_at = time.monotonic() + RETRY_WATCH  # a full recursive add is not cheap
                continue
            self.emit("watch-restored", f"watching {w.root} again", root=w.root)
            self.rescan(w.root, "rescan", "watch restored", 0.0)


def wanted_roots(config: Config) -> tuple[list[Watch], Discovery]:
    """The configured roots, the roots of the configured presets, and the polled roots."""
    wc = config.watch
    discovery = discover(wc.presets) if wc.presets else Discovery()
    wanted: list[tuple[str, Kind]] = [(str(p), "native") for p in wc.roots]
    wanted += [(p, "native") for p in discovery.roots()]
    wanted += [(str(p), "polling") for p in wc.polling]
    return distinct_roots(wanted), discovery

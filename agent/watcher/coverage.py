"""No silent blind spot: every directory under a natively watched root has its inotify watch.

watchdog (7.1, pinned) skips a subdirectory whose watch cannot be added, e.g. when the user's
inotify watch limit (`fs.inotify.max_user_watches`) is reached, without a word: shells written
there would wait for the periodic rescan. Here the directories under each root are counted
against the watches the observer holds (at start, after each rescan, and for every new
directory as it appears). A shortfall raises one `watch-limit` event with the figures and the
sysctl to raise; until the watches are complete, the unwatched directories are polled every
POLL_EVERY seconds (a listing and a stat per file, judged against the state; a changed file
goes to the settle stage as if created), and every
RETRY_EVERY seconds the agent probes whether one more watch can be added and, if so, watches
the root again. Windows and polled roots have no per-directory watches: nothing to do there.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
import time
from collections.abc import Callable

from agent.health import Counters
from agent.logging import Emit
from agent.walk import Filter
from agent.watcher.observers import is_watched
from agent.watcher.watches import Watch, Watches

POLL_EVERY = 2.0  # seconds between polls of unwatched directories
RETRY_EVERY = 15.0  # seconds between probes for room to add the missing watches
SYSCTL = "fs.inotify.max_user_watches"
_LIMIT_FILES = ("/proc/sys/user/max_inotify_watches", "/proc/sys/fs/inotify/max_user_watches")
Unchanged = Callable[[str, os.stat_result], bool]


def inotify_limit() -> int | None:
    """The watch limit that applies to this process (the lower of this user namespace's and
    the system's), or None where there is none to read."""
    values = []
    for name in _LIMIT_FILES:
        try:
            with open(name, encoding="ascii") as f:
                values.append(int(f.read().strip()))
        except (OSError, ValueError):
            continue
    return min(values) if values else None


if sys.platform == "linux":
    import ctypes

    def limit_reached(path: str) -> bool:
        """Probe with a throw-away inotify instance: does adding a watch on `path` fail for
        lack of watches (ENOSPC)? Any other failure (the folder is gone...) is not the limit."""
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_CLOEXEC)
        if fd < 0:
            return False
        try:
            if libc.inotify_add_watch(fd, os.fsencode(path), 0x100) >= 0:  # IN_CREATE
                return False
            return bool(ctypes.get_errno() == errno.ENOSPC)
        finally:
            os.close(fd)

else:

    def limit_reached(path: str) -> bool:
        return False  # no per-directory watches


PATH_MAX = 4096  # Linux; a longer path cannot be watched at all (the rescan walks it)


def directories(root: str, beyond: list[str] | None = None) -> list[str]:
    """Every directory under root (itself included), as watchdog watches them: no symlinks,
    nothing beyond PATH_MAX (no watch can name it: not the watch limit's doing; the first
    such folders go to `beyond`)."""
    out, stack = [], [root]
    while stack:
        d = stack.pop()
        if len(os.fsencode(d)) >= PATH_MAX:
            if beyond is not None:
                beyond.append(d)
            continue
        out.append(d)
        try:
            with os.scandir(d) as it:
                stack.extend(e.path for e in it if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return out


class Coverage:
    def __init__(
        self,
        watches: Watches,
        flt: Filter,
        unchanged: Unchanged,
        found: Callable[[str], None],
        emit: Emit,
        counters: Counters,
    ) -> None:
        self.watches = watches
        self.flt = flt
        self.unchanged = unchanged
        # a changed file in an unwatched folder: handed to the settle stage as if created (it
        # waits until the file is quiet, and never blocks this thread on a full scan queue)
        self.found = found
        self.emit = emit
        self.counters = counters
        self._lock = threading.Lock()
        self._blind: dict[str, set[str]] = {}  # root -> directories without a watch
        self._new: list[str] = []  # new directories found unwatched on the dispatch thread
        self._next_poll = 0.0
        self._next_retry = 0.0
        self.polls = 0
        self._beyond: set[str] = set()  # folders beyond PATH_MAX already reported

    @property
    def blind(self) -> dict[str, int]:
        """Unwatched directories per root (empty when every directory is watched)."""
        with self._lock:
            return {root: len(dirs) for root, dirs in self._blind.items()}

    # -- detection ------------------------------------------------------------------------------

    def check(self, w: Watch) -> None:
        """Count the root's directories against its watches (a walk of the directories)."""
        if w.observer is None or w.kind != "native":
            return
        watched = w.watched_dirs()
        if watched is None:
            return
        beyond: list[str] = []
        dirs = directories(w.root, beyond)
        self._report_beyond(w.root, beyond)
        missing = {d for d in dirs if d not in watched}
        with self._lock:
            known = w.root in self._blind
        if missing and not known and not limit_reached(min(missing)):
            # Room for a watch: not the limit, but a moment where watchdog re-adds every watch
            # (after a queue overflow) or a folder that went away. The next check looks again.
            return
        self._update(w.root, len(dirs), len(dirs) - len(missing), missing)

    def _report_beyond(self, root: str, beyond: list[str]) -> None:
        """Folders no inotify watch can name (beyond PATH_MAX): a warning naming them, once
        per new set; the walks of the settle stage and of the rescans reach them by descriptor."""
        new = set(beyond) - self._beyond
        self._beyond |= new
        if not new:
            return
        sample = sorted(new)[:5]
        self.emit(
            "path-too-long",
            f"{len(new)} folder(s) under {root} are beyond PATH_MAX ({PATH_MAX} bytes) and cannot"
            f" be watched, e.g. {sample[0]}: files changed there are found by the periodic"
            " rescan (watch.rescan_interval), new folders by the walk of their parent",
            level="warning", root=root, path=sample[0], paths=sample, count=len(new),
        )  # fmt: skip

    def note_new_dir(self, path: str) -> None:
        """A directory was created (watchdog's dispatch thread): no I/O, just a lookup."""
        root = self.watches.root_of(path)
        w = next((w for w in self.watches.roots if w.root == root), None)
        if w is None or w.observer is None or w.kind != "native":
            return
        if is_watched(w.observer, path) is False:
            with self._lock:
                self._new.append(path)

    def _update(self, root: str, dirs: int, watched: int, missing: set[str]) -> None:
        with self._lock:
            was = root in self._blind
            if missing:
                self._blind[root] = missing
            else:
                self._blind.pop(root, None)
        if missing and not was:
            limit = inotify_limit()
            hint = f"sysctl -w {SYSCTL}={max(2 * (limit or 0), (limit or 0) + 2 * len(missing))}"
            sample = sorted(missing)[:5]
            self.emit(
                "watch-limit",
                f"only {watched} of {dirs} directories under {root} have a watch (inotify watch"
                f" limit {limit}): {len(missing)} are polled every {POLL_EVERY:g} s until the"
                f" limit is raised ({hint}, and in /etc/sysctl.d/ to keep it)",
                level="error", stderr=True, root=root, directories=dirs, watched=watched,
                unwatched=len(missing), unwatched_sample=sample, limit=limit, sysctl=SYSCTL,
            )  # fmt: skip
            self._next_poll = 0.0
            self._next_retry = time.monotonic() + RETRY_EVERY
        elif was and not missing:
            self.emit(
                "watch-limit-cleared",
                f"every one of the {dirs} directories under {root} has a watch again",
                root=root, directories=dirs,
            )  # fmt: skip

    # -- cover the blind spots ------------------------------------------------------------------

    def poll(self) -> None:
        """Each monitor tick: take in new unwatched directories, poll, probe for room."""
        with self._lock:
            new, self._new = self._new, []
        for path in new:
            root = self.watches.root_of(path)
            if root is not None:
                with self._lock:
                    known = self._blind.get(root, set())
                    was = bool(known)
                if not was:
                    w = next(w for w in self.watches.roots if w.root == root)
                    self.check(w)  # the full count, and the event
                else:
                    w = next(w for w in self.watches.roots if w.root == root)
                    observer = w.observer
                    more = [
                        d
                        for d in directories(path)
                        if observer is None or not is_watched(observer, d)
                    ]
                    with self._lock:
                        known.update(more)
        now = time.monotonic()
        if not self._blind:
            return
        if now >= self._next_poll:
            self._next_poll = now + POLL_EVERY
            for root in list(self._blind):
                self._poll(root)
        if now >= self._next_retry:
            self._next_retry = now + RETRY_EVERY
            self._retry()

    def _poll(self, root: str) -> None:
        self.polls += 1
        w = next((w for w in self.watches.roots if w.root == root), None)
        with self._lock:
            dirs = list(self._blind.get(root, ()))
        for d in dirs:
            try:
                with os.scandir(d) as it:
                    entries = list(it)
            except OSError:
                with self._lock:
                    self._blind.get(root, set()).discard(d)  # gone, or now a file
                continue
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        observer = w.observer if w is not None else None
                        if observer is not None and is_watched(observer, e.path) is False:
                            with self._lock:
                                self._blind.get(root, set()).add(e.path)
                        continue
                    if not self.flt.wants(e.path) or not e.is_file(follow_symlinks=True):
                        continue
                    st = os.stat(e.path)
                except OSError:
                    continue
                if not self.unchanged(e.path, st):
                    self.found(e.path)
        with self._lock:
            emptied = root in self._blind and not self._blind[root]
            if emptied:
                del self._blind[root]
        if emptied:  # every unwatched folder went away
            self.emit(
                "watch-limit-cleared", f"no folder under {root} is left without a watch", root=root
            )

    def _retry(self) -> None:
        for root, dirs in list(self._blind.items()):
            sample = next(iter(dirs), None)
            if sample is None or limit_reached(sample):
                continue
            w = next((w for w in self.watches.roots if w.root == root), None)
            if w is None:
                continue
            # room again: watch the root anew (every directory), then walk it once, since
            # events in the moment between the two observers are not seen
            self.watches.unwatch(w)
            if self.watches.watch(w):
                self.check(w)
                self.watches.rescan(root, "rescan", "watches re-added after the watch limit", 0.0)

"""Incremental lineage: look only at PIDs that are new since the last pass, walk their parents.

A full `process_iter` over ~500 processes costs ~37 ms; `pids()` plus a look at the new ones
costs well under a millisecond, so the table is listed every pass but only new entries are
opened. Processes are keyed by (pid, create_time): a cached parent whose start time is later
than its child's is a reused PID and is read again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import psutil

from agent.process.names import Names, credential_theft

T = TypeVar("T")
MAX_DEPTH = 12
YOUNG = 2.0  # seconds after start within which a cached name may still change by exec
RECHECKS = 3  # passes a fork keeps its parent's name before we stop waiting for an exec  # parents walked above a new process; deeper trees are not web requests
_GONE = (psutil.NoSuchProcess, psutil.ZombieProcess)


@dataclass
class ProcInfo:
    """What we know of one process; the slow fields are read only when needed."""

    pid: int
    ppid: int
    name: str
    create_time: float
    cmdline: list[str] | None = None
    exe: str | None = None
    cwd: str | None = None
    username: str | None = None
    detailed: bool = False
    read_at: float = field(default_factory=time.time)

    @property
    def young(self) -> bool:
        """Read so soon after it started that it may not have exec'd yet: worth a second look."""
        return self.read_at - self.create_time < YOUNG

    @property
    def key(self) -> tuple[int, float]:
        return (self.pid, self.create_time)

    @property
    def command_line(self) -> str:
        return " ".join(self.cmdline) if self.cmdline else ""

    def detail(self) -> ProcInfo:
        """Read command line, executable, working directory and user (each may be denied)."""
        if self.detailed:
            return self
        self.detailed = True
        try:
            proc = psutil.Process(self.pid)
            if proc.create_time() != self.create_time:
                return self  # the PID now belongs to another process
            with proc.oneshot():
                self.cmdline = _try(proc.cmdline)
                self.exe = _try(proc.exe) or None
                self.cwd = _try(proc.cwd) or None
                self.username = _try(proc.username)
        except psutil.Error:
            pass  # gone or denied: report what we have
        return self


def _try(fn: Callable[[], T]) -> T | None:
    """One psutil getter; a field we may not read (or a process gone meanwhile) is None."""
    try:
        return fn()
    except (psutil.Error, OSError):
        return None


def _comm(pid: int) -> str | None:
    """The kernel's (maybe cut) name of a process: one small read, cheaper than psutil."""
    try:
        with open(f"/proc/{pid}/comm", "rb") as fh:
            return os.fsdecode(fh.read().rstrip(b"\n"))
    except OSError:
        return None


def read(pid: int) -> ProcInfo | None:
    """Name, parent and start time of one process: cheap (one /proc/<pid>/stat on Linux)."""
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            return ProcInfo(pid, proc.ppid(), proc.name(), proc.create_time())
    except (*_GONE, psutil.AccessDenied):
        return None


@dataclass
class Finding:
    """A suspicious process below a web-server worker."""

    process: ProcInfo
    chain: list[ProcInfo]  # parent first, ending with the worker
    worker: ProcInfo
    critical: bool = False

    @property
    def parent(self) -> ProcInfo:
        return self.chain[0]


@dataclass
class Stats:
    passes: int = 0
    new: int = 0
    vanished: int = 0  # new PIDs gone before we could read them
    findings: int = 0
    allowed: int = 0


@dataclass
class Lineage:
    """The watcher's memory of the process table and the matching logic; no threads here."""

    names: Names
    cache: dict[int, ProcInfo] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)
    lsass_pid: int | None = None
    own_pid: int = field(default_factory=os.getpid)
    _recheck: list[tuple[ProcInfo, int]] = field(default_factory=list)
    _reported: dict[int, tuple[float, str]] = field(default_factory=dict)

    def baseline(self) -> list[Finding]:
        """Record every process now running; return the suspicious ones (not yet alerted)."""
        found: list[Finding] = []
        for pid in psutil.pids():
            info = self._lookup(pid)
            if info is not None and info.name.lower() == "lsass.exe":
                self.lsass_pid = pid
        for pid in list(self.cache):
            info = self.cache.get(pid)
            if info is not None and (f := self.check(info)) is not None:
                found.append(f)
        return found

    def poll(self) -> list[Finding]:
        """One pass: read new PIDs, forget gone ones, return findings among the new."""
        self.stats.passes += 1
        current = psutil.pids()
        fresh: list[ProcInfo] = []
        seen = set(current)
        # Wearing its parent's name when first seen: probably caught between fork and exec.
        # Judge it once it has exec'd; a plain fork (same name and command line as its
        # parent, already judged) is dropped after a few passes.
        recheck, self._recheck = self._recheck, []
        for old, tries in recheck:
            info = read(old.pid)
            if info is None or info.create_time != old.create_time:
                continue
            self.cache[old.pid] = info
            if not self._forked(info):
                fresh.append(info)
            elif tries < RECHECKS:
                self._recheck.append((info, tries + 1))
        for pid in current:
            if pid in self.cache:
                continue
            self.stats.new += 1
            info = read(pid)
            if info is None:
                self.stats.vanished += 1
                continue
            self.cache[pid] = info
            if self._forked(info, detail=False):
                self._recheck.append((info, 0))
            else:
                fresh.append(info)
        for pid in [p for p in self.cache if p not in seen]:
            del self.cache[pid]
            self._reported.pop(pid, None)
        out: list[Finding] = []
        for info in fresh:
            finding = self.check(info)
            if finding is not None:
                out.append(finding)
        return out

    def on_exec(self, pid: int) -> Finding | None:
        """An exec event (Linux proc connector): judge the new image right away."""
        comm = _comm(pid)
        if comm is not None and not self.names.children.may_match(comm):
            if pid in self.cache:  # a new image: the cached name is stale (it may be a worker now)
                new = read(pid)
                if new is not None:
                    self.cache[pid] = new
            return None  # the common case, at the cost of one small read; a pass adds it later
        info = read(pid)
        if info is None:
            self.stats.vanished += 1
            return None
        if pid not in self.cache:
            self.stats.new += 1
        self.cache[pid] = info
        return self.check(info)

    def _forked(self, info: ProcInfo, detail: bool = True) -> bool:
        """Same name as its parent (and, looking closer, no command line of its own yet)."""
        parent = self.cache.get(info.ppid)
        if parent is None or parent.name != info.name:
            return False
        if not detail:
            return True
        own = ProcInfo(info.pid, info.ppid, info.name, info.create_time).detail().cmdline
        return not own or own == parent.detail().cmdline

    def _lookup(
        self, pid: int, born_before: float | None = None, fresh: bool = False
    ) -> ProcInfo | None:
        """A process from the cache, or read; `fresh` reads again (a cached entry may predate
        an exec: a fork of python seen as "python" that became "httpd" since)."""

        def older(p: ProcInfo | None) -> bool:
            return p is not None and (born_before is None or p.create_time <= born_before + 0.01)

        cached = self.cache.get(pid)
        if older(cached) and not (fresh and cached is not None and cached.young):
            return cached
        info = read(pid)
        if info is None:  # gone: what we saw of it is the best we have
            return cached if older(cached) else None
        if not older(info):
            return None  # the PID was reused by a younger process
        if cached is not None and cached.key == info.key and cached.name == info.name:
            return cached  # unchanged: keep the details already read
        self.cache[pid] = info
        return info

    def chain(self, info: ProcInfo) -> Iterator[ProcInfo]:
        """Parents of a process, nearest first, as long as each is older than its child."""
        child = info
        for _ in range(MAX_DEPTH):
            if child.ppid <= 0 or child.ppid == child.pid:
                return
            parent = self._lookup(child.ppid, born_before=child.create_time, fresh=True)
            if parent is None:
                return
            yield parent
            child = parent

    def is_worker(self, info: ProcInfo) -> bool:
        workers = self.names.workers
        if not workers.may_match(info.name):
            return False
        cmd = info.detail().command_line if workers.needs_cmdline(info.name) else ""
        # psutil's name() is already the full name when the command line was readable.
        return workers.match(info.name, cmd)

    def check(self, info: ProcInfo) -> Finding | None:
        if info.pid == self.own_pid or not self.names.children.may_match(info.name):
            return None
        chain: list[ProcInfo] = []
        worker: ProcInfo | None = None
        for parent in self.chain(info):
            chain.append(parent)
            if self.is_worker(parent):
                worker = parent
                break
        if worker is None:
            return None
        info.detail()
        cmd = info.command_line
        if not self.names.children.match(info.name, cmd):
            return None
        if self.names.allow.match(info.name, cmd):
            self.stats.allowed += 1
            return None
        if self._reported.get(info.pid) == (info.create_time, info.name):
            return None  # already reported (seen by both the exec event and a pass)
        self._reported[info.pid] = (info.create_time, info.name)
        for p in chain:
            p.detail()
        self.stats.findings += 1
        return Finding(info, chain, worker, credential_theft(info.name, cmd, self.lsass_pid))

    def tree(self) -> list[Finding]:
        """Every current process below a worker that matches (for `webshell-agent processes`)."""
        return self.baseline()

"""Matching in child processes: the rules and the decode stage run in `python -m agent.matchproc`.

Why: the decode stage is Python, and with threads the GIL held a 2-core scan to ~1.4 cores
(measured: agent CPU 0.83x of the yara CLI's, throughput 0.65x). A child per scan thread runs
yara and the decoders on its own core. The parent keeps everything that touches the file system
(open by descriptor, read, hash): a child gets bytes and the file's externals over a pipe and
returns matches, so the children never act on a path. A child that crashes costs one file's
scan (retried once in a fresh child, then an error result), not the agent; a child that overruns
its hard deadline is killed and the file becomes a scan-timeout alert, as for yara's own timeout.

Protocol on the child's stdin/stdout, length-prefixed frames:
- parent -> child, once: the setup (pickled: the parent is the more trusted side);
- parent -> child, per batch: `>I` count, then per file `>II` (header length, data length), a
  JSON header, the bytes. The child reads the whole batch before it matches a file, so the
  parent never blocks writing while the child blocks writing replies;
- child -> parent, per file of the batch, in order, as each is done: `>I` length, then JSON
  (never pickle: the child reads hostile files).

Why batches: one pipe round trip, and the thread hand-offs it costs in both processes, per file
was a fifth of the parent's CPU on a tree of small files. A batch holds what the queue already
had (never waits for more) up to `BATCH_FILES` files or `BATCH_BYTES` bytes, so a single event
is matched at once, and the deadline runs per file, restarted at each reply. A scan thread
sends a batch (`send`), reads its next files, then takes the replies (`receive`): the child
matches while its thread reads, and the deadline runs only while the thread waits on it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from agent.decode import Limits
from agent.filetypes import Lang

if TYPE_CHECKING:
    from agent.rules import RuleSet
    from agent.scanner import Judged, RuleMatch

_log = logging.getLogger(__name__)

_REQ = struct.Struct(">II")
_LEN = struct.Struct(">I")
MAX_REPLY = 64 * 1024 * 1024  # a reply longer than this is a broken child, not a result
IDLE_SECONDS = 60.0  # a child without work this long stops; the next file starts one
BATCH_FILES = 16  # files per batch: past ~16 the round trips saved are a rounding error
BATCH_BYTES = 4 * 1024 * 1024  # a batch's bytes, beyond its last file: the memory it may hold


class WorkerLost(Exception):
    """The child died (or broke the protocol) while scanning a file. `done`: the replies it
    sent before, for the first files of its batch."""

    def __init__(self, why: str, done: list[dict[str, Any]] | None = None) -> None:
        super().__init__(why)
        self.done = done or []


@dataclasses.dataclass
class Sent:
    """A batch out with a child (`MatchPool.send`); `lost`: the child was lost handing it over."""

    items: list[tuple[bytes, dict[str, str]]]
    child: _Child | None
    lost: WorkerLost | None


def interpreter() -> str | None:
    """A Python that can run `-m agent.matchproc`; None when this build cannot (frozen, or a
    host process such as pythonservice.exe): matching then stays in-process."""
    if getattr(sys, "frozen", False) or not sys.executable:
        return None
    name = os.path.basename(sys.executable).lower()
    if name.startswith("python") or name.startswith("pypy"):
        return sys.executable
    candidate = os.path.join(sys.exec_prefix, "python.exe" if os.name == "nt" else "python3")
    return candidate if os.path.isfile(candidate) else None


def deadline_for(timeout: float, limits: Limits | None) -> float:
    """Hard wall-time bound for one file in a child: yara's timeout, the head/tail windows after
    it, the decode stage's own budget, and a margin for a loaded machine."""
    decode = limits.seconds if limits is not None else 0.0
    return 2 * timeout + 4 + 2 * decode + 10


# -- wire format of results (JSON both ways except the setup) --------------------------------


def matches_to_json(matches: tuple[RuleMatch, ...]) -> list[dict[str, Any]]:
    return [
        {
            "rule": m.rule,
            "namespace": m.namespace,
            "tags": list(m.tags),
            "meta": m.meta,
            "strings": [
                [s.identifier, s.offset, s.length, s.data.decode("latin-1")] for s in m.strings
            ],
            "layer": m.layer,
        }
        for m in matches
    ]


def matches_from_json(items: Any) -> tuple[RuleMatch, ...]:
    from agent.scanner import RuleMatch, StringHit

    out = []
    for m in items:
        hits = tuple(
            StringHit(str(i), int(o), int(n), str(d).encode("latin-1"))
            for i, o, n, d in m["strings"]
        )
        meta = {str(k): v for k, v in dict(m["meta"]).items()}
        tags = tuple(str(t) for t in m["tags"])
        out.append(
            RuleMatch(str(m["rule"]), str(m["namespace"]), tags, meta, hits, str(m["layer"]))
        )
    return tuple(out)


def _read_exact(stream: IO[bytes], n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) != n:
        raise EOFError
    return data


# -- the child ---------------------------------------------------------------------------------


def child_main() -> None:
    """Serve match requests until stdin closes."""
    from agent.scanner import Scanner

    # The parent stops children by closing the pipe; a terminal's Ctrl-C is the parent's to handle.
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    inp = sys.stdin.buffer
    # Protocol on a private descriptor; anything printed by mistake goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        (length,) = _LEN.unpack(_read_exact(inp, _LEN.size))
        ruleset, timeout, limits = pickle.loads(_read_exact(inp, length))
    except (EOFError, pickle.UnpicklingError, ValueError):
        return
    scanner = Scanner(ruleset, timeout=timeout, decode=limits)
    while True:
        try:
            (count,) = _LEN.unpack(_read_exact(inp, _LEN.size))
            batch = []
            for _ in range(count):
                head_len, data_len = _REQ.unpack(_read_exact(inp, _REQ.size))
                header = json.loads(_read_exact(inp, head_len))
                batch.append((header, _read_exact(inp, data_len)))
        except EOFError:
            return
        for header, data in batch:
            body = json.dumps(_reply(scanner, header, data), separators=(",", ":")).encode()
            out.write(_LEN.pack(len(body)) + body)
            out.flush()  # each reply at once: the parent's deadline runs per file


def _reply(scanner: Any, header: dict[str, Any], data: bytes) -> dict[str, Any]:
    try:
        judged = scanner.judge(data, {str(k): str(v) for k, v in header["externals"].items()})
        return {"matches": matches_to_json(judged.matches), "timed_out": judged.timed_out}
    except Exception as e:  # yara.Error and decode bugs alike: the parent decides
        import yara

        kind = "yara" if isinstance(e, yara.Error) else "internal"
        return {"error": f"{type(e).__name__}: {e}", "kind": kind}


# -- the parent --------------------------------------------------------------------------------


class _Child:
    def __init__(self, argv: list[str], setup: bytes) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, close_fds=True
        )
        self.deadline: float | None = None  # set while a file is in it
        self.idle_since = 0.0
        self.killed = False
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        try:
            self.stdin.write(_LEN.pack(len(setup)) + setup)
            self.stdin.flush()
        except OSError as e:  # it died before it read a byte
            why = self._why(e)
            self.close()
            raise WorkerLost(why) from e

    def send(self, items: list[tuple[bytes, dict[str, str]]], deadline: float) -> None:
        """Hand a batch over; the child reads it whole before it matches a file. The deadline
        runs while the write waits on the child (a stopped child is killed, not waited on)."""
        frames = [_LEN.pack(len(items))]
        for data, externals in items:
            header = json.dumps({"externals": externals}).encode()
            frames += (_REQ.pack(len(header), len(data)), header, data)
        self.deadline = time.monotonic() + deadline
        try:
            self.stdin.writelines(frames)
            self.stdin.flush()
        except OSError as e:
            raise WorkerLost(self._why(e)) from e
        finally:
            self.deadline = None

    def replies(self, count: int, deadline: float) -> list[dict[str, Any]]:
        """One reply per file sent, in order. WorkerLost carries the replies received before.
        The deadline runs from this call, restarted at each reply: while the parent reads its
        next files the child is not on the clock (its replies wait in the pipe)."""
        replies: list[dict[str, Any]] = []
        self.deadline = time.monotonic() + deadline
        try:
            for _ in range(count):
                (length,) = _LEN.unpack(_read_exact(self.stdout, _LEN.size))
                if length > MAX_REPLY:
                    raise WorkerLost(f"scan worker sent a {length}-byte reply", replies)
                reply = json.loads(_read_exact(self.stdout, length))
                if not isinstance(reply, dict):
                    raise WorkerLost("scan worker sent a malformed reply", replies)
                replies.append(reply)
                self.deadline = time.monotonic() + deadline  # the next file's own
        except (OSError, EOFError, ValueError) as e:
            raise WorkerLost(self._why(e), replies) from e
        finally:
            self.deadline = None
        return replies

    def _why(self, e: BaseException) -> str:
        if self.killed:
            return "killed at its deadline"
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(1)
        code = self.proc.returncode
        if code is None:
            return f"scan worker broke the protocol ({type(e).__name__})"
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"scan worker died of {signal.Signals(-code).name}"
        return f"scan worker exited with status {code}"

    def kill(self) -> None:
        self.killed = True
        with contextlib.suppress(OSError):
            self.proc.kill()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        with contextlib.suppress(OSError):
            self.stdout.close()


class MatchPool:
    """Up to `size` children, each holding the rules; thread-safe. `judge` has Scanner.judge's
    contract, plus WorkerLost when a child died twice on the same file.

    Children start on demand and stop after `idle` seconds without a file, so an idle agent
    costs its own memory only (each child holds ~40 MB of rules). A closed pool still serves a
    job that took its scanner before a swap; that child stops when the job is done."""

    def __init__(
        self,
        ruleset: RuleSet,
        *,
        size: int,
        timeout: float,
        limits: Limits | None,
        python: str,
        deadline: float | None = None,
        idle: float = IDLE_SECONDS,
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        self.size = max(1, size)
        self.deadline = deadline if deadline is not None else deadline_for(timeout, limits)
        self._argv = [python, "-m", "agent.matchproc"]
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        spec = self._portable(ruleset)
        self._setup = pickle.dumps((spec, timeout, limits), protocol=pickle.HIGHEST_PROTOCOL)
        self.idle = idle
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        # One lock, two queues of waiters: scan threads wait for a child (`_cond`), the
        # watchdog for a deadline or a close (`_wake`). A child given back wakes one scan
        # thread, not every waiter: a notify_all per file woke the watchdog and the other
        # threads each time, a GIL hand-off per file for nothing.
        lock = threading.Lock()
        self._cond = threading.Condition(lock)
        self._wake = threading.Condition(lock)
        self._closed = False
        self._watchdog: threading.Thread | None = None
        self.on_event = on_event or (lambda msg: _log.warning("%s", msg))
        self.started = 0  # children started in all (a restart counts)

    def _portable(self, ruleset: RuleSet) -> RuleSet:
        """The rule set without its compiled rules; the child loads them from the cache folder.
        When the whole set is not there (no cache, a read-only one), it is saved to a private
        folder first, so a child never compiles rule files that may have changed since."""
        from agent.rules.tiers import save_rules

        cache = ruleset.cache_dir
        whole = ruleset.views.path(Lang.ALL, 0)
        if whole is None or not whole.is_file():
            self._tmp = tempfile.TemporaryDirectory(prefix="wsa-rules-")
            cache = Path(self._tmp.name)
            save_rules(ruleset.rules, cache / f"rules-{ruleset.digest[:32]}.yarc")
        return dataclasses.replace(ruleset, compiled=None, cache_dir=cache)

    def judge_many(
        self, items: list[tuple[bytes, dict[str, str]]], *, lives: int = 2
    ) -> list[Judged | Exception]:
        """Judged (or the exception Scanner.judge would raise: yara.Error, WorkerLost) per item,
        in order. The file a child died on gets `lives - 1` more tries in fresh children, the
        files after it a batch of their own; a file past its deadline is a timeout result."""
        if not items:
            return []
        return self.receive(self.send(items), lives=lives)

    def send(self, items: list[tuple[bytes, dict[str, str]]]) -> Sent:
        """Hand a non-empty batch to a child, which keeps it until `receive`: the caller may
        read its next files meanwhile. A thread holds at most one sent batch (a second `send`
        before `receive` could wait for a child that only its own `receive` gives back)."""
        child = None
        try:
            child = self._take()
            child.send(items, self.deadline)
        except WorkerLost as e:
            return Sent(items, child, e)
        return Sent(items, child, None)

    def receive(self, sent: Sent, *, lives: int = 2) -> list[Judged | Exception]:
        """`judge_many`'s answer for a batch `send` handed over."""
        from agent.scanner import Judged

        items, child = sent.items, sent.child
        try:
            if sent.lost is not None:
                raise sent.lost
            assert child is not None
            replies = child.replies(len(items), self.deadline)
        except WorkerLost as e:
            killed = child is not None and child.killed  # by the watchdog, not by _drop
            if child is not None:
                self._drop(child)
            done: list[Judged | Exception] = [self._judged(r) for r in e.done]
            at = len(done)
            if killed:
                done.append(Judged((), True, f"scan worker killed after {self.deadline:.0f}s"))
            else:
                self.on_event(f"{e} (attempt {3 - lives})")
                done += self.judge_many(items[at : at + 1], lives=lives - 1) if lives > 1 else [e]
            return done + self.judge_many(items[at + 1 :])
        self._give_back(child)
        return [self._judged(r) for r in replies]

    @staticmethod
    def _judged(reply: dict[str, Any]) -> Judged | Exception:
        from agent.scanner import Judged

        if "error" in reply:
            if reply.get("kind") == "yara":
                import yara

                err: Exception = yara.Error(str(reply["error"]))
                return err
            return RuntimeError(str(reply["error"]))
        return Judged(matches_from_json(reply["matches"]), bool(reply["timed_out"]))

    def _take(self) -> _Child:
        with self._cond:
            while not self._idle and len(self._busy) >= self.size:
                self._cond.wait()
            child = self._idle.pop() if self._idle else self._start()
            self._busy.add(child)
            return child

    def _start(self) -> _Child:
        """Called with the lock held."""
        self.started += 1
        try:
            child = _Child(self._argv, self._setup)
        except OSError as e:
            raise WorkerLost(f"cannot start a scan worker: {e}") from e
        if self._watchdog is None:
            self._watchdog = threading.Thread(
                target=self._watch, name="wsa-match-watch", daemon=True
            )
            self._watchdog.start()
        return child

    def _give_back(self, child: _Child) -> None:
        with self._cond:
            self._busy.discard(child)
            retire = self._closed
            if not retire:
                child.idle_since = time.monotonic()
                self._idle.append(child)
            self._cond.notify()
        if retire:
            child.close()

    def _drop(self, child: _Child) -> None:
        child.kill()
        child.close()
        with self._cond:
            self._busy.discard(child)
            self._cond.notify()

    def _watch(self) -> None:
        """While children live: kill one past its file's deadline (its scan thread then sees
        EOF) and stop those idle for `idle` seconds."""
        with self._cond:
            while self._busy or self._idle:
                now = time.monotonic()
                for child in self._busy:
                    if child.deadline is not None and now > child.deadline:
                        child.kill()
                stale = [c for c in self._idle if now - c.idle_since > self.idle]
                if stale:
                    self._idle = [c for c in self._idle if c not in stale]
                    self._cond.release()
                    try:
                        for child in stale:
                            child.close()
                    finally:
                        self._cond.acquire()
                    continue
                self._wake.wait(min(1.0, self.idle))
            self._watchdog = None

    def pids(self) -> list[int]:
        with self._cond:
            return [c.proc.pid for c in (*self._idle, *self._busy)]

    def close(self) -> None:
        """Idle children stop now; a busy one when its file is done. The private rule folder,
        if any, goes with the pool object."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
            self._wake.notify_all()
        for child in idle:
            child.close()


if __name__ == "__main__":
    child_main()

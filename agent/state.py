"""What the agent knows about each file, in SQLite in the data folder.

It lets a restart catch up on what changed while the agent was down (compare size, mtime and
inode with the disk), skip unchanged files, re-verify after a rules change (rows whose ruleset is
not the current one) and never alert twice for the same path + sha256 + ruleset.

Paths are stored as bytes (os.fsencode), so names that are not valid UTF-8 round-trip exactly.
The state is a cache of what a baseline scan rebuilds: a database that cannot be opened (garbage,
a torn file) is moved aside, kept for forensics, and replaced by an empty one (`open_state`).
One connection shared by the worker threads behind a lock; WAL with synchronous=NORMAL: a crash
can lose the last few rows, which only means those files are scanned again (never skipped).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agent.scanner import ScanResult, Verdict

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path BLOB PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_us INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    verdict TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    scanned_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS alerted (
    path BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (path, sha256, ruleset)
);
"""


class StateError(Exception):
    """The state database cannot be used (corrupt, newer schema, unwritable)."""


def _key(path: str) -> bytes:
    return os.fsencode(path)


def mtime_us(st_mtime: float) -> int:
    # Both sides of the comparison come from the same float, so rounding cannot differ.
    return round(st_mtime * 1_000_000)


class State:
    def __init__(self, db_path: Path) -> None:
        self.path = db_path
        self._lock = threading.Lock()
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            check = self._db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise StateError(f"{db_path}: integrity check failed: {check}")
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StateError(f"{db_path}: schema {row[0]} is newer than this agent's")
        except sqlite3.Error as e:
            self._close_quietly()
            raise StateError(f"{db_path}: {e}") from None
        except StateError:
            self._close_quietly()
            raise

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM files").fetchone()[0])

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

    def unchanged(self, path: str, st: os.stat_result, ruleset: str) -> bool:
        """True if this exact file version was already judged by these rules."""
        with self._lock:
            row = self._db.execute(
                "SELECT size, mtime_us, inode, ruleset FROM files WHERE path=?", (_key(path),)
            ).fetchone()
        return row is not None and tuple(row) == (
            st.st_size,
            mtime_us(st.st_mtime),
            st.st_ino,
            ruleset,
        )

    def verdict(self, path: str) -> tuple[str, str, str] | None:
        """(verdict, sha256, ruleset) of the last scan of this path, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT verdict, sha256, ruleset FROM files WHERE path=?", (_key(path),)
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def record(self, result: ScanResult, ruleset: str) -> None:
        """Remember a final verdict; forget a vanished file; keep nothing for a retryable error."""
        if result.verdict is Verdict.ERROR or result.info is None:
            if result.reason is not None and result.reason.value == "vanished":
                self.forget(result.path)
            return
        info = result.info
        sha = result.hashes.sha256 if result.hashes is not None else ""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?)",
                (_key(result.path), info.size, mtime_us(info.mtime), info.inode, sha,
                 result.verdict.value, ruleset, time.time()),
            )  # fmt: skip

    def forget(self, path: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM files WHERE path=?", (_key(path),))

    def alerted(self, path: str, sha256: str, ruleset: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM alerted WHERE path=? AND sha256=? AND ruleset=?",
                (_key(path), sha256, ruleset),
            ).fetchone()
        return row is not None

    def mark_alerted(self, path: str, sha256: str, ruleset: str, event_id: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO alerted VALUES (?,?,?,?,?)",
                (_key(path), sha256, ruleset, event_id, time.time()),
            )

    def paths_under(self, root: str) -> Iterator[str]:
        """Every recorded path below `root` (a snapshot, safe to use while recording)."""
        prefix = _key(os.path.join(root, ""))
        upper = prefix[:-1] + bytes([prefix[-1] + 1])
        with self._lock:
            rows = self._db.execute(
                "SELECT path FROM files WHERE path >= ? AND path < ?", (prefix, upper)
            ).fetchall()
        for (p,) in rows:
            yield os.fsdecode(p)

    def stale(self, ruleset: str) -> int:
        """Rows judged by other rules than these (to re-verify)."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM files WHERE ruleset != ?", (ruleset,)
            ).fetchone()
        return int(row[0])


@dataclass(frozen=True)
class Opened:
    state: State
    moved_to: Path | None = None  # where a corrupt database was put aside
    problem: str = ""


def open_state(db_path: Path) -> Opened:
    """Open the state; if it is corrupt, move it (and its -wal/-shm) aside and start empty.

    A newer schema is not corruption (a downgrade): that still raises StateError."""
    try:
        return Opened(State(db_path))
    except StateError as e:
        problem = str(e)
        if "newer than this agent" in problem or not db_path.exists():
            raise
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = db_path.with_name(f"{db_path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = db_path.with_name(f"{db_path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(db_path, aside)
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
    except OSError as e:
        raise StateError(f"{db_path}: corrupt ({problem}) and cannot be moved aside: {e}") from None
    return Opened(State(db_path), aside, problem)

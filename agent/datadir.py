"""The data folder is private: 0700, and everything the agent writes in it 0600 (0700 folders).

Alerts name files and carry excerpts of attacker code, the state lists every file of the web
roots, the quarantine holds the shells themselves: no other local user may read them, whoever
runs the agent and whatever its umask. `private_dir` makes the folder so and tightens what an
older version or another umask left readable; while the agent runs it also keeps a 077 umask
(as systemd's UMask=0077 would), so files created later by any part of it (rotated logs,
SQLite's -wal and -shm, spool offsets) start private.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

from agent.confine import O_CLOEXEC, O_DIR, O_NOFOLLOW

PRIVATE_UMASK = 0o077
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _tighten(fd: int, st: os.stat_result, folder: bool) -> None:
    mode = stat.S_IMODE(st.st_mode)
    want = mode & (0o700 if folder else 0o600)
    if want != mode and sys.platform != "win32":
        # Not ours to change (another owner, and we are not root): left as the operator made it.
        with contextlib.suppress(PermissionError):
            os.fchmod(fd, want)


def _tighten_tree(fd: int, depth: int) -> None:
    """Drop group/other bits on every entry below `fd`, by descriptor, never through a link."""
    for name in os.listdir(fd):
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode) and depth > 0:
                sub = os.open(name, O_DIR, dir_fd=fd)
                try:
                    _tighten(sub, os.fstat(sub), folder=True)
                    _tighten_tree(sub, depth - 1)
                finally:
                    os.close(sub)
            elif stat.S_ISREG(st.st_mode):
                f = os.open(name, os.O_RDONLY | O_NOFOLLOW | O_CLOEXEC | _O_NONBLOCK, dir_fd=fd)
                try:
                    _tighten(f, os.fstat(f), folder=False)
                finally:
                    os.close(f)
        except OSError:
            continue  # vanished meanwhile, or not ours to change: best effort


def private_dir(path: Path) -> None:
    """Create `path` (and missing parents) and make it and its contents private. POSIX only;
    on Windows the data folder under ProgramData inherits an ACL for SYSTEM and Administrators."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if sys.platform != "win32":
        fd = os.open(path, O_DIR)
        try:
            _tighten(fd, os.fstat(fd), folder=True)
            _tighten_tree(fd, depth=3)
        finally:
            os.close(fd)


def private_umask() -> int:
    """Set the 077 umask; returns the previous one (to restore when an in-process agent stops)."""
    return os.umask(PRIVATE_UMASK)


def write_private(path: Path, data: bytes) -> None:
    """Create or replace a small file with mode 0600 from the start."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)

"""The descriptor-level steps of quarantine and restore (POSIX).

Every step acts relative to the descriptor of the file's folder (reached from its root without
a symlink, `agent.confine`) or on the file's own descriptor; a name is never resolved twice by
the kernel from a path. Identity is checked by device and inode before each destructive step.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys

from agent.confine import O_CLOEXEC, O_NOFOLLOW, kind, lstat_at

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


class Changed(Exception):
    """The name no longer holds the file we opened (swapped, replaced or of the wrong type)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def open_file(folder: int, name: str) -> tuple[int, os.stat_result]:
    """Open the regular file `name` in `folder` without following a link or blocking."""
    first = lstat_at(folder, name)
    if not stat.S_ISREG(first.st_mode):
        raise Changed(kind(first.st_mode))
    fd = os.open(
        name, os.O_RDONLY | O_NOFOLLOW | _O_NONBLOCK | O_CLOEXEC | _O_BINARY, dir_fd=folder
    )
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or not same(st, first):
        os.close(fd)
        raise Changed("swapped")
    return fd, st


def read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def is_ours(folder: int, name: str, st: os.stat_result) -> bool:
    """Does `name` in `folder` still name the file `st` describes (never following a link)?"""
    try:
        return same(lstat_at(folder, name), st)
    except OSError:
        return False


def rename_in(folder: int, old: str, new: str) -> None:
    os.rename(old, new, src_dir_fd=folder, dst_dir_fd=folder)


def link_in(folder: int, old: str, new: str) -> None:
    """A second name for `old` (the entry itself, never a link's target); fails if `new` exists."""
    os.link(old, new, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)


def unlink_if_ours(folder: int, name: str, st: os.stat_result) -> bool:
    """Remove `name` only while it still is our file; False if it was swapped meanwhile."""
    if not is_ours(folder, name, st):
        return False
    os.unlink(name, dir_fd=folder)
    return True


def create_new(folder: int, name: str) -> int:
    """A new, empty, private file: O_EXCL|O_NOFOLLOW, so no name planted before us is used."""
    return os.open(
        name,
        os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW | O_CLOEXEC | _O_BINARY,
        0o600,
        dir_fd=folder,
    )


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def finish(fd: int, uid: int | None, gid: int | None, mode: int, times_ns: tuple[int, int]) -> None:
    """Owner, then mode (chown clears set-id bits), then times: all on the descriptor."""
    if sys.platform != "win32":
        if uid is not None and gid is not None:
            st = os.fstat(fd)
            if (st.st_uid, st.st_gid) != (uid, gid):
                os.fchown(fd, uid, gid)
        os.fchmod(fd, stat.S_IMODE(mode))
    os.utime(fd, ns=times_ns)


def drop(folder: int, name: str, st: os.stat_result) -> None:
    with contextlib.suppress(OSError):
        unlink_if_ours(folder, name, st)

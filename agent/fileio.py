"""Read a file's bytes once, with a size cap, without blocking on odd files or following links.

A file is looked at (`lstat`, relative to its folder's descriptor) before it is opened: FIFOs,
sockets, devices and symlinks are never opened (opening a FIFO would wake a writer blocked on
it; a device can block forever). The open itself adds `O_NOFOLLOW|O_NONBLOCK|O_NOCTTY`, and the
descriptor is `fstat`-ed and compared with the first look, so a file swapped in between is not
read either. Under `Roots`, every folder on the way is reached by descriptor (`agent.confine`).

On Windows the open must share read, write *and delete* so that our scan never stops IIS or an
admin from replacing or deleting the file; that lives in `fileio_windows` behind this API.
"""

from __future__ import annotations

import os
import stat
import sys

from agent.confine import O_NOFOLLOW, HeldFolder, Roots, kind, lstat_at


class NotRegularFile(Exception):
    """A FIFO, socket, device, symlink or directory: never read. `kind` says which."""

    def __init__(self, path: str, kind: str = "other") -> None:
        super().__init__(path)
        self.kind = kind


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _checked(fd: int, path: str, first: os.stat_result) -> os.stat_result:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(path, kind(st.st_mode))
    if not _same(st, first):
        raise NotRegularFile(path, "swapped")
    return st


def _open_posix(
    path: str, roots: Roots | None, held: HeldFolder | None = None
) -> tuple[int, os.stat_result]:
    """An open descriptor of the regular file at `path` and its fstat. `held`: its folder may
    be the one the previous file was in (agent.confine.HeldFolder, for `roots`)."""
    found = roots.locate(path) if roots is not None else None
    if found is None or not found[1]:
        # No roots, or the path is itself a root (a file named on the command line): the
        # operator's own argument; a symlink there is followed once, like `find -H`.
        first = os.stat(path)
        if not stat.S_ISREG(first.st_mode):
            raise NotRegularFile(path, kind(first.st_mode))
        fd = os.open(path, _FLAGS)
    else:
        assert roots is not None
        if held is not None:
            parent, name = held.parent_of(found, path)
        else:
            parent, name = roots.open_parent_of(found, path)
        try:
            first = lstat_at(parent, name)
            if not stat.S_ISREG(first.st_mode):
                raise NotRegularFile(path, kind(first.st_mode))
            fd = os.open(name, _FLAGS | O_NOFOLLOW, dir_fd=parent)
        finally:
            if held is None:
                os.close(parent)
    try:
        return fd, _checked(fd, path, first)
    except BaseException:
        os.close(fd)
        raise


def read_fd(fd: int, size: int, limit: int) -> bytes:
    """All bytes of an open regular file of `size` bytes; TooLarge past `limit`."""
    if size > limit:
        raise TooLarge(size)
    os.lseek(fd, 0, os.SEEK_SET)
    # One sized read; ask one byte more to notice a file still growing past the cap.
    want = size + 1
    chunks = []
    got = 0
    while got < want:
        chunk = os.read(fd, want - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        if got > limit:
            raise TooLarge(got)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_edges(fd: int, size: int, edge: int) -> bytes:
    """The first and last `edge` bytes (the whole file when it is small), for a cheap sniff."""
    if size <= 2 * edge:
        return _read_at(fd, 0, 2 * edge)
    return _read_at(fd, 0, edge) + b"\n" + _read_at(fd, size - edge, edge)


def _read_at(fd: int, offset: int, n: int) -> bytes:
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, n)


if sys.platform == "win32":
    from agent import fileio_windows

    def open_regular(
        path: str, roots: Roots | None = None, held: HeldFolder | None = None
    ) -> tuple[int, os.stat_result]:
        return fileio_windows.open_shared(path, roots)  # handles: no folder is held

else:

    def open_regular(
        path: str, roots: Roots | None = None, held: HeldFolder | None = None
    ) -> tuple[int, os.stat_result]:
        return _open_posix(path, roots, held)


def read_file(path: str, limit: int, roots: Roots | None = None) -> tuple[bytes, os.stat_result]:
    fd, st = open_regular(path, roots)
    try:
        return read_fd(fd, st.st_size, limit), st
    finally:
        os.close(fd)

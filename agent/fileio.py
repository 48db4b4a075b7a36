"""Read a file's bytes once, with a size cap, without blocking on odd files.

On Windows the open must share read, write *and delete* so that our scan never stops IIS or an
admin from replacing or deleting the file; that lives in `fileio_windows` behind this API.
"""

from __future__ import annotations

import os
import stat
import sys


class NotRegularFile(Exception):
    """A FIFO, socket, device or directory: never read."""


class TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
)


def _read_posix(path: str, limit: int) -> tuple[bytes, os.stat_result]:
    fd = os.open(path, _FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path)
        if st.st_size > limit:
            raise TooLarge(st.st_size)
        # One sized read; ask one byte more to notice a file still growing past the cap.
        want = st.st_size + 1
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
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return data, st
    finally:
        os.close(fd)


if sys.platform == "win32":
    from agent.fileio_windows import read_shared

    read_file = read_shared
else:
    read_file = _read_posix

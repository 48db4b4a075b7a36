"""The one writer of a size-rotated JSON-lines file (alerts.jsonl, events.jsonl).

Contract for readers (the SIEM senders tail these files with a saved offset):
- each document is one UTF-8 line ending in "\\n", written with a single write() and flushed
  before write() returns, so a reader never sees half a line unless the agent dies mid-write;
- a torn last line left by a crash is closed with "\\n" when the file is reopened, so the next
  document never glues onto it (a reader drops the torn line: it is not valid JSON);
- rotation renames: `alerts.jsonl` -> `alerts.jsonl.1`, `.1` -> `.2` ... up to `.keep`; the
  oldest is deleted. The live file is then created anew (a new inode): a reader that notices
  the inode change finishes the renamed `.1` from its saved offset and starts the new file at 0;
- one writer per path: opening the same path twice in one process raises, and a second process
  is refused by an advisory lock on `<path>.lock`;
- a write that fails (disk full, file made immutable) leaves no part of its line behind: the file
  is cut back to the last whole line, so the caller can simply write the same document again.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import IO, Any

from agent.outputs.jsonl import encode_line

_open_paths: set[str] = set()
_open_lock = threading.Lock()


class AlreadyOpen(RuntimeError):
    """Another JsonLinesFile (in this process or another) already writes this path."""


def _lock_file(handle: IO[bytes]) -> bool:
    """Exclusive, non-blocking advisory lock; False if another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class JsonLinesFile:
    """Append documents as JSON lines; rotate when the next line would pass `rotate_size`.

    Thread-safe. `rotate_size <= 0` disables rotation; `keep` is how many rotated files are kept
    (0: the full file is simply discarded on rotation).
    """

    def __init__(self, path: Path | str, rotate_size: int, keep: int) -> None:
        self.path = Path(path)
        self.rotate_size = rotate_size
        self.keep = max(0, keep)
        self._lock = threading.Lock()
        self._key = os.path.normcase(os.path.abspath(self.path))
        with _open_lock:
            if self._key in _open_paths:
                raise AlreadyOpen(f"{self.path} is already open for writing in this process")
            _open_paths.add(self._key)
        self._size = 0
        self._closed = False
        self._guard: IO[bytes] | None = None
        self._fh: IO[bytes] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            guard = open(self.path.with_name(self.path.name + ".lock"), "ab")  # noqa: SIM115 (held until close)
            if not _lock_file(guard):
                guard.close()
                raise AlreadyOpen(f"{self.path} is already being written by another process")
            self._guard = guard
            self._fh = self._open()
        except BaseException:
            self._release()
            raise

    def _open(self) -> IO[bytes]:
        # Unbuffered: a failed write must not leave bytes in a buffer that a later flush adds.
        fh = open(self.path, "ab", buffering=0)  # noqa: SIM115 (kept open across writes)
        self._size = fh.seek(0, os.SEEK_END)
        if self._size and not self._ends_with_newline():
            fh.write(b"\n")  # close a line torn by a crash
            fh.flush()
            self._size += 1
        return fh

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as r:
            r.seek(-1, os.SEEK_END)
            return r.read(1) == b"\n"

    @property
    def size(self) -> int:
        """Bytes in the live file."""
        return self._size

    def write(self, doc: dict[str, Any]) -> None:
        """Append one document and flush it. Raises OSError (disk full...) and ValueError (closed)."""
        line = encode_line(doc)
        with self._lock:
            if self._closed:
                raise ValueError(f"{self.path} is closed")
            if self._fh is None:  # a failed rotation or write: try the file again
                self._fh = self._open()
            if self.rotate_size > 0 and self._size and self._size + len(line) > self.rotate_size:
                self._rotate()
            assert self._fh is not None
            view = memoryview(line)
            try:
                while view:
                    view = view[self._fh.write(view) or 0 :]
            except OSError:
                self._cut_back()
                raise
            self._size += len(line)

    def _cut_back(self) -> None:
        """After a failed write: drop the part of the line that reached the file."""
        assert self._fh is not None
        try:
            os.ftruncate(self._fh.fileno(), self._size)
        except OSError:
            # cannot cut (e.g. immutable: then nothing was written either); reopen next time,
            # where a torn last line is closed with a newline
            self._fh.close()
            self._fh = None

    def _rotate(self) -> None:
        assert self._fh is not None
        self._fh.close()
        self._fh = None
        name = self.path.name
        if self.keep == 0:
            self.path.unlink(missing_ok=True)
        else:
            self.path.with_name(f"{name}.{self.keep}").unlink(missing_ok=True)
            for i in range(self.keep - 1, 0, -1):
                older = self.path.with_name(f"{name}.{i}")
                if older.exists():
                    os.replace(older, self.path.with_name(f"{name}.{i + 1}"))
            os.replace(self.path, self.path.with_name(f"{name}.1"))
        self._fh = self._open()

    def close(self) -> None:
        """Flush and close; idempotent. The path may be opened again afterwards."""
        with self._lock:
            self._closed = True
            if self._fh is not None:
                self._fh.close()
                self._fh = None
            self._release()

    def _release(self) -> None:
        if self._guard is not None:
            self._guard.close()  # closing drops the advisory lock
            self._guard = None
        with _open_lock:
            _open_paths.discard(self._key)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> JsonLinesFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

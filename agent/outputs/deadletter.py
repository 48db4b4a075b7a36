"""The dead-letter file of one output: documents a receiver refused one by one, kept for replay.

Only a refusal that names one document (an Elasticsearch item-level mapping error, a HEC
per-event data error on a single event, a document our formatter cannot render) leaves the
stream, and only into this file: one JSON object per line with the output, the receiver's
reason and the untouched document. The line is flushed and fsynced before the delivery loop
moves its position past the document, so a crash repeats the write rather than losing it.

The file is bounded (`dead_letter_max`, like Logstash's `dead_letter_queue.max_bytes`), but
nothing is dropped to keep it so: a write that would pass the cap fails like a full disk, the
output is reported down with the reason, the alerts wait in the backlog, and delivery resumes
by itself once the operator has moved the file away (after replaying or shipping it).
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.timefmt import iso

DEAD_LETTER_DIR = "dead-letter"
DEFAULT_MAX = 64 * 1024 * 1024


class DeadLetterFull(OSError):
    """The dead-letter file is at its cap: the output stays down until it is moved away."""

    def __init__(self, path: Path, size: int, cap: int) -> None:
        super().__init__(
            errno.EFBIG,
            f"dead-letter file {path} is full ({size} bytes, dead_letter_max {cap}): refused"
            " alerts wait in the backlog; replay or ship the file, then move it away to resume",
        )
        self.size = size
        self.cap = cap


class DeadLetter:
    def __init__(self, path: Path, output: str, max_bytes: int = DEFAULT_MAX) -> None:
        self.path = path
        self.output = output
        self.max_bytes = max_bytes

    def write(self, refused: Sequence[tuple[dict[str, Any], str]]) -> None:
        """Append (document, reason) pairs durably; raises OSError when the disk refuses and
        DeadLetterFull when the file would pass its cap (an empty file takes any one batch)."""
        now = iso()
        data = b"".join(
            json.dumps(
                {"@timestamp": now, "output": self.output, "reason": reason, "document": doc},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8", "backslashreplace")
            + b"\n"
            for doc, reason in refused
        )
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(
            self.path,
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
            0o600,
        )
        try:
            size = os.fstat(fd).st_size
            if size and size + len(data) > self.max_bytes:
                raise DeadLetterFull(self.path, size, self.max_bytes)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

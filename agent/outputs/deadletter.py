"""The dead-letter file of one output: documents a receiver refused one by one, kept for replay.

Only a refusal that names one document (an Elasticsearch item-level mapping error, a HEC
per-event data error on a single event, a document our formatter cannot render) leaves the
stream, and only into this file: one JSON object per line with the output, the receiver's
reason and the untouched document. The line is flushed and fsynced before the delivery loop
moves its position past the document, so a crash repeats the write rather than losing it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.timefmt import iso

DEAD_LETTER_DIR = "dead-letter"


class DeadLetter:
    def __init__(self, path: Path, output: str) -> None:
        self.path = path
        self.output = output

    def write(self, refused: Sequence[tuple[dict[str, Any], str]]) -> None:
        """Append (document, reason) pairs durably; raises OSError when the disk refuses."""
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
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

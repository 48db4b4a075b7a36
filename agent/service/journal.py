"""The agent's own warnings and errors in the journal, with their priority.

Under systemd, stderr is a stream into journald, which reads a `<N>` prefix on each line as the
line's syslog priority (sd-daemon(3)): `<3>` error, `<4>` warning, `<6>` info. Without this the
journal shows only systemd's own lines about the service. The prefixes are written only when
stderr really is that stream (`$JOURNAL_STREAM` names its device and inode, as systemd.exec(5)
says to check), never on a terminal or into a file a child inherited.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, TextIO

PRIORITY = {"critical": 2, "error": 3, "warning": 4, "info": 6, "debug": 7}
# Info events worth a journal line: start, readiness, rule changes, stop. Heartbeats and the
# rest stay in events.jsonl.
INFO_SHOWN = frozenset({"started", "ready", "rules-reloaded", "stopping", "stopped"})


def connected(stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Is `stream` (stderr) the journal stream systemd set up for this process?"""
    stream = sys.stderr if stream is None else stream
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    dev, _, ino = value.partition(":")
    if not (dev.isdigit() and ino.isdigit()) or stream is None:
        return False
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return st.st_dev == int(dev) and st.st_ino == int(ino)


def line(level: str, text: str) -> str:
    """One journal line: priority prefix, then the text on one line without controls (the
    journal names the unit and PID itself)."""
    flat = "".join(c if c.isprintable() else " " for c in text.replace("\n", " | "))
    return f"<{PRIORITY.get(level, 6)}>{flat}\n"


def prefix(level: str) -> str:
    """`<N>` when stderr is the journal, else nothing: for one-off lines (CLI errors)."""
    return f"<{PRIORITY.get(level, 6)}>" if connected() else ""


def tee(
    echo: Callable[[dict[str, Any]], None] | None, stream: TextIO | None = None
) -> Callable[[dict[str, Any]], None] | None:
    """`echo`, plus a journal line for warnings, errors and a few info events when stderr is
    the journal; `echo` itself (often None) otherwise."""
    out = sys.stderr if stream is None else stream
    if not connected(out):
        return echo

    def both(doc: dict[str, Any]) -> None:
        if echo is not None:
            echo(doc)
        level = str(doc.get("log", {}).get("level", "info"))
        action = str(doc.get("event", {}).get("action", ""))
        if PRIORITY.get(level, 6) <= PRIORITY["warning"] or action in INFO_SHOWN:
            try:
                out.write(line(level, str(doc.get("message", action))))
                out.flush()
            except (OSError, ValueError):
                pass  # journald gone (shutdown): the events file still has it

    return both

"""Readable text for a terminal: one block per finding, then a summary line."""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

from agent.summary import Summary


class Terminal:
    """The one writer of the terminal: a block (an alert of several lines, an event line) is
    written whole, in one write under one lock shared by stdout and stderr, so alerts found
    by several scan threads at once never interleave (`size 27FOUND ...`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def write(self, block: str, stream: TextIO | None = None) -> None:
        out = stream if stream is not None else sys.stdout
        with self._lock:
            out.write(block if block.endswith("\n") else block + "\n")
            out.flush()


TERMINAL = Terminal()

_CONTROL = {i: f"\\x{i:02x}" for i in range(0x20)} | {
    0x7F: "\\x7f",
    0x0A: "\\n",
    0x0D: "\\r",
    0x09: "\\t",
}


def safe(text: str) -> str:
    """Control characters shown escaped, so a file name cannot fake lines of our output."""
    return text.translate(_CONTROL)


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def render_alert(alert: dict[str, Any]) -> str:
    ws = alert["webshell"]
    lines = [f"FOUND  {ws['severity'].upper():8}  {safe(alert['file']['path'])}"]
    for m in ws["matches"]:
        family = m["meta"].get("family")
        lines.append(f"         rule {m['rule']}" + (f"  ({safe(str(family))})" if family else ""))
        for s in m["strings"][:3]:
            lines.append(f"           {s['identifier']} @ {s['offset']}: {s['excerpt'][:60]}")
    lines.append(f"         sha256 {alert['file']['hash']['sha256']}  size {alert['file']['size']}")
    return "\n".join(lines)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def render_summary(s: Summary) -> str:
    rate = f"{s.files / s.seconds:,.0f} files/s" if s.seconds > 0 else "-"
    parts = [
        f"Scanned {plural(s.files, 'file')} ({human_bytes(s.bytes)}) in {s.seconds:.2f} s"
        f" ({rate}) with {plural(s.rules, 'rule')}: {s.matched} matched,"
        f" {plural(s.error_count, 'error')}"
    ]
    if s.skipped:
        parts.append("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(s.skipped.items())))
    if s.errors:
        parts.append("errors: " + ", ".join(f"{k} {v}" for k, v in sorted(s.errors.items())))
    return "; ".join(parts)

"""Tie a process alert to a file alert that came shortly before in the same web root.

Which web root a process serves: the working directory of the process or of one of its
ancestors up to the worker, nearest first, when it is readable and inside a configured root
(PHP changes into the script's folder, so a shell started by a PHP web shell usually runs
right where the shell lies). Otherwise every configured root counts (IIS workers run in
`inetsrv`, Apache and nginx in `/`). With no configured roots at all, any recent file alert on
the host is taken.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.process.alert import Correlation
from agent.process.lineage import ProcInfo


def _norm(path: str) -> str:
    return os.path.normcase(os.path.normpath(path))


def under(path: str, root: str) -> bool:
    p, r = _norm(path), _norm(root)
    return p == r or p.startswith(r.rstrip(os.sep) + os.sep)


def _when(alert: dict[str, Any]) -> float:
    """When a file alert was made (its event.created), else now."""
    text = alert.get("event", {}).get("created") or alert.get("@timestamp")
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return time.time()


@dataclass(frozen=True)
class _Noted:
    at: float
    path: str
    correlation_id: str
    hashes: tuple[str, ...]


class FileAlerts:
    """Recent file alerts, bounded, safe to feed from one thread and read from another."""

    def __init__(self, roots: Sequence[str], window: float, keep: int = 1000) -> None:
        self.roots = [str(r) for r in roots]
        self.window = window
        self._items: deque[_Noted] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def note(self, alert: dict[str, Any], at: float | None = None) -> None:
        file = alert.get("file")
        if not isinstance(file, dict) or not isinstance(file.get("path"), str):
            return  # not a file alert
        ws = alert.get("webshell", {})
        cid = ws.get("correlation_id") or alert.get("event", {}).get("id")
        if not isinstance(cid, str):
            return
        hashes = tuple(str(h) for h in alert.get("related", {}).get("hash", []))
        with self._lock:
            self._items.append(
                _Noted(_when(alert) if at is None else at, file["path"], cid, hashes)
            )

    def extend(self, alerts: Iterable[dict[str, Any]]) -> None:
        for a in alerts:
            self.note(a)

    def _scope(self, chain: Sequence[ProcInfo]) -> tuple[str, str | None]:
        """(basis, root): the web root a process serves, or None for 'any'."""
        for info in chain:
            if not info.cwd:
                continue
            if not self.roots:
                return "cwd", info.cwd
            for root in self.roots:
                if under(info.cwd, root):
                    return "cwd", root
        if self.roots:
            return "roots", None
        return "host", None

    def match(self, process: ProcInfo, ancestors: Sequence[ProcInfo]) -> Correlation | None:
        """The most recent file alert in the process's web root within the window."""
        basis, root = self._scope([process, *ancestors])
        start = process.create_time
        with self._lock:
            items = list(self._items)
        for item in reversed(items):
            if item.at < start - self.window:
                continue
            if root is not None:
                if not under(item.path, root):
                    continue
            elif basis == "roots" and not any(under(item.path, r) for r in self.roots):
                continue
            where = root or next((r for r in self.roots if under(item.path, r)), "")
            return Correlation(
                item.correlation_id, item.path, item.hashes, start - item.at, basis, where
            )
        return None


def tail_file_alerts(
    path: str | os.PathLike[str], max_bytes: int = 1 << 20
) -> list[dict[str, Any]]:
    """File alerts from the end of an alerts.jsonl, so a restarted agent still links a process
    alert to a file alert made just before the restart. Unreadable lines are skipped."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except OSError:
        return []
    lines = data.split(b"\n")
    if len(data) == max_bytes:
        lines = lines[1:]  # the first line may be cut
    out = []
    for line in lines:
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("file"), dict):
            out.append(doc)
    return out

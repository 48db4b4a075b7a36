"""Checks of a configuration against this machine, made before the agent starts.

`cannot_start`: why `run` would exit 2 at once (nothing to watch). `config check` reports the
same, so a file that passes the check does not then stop the service (which does not restart on
exit 2, RestartPreventExitStatus=2). `quarantine_problems`: why moving a detected file aside
would fail on every alert (a read-only file system under ProtectSystem=strict, no write
permission), reported once at start instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from agent.config import Config
from agent.presets import discover


def cannot_start(cfg: Config) -> list[str]:
    if cfg.watch.roots or cfg.watch.polling:
        return []
    if not cfg.watch.presets:
        return ["watch: nothing to watch: no watch.roots, watch.polling or presets"]
    found = discover(cfg.watch.presets)
    if found.roots():
        return []
    looked = ", ".join(dict.fromkeys(path for _, path in found.missing)) or "nothing"
    return [
        f"watch: nothing to watch: presets {', '.join(cfg.watch.presets)} found no web root on "
        f"this machine (looked for {looked}); set watch.roots"
    ]


def _why_not_writable(path: str) -> str | None:
    if sys.platform != "win32":
        try:
            if os.statvfs(path).f_flag & os.ST_RDONLY:
                return "read-only file system"
        except OSError:
            pass
    if not os.access(path, os.W_OK):
        return "no write permission"
    return None


def quarantine_problems(roots: Sequence[str], data_dir: Path) -> list[str]:
    """One line per place quarantine needs to write but cannot."""
    problems = []
    for root in roots:
        why = _why_not_writable(root)
        if why is not None:
            problems.append(
                f"quarantine is on but web root {root} cannot be written ({why}): detected "
                "files there will stay in place; the systemd service needs a drop-in adding "
                "the web roots to ReadWritePaths= (docs/service.md)"
            )
    folder = next((p for p in (data_dir / "quarantine", data_dir) if os.path.exists(p)), None)
    why = _why_not_writable(str(folder)) if folder is not None else None
    if why is not None:
        problems.append(f"quarantine is on but {folder} cannot be written ({why})")
    return problems

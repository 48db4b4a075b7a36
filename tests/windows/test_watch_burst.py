"""A real `webshell-agent run` on Windows (ReadDirectoryChangesW through watchdog): a burst of
files, a few of them shells, every shell alerted once, none lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SHELL
from tests.windows.conftest import read_jsonl, wait_for

FILES = 5000
SHELLS = 50


def test_burst_every_shell_alerted(tmp_path: Path) -> None:
    root, data = tmp_path / "www", tmp_path / "data"
    root.mkdir()
    env = os.environ | {
        "WEBSHELL_AGENT_RULES_CACHE_DIR": str(tmp_path / "cache"),
        "WEBSHELL_AGENT_AGENT_LOW_PRIORITY": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent", "run", "--watch", str(root), "--data-dir", str(data)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        ready = lambda: any(  # noqa: E731
            e["event"]["action"] == "ready" for e in read_jsonl(data / "events.jsonl")
        )
        wait_for("ready", lambda: ready() or proc.poll() is not None, 120)
        assert proc.poll() is None, proc.communicate()[1]
        shells = set()
        for i in range(FILES):
            sub = root / f"d{i % 50}"
            sub.mkdir(exist_ok=True)
            if i % (FILES // SHELLS) == 0:
                path = sub / f"s{i}.aspx"
                path.write_bytes(SHELL)
                shells.add(str(path))
            else:
                (sub / f"p{i}.aspx").write_text(f"<html>page {i}</html>")

        def alerted() -> set[str]:
            return {a["file"]["path"] for a in read_jsonl(data / "alerts.jsonl") if "file" in a}

        wait_for("every shell alerted", lambda: shells <= alerted(), 300, every=0.5)
        paths = [a["file"]["path"] for a in read_jsonl(data / "alerts.jsonl") if "file" in a]
        assert sorted(p for p in paths if p in shells) == sorted(shells)  # once each
    finally:
        proc.terminate()
        proc.wait(60)

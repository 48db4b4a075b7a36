"""The data folder is private whoever runs the agent: 0700, files 0600, under umask 022."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

from tests.watcher.conftest import SHELL, read_jsonl, wait_for


def modes(top: Path) -> dict[str, int]:
    out = {".": stat.S_IMODE(os.lstat(top).st_mode)}
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            p = Path(folder) / name
            out[str(p.relative_to(top))] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


def test_agent_run_with_umask_022_leaves_nothing_readable_by_others(
    tmp_path: Path, web_root: Path, agent_rules: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "alerts.jsonl").write_bytes(b"")  # left by an older version: tightened at start
    os.chmod(data / "alerts.jsonl", 0o644)
    (web_root / "shell.aspx").write_bytes(SHELL)
    cfg = tmp_path / "agent.toml"
    cfg.write_text(
        "[agent]\nlow_priority = false\n"
        f'[watch]\nroots = ["{web_root}"]\nsettle = 0.3\n'
        f'[rules]\npaths = ["{agent_rules}"]\ndefault_rules = false\ncache_dir = "{tmp_path / "cache"}"\n'
        "[response]\nquarantine = true\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent", "run", "--config", str(cfg), "--data-dir", str(data)],
        preexec_fn=lambda: os.umask(0o022),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(
            lambda: (
                any(d["event"]["action"] == "ready" for d in read_jsonl(data / "events.jsonl"))
                or proc.poll() is not None
            ),
            what="ready",
        )
        assert proc.poll() is None, proc.communicate()
        wait_for(lambda: any("file" in a for a in read_jsonl(data / "alerts.jsonl")), what="alert")
        wait_for(lambda: not (web_root / "shell.aspx").exists(), what="quarantined")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        proc.communicate()
    found = modes(data)
    for name in ("alerts.jsonl", "events.jsonl", "state.sqlite", "agent-id", "quarantine"):
        assert name in found, sorted(found)
    assert [n for n in found if n.startswith("quarantine/")], "the store holds the shell"
    readable = {n: f"{m:04o}" for n, m in found.items() if m & 0o077}
    assert readable == {}, "group or others may read these"
    assert found["."] == 0o700

"""Faults of an admin's bad day, on real files: every shell is still alerted once the cause is
gone, without a restart, and an event says what happened."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.cli import main
from agent.config import Config
from tests.watcher.conftest import BENIGN, SHELL, Agent, make_config, read_jsonl, wait_for

RunAgent = Callable[[Config], Agent]
pytestmark = pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


needs_root = pytest.mark.skipif(not _root(), reason="needs root (chattr, mount)")


def _chattr(flag: str, path: Path) -> None:
    subprocess.run(["chattr", flag, str(path)], check=True, capture_output=True)


@needs_root
def test_an_immutable_alert_file_delays_alerts_but_loses_none(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    alerts = agent.data / "alerts.jsonl"
    try:
        _chattr("+i", alerts)
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.skip(f"chattr +i is not possible here: {e}")
    shells = set()
    try:
        for i in range(5):
            p = web_root / f"s{i}.aspx"
            p.write_bytes(SHELL + str(i).encode())
            shells.add(str(p))
        wait_for(lambda: bool(agent.events("alert-write-failed")), what="the write failure event")
        failed = agent.events("alert-write-failed")[0]
        assert failed["log"]["level"] == "error" and failed["webshell"]["path"] in shells
        # nothing is "done" while its alert is not on disk: a restart would scan them again
        assert agent.core.state is not None
        assert not any(agent.core.state.verdict(p) for p in shells)
        assert agent.core.health()["counts"]["alert_write_retries"] >= 1
    finally:
        _chattr("-i", alerts)
    wait_for(lambda: set(agent.alerted_paths()) == shells, what="every shell after the fault")
    assert max(agent.alerted_paths().values()) == 1
    wait_for(lambda: bool(agent.events("alert-write-recovered")), what="the recovery event")
    wait_for(agent.idle)
    assert all(agent.core.state.verdict(p) for p in shells)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "small"
    mnt.mkdir()
    if not _root():
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for block in (65536, 4096, 512):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * block)
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_raises_one_event_on_stderr_and_recovers_by_itself(
    tmp_path: Path,
    web_root: Path,
    agent_rules: Path,
    run_agent: RunAgent,
    small_tmpfs: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    cfg = make_config(tmp_path, [web_root], agent_rules, data_dir=small_tmpfs / "data")
    agent = run_agent(cfg)
    filler = _fill(small_tmpfs)
    shells = set()
    for i in range(10):
        p = web_root / f"full{i}.aspx"
        p.write_bytes(SHELL + str(i).encode())
        shells.add(str(p))
    err: list[str] = []

    def stderr_has(action: str) -> bool:
        err.append(capfd.readouterr().err)
        return any(f'"action":"{action}"' in chunk for chunk in err)

    wait_for(lambda: stderr_has("disk-full"), what="the disk-full event on stderr")
    lines = [json.loads(x) for x in "".join(err).splitlines() if x.startswith("{")]
    full = [d for d in lines if d["event"]["action"] == "disk-full"]
    assert len(full) == 1 and full[0]["log"]["level"] == "critical"
    assert full[0]["webshell"]["path"] == str(cfg.agent.data_dir)
    filler.unlink()  # space comes back: no restart
    wait_for(lambda: set(agent.alerted_paths()) == shells, what="every shell once there is space")
    wait_for(lambda: stderr_has("disk-full-cleared"), what="the cleared event")
    wait_for(agent.idle)
    assert max(agent.alerted_paths().values()) == 1
    assert all(agent.core.state is not None and agent.core.state.verdict(p) for p in shells)
    assert len([d for d in lines if d["event"]["action"] == "disk-full"]) == 1


def test_garbage_in_the_state_file_is_moved_aside_and_rebuilt(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    (web_root / "old.aspx").write_bytes(SHELL)
    (web_root / "page.aspx").write_bytes(BENIGN)
    cfg = make_config(tmp_path, [web_root], agent_rules)
    cfg.agent.data_dir.mkdir(parents=True)
    garbage = b"this is not a database\x00\xff" * 40
    (cfg.agent.data_dir / "state.sqlite").write_bytes(garbage)
    agent = run_agent(cfg)  # starts: the state is only a cache
    (ev,) = agent.events("state-corrupt")
    assert ev["log"]["level"] == "error"
    kept = Path(ev["webshell"]["moved_to"])
    assert kept.parent == cfg.agent.data_dir and kept.read_bytes() == garbage
    assert agent.alerted_paths() == {str(web_root / "old.aspx"): 1}
    assert agent.alerts()[0]["webshell"]["trigger"] == "baseline"
    assert agent.core.state is not None and agent.core.state.count() == 2


def _long_dir(base: Path, length: int, shell: str | None = "deep.aspx") -> str:
    """A directory whose path is longer than `length` bytes, made one level at a time by
    descriptor (no system call here gets a path beyond PATH_MAX), with a shell in it."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    path = str(base)
    try:
        while len(path) <= length:
            name = "d" * 200
            os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
            path = os.path.join(path, name)
        if shell is not None:
            _write_at(fd, shell)
    finally:
        os.close(fd)
    return path


def _write_at(folder: int, name: str) -> None:
    with open(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder), "wb") as f:
        f.write(SHELL)


def _write_deep(base: Path, path: str, name: str) -> None:
    """Write a shell into the folder `path` (beyond PATH_MAX) under base, by descriptors."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in os.path.relpath(path, base).split(os.sep):
            new = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
        _write_at(fd, name)
    finally:
        os.close(fd)


def test_a_shell_beyond_path_max_is_alerted_by_the_baseline(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    deep = _long_dir(web_root, 4200)
    (web_root / "near.aspx").write_bytes(SHELL)
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    shell = os.path.join(deep, "deep.aspx")
    assert len(os.fsencode(shell)) > 4096
    assert agent.alerted_paths() == {str(web_root / "near.aspx"): 1, shell: 1}
    assert agent.events("rescan-error") == []
    assert agent.events("watch-limit") == []  # not mistaken for the inotify watch limit
    # no watch can name the deep folders: a warning says so, with the first one's path
    wait_for(lambda: bool(agent.events("path-too-long")), 30, "the path-too-long warning")
    (ev,) = agent.events("path-too-long")
    assert ev["log"]["level"] == "warning"
    assert (
        deep.startswith(ev["webshell"]["path"]) and len(os.fsencode(ev["webshell"]["path"])) >= 4096
    )
    assert "PATH_MAX" in ev["message"]


def test_a_shell_written_beyond_path_max_while_running_is_alerted(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    """inotify cannot watch a folder beyond PATH_MAX: a file written into an existing one is
    found by the periodic rescan (short here), a folder made there by the walk of its parent."""
    deep = _long_dir(web_root, 4200, shell=None)
    cfg = make_config(tmp_path, [web_root], agent_rules)
    cfg = dataclasses.replace(cfg, watch=dataclasses.replace(cfg.watch, rescan_interval=1.0))
    agent = run_agent(cfg)
    assert agent.alerted_paths() == {}
    _write_deep(web_root, deep, "late.aspx")
    shell = os.path.join(deep, "late.aspx")
    wait_for(lambda: shell in agent.alerted_paths(), 60, "the late deep shell alerted")
    # the next rescans find it unchanged: alerted once, scanned once
    done = len(agent.events("rescan-finished"))
    wait_for(lambda: len(agent.events("rescan-finished")) >= done + 2, 60, "two more rescans")
    assert agent.alerted_paths() == {shell: 1}
    assert agent.scans[shell] == 1
    assert agent.events("rescan-error") == []


@pytest.mark.slow  # failed once under heavy load (cause not found yet): `make test-slow`
def test_a_folder_made_across_path_max_while_running_is_walked_live(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    """The last folder inotify can watch sees a new folder whose path is beyond PATH_MAX: the
    settle stage walks it by descriptors (no periodic rescan here)."""
    edge = _long_dir(web_root, 3850, shell=None)  # still watchable
    assert len(os.fsencode(edge)) < 4096
    agent = run_agent(make_config(tmp_path, [web_root], agent_rules))
    name = "e" * (4100 - len(os.fsencode(edge)))
    fd = os.open(web_root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in [*os.path.relpath(edge, web_root).split(os.sep), name]:
            if part == name:
                os.mkdir(name, dir_fd=fd)
            new = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
        _write_at(fd, "late.aspx")
    finally:
        os.close(fd)
    shell = os.path.join(edge, name, "late.aspx")
    assert len(os.fsencode(shell)) > 4096
    wait_for(lambda: shell in agent.alerted_paths(), 60, "the shell in the new deep folder")
    assert agent.events("rescan-error") == []


def test_a_one_off_scan_alerts_a_shell_beyond_path_max(
    tmp_path: Path, web_root: Path, agent_rules: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    deep = _long_dir(web_root, 4200)
    monkeypatch.setenv("WEBSHELL_AGENT_AGENT_DATA_DIR", str(tmp_path / "data"))
    argv = ["scan", "--no-default-rules", "--rules", str(agent_rules), "--no-cache"]
    assert main([*argv, "--format", "jsonl", str(web_root)]) == 1
    alerts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["file"]["path"] for a in alerts] == [os.path.join(deep, "deep.aspx")]


# -- the inotify watch limit, in a user namespace of its own ----------------------------------

_LIMIT = "/proc/sys/user/max_inotify_watches"


def _userns_works() -> str:
    try:
        out = subprocess.run(
            [
                "unshare",
                "--user",
                "--map-root-user",
                "sh",
                "-c",
                f"echo 5 > {_LIMIT} && cat {_LIMIT}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    return "" if out.stdout.strip() == "5" else (out.stderr.strip() or "limit not settable")


def test_the_watch_limit_is_reported_and_its_blind_spots_covered(
    tmp_path: Path, web_root: Path, agent_rules: Path
) -> None:
    """The agent in its own user namespace with max_user_watches = 40 (the host's limit is left
    alone) and 100 folders under the root; the limit is raised later from outside."""
    problem = _userns_works()
    if problem:
        pytest.skip(f"no user namespace with its own inotify limit here: {problem}")
    dirs = [web_root / f"site{i:03d}" for i in range(100)]
    for d in dirs:
        d.mkdir()
    data = tmp_path / "data"
    conf = tmp_path / "agent.toml"
    conf.write_text(
        "[agent]\nheartbeat_interval = 0\nlow_priority = false\n"
        "[watch]\nsettle = 0.3\nrescan_interval = 0\n[process]\nenabled = false\n",
        encoding="utf-8",
    )
    agent_cmd = [
        sys.executable, "-m", "agent", "run", "--config", str(conf), "--watch", str(web_root),
        "--data-dir", str(data), "--rules", str(agent_rules), "--no-default-rules", "--no-cache",
    ]  # fmt: skip
    script = f'echo 40 > {_LIMIT} && exec "$@"'
    proc = subprocess.Popen(
        ["unshare", "--user", "--map-root-user", "sh", "-c", script, "sh", *agent_cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def events(action: str) -> list[dict[str, object]]:
        return [d for d in read_jsonl(data / "events.jsonl") if d["event"]["action"] == action]  # type: ignore[index]

    def alerted() -> set[str]:
        return {a["file"]["path"] for a in read_jsonl(data / "alerts.jsonl")}

    try:
        wait_for(lambda: bool(events("ready")) or proc.poll() is not None, what="the start")
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        (limit,) = events("watch-limit")
        figures = limit["webshell"]
        assert figures["directories"] == 101 and figures["watched"] <= 40  # type: ignore[index]
        assert figures["unwatched"] == 101 - figures["watched"]  # type: ignore[index,operator]
        assert figures["limit"] == 40 and figures["sysctl"] == "fs.inotify.max_user_watches"  # type: ignore[index]
        assert "fs.inotify.max_user_watches" in str(limit["message"])
        # shells in every folder, watched or not, are found without any periodic rescan
        shells = set()
        for d in dirs:
            (d / "shell.aspx").write_bytes(SHELL)
            shells.add(str(d / "shell.aspx"))
        wait_for(lambda: alerted() == shells, what="a shell in every folder")
        # the admin raises the limit (inside the agent's namespace): full watches come back
        subprocess.run(
            ["nsenter", "-t", str(proc.pid), "-U", "sh", "-c", f"echo 100000 > {_LIMIT}"],
            check=True,
        )
        wait_for(lambda: bool(events("watch-limit-cleared")), what="the watches to come back")
        late = dirs[-1] / "late.aspx"
        late.write_bytes(SHELL + b"late")
        wait_for(lambda: str(late) in alerted(), what="a shell written after the limit was raised")
    finally:
        proc.terminate()
        proc.wait(30)
    assert proc.returncode == 0


def test_a_bad_output_table_stops_the_start_and_frees_the_data_folder(
    tmp_path: Path, web_root: Path, agent_rules: Path, run_agent: RunAgent
) -> None:
    import dataclasses

    from agent.errors import ConfigError
    from agent.runtime import Runtime

    cfg = make_config(tmp_path, [web_root], agent_rules)
    bad = dataclasses.replace(cfg, outputs=({"type": "carrier-pigeon"},))
    with pytest.raises(ConfigError):
        Runtime(bad).start()
    (web_root / "s.aspx").write_bytes(SHELL)
    agent = run_agent(cfg)  # the same data folder, in the same process: not "already open"
    assert agent.alerted_paths() == {str(web_root / "s.aspx"): 1}

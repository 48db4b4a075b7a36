"""Fixtures for the system tests: the packages built once, a booted machine per test module.

The tests need root, unshare and debootstrap (the rootfs is built once and cached). Without them
they skip with the reason; under CI (CI=true) that is a failure instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.system import machine as machine_mod
from tests.system import rootfs
from tests.system.machine import Machine, wait_for

ROOT = Path(__file__).resolve().parents[2]
# The user's cache, read at import: the suite's autouse fixture points XDG_CACHE_HOME elsewhere.
CACHE = rootfs.cache_dir()
UNIT = "webshell-agent.service"


def _need(reason: str | None) -> None:
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"system tests cannot run here but CI needs them: {reason}")
    pytest.skip(f"system tests: {reason}")


@pytest.fixture(scope="session")
def tarball() -> Path:
    _need(machine_mod.unavailable())
    return rootfs.ensure(CACHE)


@dataclass(frozen=True)
class Packages:
    deb: Path
    wheels: Path  # our wheel and the pinned dependencies' wheels (taken from the .deb)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory, tarball: Path) -> Packages:
    out = tmp_path_factory.mktemp("packages")
    built = subprocess.run(
        [str(ROOT / "packaging/debian/build-deb.sh"), "--out", str(out), "--python", sys.executable],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    deb = Path(built)
    unpacked = out / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    return Packages(deb, unpacked / "usr/share/webshell-agent/wheels")


@pytest.fixture(scope="module")
def machine(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Machine]:
    """A freshly booted machine for one test module; always powered off and removed after."""
    m = Machine(tarball, tmp_path_factory.mktemp("machine"))
    try:
        m.boot()
        yield m
    finally:
        m.shutdown()


# ---------------------------------------------------------------------- helpers for the tests


def show(m: Machine, *props: str) -> dict[str, str]:
    out = m.run(["systemctl", "show", "-p", ",".join(props), UNIT]).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def main_pid(m: Machine) -> int:
    return int(show(m, "MainPID")["MainPID"])


def wait_state(m: Machine, state: str, timeout: float) -> dict[str, str]:
    props: dict[str, str] = {}

    def reached() -> bool:
        nonlocal props
        props = show(m, "ActiveState", "SubState", "MainPID", "NRestarts", "Result")
        return props.get("ActiveState") == state

    try:
        wait_for(f"{UNIT} {state}", reached, timeout, every=0.1)
    except TimeoutError as e:
        raise AssertionError(f"{e}; last {props}; journal:\n{journal(m)[-3000:]}") from None
    return props


def journal(m: Machine, *args: str) -> str:
    return m.run(["journalctl", "--no-pager", "-u", UNIT, *args], check=False).stdout


def journal_records(m: Machine) -> list[dict[str, Any]]:
    out = m.run(["journalctl", "--no-pager", "-u", UNIT, "-o", "json"], check=False).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def jsonl(m: Machine, inside: str) -> list[dict[str, Any]]:
    path = m.path(inside)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def wait_alert(m: Machine, data_dir: str, web_path: str, timeout: float) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for alert in jsonl(m, f"{data_dir}/alerts.jsonl"):
            if alert.get("file", {}).get("path") == web_path:
                return alert
        return None

    return wait_for(f"an alert for {web_path}", found, timeout)  # type: ignore[return-value]


def wait_event(
    m: Machine, data_dir: str, action: str, after: int, timeout: float
) -> dict[str, Any]:
    """The first `action` event past the first `after` lines of events.jsonl."""

    def found() -> dict[str, Any] | None:
        for ev in jsonl(m, f"{data_dir}/events.jsonl")[after:]:
            if ev.get("event", {}).get("action") == action:
                return ev
        return None

    return wait_for(f"event {action}", found, timeout)  # type: ignore[return-value]


def timed(m: Machine, argv: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    done = m.run(argv, check=False)
    return done, time.monotonic() - t0


PROBE_RULE = """
rule WSA_System_Probe_{name}
{{
    meta:
        severity = "high"
    strings:
        $a = "WSA-SYSTEM-PROBE-{name}"
    condition:
        $a
}}
"""


def probe_rule(name: str) -> str:
    return PROBE_RULE.format(name=name)


def probe_file(name: str) -> str:
    return f"<?php /* WSA-SYSTEM-PROBE-{name} */ ?>\n"


def exposure(m: Machine) -> float:
    out = m.run(["systemd-analyze", "security", "--no-pager", UNIT], check=False).stdout
    for line in out.splitlines():
        if "Overall exposure level" in line:
            return float(line.split(":", 1)[1].split()[0])
    raise AssertionError(f"no exposure level in:\n{out}")

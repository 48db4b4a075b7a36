"""Shared fixtures: small real rule sets written per test, and the CLI run in-process."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from agent.cli import main

# Wall-clock checks are not behaviour: on a loaded 2-core CI machine one slow draw failed a
# property test ("input generation is slow") that passes anywhere else. Every property still
# runs its examples; only the timing verdicts are off.
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")

# A rule that keys on a trait, one that uses the filename external, one with a numeric score.
TEST_RULES = r"""
rule T_Eval_Request
{
    meta:
        description = "eval of request data"
        family = "Test Family"
        severity = "critical"
        id = "WSA-GEN-900"
    strings:
        $a = "eval(Request" nocase
    condition:
        $a
}

rule T_Name_Indicator
{
    meta:
        severity = "low"
    condition:
        filename matches /^shell_[0-9]+\.aspx$/ and extension == ".aspx"
}

rule T_Scored
{
    meta:
        score = 75
    strings:
        $b = "MARKER-SCORED-75"
    condition:
        $b
}
"""

SHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>'


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "test.yar").write_text(TEST_RULES, encoding="utf-8")
    return d


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cache and data folders per test, never the user's own."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("WEBSHELL_AGENT_AGENT_DATA_DIR", str(base / "data" / "webshell-agent"))
    monkeypatch.setenv("WEBSHELL_AGENT_RULES_CACHE_DIR", str(base / "cache" / "webshell-agent"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> object:
    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leaked = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.startswith("pytest_timeout")
    ]
    for t in leaked:
        t.join(timeout=5)
    still = [t.name for t in leaked if t.is_alive()]
    assert not still, f"threads leaked by the test: {still}"


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0

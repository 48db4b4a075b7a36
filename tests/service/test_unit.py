"""The systemd unit: packaged = rendered, systemd-analyze accepts it, exposure <= 2.5."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent.service.unit import render_unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "packaging" / "systemd" / "webshell-agent.service"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze not installed")


def test_packaged_unit_is_the_rendered_one() -> None:
    assert PACKAGED.read_text(encoding="utf-8") == render_unit()


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(\w+)=(.*)", line)
        if m:
            found.setdefault(m.group(1), []).append(m.group(2))
    return found


def test_unit_has_the_promised_hardening() -> None:
    d = directives(render_unit())
    assert d["Type"] == ["notify"] and d["Restart"] == ["on-failure"]
    assert d["User"] == ["webshell-agent"] and d["NoNewPrivileges"] == ["yes"]
    assert d["AmbientCapabilities"] == d["CapabilityBoundingSet"] == ["CAP_DAC_READ_SEARCH"]
    assert d["ProtectSystem"] == ["strict"] and d["ProtectHome"] == ["read-only"]
    assert d["ReadWritePaths"] == ["/var/lib/webshell-agent /var/cache/webshell-agent"]
    assert d["PrivateTmp"] == ["yes"] and d["IOSchedulingClass"] == ["idle"]
    assert d["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]
    assert d["SystemCallFilter"][0] == "@system-service"
    assert d["ConditionPathExists"] == ["/etc/webshell-agent/agent.toml"]
    assert d["ExecStart"] == ["/usr/bin/webshell-agent run --config /etc/webshell-agent/agent.toml"]


def test_render_quotes_awkward_paths() -> None:
    d = directives(render_unit(("/opt/my agent/bin/python", "-m", "agent"), "svc", "/etc/a b.toml"))
    assert d["ExecStart"] == ["'/opt/my agent/bin/python' -m agent run --config '/etc/a b.toml'"]
    assert d["User"] == d["Group"] == ["svc"]


@needs_analyze
def test_systemd_analyze_verify_passes(tmp_path: Path) -> None:
    # Rendered for this interpreter: verify checks that ExecStart exists and is executable.
    unit = tmp_path / "webshell-agent.service"
    unit.write_text(render_unit((sys.executable, "-m", "agent")), encoding="utf-8")
    done = subprocess.run([ANALYZE, "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


@needs_analyze
def test_packaged_unit_only_misses_the_deb_executable() -> None:
    done = subprocess.run([ANALYZE, "verify", str(PACKAGED)], capture_output=True, text=True)
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    if Path("/usr/bin/webshell-agent").exists():
        assert problems == []
    else:  # not installed from the .deb here: that is the one complaint allowed
        assert all("/usr/bin/webshell-agent is not executable" in p for p in problems), problems


def exposure(unit: Path) -> float:
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True, text=True,
    )  # fmt: skip
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout + done.stderr)
    assert m, done.stdout + done.stderr
    return float(m.group(1))


@needs_analyze
def test_exposure_score_is_at_most_2_5() -> None:
    assert exposure(PACKAGED) <= 2.5


@needs_analyze
def test_exposure_score_notices_a_weakened_unit(tmp_path: Path) -> None:
    # The measurement can fail: the same unit without its sandbox scores far worse.
    weak = "\n".join(
        line for line in render_unit().splitlines()
        if not line.startswith(("Protect", "Private", "Restrict", "SystemCall", "Capability"))
    )  # fmt: skip
    unit = tmp_path / "webshell-agent.service"
    unit.write_text(weak + "\n", encoding="utf-8")
    assert exposure(unit) > 2.5

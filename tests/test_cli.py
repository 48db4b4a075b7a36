"""The command table: every command loads, registers itself under its name, and has help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agent.cli import build_parser
from agent.commands import COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_registers_under_its_name(name: str) -> None:
    parser = build_parser([name, "--help"])
    with pytest.raises(SystemExit) as e:
        parser.parse_args([name, "--help"])
    assert e.value.code == 0


def _loaded_after(setup: str, modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh interpreter holds after running `setup`."""
    code = f"import sys; {setup}; print(sorted(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_a_one_off_scan_does_not_import_the_agent_machinery() -> None:
    setup = "from agent.cli import build_parser; build_parser(['scan', 'x'])"
    assert _loaded_after(setup, ("watchdog", "structlog", "agent.runtime")) == "[]"


def test_the_watching_agent_loads_no_optional_machinery_it_does_not_use() -> None:
    # Idle RSS budget (docs/agent.md): HTTP outputs, TLS, rule-bundle fetching and IIS config
    # parsing are imported where they are used, not by every agent.
    optional = ("http.client", "urllib.request", "email", "xml.etree", "decimal", "ssl")
    assert _loaded_after("import agent.commands.run, agent.runtime", optional) == "[]"

"""Configuration: defaults < file < environment < flags, with errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent import config
from agent.errors import ConfigError


def test_file_then_env(tmp_path: Path) -> None:
    f = tmp_path / "agent.toml"
    f.write_text(
        '[scan]\nmax_size = "5MiB"\nthreads = 3\nexclude = ["*/cache/*"]\n[watch]\npresets = ["exchange"]\n'
    )
    cfg = config.load(f, environ={"WEBSHELL_AGENT_SCAN_THREADS": "4"})
    assert cfg.scan.max_size == 5 * 1024 * 1024 and cfg.scan.threads == 4
    assert cfg.scan.exclude == ("*/cache/*",) and cfg.watch.presets == ("exchange",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scan]\nthreds = 2\n", "scan.threds: unknown key 'threds'"),
        ("[scan]\nthreads = 'many'\n", "scan.threads: expected int"),
        ("[watch]\npresets = ['sharepoint']\n", "'sharepoint' is not one of"),
        ("[nope]\n", "unknown section 'nope'"),
        ("[scan]\nmax_size = '5 parsecs'\n", "not a size"),
        ("scan = 3\n", "expected a [scan] table"),
        ("[scan\n", "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "agent.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as e:
        config.load(f, environ={})
    assert message in str(e.value) and str(f) in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "none.toml", environ={})


def test_outputs_stay_raw_tables(tmp_path: Path) -> None:
    f = tmp_path / "agent.toml"
    f.write_text('[[outputs]]\ntype = "syslog"\naddress = "127.0.0.1:6514"\n')
    assert config.load(f, environ={}).outputs == ({"type": "syslog", "address": "127.0.0.1:6514"},)


def test_check_reports_missing_folders(tmp_path: Path) -> None:
    cfg = config.merge(config.Config(), {"watch": {"roots": [str(tmp_path / "missing")]}}, "t")
    assert any("missing: not a directory" in p for p in config.check(cfg))


@given(st.integers(0, 2**40), st.sampled_from(["", "B", "KiB", "MiB", "GiB", "kb", "MB"]))
def test_parse_size(n: int, unit: str) -> None:
    factor = {
        "": 1,
        "B": 1,
        "KiB": 1024,
        "MiB": 1024**2,
        "GiB": 1024**3,
        "kb": 1000,
        "MB": 1000**2,
    }[unit]
    assert config.parse_size(f"{n}{unit}") == n * factor

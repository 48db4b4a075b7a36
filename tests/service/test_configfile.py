"""The one example config explains every key of agent.config, loads, passes `config check`, and
is the shipped file (wheel, .deb, `service install`)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agent import config as cfgmod
from agent.service import configfile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "agent" / "data" / "agent.example.toml"


def config_keys() -> set[tuple[str, str]]:
    keys = set()
    for section in dataclasses.fields(cfgmod.Config):
        if section.name == "outputs":
            continue
        value = getattr(cfgmod.Config(), section.name)
        for f in dataclasses.fields(value):
            sub = getattr(value, f.name)
            if dataclasses.is_dataclass(sub):  # a nested table, e.g. [rules.update]
                keys |= {(f"{section.name}.{f.name}", g.name) for g in dataclasses.fields(sub)}
            else:
                keys.add((section.name, f.name))
    return keys


def uncommented(text: str) -> str:
    """Turn every `# key = value` (and `# [[outputs]]`) line into the real thing."""
    return re.sub(r"^# (\w+ = .*|\[\[outputs\]\])$", r"\1", text, flags=re.M)


def test_every_config_key_is_explained_in_the_example() -> None:
    documented = {(s, k) for s, k, _, _ in configfile.KEYS}
    assert config_keys() - documented == set(), "add the new keys to configfile.KEYS"
    assert documented - config_keys() == set(), "configfile.KEYS names keys config.py lacks"
    text = EXAMPLE.read_text(encoding="utf-8")
    sections = {s: i for i, s in enumerate(re.findall(r"^\[([\w.]+)\]$", text, flags=re.M))}
    for section, key in config_keys():
        assert re.search(rf"^(# )?{key} = ", text, flags=re.M), f"{section}.{key} missing"
        assert section in sections


def test_shipped_example_is_the_rendered_one() -> None:
    assert EXAMPLE.read_text(encoding="utf-8") == configfile.example(), (
        "regenerate: python -m agent.service.configfile > agent/data/agent.example.toml"
    )
    assert configfile.shipped_example() == configfile.example()
    assert configfile.example() == configfile.service_default(
        False, "/var/lib/webshell-agent", "/var/cache/webshell-agent"
    )


def test_example_loads_as_is_and_with_every_key_set(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_text(configfile.example(), encoding="utf-8")
    as_is = cfgmod.load_file(path)
    assert as_is.watch.presets == ("auto",)
    assert as_is.agent.data_dir == Path("/var/lib/webshell-agent")
    assert as_is.rules.cache_dir == Path("/var/cache/webshell-agent")
    assert dataclasses.replace(as_is, agent=cfgmod.Config().agent, rules=cfgmod.Config().rules,
                               watch=cfgmod.Config().watch) == cfgmod.Config()  # fmt: skip
    path.write_text(uncommented(configfile.example()), encoding="utf-8")
    loaded = cfgmod.load_file(path)
    assert loaded.scan.max_size == 20 * 1024 * 1024
    assert loaded.watch.presets == ("auto",)
    assert loaded.agent.data_dir == Path("/var/lib/webshell-agent")
    assert loaded.outputs[0]["type"] == "syslog"


@pytest.mark.parametrize("windows", [False, True])
def test_service_default_config_loads_with_the_right_preset(tmp_path: Path, windows: bool) -> None:
    data = r"C:\ProgramData\webshell-agent" if windows else "/var/lib/webshell-agent"
    text = configfile.service_default(windows, data, data + ("\\cache" if windows else "/cache"))
    parsed = tomllib.loads(text)
    assert parsed["watch"]["presets"] == (["exchange", "iis"] if windows else ["auto"])
    assert parsed["agent"]["data_dir"] == data  # backslashes survive (TOML literal string)
    path = tmp_path / "agent.toml"
    path.write_text(text, encoding="utf-8")
    assert cfgmod.load_file(path).watch.presets == tuple(parsed["watch"]["presets"])


def test_render_rejects_unknown_keys() -> None:
    with pytest.raises(KeyError):
        configfile.render({("scan", "no_such_key"): "1"})


def test_toml_string_round_trips_awkward_paths() -> None:
    for value in [r"C:\a\b", "it's", "/x y/z", 'q"uote', "tab\tx"]:
        assert tomllib.loads(f"v = {configfile.toml_string(value)}")["v"] == value


def test_example_passes_config_check_with_its_output_example(tmp_path: Path) -> None:
    """The file as shipped, with the [[outputs]] example uncommented and a real folder in place of
    what preset auto finds on a web server (the system tests check the file verbatim)."""
    www = tmp_path / "www"
    www.mkdir()
    text = configfile.example()
    assert 'presets = ["auto"]' in text
    text = text.replace('presets = ["auto"]', f"roots = [{configfile.toml_string(str(www))}]")
    text = re.sub(r"^# (\[\[outputs\]\]|type = .*|address = .*)$", r"\1", text, flags=re.M)
    assert "\n[[outputs]]\n" in text
    path = tmp_path / "agent.toml"
    path.write_text(text.replace("/var/lib/", str(tmp_path) + "/"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "agent", "config", "check", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(": OK")


def test_config_check_fails_a_config_with_nothing_to_watch(tmp_path: Path) -> None:
    path = tmp_path / "agent.toml"
    path.write_text("[scan]\nthreads = 1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "agent", "config", "check", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "nothing to watch" in done.stderr

"""`webshell-agent config check FILE`: clear messages, exit 0 or 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli import main


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    f = tmp_path / "agent.toml"
    f.write_text(text, encoding="utf-8")
    code = main(["config", "check", str(f)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_a_good_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    www = tmp_path / "www"
    www.mkdir()
    code, text = check(
        tmp_path,
        f'[watch]\nroots = ["{www}"]\nsettle = 0.5\n[scan]\nmax_size = "5MiB"\nthreads = 2\n'
        f'exclude = ["*/cache/*"]\n[agent]\ncpu_budget = 0.25\nheartbeat_interval = 30\n',
        capsys,
    )
    assert code == 0, text
    assert "OK" in text


def test_unknown_key_is_named_with_its_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = check(tmp_path, "[watch]\nrootz = []\n", capsys)
    assert code == 2
    assert "watch.rootz" in text and "unknown key" in text and "roots" in text


def test_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(tmp_path, '[scan]\nthreads = "many"\n', capsys)
    assert code == 2 and "scan.threads" in text and "expected int" in text


def test_missing_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(
        tmp_path,
        f'[watch]\nroots = ["{tmp_path}/nope"]\n[rules]\npaths = ["{tmp_path}/r"]\n',
        capsys,
    )
    assert code == 2
    assert "watch.roots" in text and "not a directory" in text
    assert "rules.paths" in text and "does not exist" in text


def test_not_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(tmp_path, "[watch\n", capsys)
    assert code == 2 and "not valid TOML" in text


def test_presets_report_what_they_find(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(tmp_path, f'[watch]\nroots = ["{tmp_path}"]\npresets = ["nginx"]\n', capsys)
    assert code == 0
    assert "preset nginx:" in text


def test_the_documented_example_is_a_valid_config() -> None:
    from agent import config as cfgmod

    example = Path(__file__).resolve().parents[1] / "agent" / "data" / "agent.example.toml"
    cfg = cfgmod.load_file(example)  # raises on any unknown key or wrong type
    assert cfg.watch.presets == ("auto",)
    assert cfg.scan.max_size == 20 * 1024 * 1024


def test_bad_output_table_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = check(
        tmp_path,
        '[[outputs]]\ntype = "syslog"\naddress = "127.0.0.1:6514"\ntransport = "tcp"\nformat = "cfe"\n',
        capsys,
    )
    assert code == 2
    assert "outputs[0] (syslog).format" in text and "cfe" in text


def test_every_error_is_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = check(
        tmp_path,
        '[scan]\nthreads = "many"\nmax_size = "huge"\nbogus = 1\n'
        '[watch]\nroots = ["/nonexistent/www"]\n'
        "[nosuchsection]\nx = 1\n"
        '[[outputs]]\ntype = "syslog"\naddress = "nohost"\nformat = "cfe"\nfromat = 1\n'
        '[[outputs]]\ntype = "hec"\nname = "splunk"\n',
        capsys,
    )
    assert code == 2
    lines = [ln for ln in text.splitlines() if "config error" in ln]
    for where in (
        "scan.threads",
        "scan.max_size",
        "scan.bogus",
        "watch.roots",
        "nosuchsection",
        "outputs[0] (syslog).address",
        "outputs[0] (syslog).format",
        "outputs[0] (syslog).fromat",
        "outputs[1] (splunk).url",
        "outputs[1] (splunk).token",
    ):
        assert sum(where in ln for ln in lines) == 1, (where, lines)
    assert len(lines) == 10

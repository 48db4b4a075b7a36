"""The command line behaves like the tools admins know: help for everything, global options
anywhere, -q, one --format spelling, versions, a stable order, no trace on a bad start."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from agent.cli import build_parser, subparsers
from agent.commands.scan import progress_line
from agent.rules import load_rules
from agent.summary import Summary
from tests.conftest import SHELL


def walk(parser: argparse.ArgumentParser, path: str = "webshell-agent") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [(path, parser)]
    for name, child in subparsers(parser):
        found += walk(child, f"{path} {name}")
    return found


def test_every_command_and_option_has_help() -> None:
    missing = []
    for where, parser in walk(build_parser([], every=True)):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    if not (choice.help or "").strip():
                        missing.append(f"{where} {choice.dest}")
            elif action.help is not argparse.SUPPRESS and not (action.help or "").strip():
                missing.append(f"{where} {'/'.join(action.option_strings) or action.dest}")
        if where != "webshell-agent" and not (parser.description or parser.format_usage()):
            missing.append(where)
    assert missing == []


def test_one_format_spelling_everywhere() -> None:
    spellings = set()
    for where, parser in walk(build_parser([], every=True)):
        for action in parser._actions:
            if "--json" in action.option_strings:
                assert action.help is argparse.SUPPRESS, f"{where}: --json is only an old alias"
            if "--format" in action.option_strings:
                spellings.add(where)
    for command in ("scan", "eval", "processes", "rules list", "quarantine list", "service status"):
        assert f"webshell-agent {command}" in spellings


def test_global_options_before_or_after_the_subcommand(cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[scan]\nthreads = 'x'\n")
    before = cli("--config", str(bad), "rules", "list")
    after = cli("rules", "list", "--config", str(bad))
    assert before.code == after.code == 2
    assert "scan.threads" in before.err and before.err == after.err
    with pytest.raises(Exception, match=r"scan\.threads"):
        cli("rules", "list", "--config", str(bad), "--debug")  # --debug after: a traceback
    with pytest.raises(Exception, match=r"scan\.threads"):
        cli("--debug", "rules", "list", "--config", str(bad))


def test_version_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import yara

    from agent.cli import main

    with pytest.raises(SystemExit):
        main(["--version"])
    text = capsys.readouterr().out
    assert f"libyara {yara.YARA_VERSION}" in text and "webshell-agent " in text
    (rule_set,) = re.findall(r"rule set ([0-9a-f]{16})", text)
    assert load_rules((), default_rules=True, cache_dir=tmp_path).digest[:16] == rule_set


def test_scan_quiet_prints_only_findings(cli: Any, rules_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "a.aspx").write_bytes(SHELL)
    (root / "b.php").write_text("<?php echo 1;")
    r = cli("scan", "-q", "--rules", str(rules_dir), "--no-default-rules", str(root))
    assert r.code == 1
    assert r.out.startswith("FOUND") and "Scanned" not in r.out + r.err
    assert r.out.count("FOUND") == 1
    r = cli(
        "scan",
        "-q",
        "--format",
        "jsonl",
        "--rules",
        str(rules_dir),
        "--no-default-rules",
        str(root),
    )
    assert len(r.out.splitlines()) == 1 and r.err == ""


def test_findings_come_out_in_walk_order(cli: Any, rules_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "www"
    for i in range(60):
        d = root / f"d{i % 7}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"s{i:02d}.aspx").write_bytes(SHELL + b"x" * (i * 997 % 5000))
    args = ["scan", "--threads", "4", "--rules", str(rules_dir), "--no-default-rules", str(root)]
    # the findings, without the closing summary line and its timing
    texts = [cli(*args).out.rsplit("Scanned", 1)[0] for _ in range(3)]
    jsonl = cli(*args, "--format", "jsonl").out
    paths = [json.loads(line)["file"]["path"] for line in jsonl.splitlines()]
    assert paths == sorted(paths) and len(paths) == 60
    found = [line.split()[-1] for line in texts[0].splitlines() if line.startswith("FOUND")]
    assert found == paths and texts[0] == texts[1] == texts[2]


def test_progress_line_shows_total_and_eta_once_counted() -> None:
    s = Summary(files=250)
    assert "ETA" not in progress_line(s, 10.0, None)
    line = progress_line(s, 10.0, 1000)  # 25 files/s, 750 to go: 30 s
    assert "250/1,000 files" in line and "ETA 0:30" in line


def test_run_with_nothing_to_watch_exits_2_and_leaves_no_trace(cli: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = cli("run", "--data-dir", str(data))
    assert r.code == 2 and "nothing to watch" in r.err
    assert not data.exists()


def test_eval_and_service_status_take_format_and_rules_test_takes_rules() -> None:
    parser = build_parser([], every=True)
    assert parser.parse_args(["eval", "c", "--format", "json"]).format == "json"
    assert parser.parse_args(["eval", "c", "--json"]).format == "json"
    assert parser.parse_args(["service", "status", "--format", "json"]).format == "json"
    assert parser.parse_args(["rules", "test", "--rules", "sigs"]).signatures == Path("sigs")

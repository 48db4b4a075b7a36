"""`webshell-agent eval` on a tiny synthetic corpus: per language, per source, hold-out, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHELL

BENIGN = b"<% Response.Write(Now()) %>"


def _corpus(root: Path) -> Path:
    files = {
        "malicious/alice+shells/a1.aspx": SHELL,
        "malicious/alice+shells/a2.asp": SHELL,
        "malicious/alice+shells/a3.asp": b"<% x = 1 %>",  # missed
        "malicious/bob+kit/b1.php": SHELL,
        "malicious/bob+kit/b2.php": b"<?php echo 1;",  # missed
        "malicious/loose.jsp": SHELL,
        "benign/carol+cms/c1.asp": BENIGN,
        "benign/carol+cms/c2.asp": SHELL,  # flagged
        "benign/dave+app/d1.php": BENIGN,
        "benign/alice+shells/x.php": BENIGN,  # a source with files under both labels
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def _eval(cli: Any, corpus: Path, rules: Path, *extra: str) -> dict[str, Any]:
    r = cli("eval", str(corpus), "--no-default-rules", "--rules", str(rules), "--format", "json", *extra)  # fmt: skip
    assert r.code == 0, r.err
    doc: dict[str, Any] = json.loads(r.out)
    return doc


def test_rates_by_language_and_by_source(cli: Any, tmp_path: Path, rules_dir: Path) -> None:
    doc = _eval(cli, _corpus(tmp_path / "c"), rules_dir)
    assert doc["all"]["malicious"] == 6 and doc["all"]["detected"] == 4
    assert doc["all"]["benign"] == 4 and doc["all"]["flagged"] == 1
    asp = doc["languages"]["ASP"]
    assert (asp["malicious"], asp["detected"], asp["benign"], asp["flagged"]) == (2, 1, 2, 1)
    mal = doc["sources"]["malicious"]
    assert set(mal) == {"alice+shells", "bob+kit", "-"}
    assert mal["alice+shells"]["all"] == {"malicious": 3, "detected": 2, "detection_rate": 0.6667}
    assert set(mal["alice+shells"]["languages"]) == {"ASP", "ASPX family"}
    assert doc["sources"]["benign"]["alice+shells"]["all"]["benign"] == 1
    assert mal["bob+kit"]["languages"]["PHP"]["detection_rate"] == 0.5
    ben = doc["sources"]["benign"]
    assert ben["carol+cms"]["all"] == {"benign": 2, "flagged": 1, "false_positive_rate": 0.5}
    assert ben["dave+app"]["all"]["flagged"] == 0
    assert "groups" not in doc
    assert doc["benign_flagged"][0].endswith("c2.asp")


def test_hold_out_reports_tuned_and_held_out_apart(
    cli: Any, tmp_path: Path, rules_dir: Path
) -> None:
    doc = _eval(cli, _corpus(tmp_path / "c"), rules_dir, "--hold-out", "bob/kit", "carol+cms")
    assert doc["hold_out"] == ["bob+kit", "carol+cms"]
    held, tuned = doc["groups"]["held_out"]["all"], doc["groups"]["tuned"]["all"]
    assert (held["malicious"], held["detected"], held["benign"], held["flagged"]) == (2, 1, 2, 1)
    tuned_row = (tuned["malicious"], tuned["detected"], tuned["benign"], tuned["flagged"])
    assert tuned_row == (4, 3, 2, 0)
    assert doc["sources"]["malicious"]["bob+kit"]["held_out"] is True
    assert doc["sources"]["malicious"]["alice+shells"]["held_out"] is False
    assert doc["groups"]["held_out"]["languages"]["PHP"]["detection_rate"] == 0.5


def test_unknown_hold_out_source_is_a_usage_error(
    cli: Any, tmp_path: Path, rules_dir: Path
) -> None:
    r = cli("eval", str(_corpus(tmp_path / "c")), "--no-default-rules", "--rules", str(rules_dir),
            "--hold-out", "nobody+here")  # fmt: skip
    assert r.code == 2
    assert "nobody+here" in r.err


def test_text_report_names_sources_and_groups(cli: Any, tmp_path: Path, rules_dir: Path) -> None:
    r = cli("eval", str(_corpus(tmp_path / "c")), "--no-default-rules", "--rules", str(rules_dir),
            "--hold-out", "bob+kit")  # fmt: skip
    assert r.code == 0, r.err
    assert "malicious by source" in r.out
    assert "bob+kit (held out)" in r.out
    assert "held-out" in r.out and "tuned" in r.out


@pytest.mark.parametrize("flag", [["--json"], ["--format", "json"]])
def test_json_flag_and_format_agree(
    cli: Any, tmp_path: Path, rules_dir: Path, flag: list[str]
) -> None:
    r = cli("eval", str(_corpus(tmp_path / "c")), "--no-default-rules", "--rules", str(rules_dir), *flag)  # fmt: skip
    assert json.loads(r.out)["all"]["detected"] == 4

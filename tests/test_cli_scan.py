"""`webshell-agent scan` end to end: exit codes, every format, hostile names, errors."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import SHELL, is_root


@pytest.fixture
def web(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "aspnet_client" / "system_web").mkdir(parents=True)
    (root / "aspnet_client" / "system_web" / "x.aspx").write_bytes(SHELL)
    (root / "index.php").write_text("<?php echo 1;")
    # not a web extension and no server-side code marker: sniffed, not scanned (unless
    # --all-files), although it names what the rule looks for
    (root / "readme.txt").write_bytes(b"notes: the shell calls eval(Request.Item) ...\n")
    (root / "UPPER.ASPX").write_bytes(SHELL)  # extensions are case-insensitive
    return root


def _scan(cli: Any, rules_dir: Path, *args: str) -> Any:
    return cli("scan", "--rules", str(rules_dir), "--no-default-rules", "--no-progress", *args)


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema, vendored as test data (origin: tests/data/sarif/SOURCE.md)."""
    text = (Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(
        encoding="utf-8"
    )
    return dict(json.loads(text))


def test_exit_1_and_text_report(cli: Any, rules_dir: Path, web: Path) -> None:
    r = _scan(cli, rules_dir, str(web))
    assert r.code == 1
    assert r.out.count("FOUND") == 2
    assert "x.aspx" in r.out and "UPPER.ASPX" in r.out and "readme.txt" not in r.out
    assert "Scanned 4 files" in r.out and "2 matched" in r.out
    assert "skipped: no_server_code 1" in r.out  # readme.txt: sniffed, not scanned


def test_all_files_takes_every_extension(cli: Any, rules_dir: Path, web: Path) -> None:
    r = _scan(cli, rules_dir, str(web), "--all-files", "--format", "json")
    doc = json.loads(r.out)
    assert doc["summary"]["files"] == 4 and doc["summary"]["matched"] == 3


def test_exit_0_on_clean_and_empty(cli: Any, rules_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "ok.php").write_text("<?php echo 1;")
    assert _scan(cli, rules_dir, str(tmp_path)).code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    r = _scan(cli, rules_dir, str(empty))
    assert r.code == 0 and "Scanned 0 files" in r.out


def test_missing_path_exit_2_one_line_no_traceback(
    cli: Any, rules_dir: Path, tmp_path: Path
) -> None:
    r = _scan(cli, rules_dir, str(tmp_path / "does-not-exist"))
    assert r.code == 2
    lines = [ln for ln in r.err.splitlines() if ln]
    assert len(lines) == 1 and "does-not-exist" in lines[0] and "Traceback" not in r.err


def test_found_wins_over_errors(cli: Any, rules_dir: Path, web: Path, tmp_path: Path) -> None:
    assert _scan(cli, rules_dir, str(web), str(tmp_path / "nope")).code == 1


def test_broken_rule_file_is_an_error_but_scan_runs(
    cli: Any, rules_dir: Path, tmp_path: Path
) -> None:
    (rules_dir / "broken.yar").write_text("rule {")
    (tmp_path / "ok.php").write_text("<?php echo 1;")
    r = _scan(cli, rules_dir, str(tmp_path / "ok.php"))
    assert r.code == 2 and "broken.yar:1:" in r.err and "Scanned 1 file (" in r.out


def test_no_rules_at_all(cli: Any, tmp_path: Path) -> None:
    r = cli("scan", "--no-default-rules", str(tmp_path))
    assert r.code == 2 and "no rules" in r.err


def test_jsonl_is_alerts_only(cli: Any, rules_dir: Path, web: Path) -> None:
    r = _scan(cli, rules_dir, str(web), "--format", "jsonl")
    lines = r.out.splitlines()
    assert len(lines) == 2
    docs = [json.loads(ln) for ln in lines]
    for d in docs:
        assert d["event"]["kind"] == "alert" and d["event"]["severity"] == 99
        assert d["threat"]["technique"]["subtechnique"]["id"] == ["T1505.003"]
        assert d["rule"]["name"] == ["T_Eval_Request"]
        assert d["webshell"]["matches"][0]["strings"][0]["excerpt"] == "eval(Request"
        assert d["file"]["hash"]["sha256"] in d["related"]["hash"]
    assert "Scanned 4 files" in r.err  # the summary goes to stderr


def test_event_id_is_stable_across_runs(cli: Any, rules_dir: Path, web: Path) -> None:
    ids = [
        sorted(
            json.loads(ln)["event"]["id"]
            for ln in _scan(cli, rules_dir, str(web), "--format", "jsonl").out.splitlines()
        )
        for _ in range(2)
    ]
    assert ids[0] == ids[1] and len(set(ids[0])) == 2


def test_json_document(cli: Any, rules_dir: Path, web: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    r = _scan(cli, rules_dir, str(web), "--format", "json", "--output", str(out))
    assert r.code == 1 and r.out == ""
    doc = json.loads(out.read_text())
    assert doc["summary"]["matched"] == 2 and len(doc["alerts"]) == 2
    assert [a["file"]["name"] for a in doc["alerts"]] == sorted(
        a["file"]["name"] for a in doc["alerts"]
    )


def test_sarif_validates_against_the_official_schema(cli: Any, rules_dir: Path, web: Path) -> None:
    r = _scan(cli, rules_dir, str(web), "--format", "sarif")
    doc = json.loads(r.out)
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    run = doc["runs"][0]
    assert len(run["results"]) == 2 and run["tool"]["driver"]["rules"][0]["id"] == "T_Eval_Request"
    assert all(
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")
        for res in run["results"]
    )


def test_sarif_names_a_file_with_a_backslash_as_itself(
    cli: Any, rules_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "na\\me.aspx").write_bytes(SHELL)
    r = _scan(cli, rules_dir, str(root), "--format", "sarif")
    (res,) = json.loads(r.out)["runs"][0]["results"]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("/www/na%5Cme.aspx")


def test_exclude_glob(cli: Any, rules_dir: Path, web: Path) -> None:
    r = _scan(cli, rules_dir, str(web), "--exclude", "*/aspnet_client/*", "--format", "json")
    doc = json.loads(r.out)
    assert [a["file"]["name"] for a in doc["alerts"]] == ["UPPER.ASPX"]


def test_max_size(cli: Any, rules_dir: Path, web: Path) -> None:
    doc = json.loads(_scan(cli, rules_dir, str(web), "--max-size", "20B", "--format", "json").out)
    assert doc["summary"]["matched"] == 0
    assert doc["summary"]["skipped"] == {"too_large": 2, "no_server_code": 1}


def test_hostile_names_reported_intact_and_escaped(
    cli: Any, rules_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "www"
    root.mkdir()
    names = [b'new\nline "quoted".aspx', b"bad-\xff\xfe-utf8.aspx", b"tab\there;|=\\.aspx"]
    for n in names:
        with open(os.path.join(os.fsencode(root), n), "wb") as fh:
            fh.write(SHELL)
    r = _scan(cli, rules_dir, str(root), "--format", "jsonl")
    docs = [json.loads(ln) for ln in r.out.splitlines()]
    assert len(docs) == 3
    raw_names = set()
    for d in docs:
        b64 = d["webshell"]["file"].get("path_bytes_b64")
        raw = base64.b64decode(b64) if b64 else d["file"]["path"].encode()
        raw_names.add(os.path.basename(raw))
    assert raw_names == set(names)
    text = _scan(cli, rules_dir, str(root)).out
    assert 'new\\nline "quoted".aspx' in text and "\\xff" in text
    assert all(not ln.startswith('line "quoted"') for ln in text.splitlines())  # no forged line


def test_symlink_loop_and_fifo_in_tree(cli: Any, rules_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "www"
    (root / "a").mkdir(parents=True)
    (root / "a" / "loop").symlink_to(root)
    os.mkfifo(root / "pipe.php")
    (root / "a" / "s.aspx").write_bytes(SHELL)
    r = _scan(cli, rules_dir, str(root), "--format", "json")
    doc = json.loads(r.out)
    assert doc["summary"]["matched"] == 1 and doc["summary"]["files"] == 3
    # the FIFO and the looping link: counted, never opened
    assert doc["summary"]["skipped"] == {"not_regular": 1, "symlink": 1}


def test_unreadable_file_is_an_error(rules_dir: Path, tmp_path: Path) -> None:
    """The real CLI; as root it runs without the capabilities that bypass file permissions."""
    root = tmp_path / "www"
    root.mkdir()
    secret = root / "secret.aspx"
    secret.write_bytes(SHELL)
    secret.chmod(0)
    (root / "open.php").write_text("<?php echo 1;")
    cmd = [
        sys.executable,
        "-m",
        "agent",
        "scan",
        "--no-progress",
        "--no-default-rules",
        "--no-cache",
        "--rules",
        str(rules_dir),
        str(root),
    ]
    if is_root():
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
        cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]
    env = dict(os.environ, WEBSHELL_AGENT_AGENT_DATA_DIR=str(tmp_path / "data"))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "secret.aspx: permission denied" in r.stderr
    assert "Traceback" not in r.stderr
    assert "Scanned 2 files" in r.stdout


def test_version_help_and_module_entry_point() -> None:
    v = subprocess.run(
        [sys.executable, "-m", "agent", "--version"], capture_output=True, text=True, check=True
    )
    assert v.stdout.startswith("webshell-agent ")
    h = subprocess.run(
        [sys.executable, "-m", "agent", "scan", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--format" in h.stdout and "--all-files" in h.stdout
    exe = shutil.which("webshell-agent", path=os.path.dirname(sys.executable))
    assert exe is not None, "the console script is installed next to the interpreter"


def test_a_reader_that_goes_away_stops_the_scan_quietly(rules_dir: Path, tmp_path: Path) -> None:
    # `webshell-agent scan /var/www | head`: more findings than a pipe holds, the reader leaves
    # after the first line; the scan stops with SIGPIPE's shell status and no traceback
    root = tmp_path / "www"
    root.mkdir()
    for i in range(400):
        (root / f"s{i:03}.aspx").write_bytes(SHELL)
    cmd = [sys.executable, "-m", "agent", "scan", "--no-progress", "--no-default-rules",
           "--no-cache", "--rules", str(rules_dir), str(root)]  # fmt: skip
    env = dict(os.environ, WEBSHELL_AGENT_AGENT_DATA_DIR=str(tmp_path / "data"))
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert p.stdout is not None and p.stderr is not None
    assert p.stdout.readline().startswith(b"FOUND")
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "Broken pipe" not in err

"""The hardening's core claim, on real files: an unprivileged user with only ambient
CAP_DAC_READ_SEARCH (what the unit grants) reads a root-only web root, and still cannot write it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULE = 'rule T_Cap_Probe { strings: $a = "cap-probe-91d2" condition: $a }\n'
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
CAP = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]

pytestmark = pytest.mark.skipif(
    shutil.which("setpriv") is None or not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root and setpriv to run as an unprivileged user with one capability",
)


def as_nobody(extra: list[str], *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [*NOBODY, *extra, sys.executable, *argv], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_ambient_dac_read_search_reads_but_does_not_write(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # nobody may enter the test folder itself
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "probe.yar").write_text(RULE)
    www = tmp_path / "www"
    www.mkdir(mode=0o700)
    shell = www / "up.php"
    shell.write_text("<?php // cap-probe-91d2 ?>\n")
    shell.chmod(0o600)
    scan = ("-m", "agent", "scan", "--no-default-rules", "--rules", str(rules), "--no-cache",
            "--format", "json", str(www))  # fmt: skip

    plain = as_nobody([], *scan, cwd=tmp_path)
    assert plain.returncode == 2, plain.stderr  # cannot even list the root-only web root
    assert "Permission denied" in plain.stderr

    capable = as_nobody(CAP, *scan, cwd=tmp_path)
    assert capable.returncode == 1, capable.stderr  # found: it read the 0600 file
    assert "T_Cap_Probe" in capable.stdout

    write = as_nobody(CAP, "-c", f"open({str(www / 'new.php')!r}, 'w')", cwd=tmp_path)
    assert write.returncode != 0 and "PermissionError" in write.stderr
    assert not (www / "new.php").exists()

"""Checks before start: nothing to watch (config check and run exit 2), quarantine unwritable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent import config as cfgmod
from agent.service.startup_checks import cannot_start, quarantine_problems


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder others may enter (pytest's own tree is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="wsa-quarantine-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_nothing_to_watch(tmp_path: Path) -> None:
    base = cfgmod.Config()
    assert cannot_start(cfgmod.replace(base, watch={"roots": (tmp_path,)})) == []
    assert "no watch.roots" in cannot_start(base)[0]
    with_preset = cfgmod.replace(base, watch={"presets": ("tomcat",)})
    problems = cannot_start(with_preset)
    if problems:  # no Tomcat on this machine: say where it looked
        assert (
            "presets tomcat found no web root" in problems[0] and "/var/lib/tomcat" in problems[0]
        )


def test_quarantine_problems_name_what_cannot_be_written(open_tmp: Path) -> None:
    tmp_path = open_tmp
    www, data = tmp_path / "www", tmp_path / "data"
    www.mkdir()
    data.mkdir()
    assert quarantine_problems([str(www)], data) == []
    if os.geteuid() != 0:
        return
    os.chown(www, 0, 0)
    www.chmod(0o755)
    data.chmod(0o777)
    # as nobody: the web root is root's, so nothing could be moved out of it
    code = (
        "import sys; from pathlib import Path\n"
        "from agent.service.startup_checks import quarantine_problems\n"
        f"print('\\n'.join(quarantine_problems([{str(www)!r}], Path({str(data)!r}))))\n"
    )
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
        capture_output=True, text=True, check=False, timeout=60, cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"web root {www} cannot be written (no write permission)" in done.stdout

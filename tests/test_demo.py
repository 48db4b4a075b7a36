from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.demo import plant_demo


def test_demo_root_alerts_on_every_planted_shell_and_nothing_else(tmp_path: Path, cli: Any) -> None:
    shells = plant_demo(tmp_path)
    assert shells, "the signatures ship positive samples"
    r = cli("scan", "--no-progress", "--format", "json", str(tmp_path))
    doc = json.loads(r.out)
    flagged = {a["file"]["path"] for a in doc["alerts"]}
    assert flagged == {str(p) for p in shells}
    assert r.code == 1


def test_demo_command_cleans_up(cli: Any, tmp_path: Path) -> None:
    r = cli("demo", "--keep", str(tmp_path / "demo"))
    assert r.code == 0 and "FOUND" in r.out and "test shells" in r.err
    assert (tmp_path / "demo" / "inetpub" / "wwwroot" / "default.aspx").exists()

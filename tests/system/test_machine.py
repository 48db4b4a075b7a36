"""The harness itself: a machine is always torn down, also by the hard-kill fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.system.machine import Machine, populated, wait_for

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]


def test_hard_kill_ends_every_process_and_removes_the_machine(
    tarball: Path, tmp_path: Path
) -> None:
    m = Machine(tarball, tmp_path)
    try:
        m.boot()
        assert m.run(["systemctl", "is-system-running"], check=False).stdout.strip() in (
            "running", "degraded",
        )  # fmt: skip
        cgroup = m.cgroup
        assert cgroup is not None and populated(cgroup)
        m.kill()  # what shutdown() falls back to when poweroff does not end it
        assert m.proc is not None and m.proc.poll() is not None
        wait_for("the cgroup to empty", lambda: not populated(cgroup), 10)
    finally:
        m.shutdown()
    assert not m.root.exists() and not cgroup.exists()

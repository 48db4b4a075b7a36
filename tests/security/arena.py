"""A web root owned by `nobody`, a root-owned folder beside it, and the attacker process."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

NOBODY = 65534
SETPRIV = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def need_root() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("the attacker runs as `nobody` through setpriv: needs root")


def snapshot(top: Path) -> dict[str, tuple[int, int, int, int, int, str]]:
    """Everything about every entry below `top` that an attack could change."""
    out = {}
    for folder, dirs, files in os.walk(top):
        for name in [".", *dirs, *files]:
            p = Path(folder) / name
            st = os.lstat(p)
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
            key = str(p.relative_to(top))
            out[key] = (st.st_ino, st.st_uid, st.st_gid, st.st_mode, st.st_mtime_ns, digest)
    return out


@dataclass
class Attacker:
    proc: subprocess.Popen[bytes]
    stop_file: Path
    swaps: int = -1

    def stop(self) -> int:
        self.stop_file.touch()
        out, _ = self.proc.communicate(timeout=60)  # a hang guard, not a speed assertion
        self.swaps = int(out.decode().split()[-1] if out.strip() else "-1")
        return self.swaps


@dataclass
class Arena:
    base: Path
    www: Path
    outside: Path
    script: Path
    attackers: list[Attacker] = field(default_factory=list)

    def as_nobody(self, *argv: str) -> None:
        subprocess.run([*SETPRIV, *argv], check=True)

    def give(self, path: Path, mode: int = 0o644) -> Path:
        os.chown(path, NOBODY, NOBODY)
        os.chmod(path, mode)
        return path

    def attack(self, mode: str, *args: str, rounds: int = 10_000_000) -> Attacker:
        stop = self.base / f"stop-{len(self.attackers)}"
        proc = subprocess.Popen(
            [*SETPRIV, sys.executable, str(self.script), mode, *args, str(stop), str(rounds)],
            stdout=subprocess.PIPE,
        )
        a = Attacker(proc, stop)
        self.attackers.append(a)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"go\n", "the attacker did not start"
        return a


@pytest.fixture
def arena() -> Iterator[Arena]:
    need_root()
    base = Path(tempfile.mkdtemp(prefix="wsa-attack-"))
    os.chmod(base, 0o755)  # nobody must reach the web root and the script
    www = base / "www"
    www.mkdir()
    os.chown(www, NOBODY, NOBODY)
    outside = base / "outside"
    outside.mkdir(mode=0o755)
    script = base / "attacker.py"
    shutil.copy(Path(__file__).with_name("attacker.py"), script)
    os.chmod(script, 0o644)
    a = Arena(base, www, outside, script)
    try:
        yield a
    finally:
        for att in a.attackers:
            if att.proc.poll() is None:
                att.stop_file.touch()
                try:
                    att.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    att.proc.kill()
                    att.proc.wait()
        shutil.rmtree(base, ignore_errors=True)

"""Quarantine and restore raced by a real unprivileged attacker: nothing outside the root moves.

The attacker owns the web root (`nobody`); beside it is a root-owned folder with files of the
very same names and bytes, so a take that followed a swapped folder would find a matching hash.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from agent.cli import main
from agent.quarantine import Quarantine, QuarantineError
from tests.security.arena import NOBODY, Arena, snapshot

SHELL = b'<?php @eval($_POST["x"]); ?>\n'
SHA = hashlib.sha256(SHELL).hexdigest()
FILES = 40


def plant_pair(arena: Arena) -> tuple[Path, Path]:
    """www/d (the attacker's folder of shells) and www/l, a symlink to the outside twins."""
    d = arena.www / "d"
    d.mkdir()
    arena.give(d, 0o755)
    for i in range(FILES):
        arena.give(_write(d / f"s{i}.php"), 0o777)
        os.chmod(_write(arena.outside / f"s{i}.php"), 0o600)
    (arena.outside / "secret").write_bytes(b"root only\n")
    os.chmod(arena.outside / "secret", 0o600)
    link = arena.www / "l"
    link.symlink_to(arena.outside)
    os.lchown(link, NOBODY, NOBODY)
    return d, link


def _write(p: Path) -> Path:
    p.write_bytes(SHELL)
    return p


def test_take_raced_by_a_renameat2_exchange_loop_never_touches_outside(
    arena: Arena, tmp_path: Path
) -> None:
    d, link = plant_pair(arena)
    before = snapshot(arena.outside)
    q = Quarantine(tmp_path / "data", [arena.www])
    attacker = arena.attack("exchange", str(d), str(link))
    outcomes: list[str] = []
    for _ in range(3):
        for i in range(FILES):
            try:
                q.take(str(d / f"s{i}.php"), SHA)
                outcomes.append("taken")
            except QuarantineError as e:
                outcomes.append(e.reason)
    assert attacker.stop() > 0, "the attacker never swapped: the race was not run"
    assert snapshot(arena.outside) == before, "a file outside the root was moved or changed"
    assert all(e.original_path.startswith(str(arena.www) + os.sep) for e in q.entries())
    assert "symlink" in outcomes  # the swapped folder was seen and refused, not followed


def test_restore_temp_swapped_by_inotify_never_gives_a_root_file_away(
    arena: Arena, tmp_path: Path
) -> None:
    d, _ = plant_pair(arena)
    lure = d / ".lure"  # the attacker's prepared symlink to a root-only file
    arena.as_nobody("ln", "-s", str(arena.outside / "secret"), str(lure))
    before = snapshot(arena.outside)
    q = Quarantine(tmp_path / "data", [arena.www])
    entries = [q.take(str(d / f"s{i}.php"), SHA) for i in range(FILES)]
    attacker = arena.attack("swap-temp", str(d), str(lure))
    restored, refused = 0, 0
    for entry in entries:
        try:
            q.restore(entry.id)
            restored += 1
        except QuarantineError as e:
            assert e.reason in {"changed", "exists"}, e
            refused += 1
    assert attacker.stop() > 0, "the attacker never saw a temp file: the race was not run"
    secret = os.lstat(arena.outside / "secret")
    assert (secret.st_uid, secret.st_gid, stat.S_IMODE(secret.st_mode)) == (0, 0, 0o600)
    assert snapshot(arena.outside) == before, "owner, mode or bytes changed outside the root"
    for i in range(FILES):  # what was restored is ours, exactly
        p = d / f"s{i}.php"
        if p.exists() and not p.is_symlink():
            st = os.lstat(p)
            assert (st.st_uid, stat.S_IMODE(st.st_mode), p.read_bytes()) == (NOBODY, 0o777, SHELL)
    assert restored + refused == FILES


def test_restore_into_a_folder_swapped_for_a_symlink_is_refused(
    arena: Arena, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d, _ = plant_pair(arena)
    before = snapshot(arena.outside)
    data = tmp_path / "data"
    entry = Quarantine(data, [arena.www]).take(str(d / "s0.php"), SHA)
    (arena.outside / "s0.php").unlink()  # a tempting free name outside
    before = snapshot(arena.outside)
    arena.as_nobody("mv", str(d), str(arena.www / "d.old"))
    arena.as_nobody("ln", "-s", str(arena.outside), str(d))
    argv = ["quarantine", "restore", "--data-dir", str(data), entry.id]
    assert main(argv) == 2
    assert "symlink" in capsys.readouterr().err
    assert main([*argv, "--to", str(arena.outside / "s0.php")]) == 2
    assert "outside the roots" in capsys.readouterr().err
    assert snapshot(arena.outside) == before
    # a plain folder again: the same entry restores
    arena.as_nobody("rm", str(d))
    arena.as_nobody("mkdir", str(d))
    assert main(argv) == 0
    assert (d / "s0.php").read_bytes() == SHELL

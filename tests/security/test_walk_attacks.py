"""The scan walk and the watching agent raced by a real unprivileged attacker.

Outside the root sit files that carry a marker only a rule of this test matches: an alert for
it means the agent read a file outside the root through a swapped folder.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from agent.config import ResponseConfig
from agent.confine import Roots
from agent.rules import load_rules
from agent.scanner import Scanner
from agent.walk import Filter, walk
from tests.security.arena import NOBODY, Arena, snapshot
from tests.watcher.conftest import Agent, make_config, wait_for

RULES = """
rule T_Inside { strings: $a = "INSIDE_WEB_ROOT" condition: $a }
rule T_Outside { strings: $a = "OUTSIDE_THE_ROOT" condition: $a }
"""
FILES = 30


def plant(arena: Arena) -> tuple[Path, Path]:
    d = arena.www / "d"
    d.mkdir()
    arena.give(d, 0o755)
    for i in range(FILES):
        (d / f"s{i}.php").write_bytes(b"<?php // INSIDE_WEB_ROOT\n")
        arena.give(d / f"s{i}.php")
        (arena.outside / f"s{i}.php").write_bytes(b"<?php // OUTSIDE_THE_ROOT\n")
    link = arena.www / "l"
    link.symlink_to(arena.outside)
    os.lchown(link, NOBODY, NOBODY)
    return d, link


def rules_dir(tmp_path: Path) -> Path:
    r = tmp_path / "rules"
    r.mkdir(exist_ok=True)
    (r / "t.yar").write_text(RULES, encoding="utf-8")
    return r


def test_one_off_walk_and_scan_under_an_exchange_loop_read_nothing_outside(
    arena: Arena, tmp_path: Path
) -> None:
    d, link = plant(arena)
    roots = Roots([str(arena.www)])
    scanner = Scanner(load_rules((rules_dir(tmp_path),), default_rules=False), roots=roots)
    attacker = arena.attack("exchange", str(d), str(link))
    rules_seen: set[str] = set()
    # Each open lands on whichever folder is in place at that instant, so the inside files are
    # read on some walks only; on a loaded machine that can take more than a few walks.
    for walks in range(500):
        for found in walk([str(arena.www)], Filter(), roots):
            if found.error is None:
                rules_seen.update(m.rule for m in scanner.scan(found.path).matches)
        if walks >= 20 and "T_Inside" in rules_seen:
            break
    assert attacker.stop() > 0, "the attacker never swapped: the race was not run"
    assert "T_Outside" not in rules_seen, "a file outside the root was read"
    assert "T_Inside" in rules_seen


def test_batched_scans_holding_a_folder_read_nothing_outside(arena: Arena, tmp_path: Path) -> None:
    # scan_many keeps the folder of a batch's previous file open (agent.confine.HeldFolder):
    # a folder swapped for a symlink mid-batch must not lead the rest of the batch outside.
    d, link = plant(arena)
    roots = Roots([str(arena.www)])
    rules = load_rules((rules_dir(tmp_path),), default_rules=False)
    scanner = Scanner(rules, roots=roots, processes=1)
    paths = [str(d / f"s{i}.php") for i in range(FILES)] + [
        str(link / f"s{i}.php") for i in range(FILES)
    ]
    attacker = arena.attack("exchange", str(d), str(link))
    rules_seen: set[str] = set()
    try:
        for rounds in range(500):
            for r in scanner.scan_many(paths):
                rules_seen.update(m.rule for m in r.matches)
            if rounds >= 20 and "T_Inside" in rules_seen:
                break
    finally:
        scanner.close()
    assert attacker.stop() > 0, "the attacker never swapped: the race was not run"
    assert "T_Outside" not in rules_seen, "a file outside the root was read"
    assert "T_Inside" in rules_seen


def test_a_root_swapped_for_a_symlink_is_not_walked(arena: Arena) -> None:
    plant(arena)
    roots = Roots([str(arena.www)])
    assert [f for f in walk([str(arena.www)], Filter(), roots) if f.error is None]
    os.rename(arena.www, arena.base / "www.real")  # (the parent is root's: a simulated swap)
    arena.www.symlink_to(arena.outside)
    found = list(walk([str(arena.www)], Filter(), roots))
    assert [f.path for f in found] == [str(arena.www)]
    assert found[0].error is not None and "symlink" in str(found[0].error)


def test_watching_agent_with_quarantine_under_an_exchange_loop(
    arena: Arena, tmp_path: Path, run_agent: Callable[..., Agent]
) -> None:
    d, link = plant(arena)
    before = snapshot(arena.outside)
    cfg = make_config(tmp_path, [arena.www], rules_dir(tmp_path))
    cfg = dataclasses.replace(cfg, response=ResponseConfig(quarantine=True))
    agent = run_agent(cfg)
    attacker = arena.attack("exchange", str(d), str(link), rounds=3000)
    wait_for(lambda: attacker.proc.poll() is not None, what="the attacker's rounds")
    assert attacker.stop() > 0
    wait_for(agent.idle, what="idle")
    rules = {m["rule"] for a in agent.alerts() for m in a["webshell"]["matches"]}
    assert "T_Outside" not in rules, "an outside file was read and alerted under a web path"
    assert snapshot(arena.outside) == before, "a file outside the root was moved or changed"

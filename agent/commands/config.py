"""`webshell-agent config check FILE`: validate a configuration file.

Reports unknown keys, wrong types and values (with the key's location), folders that do not
exist, [[outputs]] tables that would not build (every problem in one run), and what each
preset finds on this machine. Exit 0 valid, 2 not valid.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent import config as cfgmod
from agent.outputs import settings as outputs
from agent.presets import discover
from agent.service.startup_checks import cannot_start


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="check a configuration file", description=__doc__)
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    c = csub.add_parser("check", help="validate a TOML configuration file")
    c.add_argument("file", type=Path, metavar="FILE", help="the TOML file to check")
    c.set_defaults(func=check)


def check(args: argparse.Namespace) -> int:
    cfg, problems = cfgmod.check_file(args.file)  # every problem, not only the first
    problems += [f"{args.file}: {p}" for p in cfgmod.check(cfg)]
    problems += [f"{args.file}: {e}" for e in outputs.problems(cfg.outputs)]
    problems += [f"{args.file}: {p}" for p in cannot_start(cfg)]  # `run` would exit 2 at once
    for problem in problems:
        print(f"webshell-agent: config error: {problem}", file=sys.stderr)
    if cfg.watch.presets:
        found = discover(cfg.watch.presets)
        for preset, path in found.found:
            print(f"preset {preset}: found {path}")
        for preset, path in found.missing:
            print(f"preset {preset}: missing {path}")
    if problems:
        return 2
    print(f"{args.file}: OK")
    return 0

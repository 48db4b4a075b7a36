"""`webshell-agent config check FILE`: validate a configuration file.

Reports unknown keys, wrong types and values (with the key's location), folders that do not
exist, [[outputs]] tables that would not build, and what each preset finds on this machine. Exit 0 valid, 2 not valid.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from agent import config as cfgmod
from agent.errors import ConfigError
from agent.outputs import settings as outputs
from agent.presets import discover
from agent.service.startup_checks import cannot_start


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="check a configuration file", description=__doc__)
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    c = csub.add_parser("check", help="validate a TOML configuration file")
    c.add_argument("file", type=Path, metavar="FILE")
    c.set_defaults(func=check)


def check(args: argparse.Namespace) -> int:
    try:
        cfg = cfgmod.load_file(args.file)
    except ConfigError as e:
        print(f"webshell-agent: config error: {e}", file=sys.stderr)
        return 2
    problems = cfgmod.check(cfg)
    try:
        outputs.parse(cfg.outputs)  # [[outputs]] tables are validated where they are built
    except ConfigError as e:
        problems.append(str(e))
    problems += cannot_start(cfg)  # e.g. nothing to watch: `run` would exit 2 at once
    for problem in problems:
        print(f"webshell-agent: config error: {args.file}: {problem}", file=sys.stderr)
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

"""Options and set-up shared by several subcommands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent import config as cfgmod
from agent.config import Config
from agent.errors import UsageError
from agent.rules import RuleSet, load_rules


def size_arg(text: str) -> int:
    try:
        return cfgmod.parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE", help="TOML configuration file")


def add_rule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rules", type=Path, action="append", default=[], metavar="DIR",
        help="add a folder (or file) of YARA rules; repeatable",
    )  # fmt: skip
    p.add_argument(
        "--no-default-rules", action="store_true", help="do not load the bundled signatures"
    )
    p.add_argument(
        "--no-cache", action="store_true", help="compile the rules even if a cached copy exists"
    )


def config_from(args: argparse.Namespace) -> Config:
    cfg = cfgmod.load(getattr(args, "config", None))
    rules: dict[str, object] = {}
    if getattr(args, "rules", None):
        rules["paths"] = (*cfg.rules.paths, *args.rules)
    if getattr(args, "no_default_rules", False):
        rules["default_rules"] = False
    return cfgmod.replace(cfg, rules=rules)


def rules_from(cfg: Config, args: argparse.Namespace, *, quiet: bool = False) -> RuleSet:
    if not cfg.rules.default_rules and not cfg.rules.paths:
        raise UsageError("no rules: --no-default-rules needs at least one --rules DIR")
    ruleset = load_rules(
        cfg.rules.paths,
        default_rules=cfg.rules.default_rules,
        cache_dir=None if getattr(args, "no_cache", False) else cfg.rules.cache_dir,
        data_dir=cfg.agent.data_dir,  # an installed rule bundle stands in for signatures/
    )
    if not quiet:
        for problem in ruleset.broken:
            print(f"webshell-agent: rule error (file skipped): {problem}", file=sys.stderr)
    return ruleset

"""Subcommands: each module has `register(subparsers)` and sets `func` on its parser."""

from agent.commands import demo, rules, scan
from agent.commands import eval as eval_cmd

COMMANDS = (scan, rules, eval_cmd, demo)

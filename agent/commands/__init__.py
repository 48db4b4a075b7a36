"""Subcommands: each module has `register(subparsers)` and sets `func` on its parser."""

from agent.commands import eval as eval_cmd
from agent.commands import processes, quarantine, rules, scan

COMMANDS = (scan, rules, eval_cmd, processes, quarantine)

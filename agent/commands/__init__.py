"""Subcommands: each module has `register(subparsers)` and sets `func` on its parser."""

from agent.commands import config as config_cmd
from agent.commands import eval as eval_cmd
from agent.commands import rules, run, scan

COMMANDS = (scan, rules, eval_cmd, run, config_cmd)

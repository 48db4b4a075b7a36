"""Subcommands: each module has `register(subparsers)` and sets `func` on its parser."""

from agent.commands import config as config_cmd
from agent.commands import demo, processes, quarantine, rules, run, scan
from agent.commands import eval as eval_cmd
from agent.commands import service as service_cmd

COMMANDS = (scan, rules, eval_cmd, demo, run, config_cmd, processes, quarantine, service_cmd)

"""Subcommands: each module has `register(subparsers)` and sets `func` on its parser.

Modules are imported only when their command runs: importing all of them (watchdog, psutil,
structlog, the service host...) cost ~190 ms at every start, more than half of a small scan.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> (module, one-line help shown in `webshell-agent --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("agent.commands.scan", "scan files and folders once"),
    "run": ("agent.commands.run", "watch web roots and scan every new or changed file"),
    "rules": ("agent.commands.rules", "list, lint and test rules"),
    "eval": ("agent.commands.eval", "measure detection and false positives on a labelled corpus"),
    "demo": ("agent.commands.demo", "plant a demo web root with test shells and scan or watch it"),
    "config": ("agent.commands.config", "check a configuration file"),
    "processes": (
        "agent.commands.processes",
        "show web-server workers and suspicious children now",
    ),
    "quarantine": ("agent.commands.quarantine", "list, restore or purge quarantined files"),
    "service": ("agent.commands.service", "install, remove or inspect the system service"),
    "completion": (
        "agent.commands.completion",
        "print a shell completion script (bash, zsh, powershell)",
    ),
    "man": ("agent.commands.man", "print the man page (roff)"),
}


def load(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name][0])

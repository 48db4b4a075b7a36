"""`webshell-agent completion SHELL` and `webshell-agent man`: generated from the parser.

bash: `webshell-agent completion bash > /etc/bash_completion.d/webshell-agent`;
zsh: `source <(webshell-agent completion zsh)`; PowerShell: add
`webshell-agent completion powershell | Out-String | Invoke-Expression` to $PROFILE.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agent import clidocs


def register(sub: Any) -> None:
    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, powershell)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "shell", choices=sorted(clidocs.SHELLS), metavar="SHELL", help="bash, zsh or powershell"
    )
    p.set_defaults(func=lambda args: _print(clidocs.SHELLS[args.shell]()))


def register_man(sub: Any) -> None:
    p = sub.add_parser(
        "man",
        help="print the man page (roff)",
        description="Print webshell-agent(1) as roff: `webshell-agent man | man -l -`.",
    )
    p.set_defaults(func=lambda args: _print(clidocs.man()))


def _print(text: str) -> int:
    sys.stdout.write(text)
    return 0

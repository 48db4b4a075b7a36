"""Command line: parse, dispatch to a command module, turn errors into exit codes.

Exit codes (ClamAV's convention for scans): 0 clean, 1 something matched, 2 errors.
Errors are one line on stderr; tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import agent
from agent.commands import COMMANDS, load
from agent.errors import AgentError
from agent.service import journal

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """All commands, but only the chosen one (first non-option word of argv) is imported."""
    parser = argparse.ArgumentParser(
        prog="webshell-agent",
        description="Watch web roots, scan new or changed files with YARA, ship alerts to a SIEM.",
    )
    parser.add_argument(
        "--version", action="version", version=f"webshell-agent {agent.__version__}"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    chosen = words[0] if words and words[0] in COMMANDS else None
    for name, (_, help_text) in COMMANDS.items():
        if name == chosen:
            load(name).register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except AgentError as e:
        if args.debug:
            raise
        print(f"{journal.prefix('error')}webshell-agent: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("webshell-agent: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR  # e.g. `| head`: nobody is reading any more
    except Exception as e:  # last line of defence: one clear line, not a traceback
        if args.debug:
            raise
        print(
            f"{journal.prefix('error')}webshell-agent: internal error: {type(e).__name__}: {e} (run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR

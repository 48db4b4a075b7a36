"""Command line: parse, dispatch to a command module, turn errors into exit codes.

Exit codes (ClamAV's convention for scans): 0 clean, 1 something matched, 2 errors.
Errors are one line on stderr; tracebacks only with --debug. The global options (`--debug`,
`--config FILE`) work before or after the subcommand, like git's and systemctl's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import agent
from agent.commands import COMMANDS, load
from agent.errors import AgentError
from agent.service import journal

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
DEBUG_HELP = "show tracebacks on errors"
CONFIG_HELP = "TOML configuration file (default: $WEBSHELL_AGENT_CONFIG, else none)"


def version_text() -> str:
    """The agent, the YARA engine, and the id of the bundled rule set (`rule.version` of an
    alert made with it)."""
    import yara

    from agent.rules import collect_sources
    from agent.rules.compiler import ruleset_digest

    lines = [
        f"webshell-agent {agent.__version__}",
        f"yara-python {yara.__version__}, libyara {yara.YARA_VERSION}",
    ]
    try:
        sources = collect_sources((), default_rules=True)
        lines.append(f"rule set {ruleset_digest(sources)[:16]} ({len(sources)} bundled rule files)")
    except (OSError, AgentError) as e:
        lines.append(f"rule set: unavailable ({e})")
    return "\n".join(lines)


class _Version(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(version_text())
        parser.exit()


def subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(name, parser) of every direct subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _add_globals(p: argparse.ArgumentParser) -> None:
    """`--debug` and `--config` after a subcommand too; SUPPRESS keeps a value given before it."""
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    if "--config" not in p._option_string_actions:
        p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    for _, child in subparsers(p):
        _add_globals(child)


def _chosen(argv: Sequence[str]) -> str | None:
    """The subcommand word: the first argument that is not an option or the FILE of --config."""
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--config":
            skip = True
        elif not a.startswith("-"):
            return a if a in COMMANDS else None
    return None


def build_parser(
    argv: Sequence[str] | None = None, *, every: bool = False
) -> argparse.ArgumentParser:
    """All commands, but only the chosen one is imported (`every`: all of them, for the help
    test, shell completion and the man page)."""
    parser = argparse.ArgumentParser(
        prog="webshell-agent",
        description="Watch web roots, scan new or changed files with YARA, ship alerts to a SIEM.",
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="print the agent, yara and libyara versions and the bundled rule set id, then exit",
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    parser.add_argument("--config", dest="global_config", metavar="FILE", help=CONFIG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _chosen(sys.argv[1:] if argv is None else argv)
    for name, (_, help_text) in COMMANDS.items():
        if every or name == chosen:
            load(name).register(sub)
            _add_globals(sub.choices[name])
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "config", None) is None and args.global_config is not None:
        args.config = args.global_config
    if isinstance(getattr(args, "config", None), str):
        from pathlib import Path

        args.config = Path(args.config)
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

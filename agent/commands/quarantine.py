"""`webshell-agent quarantine list|restore ID|purge ID...`: the files the agent moved away."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.commands.common import add_config_arg
from agent.config import load
from agent.errors import UsageError
from agent.outputs import console
from agent.quarantine import Quarantine


def register(sub: Any) -> None:
    p = sub.add_parser("quarantine", help="list, restore or purge quarantined files")
    qsub = p.add_subparsers(dest="quarantine_command", metavar="ACTION", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        add_config_arg(q)
        q.add_argument("--data-dir", type=Path, metavar="DIR", help="default: agent.data_dir")

    ls = qsub.add_parser("list", help="list quarantined files")
    common(ls)
    ls.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    ls.set_defaults(func=cmd_list)

    re = qsub.add_parser("restore", help="put a file back: same bytes, owner, mode and times")
    common(re)
    re.add_argument("id", metavar="ID", help="the entry to restore (see `quarantine list`)")
    re.add_argument("--to", metavar="PATH", help="restore here instead of the original path")
    re.add_argument(
        "--root", action="append", default=[], metavar="DIR",
        help="also allow restoring below DIR (besides watch.roots and the root it was taken from)",
    )  # fmt: skip
    re.set_defaults(func=cmd_restore)

    pu = qsub.add_parser("purge", help="delete quarantined files for good")
    common(pu)
    pu.add_argument("ids", nargs="*", metavar="ID", help="entries to delete")
    pu.add_argument("--all", action="store_true", help="every entry")
    pu.set_defaults(func=cmd_purge)


def _store(args: argparse.Namespace) -> Quarantine:
    """The store, with the roots a restore may write under: the configured web roots and any
    --root (the root an entry was taken from is always allowed)."""
    cfg = load(getattr(args, "config", None))
    roots = [*cfg.watch.roots, *cfg.watch.polling, *getattr(args, "root", [])]
    return Quarantine(args.data_dir or cfg.agent.data_dir, [str(r) for r in roots])


def cmd_list(args: argparse.Namespace) -> int:
    entries = _store(args).entries()
    if args.format == "json":
        json.dump([e.summary() for e in entries], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for e in entries:
        mode = f"{e.mode & 0o7777:04o}"
        owner = e.owner or (str(e.uid) if e.uid is not None else "-")
        print(
            f"{e.id}  {e.quarantined_at}  {mode} {owner:<10} {e.size:>9}  {console.safe(e.original_path)}"
        )
    print(f"{len(entries)} quarantined file(s)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    dest = _store(args).restore(args.id, args.to)
    print(f"restored {args.id} to {console.safe(dest)}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    q = _store(args)
    if args.all == bool(args.ids):
        raise UsageError("give quarantine IDs or --all (not both)")
    ids = [e.id for e in q.entries()] if args.all else args.ids
    for qid in ids:
        entry = q.purge(qid)
        print(f"purged {qid} ({console.safe(entry.original_path)})")
    return 0

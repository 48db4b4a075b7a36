"""`webshell-agent demo`: plant a demo web root in a temporary folder and scan it."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from agent.demo import plant_demo


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo", help="plant a demo web root with test shells and scan it", description=__doc__
    )
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="plant into DIR and keep it (default: a temporary folder, removed after)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.commands import scan

    root = args.keep or Path(tempfile.mkdtemp(prefix="wsa-demo-"))
    try:
        shells = plant_demo(root)
        print(
            f"Demo web root: {root}  ({len(shells)} test shells among ordinary pages)\n",
            file=sys.stderr,
        )
        scan_args = scan.build_parser_namespace([str(root)])
        code = scan.run(scan_args)
        print(
            f"\nExit status {code} (0 clean, 1 found, 2 errors). "
            "Scan your own folder with: webshell-agent scan PATH",
            file=sys.stderr,
        )
        return 0 if code in (0, 1) else code
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

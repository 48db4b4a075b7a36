"""`webshell-agent processes`: a one-off look at web-server workers and what runs below them.

Exit code as for scans: 0 nothing suspicious, 1 a worker has a suspicious descendant.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from agent.commands.common import add_config_arg
from agent.config import load
from agent.identity import load_identity
from agent.outputs import console
from agent.process.alert import build_process_alert
from agent.process.lineage import Lineage, ProcInfo
from agent.process.watcher import names_from


def register(sub: Any) -> None:
    p = sub.add_parser("processes", help="show web-server workers and suspicious children now")
    add_config_arg(p)
    p.add_argument(
        "--format", choices=("text", "json", "jsonl"), default="text", help="output format"
    )
    p.set_defaults(func=run)


def _line(info: ProcInfo, depth: int, mark: str) -> str:
    info.detail()
    user = f" [{info.username}]" if info.username else ""
    text = console.safe(info.command_line or info.name)
    return f"{'  ' * depth}{mark} {info.pid:>7} {console.safe(info.name)}{user}: {text}"


def run(args: argparse.Namespace) -> int:
    cfg = load(getattr(args, "config", None))
    lineage = Lineage(names_from(cfg))
    findings = lineage.baseline()
    identity = load_identity(None)
    if args.format != "text":
        alerts = [build_process_alert(f, identity) for f in findings]
        if args.format == "json":
            json.dump({"alerts": alerts}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            for a in alerts:
                sys.stdout.write(json.dumps(a, ensure_ascii=False) + "\n")
        return 1 if findings else 0

    suspicious = {f.process.key for f in findings}
    kids: dict[int, list[ProcInfo]] = {}
    for info in lineage.cache.values():
        kids.setdefault(info.ppid, []).append(info)
    workers = [i for i in lineage.cache.values() if lineage.is_worker(i)]
    worker_pids = {w.pid for w in workers}
    tops = [w for w in workers if w.ppid not in worker_pids]  # e.g. the Apache master only

    def show(info: ProcInfo, depth: int) -> None:
        mark = "!" if info.key in suspicious else ("W" if info.pid in worker_pids else "-")
        print(_line(info, depth, mark))
        for child in sorted(kids.get(info.pid, []), key=lambda i: i.pid):
            if child.create_time >= info.create_time - 0.01:
                show(child, depth + 1)

    for top in sorted(tops, key=lambda i: i.pid):
        show(top, 0)
    print(
        f"{len(workers)} web-server worker process(es), {len(findings)} suspicious descendant(s)"
        f" (W worker, ! suspicious)"
    )
    return 1 if findings else 0

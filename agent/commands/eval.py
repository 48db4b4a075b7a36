"""`webshell-agent eval DIR`: detection and false-positive rates on a labelled corpus.

DIR holds `malicious/` and `benign/`; the first folder below each names the file's source
(`<owner+repo>`). Every file is scanned whatever its extension; rates are given by language, by
source, and with `--hold-out SOURCE...` for the held-out sources apart from the others.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from typing import Any

from agent.commands.common import add_config_arg, add_rule_args, config_from, rules_from
from agent.confine import Roots
from agent.errors import UsageError
from agent.evaluation import LABELS, Tally, normalise_source, source_of
from agent.pipeline import Job, Pipeline
from agent.scanner import Scanner, ScanResult, Verdict
from agent.walk import Filter, walk


def register(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="measure detection and false positives on a labelled corpus",
        description=__doc__,
    )
    p.add_argument("corpus", metavar="DIR", help="a corpus with malicious/ and benign/ inside")
    add_config_arg(p)
    add_rule_args(p)
    p.add_argument("--threads", type=int, default=2, metavar="N", help="scan threads (default 2)")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: machine-readable result"
    )
    p.add_argument(
        "--json", action="store_const", dest="format", const="json", help=argparse.SUPPRESS
    )
    p.add_argument(
        "--hold-out", nargs="+", default=[], metavar="SOURCE",
        help="sources (owner+repo folder names, or owner/repo) reported apart from the rest",
    )  # fmt: skip
    p.add_argument(
        "--list-missed", action="store_true", help="print malicious files no rule matched"
    )
    p.set_defaults(func=run)


def _outcome(r: ScanResult) -> str:
    if r.verdict is Verdict.MATCHED:
        return "matched"
    if r.verdict is Verdict.CLEAN:
        return "clean"
    return f"not scanned: {r.reason}"


def _known_sources(corpus: str) -> set[str]:
    found: set[str] = set()
    for label in LABELS:
        root = os.path.join(corpus, label)
        if os.path.isdir(root):
            found.update(e.name for e in os.scandir(root) if e.is_dir(follow_symlinks=False))
    return found


def run(args: argparse.Namespace) -> int:
    hold_out = frozenset(normalise_source(s) for s in args.hold_out)
    unknown = sorted(hold_out - _known_sources(args.corpus))
    if unknown:
        raise UsageError(
            f"--hold-out: no such source under malicious/ or benign/: {', '.join(unknown)}"
        )
    cfg = config_from(args)
    ruleset = rules_from(cfg, args)
    scanner = Scanner(
        ruleset, max_size=cfg.scan.max_size, timeout=cfg.scan.timeout, hash_clean=False,
        processes=args.threads if cfg.scan.processes else 0,
    )  # fmt: skip
    tally = Tally(hold_out)
    lock = threading.Lock()

    def on_result(job: Job, r: ScanResult) -> None:
        label = job.trigger
        source = source_of(args.corpus, label, r.path)
        with lock:
            tally.add(label, source, r.path, _outcome(r), tuple(m.rule for m in r.matches))

    pipeline = Pipeline(scanner, on_result, threads=args.threads).start()
    for label in LABELS:
        root = os.path.join(args.corpus, label)
        if not os.path.isdir(root):
            print(f"webshell-agent: warning: {root} is missing", file=sys.stderr)
            continue
        for found in walk([root], Filter(all_files=True), Roots([root])):
            if found.error is None:
                pipeline.submit(Job(found.path, label))
    pipeline.close(timeout=3600)

    report: dict[str, Any] = {"rules": ruleset.count, "ruleset": ruleset.digest[:16]}
    report.update(tally.report())
    report["rules_on_benign"] = dict(tally.benign_rules.most_common())
    report["benign_flagged"] = sorted(tally.flagged)
    if args.list_missed:
        report["missed"] = sorted(tally.missed)
    if args.format == "json":
        json.dump(report, sys.stdout, indent=1)
        print()
    else:
        print_text(report)
    return 0


def _pct(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def _table(title: str, table: dict[str, Any]) -> None:
    print(f"{title:14} {'malicious':>9} {'detected':>9} {'rate':>7}   {'benign':>7} {'flagged':>7} {'FP rate':>8}")  # fmt: skip
    rows = [*table["languages"].items(), ("all", table["all"])]
    for lang, row in rows:
        print(
            f"{lang:14} {row['malicious']:>9} {row['detected']:>9} {_pct(row['detection_rate'], 1):>7}"
            f"   {row['benign']:>7} {row['flagged']:>7} {_pct(row['false_positive_rate'], 3):>8}"
        )


def _sources(report: dict[str, Any]) -> None:
    for label in LABELS:
        rows = report["sources"][label]
        if not rows:
            continue
        hit, rate = ("detected", "detection_rate") if label == "malicious" else ("flagged", "false_positive_rate")  # fmt: skip
        print(f"\n{label} by source{'':22} {'files':>7} {hit:>8} {'rate':>8}  by language")
        for source, row in rows.items():
            a = row["all"]
            langs = ", ".join(f"{lang} {r[hit]}/{r[label]}" for lang, r in row["languages"].items())
            mark = " (held out)" if row["held_out"] else ""
            print(f"  {source + mark:44} {a[label]:>7} {a[hit]:>8} {_pct(a[rate], 2):>8}  {langs}")


def print_text(report: dict[str, Any]) -> None:
    _table("language", report)
    _sources(report)
    if "groups" in report:
        print(f"\nheld out: {', '.join(report['hold_out'])}")
        for name in ("tuned", "held_out"):
            print()
            _table(name.replace("_", "-"), report["groups"][name])
    if report["rules_on_benign"]:
        print(
            "\nrules firing on benign files: "
            + ", ".join(f"{r} {n}" for r, n in report["rules_on_benign"].items())
        )
    for path in report["benign_flagged"][:50]:
        print(f"  benign flagged: {path}")
    for path in report.get("missed", []):
        print(f"  missed: {path}")

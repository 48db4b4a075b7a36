"""`webshell-agent eval DIR`: detection and false-positive rates on a labelled corpus.

DIR holds `malicious/` and `benign/` (any depth below). Every file is scanned whatever its
extension; rates are grouped by language from the extension.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections import Counter, defaultdict
from typing import Any

from agent.commands.common import add_config_arg, add_rule_args, config_from, rules_from
from agent.filetypes import extension_of
from agent.pipeline import Job, Pipeline
from agent.scanner import Scanner, ScanResult, Verdict
from agent.walk import Filter, walk

LANGUAGES: dict[str, tuple[str, ...]] = {
    "ASP": (".asp", ".asa", ".cer", ".cdx"),
    "ASPX family": (".aspx", ".ashx", ".asmx", ".asax", ".ascx", ".svc", ".soap", ".rem", ".cshtml",
                    ".vbhtml", ".config", ".master"),
    "JSP": (".jsp", ".jspx", ".jspf"),
    "PHP": (".php", ".phtml", ".php3", ".php4", ".php5", ".php6", ".php7", ".pht", ".phar", ".inc"),
}  # fmt: skip
_BY_EXT = {e: lang for lang, exts in LANGUAGES.items() for e in exts}


def language_of(path: str) -> str:
    return _BY_EXT.get(extension_of(path), "other")


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
        "--list-missed", action="store_true", help="print malicious files no rule matched"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    cfg = config_from(args)
    ruleset = rules_from(cfg, args)
    scanner = Scanner(
        ruleset, max_size=cfg.scan.max_size, timeout=cfg.scan.timeout, hash_clean=False
    )
    totals: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    benign_rules: Counter[str] = Counter()
    missed: list[str] = []
    flagged: list[str] = []
    lock = threading.Lock()

    def on_result(job: Job, r: ScanResult) -> None:
        label = job.trigger
        lang = language_of(r.path)
        with lock:
            c = totals[(label, lang)]
            c["files"] += 1
            if r.verdict is Verdict.MATCHED:
                c["matched"] += 1
                if label == "benign":
                    flagged.append(r.path)
                    benign_rules.update(m.rule for m in r.matches)
            elif r.verdict is not Verdict.CLEAN:
                c[f"not scanned: {r.reason}"] += 1
            if label == "malicious" and r.verdict is not Verdict.MATCHED:
                missed.append(r.path)

    pipeline = Pipeline(scanner, on_result, threads=args.threads).start()
    for label in ("malicious", "benign"):
        root = os.path.join(args.corpus, label)
        if not os.path.isdir(root):
            print(f"webshell-agent: warning: {root} is missing", file=sys.stderr)
            continue
        for found in walk([root], Filter(all_files=True)):
            if found.error is None:
                pipeline.submit(Job(found.path, label))
    pipeline.close(timeout=3600)

    report: dict[str, Any] = {
        "rules": ruleset.count,
        "ruleset": ruleset.digest[:16],
        "languages": {},
    }
    for lang in (*LANGUAGES, "other"):
        mal, ben = (
            totals.get(("malicious", lang), Counter()),
            totals.get(("benign", lang), Counter()),
        )
        if not mal["files"] and not ben["files"]:
            continue
        report["languages"][lang] = {
            "malicious": mal["files"],
            "detected": mal["matched"],
            "detection_rate": round(mal["matched"] / mal["files"], 4) if mal["files"] else None,
            "benign": ben["files"],
            "flagged": ben["matched"],
            "false_positive_rate": round(ben["matched"] / ben["files"], 5)
            if ben["files"]
            else None,
        }
    all_mal = sum(c["files"] for (lab, _), c in totals.items() if lab == "malicious")
    all_det = sum(c["matched"] for (lab, _), c in totals.items() if lab == "malicious")
    all_ben = sum(c["files"] for (lab, _), c in totals.items() if lab == "benign")
    all_fp = sum(c["matched"] for (lab, _), c in totals.items() if lab == "benign")
    report["all"] = {
        "malicious": all_mal, "detected": all_det, "benign": all_ben, "flagged": all_fp,
        "detection_rate": round(all_det / all_mal, 4) if all_mal else None,
        "false_positive_rate": round(all_fp / all_ben, 5) if all_ben else None,
    }  # fmt: skip
    report["rules_on_benign"] = dict(benign_rules.most_common())
    report["benign_flagged"] = sorted(flagged)
    if args.list_missed:
        report["missed"] = sorted(missed)
    if args.format == "json":
        json.dump(report, sys.stdout, indent=1)
        print()
        return 0
    print(
        f"{'language':12} {'malicious':>9} {'detected':>9} {'rate':>7}   {'benign':>7} {'flagged':>7} {'FP rate':>8}"
    )
    for lang, row in report["languages"].items():
        rate = f"{row['detection_rate']:.1%}" if row["detection_rate"] is not None else "-"
        fpr = f"{row['false_positive_rate']:.3%}" if row["false_positive_rate"] is not None else "-"
        print(
            f"{lang:12} {row['malicious']:>9} {row['detected']:>9} {rate:>7}   {row['benign']:>7} {row['flagged']:>7} {fpr:>8}"
        )
    a = report["all"]
    print(
        f"{'all':12} {a['malicious']:>9} {a['detected']:>9} "
        f"{(a['detection_rate'] or 0):>7.1%}   {a['benign']:>7} {a['flagged']:>7} {(a['false_positive_rate'] or 0):>8.3%}"
    )
    if benign_rules:
        print(
            "rules firing on benign files: "
            + ", ".join(f"{r} {n}" for r, n in benign_rules.most_common())
        )
    for path in report["benign_flagged"][:50]:
        print(f"  benign flagged: {path}")
    for path in report.get("missed", []):
        print(f"  missed: {path}")
    return 0

"""`webshell-agent rules list|lint|test|sample`: inspect, check and test rule sets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.alerts import severity_of
from agent.commands.common import add_config_arg, add_rule_args, config_from, rules_from
from agent.rules import collect_sources, default_rules_dir, load_rules, samples
from agent.rules.lint import lint
from agent.rules.testing import load_cases, run_cases, untested_rules


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="list, lint and test rules")
    rsub = p.add_subparsers(dest="rules_command", metavar="ACTION", required=True)

    ls = rsub.add_parser("list", help="list the loaded rules")
    add_config_arg(ls)
    add_rule_args(ls)
    ls.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    ls.set_defaults(func=cmd_list)

    li = rsub.add_parser(
        "lint", help="compile each file alone and together; check metadata and warnings"
    )
    add_config_arg(li)
    add_rule_args(li)
    li.set_defaults(func=cmd_lint)

    te = rsub.add_parser("test", help="run the signatures' test cases")
    te.add_argument(
        "--rules",
        "--signatures",
        dest="signatures",
        type=Path,
        default=None,
        metavar="DIR",
        help="a signatures folder with tests/ (as `scan --rules`); default: the bundled one",
    )
    te.add_argument("-v", "--verbose", action="store_true", help="print every case")
    te.set_defaults(func=cmd_test)

    sa = rsub.add_parser("sample", help="encode or decode a test sample (see signatures/README.md)")
    sa.add_argument("action", choices=("encode", "decode"), help="encode or decode FILE")
    sa.add_argument("file", type=Path, metavar="FILE", help="the sample to encode or decode")
    sa.add_argument("-o", "--output", type=Path, help="default: stdout")
    sa.set_defaults(func=cmd_sample)


def cmd_list(args: argparse.Namespace) -> int:
    cfg = config_from(args)
    ruleset = rules_from(cfg, args)
    rows = [
        {
            "rule": r.identifier,
            "id": r.meta.get("id", ""),
            "severity": severity_of(dict(r.meta)),
            "family": r.meta.get("family", ""),
            "description": r.meta.get("description", ""),
        }
        for r in ruleset.rules
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1)
        print()
    else:
        for row in rows:
            print(f"{row['id'] or '-':14} {row['severity']:8} {row['rule']:48} {row['family']}")
        print(
            f"{len(rows)} rules from {ruleset.files} files"
            + (" (cached)" if ruleset.from_cache else "")
        )
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    cfg = config_from(args)
    sources = collect_sources(cfg.rules.paths, default_rules=cfg.rules.default_rules)
    ours = {s.namespace for s in sources if s.namespace.startswith("wsa/")}
    findings = lint(sources, ours=ours)
    for f in findings:
        print(f, file=sys.stderr)
    print(f"{len(sources)} rule files, {len(findings)} problems")
    return 1 if findings else 0


def cmd_test(args: argparse.Namespace) -> int:
    sig = args.signatures or default_rules_dir()
    ruleset = load_rules((sig,), default_rules=False, cache_dir=None)
    for problem in ruleset.broken:
        print(f"rule error: {problem}", file=sys.stderr)
    cases = load_cases(sig / "tests")
    untested = untested_rules(ruleset, cases)
    outcomes = run_cases(ruleset, cases)
    failed = [o for o in outcomes if o.problem]
    for o in outcomes:
        if o.problem or args.verbose:
            status = "FAIL" if o.problem else "ok  "
            print(
                f"{status} {o.case.language}/{o.case.sample}: {o.problem or ', '.join(o.fired) or 'no match'}"
            )
    for rule in untested:
        print(f"FAIL {rule}: no test case expects this rule to match")
    positives = sum(1 for c in cases if c.match)
    print(
        f"{len(outcomes) - len(failed)} passed, {len(failed) + len(untested)} failed "
        f"({len(cases)} cases: {positives} must-match, {len(cases) - positives} look-alikes; {ruleset.count} rules)"
    )
    return 1 if failed or untested or ruleset.broken else 0


def cmd_sample(args: argparse.Namespace) -> int:
    data = args.file.read_bytes()
    out = samples.encode(data) if args.action == "encode" else samples.decode(data)
    if args.output:
        args.output.write_bytes(out)
    else:
        sys.stdout.buffer.write(out)
    return 0

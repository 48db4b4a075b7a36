"""`webshell-agent rules list|lint|test|sample`: inspect, check and test rule sets."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.commands.common import add_config_arg, add_rule_args, config_from, rules_from
from agent.decode import TRIGGER_TAG
from agent.errors import UsageError
from agent.rules import collect_sources, default_rules_dir, load_rules, samples
from agent.rules.lint import lint
from agent.rules.testing import load_cases, run_cases, untested_rules
from agent.severity import severity_of


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="list, lint and test rules; build, update, roll back bundles")
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

    register_bundles(rsub)


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
        if TRIGGER_TAG not in r.tags
    ]
    # Decode triggers steer the decode stage and never make a finding: no severity to list.
    triggers = [r.identifier for r in ruleset.rules if TRIGGER_TAG in r.tags]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1)
        print()
    else:
        for row in rows:
            print(f"{row['id'] or '-':14} {row['severity']:8} {row['rule']:48} {row['family']}")
        print(
            f"{len(rows)} rules from {ruleset.files} files"
            + (f", plus {len(triggers)} decode triggers" if triggers else "")
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


# -- signed bundles (docs/rule-updates.md) ---------------------------------------------------


def register_bundles(rsub: Any) -> None:
    kg = rsub.add_parser("keygen", help="make a minisign key pair for signing rule bundles")
    kg.add_argument(
        "--out", type=Path, default=Path("webshell-rules"), metavar="PREFIX",
        help="writes PREFIX.key (owner-only) and PREFIX.pub (default: ./webshell-rules)",
    )  # fmt: skip
    kg.set_defaults(func=cmd_keygen)

    bu = rsub.add_parser("bundle", help="build a signed rule bundle from a folder of rules")
    bu.add_argument("dir", type=Path, help="rules laid out like signatures/ (tests/ optional)")
    bu.add_argument("--version", type=int, required=True, metavar="N", help="bundle version")
    bu.add_argument(
        "--out", type=Path, required=True, metavar="FILE.tar.gz",
        help="the bundle to write (its signature goes to FILE.tar.gz.minisig)",
    )  # fmt: skip
    bu.add_argument("--key", type=Path, metavar="FILE", help="minisign secret key")
    bu.add_argument(
        "--unsigned", action="store_true",
        help="write only the archive, to sign with `minisign -S -t 'version:N'`",
    )  # fmt: skip
    bu.add_argument(
        "--min-agent-version", default=None, metavar="X.Y.Z", help="default: this agent's version"
    )
    bu.set_defaults(func=cmd_bundle)

    up = rsub.add_parser("update", help="fetch, verify and install a rule bundle once")
    add_config_arg(up)
    up.add_argument(
        "--from", dest="source", metavar="URL_OR_PATH", help="default: rules.update.url"
    )
    up.add_argument(
        "--public-key", metavar="KEY", help="base64 key or a .pub file (default: from config)"
    )
    up.add_argument("--ca-file", metavar="PEM", help="trust this CA bundle for https")
    up.set_defaults(func=cmd_update)

    ro = rsub.add_parser("rollback", help="go back to the previous installed bundle")
    add_config_arg(ro)
    ro.set_defaults(func=cmd_rollback)


def _secret_key(path: Path) -> Any:
    import getpass
    import os

    from agent.rules import minisign

    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read the secret key: {e}", location=str(path)) from None
    try:
        return minisign.parse_secret_key(text)
    except minisign.NeedsPassword:
        env = os.environ.get("WEBSHELL_AGENT_KEY_PASSWORD")
        password = env if env is not None else getpass.getpass(f"password for {path}: ")
        try:
            return minisign.parse_secret_key(text, password.encode())
        except minisign.MinisignError as e:
            raise UsageError(str(e), location=str(path)) from None
    except minisign.MinisignError as e:
        raise UsageError(str(e), location=str(path)) from None


def cmd_keygen(args: argparse.Namespace) -> int:
    from agent.rules import minisign

    key = minisign.generate()
    secret, public = Path(f"{args.out}.key"), Path(f"{args.out}.pub")
    if secret.exists() or public.exists():
        raise UsageError(f"{secret} or {public} exists already: never overwritten")
    minisign.write_private(secret, key.file_text())
    public.write_text(key.public().file_text(), encoding="ascii")
    print(f"secret key: {secret} (keep it off the agents)\npublic key: {public}")
    print(f'public_key = "{key.public().encode()}"')
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    import agent
    from agent.rules import bundle, minisign

    if args.version < 1:
        raise UsageError("--version must be 1 or more")
    if not args.dir.is_dir():
        raise UsageError("not a folder", location=str(args.dir))
    minimum = args.min_agent_version or agent.__version__
    if args.unsigned == bool(args.key):
        raise UsageError("give --key to sign, or --unsigned to sign with minisign yourself")
    if args.unsigned:
        files = bundle.bundle_files(args.dir)
        import hashlib
        import time

        from agent.rules.bundle_manifest import Manifest

        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        digests = {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
        archive = bundle.build_archive(files, Manifest(args.version, created, minimum, digests))
        args.out.write_bytes(archive)
        print(f"{args.out}: {len(files)} files, version {args.version}, not signed; now run")
        print(
            f"  minisign -S -s KEY -m {args.out} -t 'webshell-agent rules version:{args.version}'"
        )
        return 0
    key = _secret_key(args.key)
    built = bundle.build(args.dir, args.version, key, args.out, min_agent_version=minimum)
    rules = len(built.manifest.rules())
    print(
        f"{args.out}: bundle {built.version}, {rules} rule files, {len(built.files) - rules} "
        f"test files, signed by key {minisign.PublicKey(key.key_id, b'').key_id_hex}"
    )
    print(f"{args.out}.minisig: trusted comment: {built.comment}")
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    import dataclasses

    from agent.rules.bundle import BundleError
    from agent.rules.update import load_public_key, source_for, update_once

    cfg = config_from(args)
    up = cfg.rules.update
    if args.public_key:
        key_file = Path(args.public_key)
        if key_file.is_file():
            up = dataclasses.replace(up, public_key="", public_key_file=str(key_file))
        else:
            up = dataclasses.replace(up, public_key=args.public_key, public_key_file="")
    if args.ca_file:
        up = dataclasses.replace(up, ca_file=args.ca_file)
    location = args.source or up.url
    if not location or not (up.public_key or up.public_key_file):
        raise UsageError("give --from and --public-key (or set them in [rules.update])")
    try:
        outcome = update_once(
            source_for(location, up),
            load_public_key(up),
            cfg,
            on_available=lambda v: print(f"bundle {v} available: fetching and checking"),
        )
    except BundleError as e:
        print(f"webshell-agent: update refused ({e.reason}): {e}", file=sys.stderr)
        return 2
    if outcome.status == "installed":
        print(
            f"installed bundle {outcome.version} (was {outcome.previous or 'signatures'}): "
            f"{outcome.rules} rules, {outcome.tests} test cases passed"
        )
        print("a running agent switches to it within seconds")
    else:
        print(f"up to date: bundle {outcome.version} is the newest")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from agent.rules import bundle_store

    cfg = config_from(args)
    old, new = bundle_store.rollback(cfg.agent.data_dir)
    print(
        f"rolled back from bundle {old} to "
        + (f"bundle {new}" if new is not None else "the bundled signatures")
        + f"; bundle {old} will not be installed again, only a newer one"
    )
    return 0

"""Compile an unpacked bundle and run its own test cases, in a child process.

A crash or a runaway compile in libyara then cannot take the agent down, the compiler's heap
does not stay in the long-running agent, and the compiled set lands in the rule cache, so the
agent's reload after the switch is a cache hit. Run as
`python -m agent.rules.bundle_check CACHE_DIR|- DEFAULT(0|1) BUNDLE_DIR [EXTRA...]`; prints one
JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.errors import RuleError
from agent.rules.bundle import BundleError
from agent.rules.compiler import load_rules
from agent.rules.testing import load_cases, run_cases

CHECK_TIMEOUT = 600.0


@dataclass(frozen=True)
class CheckResult:
    rules: int
    files: int
    tests: int  # cases passed


def check(
    bundle_dir: Path, extra: tuple[Path, ...], *, default_rules: bool, cache_dir: Path | None
) -> dict[str, Any]:
    """What the child prints: {"ok": ...} with counts, or a reason and a message."""
    try:
        # Exactly what the agent loads after the switch (and so what it will find in the cache).
        full = load_rules(
            extra if default_rules else (),
            default_rules=True,
            cache_dir=cache_dir,
            default_dir=bundle_dir,
        )
        ours = [p for p in full.broken if Path(p.path).is_relative_to(bundle_dir)]
        if ours:
            return {"ok": False, "reason": "compile", "message": "; ".join(map(str, ours[:3]))}
        alone = full
        if extra and default_rules:  # cases judge the bundle's rules alone
            alone = load_rules((), default_rules=True, cache_dir=None, default_dir=bundle_dir)
        cases = load_cases(bundle_dir / "tests")
    except RuleError as e:
        return {"ok": False, "reason": "compile", "message": str(e)}
    failed = [o for o in run_cases(alone, cases) if o.problem]
    if failed:
        problems = [f"{o.case.language}/{o.case.sample}: {o.problem}" for o in failed[:3]]
        return {
            "ok": False,
            "reason": "tests",
            "message": f"{len(failed)} of {len(cases)} test cases failed: " + "; ".join(problems),
        }
    return {"ok": True, "rules": alone.count, "files": alone.files, "tests": len(cases)}


def check_in_child(
    bundle_dir: Path,
    extra: tuple[Path, ...],
    *,
    default_rules: bool,
    cache_dir: Path | None,
    timeout: float = CHECK_TIMEOUT,
) -> CheckResult:
    """Raise BundleError('compile'|'tests') unless the bundle compiles and passes its cases."""
    if getattr(sys, "frozen", False):  # no interpreter to start: check here
        doc = check(bundle_dir, extra, default_rules=default_rules, cache_dir=cache_dir)
    else:
        cmd = [
            sys.executable, "-m", "agent.rules.bundle_check", str(cache_dir or "-"),
            "1" if default_rules else "0", str(bundle_dir), *map(str, extra),
        ]  # fmt: skip
        try:
            proc = subprocess.run(
                cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
            )
        except subprocess.TimeoutExpired:
            raise BundleError("compile", f"checking the bundle took over {timeout} s") from None
        except OSError as e:
            raise BundleError("compile", f"cannot start the check: {e}") from None
        try:
            doc = json.loads(proc.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
        except (IndexError, ValueError):
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise BundleError(
                "compile", f"the check exited {proc.returncode}: {tail[0][:200]}"
            ) from None
    if not doc.get("ok"):
        raise BundleError(str(doc.get("reason", "compile")), str(doc.get("message", "")))
    return CheckResult(int(doc["rules"]), int(doc["files"]), int(doc["tests"]))


def main(argv: list[str]) -> int:
    cache, default, bundle_dir, *extra = argv
    doc = check(
        Path(bundle_dir),
        tuple(Path(p) for p in extra),
        default_rules=default == "1",
        cache_dir=None if cache == "-" else Path(cache),
    )
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

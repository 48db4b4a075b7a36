"""Worst-case cost of every rule: each rule's strings repeated up to the size limit.

    make bench-rules                              # bundled signatures, 20 MiB, 2 s CPU budget
    python -m tests.bench.rule_cost --size 4MiB --rules DIR --budget 2

Each rule is compiled alone. For every string it defines (text, hex, or one minimal match
generated from a regex) and for all of its strings together, a file of that probe repeated
(one per line, and again all on one line) to
the largest size the rule is run on is scanned (`--size`, or for a rule whose condition
requires `filesize < N`, the size tier boundary at or above N: agent.rules.tiers), behind a
small PHP one-liner (first at 1/16 of the size: a probe
that, scaled linearly with a 2x margin, stays under budget is not run again; the others are
measured at full size); the CPU time of the scan (yara runs in
the calling thread, so `thread_time` counts it) is the rule's cost on that probe. A rule whose
worst probe exceeds the budget is listed with the probe; a yara timeout counts as over budget.
Finally the whole rule set, size tiers and all, is timed on the worst probes at the top of
every tier and at `--size`, since every rule pays for the others' atoms too.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import yara

from agent.config import parse_size
from agent.rules import collect_sources, load_rules
from agent.rules.compiler import EXTERNALS
from agent.rules.tiers import BOUNDARIES, rule_cap
from tests.bench.regex_example import example, literal_runs

PREFIX = b'<?php @eval($_POST["x"]); ?>\n'
_RULE = re.compile(rb"^(?:(?:private|global)\s+)*rule\s+(\w+)[^{]*\{.*?^\}", re.S | re.M)
_IMPORT = re.compile(rb'^import\s+"\w+"\s*$', re.M)
_STRING = re.compile(
    rb"^\s*(\$\w*)\s*=\s*("
    rb'"(?:[^"\\\n]|\\.)*"'  # text
    rb"|\{[^}]*\}"  # hex
    rb"|/(?:[^/\\\n]|\\.)+/[is]*"  # regex
    rb")([^\n]*)$",
    re.M,
)


@dataclass
class Cost:
    namespace: str
    rule: str
    probe: str
    seconds: float
    timed_out: bool
    size: int = 0
    data: Probe = b""
    sep: bytes = b"\n"


def _text(lit: bytes) -> bytes:
    body = lit[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c == 0x5C and i + 1 < len(body):
            n = body[i + 1]
            if n == ord("x") and i + 3 < len(body):
                out.append(int(body[i + 2 : i + 4], 16))
                i += 4
                continue
            out += {ord("n"): b"\n", ord("t"): b"\t", ord("r"): b"\r"}.get(n, bytes([n]))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def _hex(lit: bytes) -> bytes:
    body = re.sub(rb"//[^\n]*|/\*.*?\*/", b"", lit[1:-1], flags=re.S)
    # Alternatives: the first; jumps: their minimum; wildcards: 'A'.
    body = re.sub(rb"\(([^|)]*)\|[^)]*\)", rb"\1", body)
    body = re.sub(rb"\[(\d*)(?:-\d*)?\]", lambda m: b"41" * int(m.group(1) or 0), body)
    body = re.sub(rb"~?\?\?|~?[0-9A-Fa-f]\?|~?\?[0-9A-Fa-f]", b"41", body)
    body = re.sub(rb"~([0-9A-Fa-f]{2})", b"41", body)
    return bytes.fromhex(re.sub(rb"\s+", b"", body).decode("ascii"))


_WINDOW = re.compile(r"(\[\^(?:[^\]\\]|\\.)*\]|\.)\{\d*,\d{2,}\}")


# A probe is bytes repeated, or three parts: a head written once (each other string the
# condition needs), then one string repeated over the first half of the file and another over
# the rest.
Probe = bytes | tuple[bytes, bytes, bytes]
# A condition that loops over matches (`for any i in (1..#a) : ..`) may cost the product of two
# strings' counts, but only when no early pair satisfies it: with the strings interleaved the
# first pair does. So every ordered pair of the strings such a loop names is also probed apart.
_CONDITION = re.compile(rb"\bcondition\s*:(.*)", re.S)
_LOOP = re.compile(rb"\bfor\s+(?:any|all|\d+)\b")
_NAMED = re.compile(rb"[$#@!](\w+)")
_NEGATED = re.compile(rb"\bnot\s+(?:\$(\w+)|(?:any|all)\s+of\s+\(([^)]*)\))")


def _apart(rule_text: bytes, named: list[tuple[str, bytes]]) -> list[tuple[str, Probe]]:
    """Probes of each pair of the strings a loop in the condition names, one per half, after a
    head with each other string the condition does not negate."""
    m = _CONDITION.search(rule_text)
    loop = _LOOP.search(m.group(1)) if m else None
    if m is None or loop is None:
        return []
    cond = m.group(1)
    looped = {n.decode() for n in _NAMED.findall(cond[loop.start() :])}
    negated: list[str] = []
    for single, group in _NEGATED.findall(cond):
        negated += [single.decode()] if single else re.findall(r"\$(\w*\*?)", group.decode())

    def excluded(name: str) -> bool:
        return any(name == n or (n.endswith("*") and name.startswith(n[:-1])) for n in negated)

    first: dict[str, bytes] = {}
    for label, d in named:  # the example of each string (its first probe)
        first.setdefault(label.split()[0].lstrip("$"), d)
    # (not the looped ones: a pair of them close together in the head would end the loop early)
    head = b" ".join(d for n, d in first.items() if not excluded(n) and n not in looped)
    pairs = [(a, b) for a in first for b in first if a != b and a in looped and b in looped]
    return [(f"${a} then ${b} apart", (head, first[a], first[b])) for a, b in pairs]


def probes(rule_text: bytes) -> list[tuple[str, Probe]]:
    """(label, probe) per string, plus all strings together, plus pairs apart for a condition
    that loops over matches."""
    out: list[tuple[str, Probe]] = []
    for m in _STRING.finditer(rule_text):
        name, lit, mods = m.group(1).decode(), m.group(2), m.group(3)
        found: list[tuple[str, bytes]] = []
        try:
            if lit.startswith(b'"'):
                found.append((name, _text(lit)))
            elif lit.startswith(b"{"):
                found.append((name, _hex(lit)))
            else:
                end = lit.rindex(b"/")
                pattern = lit[1:end].decode("latin-1")
                nocase = "i" in lit[end:].decode()
                found += [(f"{name} atom {r!r}", r) for r in literal_runs(pattern)]
                found.append((name, example(pattern, nocase)))
                # What leads into the first free window (`[^;]{0,120}`): each repetition of it
                # starts a window that runs its full length.
                window = _WINDOW.search(pattern)
                if window and window.start() > 0:
                    with contextlib.suppress(ValueError, IndexError, re.error, RecursionError):
                        found.append((f"{name} prefix", example(pattern[: window.start()], nocase)))
        except (ValueError, IndexError, re.error, RecursionError):
            pass
        for label, data in found:
            if b"wide" in mods:
                data = data.decode("latin-1").encode("utf-16-le")
            if data:
                out.append((label, data))
    named = [(label, d) for label, d in out if " atom " not in label and isinstance(d, bytes)]
    whole = [d for _, d in named]
    if len(whole) > 1:
        out.append(("all", b" ".join(whole)))
        out += _apart(rule_text, named)
    return out


def rules_of(text: bytes) -> list[tuple[str, bytes]]:
    imports = b"\n".join(_IMPORT.findall(text))
    return [(m.group(1).decode(), imports + b"\n" + m.group(0)) for m in _RULE.finditer(text)]


def fill(probe: Probe, size: int, sep: bytes = b"\n") -> bytes:
    if isinstance(probe, tuple):
        head, first, second = probe
        half = size // 2
        start = PREFIX + head + sep
        return (start + _repeat(first, half - len(start), sep) + _repeat(second, size - half, sep))[
            :size
        ]
    return (PREFIX + _repeat(probe, size - len(PREFIX), sep))[:size]


def _repeat(probe: bytes, size: int, sep: bytes) -> bytes:
    return (probe + sep) * (max(0, size) // (len(probe) + len(sep)) + 1)


# A probe is repeated one per line and also on a single line: a window such as `[^\r\n]{0,160}`
# stops at the next line in the first file and runs its full length in the second.
SEPARATORS = (b"\n", b" ")


# Probes are first run at 1/SCREEN of their size.
SCREEN = 16


def scaled(secs: float, apart: bool) -> float:
    """The cost at full size of a probe that took `secs` at 1/SCREEN of it: linear, or cubic
    for a pair apart (nested loops over two strings' matches, each `@a[i]` a walk of the list)."""
    return secs * (SCREEN**3 if apart else SCREEN)


def timed(rules: yara.Rules, data: bytes, timeout: int) -> tuple[float, bool]:
    ext = dict(EXTERNALS, extension=".php", filename="x.php", filepath="/srv/www/x.php")
    t0 = time.thread_time()
    try:
        rules.match(data=data, externals=ext, timeout=timeout)
        return time.thread_time() - t0, False
    except yara.TimeoutError:
        return time.thread_time() - t0, True


def main() -> None:
    warnings.simplefilter("ignore")  # "too many matches": yara caps them, which is the point
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--size", default="20MiB", help="file size (default 20MiB, the size limit)")
    ap.add_argument("--budget", type=float, default=2.0, help="CPU seconds allowed per file")
    ap.add_argument("--timeout", type=int, default=60, help="yara timeout per scan (wall s)")
    ap.add_argument("--rules", type=Path, action="append", default=[], help="extra rule folder")
    ap.add_argument("--no-default-rules", action="store_true")
    ap.add_argument("--only", default="", help="regex on namespace or rule name")
    args = ap.parse_args()
    size = parse_size(args.size)
    sources = collect_sources(tuple(args.rules), default_rules=not args.no_default_rules)
    over: list[Cost] = []
    worst: list[Cost] = []
    started = time.perf_counter()
    print(f"{len(sources)} rule files, probes of {size:,} bytes, budget {args.budget} s CPU")
    for src in sources:
        for name, text in rules_of(src.text):
            if args.only and not re.search(args.only, f"{src.namespace} {name}"):
                continue
            try:
                compiled = yara.compile(source=text.decode("utf-8", "replace"), externals=EXTERNALS)
            except yara.Error as e:
                print(f"  {src.namespace} {name}: does not compile alone ({e})", file=sys.stderr)
                continue
            reach = run_on(text, size)
            cap = rule_cap(text)
            best: Cost | None = None
            for (label, probe), sep in itertools.product(probes(text), SEPARATORS):
                # Screen at 1/SCREEN of the size: a probe far under budget there (scaled up,
                # with a 2x margin) is not run at full size, which saves most of the time.
                # A pair apart tests the condition's loops: at the largest size the condition
                # can hold on (under the rule's cap). Nested loops cost the product of two
                # counts, and yara finds `@a[i]` by walking the match list to the i-th, so
                # their cost grows with the cube of the size (its screen is scaled so).
                apart = isinstance(probe, tuple)
                at = min(reach, cap - 1) if apart and cap is not None else reach
                secs, to = timed(compiled, fill(probe, at // SCREEN, sep), args.timeout)
                if to or scaled(secs, apart) * 2 > args.budget:
                    secs, to = timed(compiled, fill(probe, at, sep), args.timeout)
                else:
                    secs = scaled(secs, apart)
                label = label if sep == b"\n" else f"{label} (one line)"
                cost = Cost(src.namespace, name, label, secs, to, at, probe, sep)
                if best is None or (to, secs) > (best.timed_out, best.seconds):
                    best = cost
            if best is None:
                continue
            worst.append(best)
            flag = "OVER" if best.timed_out or best.seconds > args.budget else "ok"
            if flag == "OVER":
                over.append(best)
            print(f"  {flag:4} {best.seconds:7.2f} s{' (timeout)' if best.timed_out else '':10} "
                  f"at {best.size / 2**20:5.2f} MiB {src.namespace} {name} (worst probe {best.probe})",
                  flush=True)  # fmt: skip
    print(
        f"\n{len(worst)} rules measured in {time.perf_counter() - started:.0f} s; "
        f"{len(over)} over {args.budget} s CPU on a file of the largest size each is run on:"
    )
    for c in sorted(over, key=lambda c: (-c.timed_out, -c.seconds)):
        mark = f">= {c.seconds:.1f} s (yara timeout)" if c.timed_out else f"{c.seconds:.2f} s"
        print(f"  {c.namespace} {c.rule}: {mark} at {c.size:,} bytes, probe {c.probe}")
    if not args.only:
        whole_set(worst, args, size)


def run_on(rule_text: bytes, size: int) -> int:
    """The largest file a rule is scanned in: its tier boundary, or the size limit."""
    cap = rule_cap(rule_text)
    if cap is None:
        return size
    return min([b for b in BOUNDARIES if b >= cap] + [size])


def whole_set(worst: list[Cost], args: argparse.Namespace, size: int) -> None:
    """The tiered rule set on the costliest probes, just under each tier boundary and at `size`."""
    ruleset = load_rules(tuple(args.rules), default_rules=not args.no_default_rules)
    sizes = sorted({b - 1 for b in BOUNDARIES if b <= size} | {size})
    top: list[Cost] = []
    for c in sorted(worst, key=lambda c: -c.seconds / max(1, c.size)):
        if all((c.data, c.sep) != (t.data, t.sep) for t in top):
            top.append(c)
    top = top[:8]
    print(
        f"\nwhole set (tiers) on the {len(top)} costliest probes per byte, at "
        + ", ".join(f"{n:,}" for n in sizes)
        + " bytes:"
    )
    for c in top:
        runs = [
            (timed(ruleset.rules_for(n), fill(c.data, n, c.sep), args.timeout), n) for n in sizes
        ]
        (secs, to), n = max(runs)
        flag = "OVER" if to or secs > args.budget else "ok"
        print(f"  {flag:4} {secs:7.2f} s at {n:,} bytes: probe {c.probe} of {c.rule}", flush=True)


if __name__ == "__main__":
    main()

"""Size tiers: run on a large file only the rules that can match a file that large.

yara searches every rule's strings in every file before it evaluates a single condition, so a
rule written `filesize < 200KB and ...` still pays for its atoms in a 20 MiB file. A file padded
with one of those atoms repeated costs that rule time in proportion to the file's size (24 s of
CPU at 20 MiB for the worst bundled rule, measured with `make bench-rules`). A rule whose
condition requires `filesize < N` (a term of its top-level `and`, or of every branch of an `or`,
through parentheses) cannot match a file of N bytes or more, so from the first boundary below
at or above N on, it is left out of the rules a file is scanned with: its cost is bounded by
that boundary, not by the size limit. Results are identical; only the work the condition would
throw away is not done.

A tier is compiled from the same sources with the capped rules cut out (agent.rules.views).
Private and global rules are always kept (others may refer to them); a file that does not split
cleanly (an `include`, a rule layout we do not recognise, a tier that does not compile) stays
whole.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from pathlib import Path

import yara

KIB, MIB = 1024, 1024 * 1024
# Files of at least BOUNDARIES[k-1] bytes use tier k; tier 0 is the whole rule set. Each
# boundary is at least twice the one before, so a rule runs on files at most ~2x its own cap
# (4x between 4 and 16 KiB and between 64 and 300 KiB). The first ones take the rules written
# for small pages (`filesize < 4KB`, a one-liner's size) off every application page past
# them: on the dev corpus, where most bytes are in pages over 16 KB, yara's time fell by a
# sixth, and by another 3 % with the 4 KiB one (docs/scanning.md).
BOUNDARIES: tuple[int, ...] = (4 * KIB, 16 * KIB, 64 * KIB, 300 * KIB, 1 * MIB, 2 * MIB, 5 * MIB)

_RULE = re.compile(rb"^((?:(?:private|global)\s+)*)rule\s+(\w+)[^{]*\{.*?^\}[ \t]*$", re.S | re.M)
_CONDITION = re.compile(rb"\bcondition\s*:(.*)\}\s*\Z", re.S)
_FILESIZE = re.compile(rb"filesize\s*(<=?)\s*(\d+)\s*(KB|MB)?")
_UNIT = {b"": 1, b"KB": KIB, b"MB": MIB}
_NOISE = re.compile(
    rb'//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|\bmatches\s*/(?:[^/\\\n]|\\.)+/[is]*', re.S
)
_INCLUDE = re.compile(rb'^\s*include\s+"', re.M)


def tier_of(size: int) -> int:
    """The tier a file (or decoded layer) of `size` bytes is scanned with."""
    return bisect.bisect_right(BOUNDARIES, size)


def _split_top(expr: bytes, word: bytes) -> list[bytes]:
    """`expr` cut at each `word` (`and`, `or`) outside parentheses."""
    parts, depth, last, i = [], 0, 0, 0
    n = len(word)
    while i < len(expr):
        c = expr[i]
        if c == 0x28:  # (
            depth += 1
        elif c == 0x29:  # )
            depth -= 1
        elif (
            depth == 0
            and expr.startswith(word, i)
            and (i == 0 or not _word(expr[i - 1]))
            and (i + n == len(expr) or not _word(expr[i + n]))
        ):
            parts.append(expr[last:i])
            last = i = i + n
            continue
        i += 1
    parts.append(expr[last:])
    return parts


def _word(c: int) -> bool:
    return chr(c).isalnum() or c in b"_$#@!"


def _wrapped(expr: bytes) -> bool:
    """Whether one pair of parentheses encloses all of `expr`."""
    if not (expr.startswith(b"(") and expr.endswith(b")")):
        return False
    depth = 0
    for i, c in enumerate(expr):
        depth += (c == 0x28) - (c == 0x29)
        if depth == 0 and i < len(expr) - 1:
            return False
    return True


def _cap_of(expr: bytes) -> int | None:
    """The size from which `expr` is false whatever the strings, or None."""
    expr = expr.strip()
    while _wrapped(expr):
        expr = expr[1:-1].strip()
    branches = _split_top(expr, b"or")
    if len(branches) > 1:
        found = [_cap_of(b) for b in branches]
        return None if None in found else max(c for c in found if c is not None)
    terms = _split_top(expr, b"and")
    if len(terms) > 1:
        capped = [c for c in map(_cap_of, terms) if c is not None]
        return min(capped) if capped else None
    m = _FILESIZE.fullmatch(expr)
    if m is None:
        return None
    return int(m.group(2)) * _UNIT[m.group(3) or b""] + (m.group(1) == b"<=")


def rule_cap(block: bytes) -> int | None:
    """The size from which the rule can no longer match, or None: it may match any file."""
    m = _CONDITION.search(block)
    return None if m is None else _cap_of(_NOISE.sub(b" ", m.group(1)))


def count_rules(text: bytes) -> int:
    """How many rules (private and global ones too) a rule file's text holds, as `cut` sees them."""
    return sum(1 for _ in _RULE.finditer(text))


def cut(text: bytes, boundary: int) -> tuple[bytes, int]:
    """The file without the rules that cannot match a file of `boundary` bytes (each replaced by
    as many newlines, so line numbers stay), and how many went; a file that is not ours to split
    (an `include`) is returned whole."""
    if _INCLUDE.search(text):
        return text, 0
    out, last, dropped = [], 0, 0
    for m in _RULE.finditer(text):
        cap = None if m.group(1).strip() else rule_cap(m.group(0))
        if cap is not None and cap <= boundary:
            out += [text[last : m.start()], b"\n" * m.group(0).count(b"\n")]
            last, dropped = m.end(), dropped + 1
    out.append(text[last:])
    return b"".join(out), dropped


def save_rules(rules: yara.Rules, path: Path) -> None:
    """Compiled rules into `path` atomically: written to a private temporary file beside it,
    then renamed over it, so a reader never loads half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-")
    os.close(fd)
    try:
        rules.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

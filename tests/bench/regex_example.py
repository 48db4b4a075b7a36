"""One short string that a (yara-style) regular expression matches, for cost probes.

Python's own regex parser does the parsing; each element yields its cheapest instance: a
class its first member, a repeat its minimum (at least once for `+`), an alternation its first
branch. Anchors and look-arounds yield nothing.
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11 moved it
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

_CATEGORY = {
    C.CATEGORY_DIGIT: "1",
    C.CATEGORY_NOT_DIGIT: "a",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: "a",
    C.CATEGORY_WORD: "a",
    C.CATEGORY_NOT_WORD: " ",
}


def _class(items: list[Any]) -> str:
    negate = any(op is C.NEGATE for op, _ in items)
    if negate:
        banned = set()
        for op, av in items:
            if op is C.LITERAL:
                banned.add(av)
            elif op is C.RANGE:
                banned.update(range(av[0], av[1] + 1))
            elif op is C.CATEGORY:
                sample = {
                    C.CATEGORY_WORD: rb"\w",
                    C.CATEGORY_DIGIT: rb"\d",
                    C.CATEGORY_SPACE: rb"\s",
                }
                if av in sample:
                    banned.update(c for c in range(128) if re.match(sample[av], bytes([c])))
        return next(chr(c) for c in b"a1 _-x;" if c not in banned)
    for op, av in items:
        if op is C.LITERAL:
            return chr(av)
        if op is C.RANGE:
            return chr(av[0])
        if op is C.CATEGORY:
            return _CATEGORY.get(av, "a")
    return "a"


def _gen(seq: Any) -> str:
    out = []
    for op, av in seq:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op is C.ANY:
            out.append("a")
        elif op is C.IN:
            out.append(_class(av))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            lo, _hi, sub = av
            out.append(_gen(sub) * max(lo, 0))
        elif op is C.SUBPATTERN:
            out.append(_gen(av[-1]))
        elif op is C.BRANCH:
            out.append(_gen(av[1][0]))
        elif op is C.CATEGORY:
            out.append(_CATEGORY.get(av, ""))
        # AT (anchors), ASSERT, GROUPREF: nothing
    return "".join(out)


def example(pattern: str, nocase: bool = False) -> bytes:
    """A short string `pattern` matches (checked with Python's re; ValueError if not)."""
    text = _gen(P.parse(pattern)).encode("latin-1", "replace")
    flags = re.S | (re.I if nocase else 0)
    if re.search(pattern.encode("latin-1"), text, flags) is None:
        raise ValueError(f"no example found for /{pattern}/")
    return text


def literal_runs(pattern: str, min_len: int = 3) -> list[bytes]:
    """Runs of plain characters (yara's atoms come from these): repeating one makes the regex
    start a verification at every copy and fail, the costly case."""
    runs: list[bytes] = []

    def walk(seq: Any) -> None:
        cur: list[str] = []
        for op, av in seq:
            if op is C.LITERAL:
                cur.append(chr(av))
                continue
            if len(cur) >= min_len:
                runs.append("".join(cur).encode("latin-1", "replace"))
            cur = []
            if op is C.SUBPATTERN:
                walk(av[-1])
            elif op is C.BRANCH:
                for branch in av[1]:
                    walk(branch)
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
                walk(av[2])
        if len(cur) >= min_len:
            runs.append("".join(cur).encode("latin-1", "replace"))

    walk(P.parse(pattern))
    return sorted(set(runs), key=lambda r: (-len(r), r))[:3]

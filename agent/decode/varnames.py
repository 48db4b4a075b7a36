"""Variable names a PHP obfuscator moved into a table, put back.

A common obfuscator renames nothing: it writes every variable through a table of names,
`${"GLOBALS"}["kq"] = "cmd";` once, then `${${"GLOBALS"}["kq"]}` wherever `$cmd` stood, and
inside functions `$v = "cmd"; ${$v}`. The code runs the same; the rules see no `$cmd`, no
request read assigned to it and no sink called on it. This layer is the page with each name
looked up: `${${"GLOBALS"}["kq"]}` and `${$v}` written as `$cmd`.

A table key or a local variable given two names (or anything but one name) is left alone: the
lookup would be a guess. Trigger: WSA-GEN-912 (a `${${"GLOBALS"}[..]}` or `${$GLOBALS[..]}`
lookup). Bounds: four linear regular-expression passes over at most `cap` bytes.
"""

from __future__ import annotations

import re
from collections import Counter

_GLOBALS = rb"""\$(?:\s{0,64}\{\s{0,64}(["'])GLOBALS\1\s{0,64}\}|GLOBALS)\s{0,64}"""
# ${"GLOBALS"}["kq"] = "cmd";  -- the table (group 3: key, group 5: name)
_TABLE = re.compile(
    _GLOBALS
    + rb"""\[\s{0,64}(["'])(\w{1,64})\2\s{0,64}\]\s{0,64}=\s{0,64}(["'])([A-Za-z_]\w{0,63})\4"""
    rb"""\s{0,64};"""
)
# ${${"GLOBALS"}["kq"]}  -- a lookup (group 3: key)
_LOOKUP = re.compile(
    rb"""\$\s{0,64}\{\s{0,64}"""
    + _GLOBALS
    + rb"""\[\s{0,64}(["'])(\w{1,64})\2\s{0,64}\]\s{0,64}\}"""
)
# $v = "cmd";  and any assignment to a plain variable (group 1: its name)
_LOCAL = re.compile(
    rb"""\$([A-Za-z_]\w{0,63})\s{0,64}=\s{0,64}(["'])([A-Za-z_]\w{0,63})\2\s{0,64};"""
)
_ASSIGN = re.compile(rb"""\$([A-Za-z_]\w{0,63})\s{0,64}(?:[.+\-*/|&^]|\?\?)?=(?![=>])""")
# ${$v} or $$v  -- a local lookup (group 1 or 2: the variable)
_LOCAL_LOOKUP = re.compile(
    rb"""\$\s{0,64}\{\s{0,64}\$([A-Za-z_]\w{0,63})\s{0,64}\}|\$\$([A-Za-z_]\w{0,63})"""
)


def _one_name(pairs: list[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    """Key -> name for the keys given one name only."""
    names: dict[bytes, set[bytes]] = {}
    for key, name in pairs:
        names.setdefault(key, set()).add(name)
    return {k: next(iter(v)) for k, v in names.items() if len(v) == 1}


def resolve(buf: bytes, cap: int) -> bytes | None:
    """`buf` (up to `cap` bytes) with table and local name lookups written as variables; None
    when nothing is looked up."""
    data = buf[:cap]
    out = data
    if b"GLOBALS" in data:
        table = _one_name([(m.group(3), m.group(5)) for m in _TABLE.finditer(data)])
        if table:
            out = _LOOKUP.sub(
                lambda m: b"$" + table[m.group(3)] if m.group(3) in table else m.group(0), out
            )
    if b"${" in out or b"$$" in out:
        pairs = [(m.group(1), m.group(3)) for m in _LOCAL.finditer(out)]
        assigned = Counter(m.group(1) for m in _ASSIGN.finditer(out))
        named = Counter(k for k, _ in pairs)
        # a variable only ever assigned that one literal name
        local = {k: v for k, v in _one_name(pairs).items() if assigned[k] == named[k]}
        if local:

            def put(m: re.Match[bytes]) -> bytes:
                name = local.get(m.group(1) or m.group(2))
                return m.group(0) if name is None else b"$" + name

            out = _LOCAL_LOOKUP.sub(put, out)
    return out if out != data else None

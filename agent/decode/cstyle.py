"""JSP (Java) and ASP.NET (C#) code as the compiler reads it: escapes read, comments and line
breaks around member access gone.

Java turns `\\uXXXX` escapes into characters before it reads a token, anywhere in the source
(`\\u0052untime.getRuntime()` is `Runtime.getRuntime()`), and C# does in names; both skip a
comment or a line break between `Runtime` and `.getRuntime()`. A shell written that way runs
the same and walks past every rule that reads `Runtime.getRuntime().exec(`. This layer is the
page with escapes of printable ASCII read, short block comments removed and the blanks around
a member's dot and before a call's parenthesis closed up.

Bounds: four regular-expression passes, each linear (the blank runs are matched from their
start only), over at most `cap` bytes of input.
"""

from __future__ import annotations

import re

# `\u0065`, `\uuu0065` (Java allows any number of u); printable ASCII and line breaks only
_ESCAPE = re.compile(rb"\\u+([0-9a-fA-F]{4})")
_COMMENT = re.compile(rb"/\*[^*]{0,256}\*/")
_BLANKS = rb"[ \t\r\n]"
# blanks before a dot or a parenthesis when they follow code, then blanks after a member's dot
_BEFORE = re.compile(rb"(?<=[\w)\]\"'])" + _BLANKS + rb"+(?=[.(])")
_AFTER = re.compile(rb"(?<=[\w)\]]\.)" + _BLANKS + rb"+(?=[A-Za-z_$])")


def _char(m: re.Match[bytes]) -> bytes:
    v = int(m.group(1), 16)
    return bytes((v,)) if 0x20 <= v < 0x7F or v in (0x09, 0x0A, 0x0D) else m.group(0)


def normalise(buf: bytes, cap: int) -> bytes | None:
    """`buf` (up to `cap` bytes) as its compiler reads it; None when that changes nothing."""
    data = buf[:cap]
    out = _ESCAPE.sub(_char, data) if b"\\u" in data else data
    if b"/*" in out:
        out = _COMMENT.sub(b"", out)
    out = _AFTER.sub(b"", _BEFORE.sub(b"", out))
    return out if out != data else None

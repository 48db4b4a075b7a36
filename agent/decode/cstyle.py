"""JSP (Java) and ASP.NET (C#) code as the compiler reads it: escapes read, comments and line
breaks around member access gone.

Java turns `\\uXXXX` escapes into characters before it reads a token, anywhere in the source
(`\\u0052untime.getRuntime()` is `Runtime.getRuntime()`), and C# does in names; both skip a
comment or a line break between `Runtime` and `.getRuntime()`. A shell written that way runs
the same and walks past every rule that reads `Runtime.getRuntime().exec(`. This layer is the
page with escapes of printable ASCII read, short block comments removed and the blanks around
a member's dot and before a call's parenthesis closed up; a JSP parameter read through its
values or the parameter map is written as `getParameter(..)`.

Bounds: five regular-expression passes, each linear (the blank runs are matched from their
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
# A parameter read as one of its values or through the parameter map is a parameter read:
# `getParameterValues("c")[0]`, `getParameterMap().get("c")[0]` as `getParameter("c")`, the
# spelling the JSP rules are written for
_PARAM = re.compile(
    rb"getParameter(?:Values|Map\s{0,8}\(\s{0,8}\)\s{0,8}\.\s{0,8}get)(\s{0,8}\([^()\r\n]{1,128}\))"
    rb"(?:\s{0,8}\[\s{0,8}\d{1,3}\s{0,8}\])?"
)


# What makes the layer worth a scan, looked for here and not by yara trigger rules: a page of
# nothing but `\u0052` or `x)<line break>  .exec` cost yara 0.4 to 1 s of CPU per 20 MiB in atom
# hits. Here each search stops after a few dozen cues, and a comment is looked at from its `/*`
# (a literal that the regex engine skips to), COMMENTS_LOOKED_AT of them at most per search.
_ESCAPE_CUE = re.compile(rb"\\u{1,8}00[2-7][0-9a-fA-F]")
_BREAK_CUE = re.compile(rb"\n[ \t]{0,16}\.[ \t]{0,8}[A-Za-z_]")
_AFTER_COMMENT = re.compile(rb"\*/[ \t\r\n]{0,8}[.(]")
_PARAM_CUE = re.compile(rb"getParameter(?:Values|Map)\b")
COMMENTS_LOOKED_AT = 256


def _comment_at(data: bytes, end: int, start: int = 0) -> int | None:
    """Offset of the first short comment against a member's dot or a call's parenthesis
    (`Runtime./**/getRuntime`, `Runtime /**/ .getRuntime`, `exec/**/(`) in `start`..`end`."""
    i = data.find(b"/*", start, end)
    for _ in range(COMMENTS_LOOKED_AT):
        if i < 0:
            return None
        if data[max(0, i - 9) : i].rstrip(b" \t\r\n").endswith(b"."):
            return i
        close = data.find(b"*/", i + 2, i + 260)
        if close >= 0 and _AFTER_COMMENT.match(data, close):
            return i
        i = data.find(b"/*", i + 2, end)
    return None


def cues_at(data: bytes, limit: int = 32) -> list[int]:
    """Offsets of the first cues (at most `limit`) in a page with server tags (`<%`,
    `runat=server`): escapes of printable ASCII, line breaks before members, comments against
    them. A large page is respelt in windows around them."""
    if b"<%" not in data and b"runat" not in data[:65536].lower():
        return []
    found: list[int] = []
    for cue in (_BREAK_CUE, _ESCAPE_CUE, _PARAM_CUE):
        for m in cue.finditer(data):
            if len(found) >= 2 * limit:
                break
            found.append(m.start())
    at = _comment_at(data, len(data))
    while at is not None and len(found) < 3 * limit:
        found.append(at)
        at = _comment_at(data, len(data), at + 2)
    return sorted(set(found))[:limit]


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
    if b"getParameter" in out:
        out = _PARAM.sub(rb"getParameter\1", out)
    return out if out != data else None

"""Classic ASP (VBScript) code in its plainest spelling: default properties dropped, continued
lines joined.

`Request.Item("x")`, `Request.Form.Item("x")` and `Request("x")` read the same value, and a
statement may run over several lines joined by ` _`; rules are written for the spelling pages
use most (`Request("x")`, one line). A shell that reads the request through `.Item` or breaks a
call across lines runs the same and walks past them. This layer is the page with `.Item` of the
request's collections dropped and continued lines joined.

Bounds: two regular-expression passes, each linear, over at most `cap` bytes of input.
"""

from __future__ import annotations

import re

_ITEM = re.compile(
    rb"(\bRequest(?:[ \t]{0,8}\.[ \t]{0,8}(?:Form|QueryString|Cookies|ServerVariables))?)"
    rb"[ \t]{0,8}\.[ \t]{0,8}Item\b[ \t]{0,8}",
    re.I,
)
# ` _` at a line's end continues the statement on the next line (matched from the start of its
# blank run only, so a long run costs one pass)
_CONTINUED = re.compile(rb"(?<![ \t])[ \t]+_[ \t]*\r?\n[ \t]*")
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _join(m: re.Match[bytes]) -> bytes:
    """Nothing between the two lines, or one space where it would glue two words together."""
    a, b = m.start(), m.end()
    s = m.string
    glue = a > 0 and b < len(s) and s[a - 1] in _WORD and s[b] in _WORD
    return b" " if glue else b""


def normalise(buf: bytes, cap: int) -> bytes | None:
    """`buf` (up to `cap` bytes) in its plainest spelling; None when that changes nothing."""
    data = buf[:cap]
    out = _ITEM.sub(rb"\1", data)
    if b"_" in out:
        out = _CONTINUED.sub(_join, out)
    return out if out != data else None

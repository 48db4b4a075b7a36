"""Declared-charset decoder: a JSP page whose directive names an EBCDIC, UTF-16 or UTF-32
encoding (or that starts with a UTF-16/32 byte-order mark) is compiled by the servlet container
from that encoding, so its code is invisible to rules that read ASCII. Tomcat's Jasper reads
the directive itself as ISO-8859-1, then the rest of the page in the declared encoding; this
layer is that rest, transcoded to UTF-8, behind the directive.

An ASCII-compatible encoding (UTF-8, GBK, Shift_JIS, IBM437...) shows the rules nothing new
and makes no layer. Java spells code pages its own way (`IBM01140`, `x-IBM1047`, `Cp037`,
`UnicodeBig`); a Latin EBCDIC page Python has no codec for is read as cp037, which agrees with
it on letters, digits and most punctuation.
"""

from __future__ import annotations

import codecs
import re

_DECLARED = re.compile(
    rb"(?:pageEncoding|charset|encoding)\s{0,3}=\s{0,3}[\"']?([A-Za-z][\w.:-]{1,30})", re.I
)
_NUMBERED = re.compile(r"(?:x-)?(?:ibm|cp|ccsid)[-_]?0*(\d{2,5})")
_JAVA_NAMES = {
    "unicode": "utf-16",
    "unicodebig": "utf-16-be",
    "unicodebigunmarked": "utf-16-be",
    "unicodelittle": "utf-16-le",
    "unicodelittleunmarked": "utf-16-le",
    "x-utf-16le-bom": "utf-16",
    "x-utf-32be-bom": "utf-32",
    "x-utf-32le-bom": "utf-32",
}
# Latin EBCDIC code pages (Java supports them; Python only some): read as cp037 when missing.
_EBCDIC = frozenset(
    (37, 273, 277, 278, 280, 284, 285, 297, 500, 870, 871, 875, 1025, 1026, 1047, 1112, 1122,
     *range(1140, 1150))
)  # fmt: skip
_PROBE = '<%@ page import="java.io.*" %><% Runtime.getRuntime().exec(request.getParameter("c")); %>'
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def codec_for(name: str) -> str | None:
    """Python's codec for a Java/IANA encoding name, or None when there is none."""
    low = name.strip().lower()
    low = _JAVA_NAMES.get(low, low)
    try:
        return codecs.lookup(low).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        pass
    m = _NUMBERED.fullmatch(low)
    if m is None:
        return None
    number = int(m.group(1))
    try:
        return codecs.lookup(f"cp{number:03d}").name
    except LookupError:
        return "cp037" if number in _EBCDIC else None


def hides_ascii(codec: str) -> bool:
    """Whether code written in this encoding is not plain ASCII bytes (EBCDIC, UTF-16/32)."""
    try:
        return _PROBE.encode(codec) != _PROBE.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def decode_declared(buf: bytes, offsets: list[int], cap: int) -> bytes | None:
    """The page as the container reads it, in UTF-8 (at most `cap` bytes), or None when its
    declared encoding shows nothing the bytes do not."""
    for bom, marked in _BOMS:
        if buf.startswith(bom):
            return _transcode(b"", buf, marked, cap)
    for off in offsets:
        m = _DECLARED.match(buf, off)
        if m is None:
            continue
        codec = codec_for(m.group(1).decode("ascii", "replace"))
        if codec is None or not hides_ascii(codec):
            continue
        end = buf.find(b">", m.end())  # the directive's own `%>` (or `?>`) is read as Latin-1
        end = len(buf) if end < 0 else end + 1
        return _transcode(buf[:end], buf[end:], codec, cap)
    return None


def _transcode(head: bytes, body: bytes, codec: str, cap: int) -> bytes | None:
    # At most 4 input bytes make one character in these encodings: read no more than the cap
    # can hold, decode with replacement (no input can make it fail), encode as UTF-8.
    text = body[: max(0, cap) * 4].decode(codec, errors="replace")
    out = (head + b"\n" + text.encode("utf-8", errors="replace"))[:cap]
    return out if out.strip() else None

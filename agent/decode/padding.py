"""Pages padded with whitespace, squeezed; calls spaced apart from their name, closed up.

A server page may hold its code between tens of kilobytes of blanks: the interpreter skips
them, but a rule that allows a few blanks between two tokens, or keys on a small `filesize`,
no longer sees the page it was written for. This layer is the page with every long run of
blanks cut to one line break. Only a page that is mostly padding gets it: a page whose long
runs of blanks are less than half of it is ordinary text (alignment, a fixed-width report).

A call written with a run of blanks between its name and its parenthesis (`eval    ('?>'.$a)`)
walks past rules that allow a few; the *gap* layer closes those runs up.

Bounds: two C passes to decide (`bytes.translate`, `find`), one regex substitution to cut; the
gap layer is one regex substitution over at most `cap` bytes.
"""

from __future__ import annotations

import re

RUN = 256  # blanks in a row that no one types
_BLANKS = bytes(0x61 if c in b" \t\r\n\x0b\x0c" else 0x2E for c in range(256))
_NEEDLE = b"a" * RUN
# anchored at the start of a run: tried from inside a short run it would rescan it at every
# byte (quadratic on a page of 255-blank runs)
_CUT = re.compile(rb"(?<![ \t\r\n\x0b\x0c])[ \t\r\n\x0b\x0c]{%d,}" % RUN)


def padded_at(data: bytes) -> int | None:
    """Offset of the first run of RUN blanks, if the page has one."""
    i = data.translate(_BLANKS).find(_NEEDLE)
    return i if i >= 0 else None


def squeeze(data: bytes, cap: int) -> bytes | None:
    """The page with its long runs of blanks cut to a line break; None unless they were at
    least half of it."""
    out = _CUT.sub(b"\n", data)
    if len(out) * 2 > len(data):
        return None
    return out[:cap]


# blanks between a name and the parenthesis of its call
_GAP = re.compile(rb"(?<=[A-Za-z0-9_])[ \t]{2,64}(?=\()")


def ungap(data: bytes, cap: int) -> bytes | None:
    """The page with the blanks between each name and its call's parenthesis removed; None
    when there were none."""
    out, n = _GAP.subn(b"", data[:cap])
    return out if n else None

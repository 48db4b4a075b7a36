"""PHP names written in bytes above ASCII, renamed to ASCII.

PHP takes any byte from 0x80 up in an identifier, so `$结果` or `function 加载($地址)` are
valid names. The rules spell names
as `\\$[a-zA-Z_]\\w*` (yara's `\\w` is ASCII): a page that names its variables that way walks
past every rule that follows a variable. This layer renames each such name to an ASCII one
(`$n1`, `n2`), the same name to the same replacement, so the rules read the page as written.
Only pages whose names are text (UTF-8) get it: see `written_names`.

Bounds: one linear pass of one regular expression over the first `cap` bytes (what the layer
may hold); at most MAX_NAMES distinct names renamed (the others are left as they are); at
most `cap` bytes out.
"""

from __future__ import annotations

import re

MAX_NAMES = 4096
MIN_NAMES = 2  # variables named above ASCII before a page is worth a layer
# an identifier holding at least one byte above ASCII (never starting with a digit); an ASCII
# word is passed over in C without a Python call
_NAME = re.compile(rb"(?<![\w\x80-\xff])(?:[A-Za-z_]\w{0,63})?[\x80-\xff][\w\x80-\xff]{0,127}")
# a variable so named: what makes a page worth the layer
CUE = re.compile(rb"\$(\w{0,8}[\x80-\xff][\w\x80-\xff]{0,127})")
CHECKED = 16  # names read to decide


def written_names(data: bytes) -> int | None:
    """Offset of the first variable named above ASCII when the page has two and every one of
    the first CHECKED is UTF-8: names a person wrote in their language (`$结果`). An encoder's
    names are bytes that are no text (`$\xb9\xe0\xa1`); renaming those would show the rules the
    encoder's own decoding stub, which commercial applications ship too."""
    if data.isascii():  # one C pass; most pages hold nothing above ASCII at all
        return None
    first = None
    count = 0
    for m in CUE.finditer(data):
        try:
            m[1].decode("utf-8")
        except UnicodeDecodeError:
            return None
        first = m.start() if first is None else first
        count += 1
        if count >= CHECKED:
            break
    return first if count >= MIN_NAMES else None


def ascii_names(data: bytes, cap: int) -> bytes | None:
    """The page with its non-ASCII names renamed; None when it has fewer than MIN_NAMES
    distinct non-ASCII variable names."""
    data = data[:cap]  # renaming past what the layer may hold is work thrown away
    names: dict[bytes, bytes] = {}
    variables = 0

    def rename(m: re.Match[bytes]) -> bytes:
        nonlocal variables
        word = m.group(0)
        new = names.get(word)
        if new is None:
            if len(names) >= MAX_NAMES:
                return word
            new = names[word] = b"n%d" % (len(names) + 1)
            variables += data[m.start() - 1 : m.start()] == b"$"
        return new

    out = _NAME.sub(rename, data)
    if variables < MIN_NAMES:
        return None
    return out[:cap]  # a name renamed may be longer than the bytes it replaced

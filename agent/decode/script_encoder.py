"""Microsoft Script Encoder (`VBScript.Encode`, `JScript.Encode`, `#@~^...^#~@`): decoding.

Our own implementation of the public description of the format: a block is `#@~^`, the length
of the encoded text as 6 base64 characters of a little-endian integer and `==`, the text, a
6-character checksum with `==`, and `^#~@`. Each ASCII character of the text is substituted
through one of three tables, chosen by the character's position modulo 64 (`_PICK`); `@&`,
`@#`, `@*`, `@!` and `@$` stand for LF, CR, `>`, `<` and `@` and count as one position; bytes
from 0x80 up are double-byte characters, copied as they are and not counted.

The tables were recovered for this project by frequency analysis of encoded pages against
plain VBScript (see docs/scanning.md); they are data of the format, not anyone's code.
"""

from __future__ import annotations

import base64
import binascii
import re

_HEADER = re.compile(rb"#@~\^([A-Za-z0-9+/]{6})==")
_TRAILER = b"^#~@"
_ESCAPES = {0x26: 0x0A, 0x23: 0x0D, 0x2A: 0x3E, 0x21: 0x3C, 0x24: 0x40}
# fmt: off
_PICK = bytes([
    1, 2, 0, 1, 2, 0, 2, 0, 0, 2, 0, 2, 1, 0, 2, 0, 1, 0, 2, 0, 1, 1, 2, 0, 0, 2, 1, 0, 2, 0, 0, 2,
    1, 1, 0, 2, 0, 2, 0, 1, 0, 1, 1, 2, 0, 1, 0, 2, 1, 0, 2, 0, 1, 1, 2, 0, 0, 1, 1, 2, 0, 1, 0, 2,
])
# fmt: on
from agent.decode._scrtable import TABLES  # noqa: E402  (generated data, see the docstring)

MAX_BLOCKS = 256


def _length(field: bytes) -> int | None:
    try:
        raw = base64.b64decode(field + b"==", validate=True)
    except (binascii.Error, ValueError):
        return None
    return int.from_bytes(raw[:4], "little")


def decode_text(text: bytes, wide: int = 2) -> bytes:
    """The plain text of one block's encoded characters. A byte from 0x80 up starts a
    character of `wide` bytes (2: GBK/Big5/Shift-JIS pages; 1: single-byte code pages), or,
    with wide=0, a UTF-8 sequence; such characters are copied and not counted (wide=-1: one
    byte, counted)."""
    out = bytearray()
    pos = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == 0x40 and i + 1 < n and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
            pos += 1
        elif c < 0x80:
            out.append(TABLES[_PICK[pos & 63]][c])
            i += 1
            pos += 1
        elif wide < 0:  # a single-byte code page whose characters do count
            out.append(c)
            i += 1
            pos += 1
        else:
            step = wide or (4 if c >= 0xF0 else 3 if c >= 0xE0 else 2 if c >= 0xC0 else 1)
            out += text[i : i + step]
            i += step
    return bytes(out)


# Words any VBScript/JScript page is full of: the code page guess that decodes most of them wins.
_WORDS = re.compile(
    rb"\b(?:Response|Request|Server|End|If|Then|Dim|Set|Function|Sub|var|function|return)\b"
)


def _best(text: bytes) -> bytes:
    first = decode_text(text)
    if not any(b >= 0x80 for b in text):
        return first
    tries = [first, decode_text(text, 0), decode_text(text, 1), decode_text(text, -1)]
    return max(tries, key=lambda t: len(_WORDS.findall(t)))


def decode_page(buf: bytes, cap: int) -> bytes | None:
    """`buf` with every encoded block replaced by its plain text; None if there was none.
    At most `cap` bytes come out."""
    parts: list[bytes] = []
    last = 0
    size = 0
    blocks = 0
    for m in _HEADER.finditer(buf):
        if m.start() < last or blocks >= MAX_BLOCKS:
            continue
        length = _length(m.group(1))
        if length is None:
            continue
        body_end = min(len(buf), m.end() + length)
        end = buf.find(_TRAILER, body_end, body_end + 16)
        if end < 0:
            end = buf.find(_TRAILER, m.end())
            if end < 0:
                end = len(buf)
            body_end = min(body_end, end)
        plain = _best(buf[m.end() : body_end])
        parts += [buf[last : m.start()], plain]
        size += m.start() - last + len(plain)
        last = min(len(buf), end + len(_TRAILER))
        blocks += 1
        if size >= cap:
            break
    if not blocks:
        return None
    parts.append(buf[last:])
    return b"".join(parts)[:cap]

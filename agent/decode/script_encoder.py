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


# Tokens of an encoded text: an escape, a character from 0x80 up (its width depends on the
# code page guess), or a run of plain ASCII cipher characters.
_HIGH = {
    2: rb"[\x80-\xff][\x00-\xff]?",
    1: rb"[\x80-\xff]",
    0: rb"[\xf0-\xff][\x00-\xff]{0,3}|[\xe0-\xef][\x00-\xff]{0,2}|[\xc0-\xdf][\x00-\xff]?|[\x80-\xbf]",
}
_TOKENS = {w: re.compile(rb"@[&#*!$]|" + h + rb"|[^@\x80-\xff]+|@") for w, h in _HIGH.items()}
_TOKENS[-1] = re.compile(rb"@[&#*!$]|[^@]+|@")
_FULL = tuple(t + bytes(range(128, 256)) for t in TABLES)  # bytes from 0x80 up map to themselves


def decode_text(text: bytes, wide: int = 2) -> bytes:
    """The plain text of one block's encoded characters. A byte from 0x80 up starts a
    character of `wide` bytes (2: GBK/Big5/Shift-JIS pages; 1: single-byte code pages), or,
    with wide=0, a UTF-8 sequence; such characters are copied and not counted (wide=-1: one
    byte, counted).

    Every counted character is gathered into one string whose index is its position, so the
    three substitutions are three `translate` calls and 64 slice copies, not a loop per byte."""
    tokens = _TOKENS[wide].findall(text)
    counted = bytearray()
    for tok in tokens:
        if len(tok) == 2 and tok[0] == 0x40 and tok[1] in _ESCAPES:
            counted.append(0x40)  # a placeholder: the escape counts as one position
        elif wide >= 0 and tok[0] >= 0x80:
            continue
        else:
            counted += tok
    subs = [bytes(counted).translate(t) for t in _FULL]
    plain = bytearray(counted)
    for r in range(min(64, len(plain))):
        plain[r::64] = subs[_PICK[r]][r::64]
    out = bytearray()
    i = 0
    for tok in tokens:
        if len(tok) == 2 and tok[0] == 0x40 and tok[1] in _ESCAPES:
            out.append(_ESCAPES[tok[1]])
            i += 1
        elif wide >= 0 and tok[0] >= 0x80:
            out += tok
        else:
            out += plain[i : i + len(tok)]
            i += len(tok)
    return bytes(out)


# Words any VBScript/JScript page is full of: the code page guess that decodes most of them wins.
_WORDS = re.compile(
    rb"\b(?:Response|Request|Server|End|If|Then|Dim|Set|Function|Sub|var|function|return)\b"
)


def _best(text: bytes) -> bytes:
    if text.isascii():
        return decode_text(text)
    try:  # cipher text is ASCII: if the rest is valid UTF-8, the page was UTF-8
        text.decode("utf-8")
        return decode_text(text, 0)
    except UnicodeDecodeError:
        pass
    first = decode_text(text)
    if len(_WORDS.findall(first)) * 400 >= len(first):
        return first  # reads like code: the double-byte guess was right
    tries = [first, decode_text(text, 1), decode_text(text, -1)]
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

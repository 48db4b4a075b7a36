"""Test-side encoders for the decode stage: our own plain text turned into what attackers ship."""

from __future__ import annotations

import base64
import urllib.parse
import zlib

from agent.decode._scrtable import TABLES
from agent.decode.script_encoder import _PICK

_ESC = {0x0A: b"@&", 0x0D: b"@#", 0x3E: b"@*", 0x3C: b"@!", 0x40: b"@$"}
_INVERSE = [
    {t[c]: c for c in sorted(range(0x20, 0x80), reverse=True) if c not in (0x3C, 0x3E, 0x40)}
    | ({t[9]: 9} if t[9] != 9 else {})
    for t in TABLES
]
# Characters every alphabet can encode (the rest would need an escape we do not have).
ENCODABLE = (
    "".join(chr(p) for p in range(0x20, 0x7F) if all(p in inv for inv in _INVERSE)) + "\r\n<>@"
)


def script_encode(plain: bytes) -> bytes:
    """A `#@~^...^#~@` block for `plain` (ASCII from ENCODABLE)."""
    out = bytearray()
    for pos, p in enumerate(plain):
        if p in _ESC:
            out += _ESC[p]
        else:
            out.append(_INVERSE[_PICK[pos & 63]][p])
    length = base64.b64encode(len(out).to_bytes(4, "little"))[:6]
    return b"#@~^" + length + b"==" + bytes(out) + b"AAAAAA==^#~@"


def lzw_compress(data: bytes) -> bytes:
    """LZW as PHP packers write it (the inverse of agent.decode.payload.lzw_decompress): codes
    from 8 bits, one bit wider each time the code count reaches a power of two, MSB first."""
    table = {bytes([i]): i for i in range(256)}
    codes: list[int] = []
    word = b""
    for byte in data:
        longer = word + bytes([byte])
        if longer in table:
            word = longer
            continue
        codes.append(table[word])
        table[longer] = len(table)
        word = bytes([byte])
    if word:
        codes.append(table[word])
    out, acc, acc_bits, bits, count = bytearray(), 0, 0, 8, 256
    for code in codes:
        acc, acc_bits = (acc << bits) | code, acc_bits + bits
        while acc_bits >= 8:
            acc_bits -= 8
            out.append((acc >> acc_bits) & 0xFF)
        acc &= (1 << acc_bits) - 1
        count += 1
        if count >> bits:
            bits += 1
    if acc_bits:
        out.append((acc << (8 - acc_bits)) & 0xFF)
    return bytes(out)


def php_packed(code: bytes, chain: str = "gzinflate>base64") -> bytes:
    """`eval(gzinflate(base64_decode('...')))` and friends, innermost call last in `chain`."""
    data = code
    calls = []
    for step in chain.split(">"):
        if step == "base64":
            data, call = base64.b64encode(data), "base64_decode"
        elif step == "gzinflate":
            data, call = zlib.compress(data)[2:-4], "gzinflate"
        elif step == "rot13":
            import codecs

            data, call = codecs.encode(data.decode(), "rot13").encode(), "str_rot13"
        elif step == "strrev":
            data, call = data[::-1], "strrev"
        elif step == "lzw":
            data, call = lzw_compress(data), "lzw_decompress"
        elif step == "rawurl":
            data, call = urllib.parse.quote_from_bytes(data, safe=b"").encode(), "rawurldecode"
        elif step == "entities":
            data, call = b"".join(b"&#%d;" % c for c in data), "html_entity_decode"
        elif step == "uu":
            import binascii

            lines = [binascii.b2a_uu(data[i : i + 45]) for i in range(0, len(data), 45)]
            data, call = b"".join(lines) + b"`\n", "convert_uudecode"
        else:
            raise ValueError(step)
        calls.append(call)
    expr = b"'" + data + b"'"
    for call in reversed(calls):
        expr = call.encode() + b"(" + expr + b")"
    return b"<?php eval(" + expr + b"); ?>"

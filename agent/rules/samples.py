"""Test samples are stored encoded so antivirus never quarantines a checkout.

Encoding: XOR with a repeating key, then base64 in lines of 76. Decoding happens only into a
temporary folder at test time.
"""

from __future__ import annotations

import base64
from itertools import cycle

KEY = b"webshell-agent-samples"
SUFFIX = ".b64x"


def _xor(data: bytes) -> bytes:
    return bytes(b ^ k for b, k in zip(data, cycle(KEY), strict=False))


def encode(data: bytes) -> bytes:
    return base64.encodebytes(_xor(data))


def decode(text: bytes) -> bytes:
    return _xor(base64.decodebytes(text))

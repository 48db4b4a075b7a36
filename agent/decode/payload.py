"""Literal payloads: a quoted string passed through decoding calls, e.g.
`eval(gzinflate(base64_decode('...')))`, `Convert.FromBase64String("...")`,
`Base64.getDecoder().decode("...")`; and long base64/hex literals anywhere near a decoding call
(the literal often sits in a variable first).

Every transform is bounded by the caller's byte cap; decompression never yields more than the
cap (a zip bomb stops there).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import html
import re
import urllib.parse
import zlib
from collections.abc import Callable, Iterator

Transform = Callable[[bytes, int], bytes | None]

# What base64_decode skips in a literal: white space and backslashes (an escaped line break
# leaves its `n`, as PHP's decoder does with a single-quoted `\n`); one C pass, not a regex.
_B64_JUNK = b" \t\n\r\x0b\x0c\\"
_B64_OK = re.compile(rb"[A-Za-z0-9+/_-]+={0,2}")
_HEX_OK = re.compile(rb"(?:[0-9A-Fa-f]{2})+")
# Long encoded literals, quoted: candidates even when the decoding call takes a variable.
_B64_RUN = rb"""(['"])([A-Za-z0-9+/=_\-\r\n\\]{40,})"""
LONG_B64 = re.compile(_B64_RUN + rb"\1")
# A loose literal: closed by its quote, or running on to the end of the window it came in
_LOOSE_B64 = re.compile(_B64_RUN + rb"(\1|\Z)")
_LOOSE_HEX = re.compile(rb"""(['"])((?:[0-9A-Fa-f]{2}){24,})(\1|[0-9A-Fa-f]?\Z)""")
# Characters a call chain is made of, read backwards from the opening quote of a literal.
_CHAIN_CHARS = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$@.:>-()\\ \t\r\n"
)
_CALL = re.compile(rb"([A-Za-z_]\w*)\s*\(")
CHAIN_LOOKBACK = 200
_PRINTABLE = bytes([9, 10, 13, *range(32, 127)])
LITERAL_MAX = 4 * 1024 * 1024
REPEAT_B64 = 3  # times a decoded literal that is itself base64 text is decoded again
REPEAT_INFLATE = 8  # rounds of a loose literal's inflation (packers stack gzinflate five deep)
_B64_TEXT = re.compile(rb"[A-Za-z0-9+/=\r\n]{40,}")


def b64(data: bytes, cap: int) -> bytes | None:
    s = data.translate(None, _B64_JUNK)
    if len(s) < 4 or not _B64_OK.fullmatch(s):
        return None
    s = s.rstrip(b"=")
    if len(s) % 4 == 1:
        return None
    s += b"=" * (-len(s) % 4)
    if len(s) // 4 * 3 > cap + 3:
        s = s[: (cap // 3 + 1) * 4]
    try:
        alt = b"-_" if (b"-" in s or b"_" in s) else None
        return base64.b64decode(s, altchars=alt, validate=True)[:cap]
    except (binascii.Error, ValueError):
        return None


def _inflate(data: bytes, cap: int, wbits: int) -> bytes | None:
    d = zlib.decompressobj(wbits)
    try:
        out = d.decompress(data, max(1, cap))  # never more than cap: a bomb stops here
    except zlib.error:
        return None
    return out or None


def gzinflate(data: bytes, cap: int) -> bytes | None:
    return _inflate(data, cap, -15)


def gzuncompress(data: bytes, cap: int) -> bytes | None:
    return _inflate(data, cap, 15)


def gzdecode(data: bytes, cap: int) -> bytes | None:
    return _inflate(data, cap, 31)


def any_inflate(data: bytes, cap: int) -> bytes | None:
    for wbits in (-15, 15, 31):
        out = _inflate(data, cap, wbits)
        if out is not None:
            return out
    return None


def rot13(data: bytes, cap: int) -> bytes | None:
    return codecs.encode(data[:cap].decode("latin-1"), "rot13").encode("latin-1")


def strrev(data: bytes, cap: int) -> bytes | None:
    return data[:cap][::-1]


def uudecode(data: bytes, cap: int) -> bytes | None:
    """PHP's convert_uudecode: uuencoded lines (no begin/end lines), each its length first."""
    out = bytearray()
    for line in data.split(b"\n"):
        line = line.strip(b"\r")
        if not line or line == b"`":
            continue
        try:
            out += binascii.a2b_uu(line)
        except binascii.Error:
            break
        if len(out) >= cap:
            break
    return bytes(out[:cap]) or None


def hex2bin(data: bytes, cap: int) -> bytes | None:
    s = re.sub(rb"\s+", b"", data[: 2 * cap + 2])
    if len(s) % 2:
        s = s[:-1]
    if not _HEX_OK.fullmatch(s):
        return None
    return bytes.fromhex(s.decode("ascii"))


def urldecode(data: bytes, cap: int) -> bytes | None:
    return urllib.parse.unquote_to_bytes(data[: cap * 3])[:cap]


def html_unescape(data: bytes, cap: int) -> bytes | None:
    return html.unescape(data[: cap * 8].decode("latin-1")).encode("latin-1", "replace")[:cap]


def lzw_decompress(data: bytes, cap: int) -> bytes | None:
    """The LZW of PHP packers (Adminer's compile step, the obfuscators built on it): codes of
    8 bits, one bit wider each time the count of codes read reaches a power of two, most
    significant bit first; a dictionary of the 256 bytes and of each word plus the next one's
    first byte. Output stops at `cap`; every dictionary
    entry is a prefix of the output plus one byte, so memory stays in proportion to it."""
    codes: list[int] = []
    count, bits, rest, rest_bits = 256, 8, 0, 0
    for byte in data:
        rest, rest_bits = (rest << 8) | byte, rest_bits + 8
        if rest_bits >= bits:
            rest_bits -= bits
            codes.append(rest >> rest_bits)
            rest &= (1 << rest_bits) - 1
            count += 1
            if count >> bits:
                bits += 1
    table = [bytes([i]) for i in range(256)]
    out, word = bytearray(), b""
    for i, code in enumerate(codes):
        if code < len(table):
            element = table[code]
        elif code == len(table) and word:
            element = word + word[:1]  # the entry this very code is about to make
        else:
            return None
        out += element
        if len(out) >= cap:
            return bytes(out[:cap])
        if i:
            table.append(word + element[:1])
        word = element
    return bytes(out) or None


def _same(data: bytes, cap: int) -> bytes | None:
    return data[:cap]


TRANSFORMS: dict[str, Transform] = {
    "base64_decode": b64, "frombase64string": b64, "decodebuffer": b64, "decode": b64,
    "parsebase64binary": b64, "decodebase64": b64,
    "gzinflate": gzinflate, "gzuncompress": gzuncompress, "gzdecode": gzdecode,
    "str_rot13": rot13, "strrev": strrev, "hex2bin": hex2bin,
    "urldecode": urldecode, "rawurldecode": urldecode,
    "htmlspecialchars_decode": html_unescape, "html_entity_decode": html_unescape,
    "lzw_decompress": lzw_decompress, "convert_uudecode": uudecode,
}  # fmt: skip
# Calls that pass a payload through unchanged (string conversions around the decoder).
PASS_THROUGH = frozenset({
    "getstring", "string", "getdecoder", "getmimedecoder", "getbytes", "stripslashes", "trim",
    "strval", "tostring", "new",
})  # fmt: skip


EXE_HEAD = 4096  # of a decoded executable, the layer keeps its headers only


def executable(data: bytes) -> bool:
    """A Windows PE (`MZ`, its `PE\\0\\0` header where e_lfanew says) or an ELF image."""
    if data[:4] == b"\x7fELF":
        return True
    if data[:2] != b"MZ" or len(data) < 0x40:
        return False
    pe = int.from_bytes(data[0x3C:0x40], "little")
    return pe + 4 <= len(data) and data[pe : pe + 4] == b"PE\0\0"


def kept(data: bytes) -> bytes | None:
    """What of a decoded payload is a layer: text as it is (code to scan), an executable's
    headers (a page that carries a program to drop it: WSA_Gen_Dropper_DecodedExecutable),
    nothing of other data (an image)."""
    if texty(data):
        return data
    return data[:EXE_HEAD] if executable(data) else None


# A page that opens with its tag and a call or an assignment (`<?php eval(gzuncompress("..`):
# code, whatever raw bytes its literal carries after that.
_OPENS_CODE = re.compile(
    rb"[ \t\r\n]{0,8}(?:<\?php|<\?=?|<%)[ \t\r\n]{1,8}(?:@?\$?[A-Za-z_]\w{0,40}[ \t]{0,4}[(=][ \t]{0,4}){1,4}"
)


def opens_code(data: bytes) -> bool:
    return _OPENS_CODE.match(data) is not None


def texty(data: bytes) -> bool:
    """Worth scanning as code: a page that opens as code, or mostly printable text (ASCII, or
    UTF-8 or a double-byte charset with some ASCII)."""
    if opens_code(data):
        return True
    if not data or b"\0" in data[:64]:
        return False
    # code that carries raw bytes in its literals (`define('\x93', ..); gzinflate(substr('\x1f
    # \x8b..', ..))`): its first statement is text, and a call, though most bytes are not
    head = data[:64]
    if len(head) == 64 and len(head.translate(None, _PRINTABLE)) <= 6 and b"(" in head:
        return True
    sample = data[:4096]
    ascii_ok = len(sample) - len(sample.translate(None, _PRINTABLE))
    if ascii_ok >= 0.85 * len(sample):
        return True
    if ascii_ok < 0.3 * len(sample):
        return False
    return decodes(sample)


def decodes(sample: bytes, codecs: tuple[str, ...] = ("utf-8", "gb18030")) -> bool:
    """Whether `sample` (perhaps cut in its last character) is UTF-8 or a legacy double-byte
    charset: a Chinese shell's GBK comments (GB18030 decodes GBK, and Big5 and Shift-JIS text
    as well; random bytes fail it within a few hundred)."""
    for codec in codecs:
        try:
            sample.decode(codec)
        except UnicodeDecodeError as e:
            if e.start >= len(sample) - 3:  # cut in the middle of the last character
                return True
            continue
        return True
    return False


def read_literal(buf: bytes, start: int, limit: int = LITERAL_MAX) -> tuple[bytes, int] | None:
    """The body of the quoted literal whose quote is at `start`, and the index after it."""
    quote = buf[start : start + 1]
    stop = min(len(buf), start + 1 + limit)
    i = start + 1
    while True:
        end = buf.find(quote, i, stop)
        if end < 0:
            return None
        k = end - 1
        while k > start and buf[k] == 0x5C:  # an odd run of backslashes escapes the quote
            k -= 1
        if (end - 1 - k) % 2 == 0:
            return buf[start + 1 : end], end + 1
        i = end + 1


_DQ_ESCAPE = re.compile(rb"\\(x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|[nrtvef\\$\"])")
_DQ_CHAR = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v", b"e": b"\x1b", b"f": b"\f"}


def dq_unescape(body: bytes) -> bytes:
    """A double-quoted literal's bytes as PHP (and C-like languages) read them: a payload
    written as `"\x95\x92.."` is binary, not text."""

    def one(m: re.Match[bytes]) -> bytes:
        e = m.group(1)
        if e[:1] == b"x":
            return bytes([int(e[1:], 16)])
        if e[:1].isdigit():
            return bytes([int(e, 8) & 0xFF])
        return _DQ_CHAR.get(e, e)

    return _DQ_ESCAPE.sub(one, body)


def _chain_calls(buf: bytes, quote: int) -> list[re.Match[bytes]]:
    """The calls right before a literal, outermost first: `a(b(c('x` -> a, b, c."""
    i = quote
    floor = max(0, quote - CHAIN_LOOKBACK)
    while i > floor and buf[i - 1] in _CHAIN_CHARS:
        i -= 1
    return list(_CALL.finditer(buf, i, quote))


def chain_before(buf: bytes, quote: int) -> list[str]:
    """Call names right before a literal, innermost first: `a(b(c('x` -> [c, b, a]."""
    return [m.group(1).decode("ascii").lower() for m in reversed(_chain_calls(buf, quote))]


# A variable that holds a decoder's name, the name written with escapes or pieces the fold pass
# would join: `$f = "\x62\141se64_decode"; eval($f("..."))` (FOPO and many packers).
_ALIAS = re.compile(rb"""\$([A-Za-z_]\w{0,40})\s{0,4}=\s{0,4}(["'])([^"'\n]{1,120})\2\s{0,4};""")
ALIASES_MAX = 16


# A variable given another's value, or a property's: `$f = $this->decoder;` (the name kept in a
# class property, `private $decoder = "base64_decode";`, and copied before the call)
_COPY = re.compile(
    rb"\$([A-Za-z_]\w{0,40})\s{0,4}=\s{0,4}\$(?:this\s{0,4}->\s{0,4})?([A-Za-z_]\w{0,40})\s{0,4};"
)


def aliases(buf: bytes, limit: int = ALIASES_MAX) -> dict[str, str]:
    """Variables holding the name of a decoding call, directly or copied from another variable
    or a property that does: variable name (lower case) -> call name."""
    out: dict[str, str] = {}
    for m in _ALIAS.finditer(buf):
        body = dq_unescape(m.group(3)) if m.group(2) == b'"' else m.group(3)
        name = body.strip().lower().decode("latin-1")
        if name in TRANSFORMS:
            out[m.group(1).decode("ascii").lower()] = name
            if len(out) >= limit:
                return out
    if out:
        for m in _COPY.finditer(buf):
            source = out.get(m.group(2).decode("ascii").lower())
            if source is not None:
                out.setdefault(m.group(1).decode("ascii").lower(), source)
                if len(out) >= limit:
                    break
    return out


def alias_calls(buf: bytes, names: dict[str, str], limit: int) -> list[int]:
    """Offsets of `$alias(` calls (at most `limit`), where a literal payload may follow."""
    if not names:
        return []
    call = re.compile(
        rb"\$(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\s{0,4}\(", re.IGNORECASE
    )
    return [m.start() for _, m in zip(range(limit), call.finditer(buf), strict=False)]


def apply_chain(
    body: bytes, names: list[str], cap: int, alias: dict[str, str] | None = None
) -> tuple[bytes, list[str]] | None:
    """Apply the known calls innermost first; stop at the first unknown one (eval, assert...).
    `alias`: variables called as functions that hold a decoder's name."""
    done: list[str] = []
    data = body
    for name in names:
        name = (alias or {}).get(name, name)
        if name in PASS_THROUGH:
            continue
        fn = TRANSFORMS.get(name)
        if fn is None:
            break
        out = fn(data, cap)
        if out is None:
            break
        data = out
        done.append(name)
    return (data, done) if done else None


_ARG_VAR = re.compile(rb"\$([A-Za-z_]\w{0,40})\s{0,4}[),]")


VARIABLE_TRIES = 64  # occurrences of a variable's name looked at, backwards, for its assignment


@functools.lru_cache(maxsize=256)
def _assignment(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"\$" + re.escape(name) + rb"\s{0,4}=\s{0,4}([\"'])")


def variable_literal(
    name: bytes, pages: tuple[tuple[bytes, int], ...], limit: int
) -> tuple[bytes, int] | None:
    """The quoted literal last assigned to `$name` before the given end of the first page that
    assigns one, with its quote character (`$gz = "ZXZh.."; ... base64_decode($gz)`). Read
    backwards from the end, at most `VARIABLE_TRIES` occurrences per page: each lookup costs
    one pass over the page at most, however many times the page names the variable."""
    assign = _assignment(name)
    needle = b"$" + name
    for page, end in pages:
        i = end
        for _ in range(VARIABLE_TRIES):
            i = page.rfind(needle, 0, i)
            if i < 0:
                break
            m = assign.match(page, i)
            if m is not None:
                lit = read_literal(page, m.start(1), limit)
                if lit is not None:
                    return lit[0], page[m.start(1)]
    return None


def chains(
    buf: bytes,
    offsets: list[int],
    cap: int,
    alias: dict[str, str] | None = None,
    page: bytes = b"",
) -> Iterator[tuple[str, bytes]]:
    """(layer name, decoded bytes) for the first literal after each trigger offset, or for the
    literal a variable there was assigned (in this layer or, for a decoded layer, in `page`, the
    file itself)."""
    seen: set[int] = set()
    limit = min(LITERAL_MAX, 4 * cap + 16)
    for off in offsets:
        window_end = min(len(buf), off + 256)
        quote = -1
        arg = None
        for j in range(off, window_end):
            if buf[j] in (0x22, 0x27):
                quote = j
                break
            # `$v)`: a variable passed to the decoding call (`$f(` is a call, read on)
            if buf[j] == 0x24 and (arg := _ARG_VAR.match(buf, j)) is not None:
                quote = j
                break
        if quote < 0 or quote in seen:
            continue
        seen.add(quote)
        if arg is not None:
            where = ((buf, quote), (page, len(page))) if page else ((buf, quote),)
            found = variable_literal(arg.group(1), where, limit)
            if found is None:
                continue
            body, q = found
        else:
            lit = read_literal(buf, quote, limit)
            if lit is None:
                continue
            body, q = lit[0], buf[quote]
        if q == 0x22 and b"\\" in body:
            body = dq_unescape(body)
        done = apply_chain(body, chain_before(buf, quote), cap, alias)
        if done is None:
            continue
        data, names = done
        # base64 of base64 (`$s2 = $fn($s1)`, a second round the chain cannot follow through
        # variables), kept if it reads as text
        if TRANSFORMS.get(names[-1]) is b64:
            more, rounds = base64_again(data, cap)
            if rounds and texty(more):
                data, names = more, names + ["base64_decode"] * rounds
        if (layer := kept(data)) is not None:  # an image or other data is not code
            yield " > ".join(_short(n) for n in names), layer


# A decoded literal that is a name or a command line (short, one line, no code punctuation) is
# also put back where it stood, its decoding calls replaced: `exec(str_rot13('ap -ai ..'))` is
# `exec('nc -nv ..')`, and the rules for the call that uses it apply. Decoded code has a layer
# of its own. Pages up to INLINE_PAGE, INLINE_COUNT literals.
INLINE_MAX = 256
INLINE_PAGE = 256 * 1024
INLINE_COUNT = 16
_EMPTY_CALL = re.compile(rb"\s{0,4}\)")  # `getDecoder()`: a receiver's call, not a wrapper
_CLOSE = re.compile(rb"[^()'\"\n;]{0,24}\)")  # a wrapper's end, after simple extra arguments
_NEW = re.compile(rb"new\s{1,8}$")
_IDENT = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _receiver_start(buf: bytes, at: int) -> int:
    """Where a method call's receiver chain starts (`Base64.getDecoder().decode(` -> `Base64`),
    `new` included; `at` itself for a plain call."""
    j = at
    while True:
        p = j - 1
        while p >= 0 and buf[p] in b" \t":
            p -= 1
        if p < 0 or buf[p] != 0x2E:  # '.'
            break
        p -= 1
        while p >= 0 and buf[p] in b" \t":
            p -= 1
        if p >= 1 and buf[p] == 0x29 and buf[p - 1] == 0x28:  # `()`
            p -= 2
        end = p + 1
        while p >= 0 and buf[p] in _IDENT:
            p -= 1
        if p + 1 == end:
            break
        j = p + 1
    m = _NEW.search(buf, max(0, j - 16), j)
    return m.start() if m is not None else j


def _inline_edit(
    buf: bytes, quote: int, alias: dict[str, str] | None
) -> tuple[int, int, bytes] | None:
    """(start, end, replacement) for the decoding calls around the literal at `quote`."""
    lit = read_literal(buf, quote, 4 * INLINE_MAX)
    if lit is None:
        return None
    body, after = lit
    q = buf[quote : quote + 1]
    if q == b'"' and b"\\" in body:
        body = dq_unescape(body)
    alias = alias or {}
    # the calls that wrap the literal, innermost first (not `getDecoder()`, a receiver)
    wrappers: list[re.Match[bytes]] = []
    names: list[str] = []
    for m in reversed(_chain_calls(buf, quote)):
        if _EMPTY_CALL.match(buf, m.end()):
            continue
        name = m.group(1).decode("ascii").lower()
        if alias.get(name, name) not in PASS_THROUGH and alias.get(name, name) not in TRANSFORMS:
            break
        wrappers.append(m)
        names.append(name)
    done = apply_chain(body, names, INLINE_MAX + 1, alias)
    # every decoder of the chain applied, or the literal is not what the call receives
    if done is None or len(done[1]) != sum(alias.get(n, n) in TRANSFORMS for n in names):
        return None
    data = done[0]
    if (
        not data
        or len(data) > INLINE_MAX
        or data.translate(None, _PRINTABLE)
        or any(c in data for c in b"\n();{}<>")
    ):
        return None  # not a name or a command line: code has its own layer (`chains`)
    end = after
    for _ in wrappers:
        close = _CLOSE.match(buf, end)
        if close is None:
            return None
        end = close.end()
    start = _receiver_start(buf, wrappers[-1].start())
    text = data.replace(b"\\", b"\\\\").replace(q, b"\\" + q)
    return start, end, q + text + q


def inlined(buf: bytes, offsets: list[int], alias: dict[str, str] | None = None) -> bytes | None:
    """`buf` with the short literals after the trigger `offsets` decoded in place (see
    INLINE_MAX); None when there is none."""
    if len(buf) > INLINE_PAGE:
        return None
    edits: list[tuple[int, int, bytes]] = []
    seen: set[int] = set()
    for off in offsets:
        quote = next(
            (j for j in range(off, min(len(buf), off + 256)) if buf[j] in (0x22, 0x27)), -1
        )
        if quote < 0 or quote in seen:
            continue
        seen.add(quote)
        edit = _inline_edit(buf, quote, alias)
        if edit is not None:
            edits.append(edit)
            if len(edits) >= INLINE_COUNT:
                break
    out: list[bytes] = []
    at = 0
    for start, end, text in sorted(edits):
        if start < at:
            continue  # inside an edit already made
        out += [buf[at:start], text]
        at = end
    return b"".join([*out, buf[at:]]) if out else None


def _inflates(data: bytes) -> bool:
    """Whether `data` starts a deflate, zlib or gzip stream (a few KB tried, no more)."""
    return any_inflate(data[:4096], 256) is not None


def base64_again(data: bytes, cap: int) -> tuple[bytes, int]:
    """Base64 of base64 (of base64): decoded again while the text is still only base64, at
    most REPEAT_B64 times; the result and how many rounds were taken."""
    rounds = 0
    while rounds < REPEAT_B64 and _B64_TEXT.fullmatch(data[:4096]):
        again = b64(data, cap)
        if again is None:
            break
        data, rounds = again, rounds + 1
    return data, rounds


# A page's own cipher: a payload XORed with a key the page holds in a literal (`$k = "w4rg";
# eval("?>" . my_xor(hex2bin(strrev($p)), $k))`). Short literals of the page are tried as the
# key on the payload's first KB; the one that gives code decodes it whole.
XOR_KEYS = 16
MIN_ASCII = 0.55  # printable ASCII share of a deciphered KB (a Chinese page's comments stay over)
KEY_SCOPE = 512 * 1024  # bytes at each end of a page searched for keys
KEY_TAIL = 4 * 1024  # the page's last bytes, searched first
_KEY_LIT = re.compile(rb"""(["'])([\x21-\x26\x28-\x7e]{3,64})\1""")
_HEX_KEY = re.compile(rb"""(["'])((?:[0-9a-fA-F]{2}){3,128})\1""")
_CODE_HEAD = re.compile(rb"<\?|<%|\$[A-Za-z_]\w{0,30}\s{0,4}[=(\[;.)]|function\s|eval\s{0,4}\(")
_MARKUP = re.compile(rb"<[!/]?[A-Za-z]|<!--|^\s{0,64}/\*")
_TEXT_BYTES = bytes([9, 10, 13, *range(32, 127), *range(128, 256)])


def _code_head(data: bytes) -> bool:
    """Whether `data` opens as code: text (`texty`) with a tag, an assignment or a call in its
    first KB."""
    return texty(data) and _CODE_HEAD.search(data[:1024]) is not None


def xor_keys(buf: bytes) -> list[bytes]:
    """The page's short literals, the keys its own cipher may use (at most XOR_KEYS), and a
    short hex literal's bytes, forwards and backwards (a key the page spells in hex and turns
    with `strrev`: `chr(hexdec(..))` in a loop, then `strrev`)."""
    if len(buf) > 2 * KEY_SCOPE:  # a key is declared near the top or the bottom of a page
        buf = buf[:KEY_SCOPE] + b"\n" + buf[-KEY_SCOPE:]
    keys: list[bytes] = []
    # The page's last lines first, from the bottom up (half the keys at most): the decoding
    # call and its key follow the payload there, whatever a login page above spends on short
    # literals; then the page from the top.
    bottom_up = [m.group(2) for m in _KEY_LIT.finditer(buf[-KEY_TAIL:])][::-1]
    top_down = (m.group(2) for m in _KEY_LIT.finditer(buf))
    for found, most in ((iter(bottom_up), XOR_KEYS // 2), (top_down, XOR_KEYS)):
        for lit in found:
            if len(keys) >= most:
                break
            if lit not in keys:
                keys.append(lit)
    if len(keys) >= XOR_KEYS:
        return keys
    for m in _HEX_KEY.finditer(buf):
        raw = bytes.fromhex(m.group(2).decode())
        for key in (raw, raw[::-1]):
            if key not in keys:
                keys.append(key)
        if len(keys) >= 2 * XOR_KEYS:
            break
    return keys


def _xor(data: bytes, key: bytes) -> bytes:
    stream = (key * (len(data) // len(key) + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def _text_ratio(data: bytes) -> float:
    """Share of `data` that is printable ASCII or a byte of a multi-byte character set."""
    if not data:
        return 0.0
    return 1 - len(data.translate(None, _TEXT_BYTES)) / len(data)


def unxor(data: bytes, keys: list[bytes], floor: float = 0.0) -> bytes | None:
    """`data` XORed with the key that makes its first KB the most text-like, when that is
    markup or code and more text-like than `floor` (and than 0.9), else None."""
    head = data[:1024]
    best, score = None, max(floor, 0.9)
    opened = None  # a key that makes a page open as code (`<?php eval(gzuncompress("\x78..`)
    for key in keys:
        out = _xor(head, key)
        if opened is None and opens_code(out):
            opened = key
        ratio = _text_ratio(out)
        # (a page may open with its HTML or a comment banner: those count; a wrong key leaves
        # no text at all).
        # Bytes above 127 count as text (a GBK comment), so a wrong guess whose high bytes
        # pass and whose KB holds `$x(` by chance is told apart by its share of ASCII: code is
        # mostly ASCII, XOR garbage about half.
        # A page whose comments are Chinese is less than half ASCII: it counts when it is
        # UTF-8, which a wrong key's high bytes are not (GB18030 takes nearly any run of them).
        if (
            ratio > score
            and (_ascii_share(out) >= MIN_ASCII or decodes(out, ("utf-8",)))
            and (_CODE_HEAD.search(out) or _MARKUP.search(out))
        ):
            best, score = key, ratio
    # (one that opens the page as code when none makes it text: its literal holds raw bytes)
    best = best if best is not None else opened
    return None if best is None else _xor(data, best)


def _ascii_share(data: bytes) -> float:
    return 1 - len(data.translate(None, _PRINTABLE)) / len(data) if data else 0.0


def _deciphered(decoded: list[tuple[bytes, str]], keys: list[bytes]) -> tuple[bytes, str] | None:
    """The first of `decoded` that one of the page's `keys` turns into code (only when that
    makes it more text-like than it is)."""
    for dec, how in decoded:
        if (xored := unxor(dec, keys, _text_ratio(dec[:1024]))) is not None:
            return xored, how + " > xor"
    return None


def _plain(decoded: list[tuple[bytes, str]]) -> tuple[bytes, str] | None:
    """The first of `decoded` that starts a compressed stream or is code, else the first text."""
    for dec, how in decoded:
        if _inflates(dec) or _code_head(dec):
            return dec, how
    return next(((dec, how) for dec, how in decoded if texty(dec)), None)


_BLANKS = b"\r\n\\ \t"


def _whole_units(body: bytes, unit: int) -> bytes:
    """`body` without the trailing characters that do not make a whole `unit` (4 base64
    characters, 2 hex digits), blanks and line breaks not counted."""
    # Indices, not slices: a fold layer padded with newlines to its file's size (500 KB of
    # them) made one slice per byte, quadratic (14 s for a 1.4 MB page).
    body = body.rstrip(_BLANKS)
    extra = len(body.translate(None, _BLANKS)) % unit
    end = len(body)
    while extra and end:
        end -= 1
        if body[end] not in _BLANKS:
            extra -= 1
    return body[:end]


def loose(
    buf: bytes, cap: int, limit: int, keys: list[bytes] | None = None, partial: bool = True
) -> Iterator[tuple[str, bytes]]:
    """Long base64 / hex literals anywhere (both also backwards): decoded, XORed with one of
    the page's `keys` when that gives code, then inflated while that still inflates, until it
    gives text. `partial`: also a literal cut by the end of `buf` (when no decoding call has
    read the page's literals already: a cut copy of what a call decoded whole would only
    spend the stage's byte budget)."""
    n = 0
    for pattern, fn, name in ((_LOOSE_B64, b64, "base64"), (_LOOSE_HEX, hex2bin, "hex2bin")):
        for m in pattern.finditer(buf):
            if n >= limit:
                return
            n += 1
            body, path = m.group(2), name
            if m.group(3) not in (b'"', b"'"):
                if not partial:
                    continue
                # cut by the end of the window (a literal longer than LOOSE_END): what arrived is
                # decoded, trimmed to whole units (a bound must not make a payload unreadable)
                body = _whole_units(body, 2 if name == "hex2bin" else 4)
            if name == "base64" and body.startswith(b"="):
                # padding first: base64 written backwards, for strrev() to turn round
                body, path = body[::-1], "strrev > base64"
            # forwards, and backwards (for strrev() to turn round) when written forwards: code
            # once XORed with one of the page's keys either way, else the first that gives a
            # compressed stream or code, else the first that gives text. The cipher is tried
            # first both ways: raw deflate takes many a ciphertext, read the wrong way, for a
            # stream, and its output for text.
            tries = [(body, path)] + ([(body[::-1], "strrev > " + name)] if path == name else [])
            decoded = [(dec, how) for raw, how in tries if (dec := fn(raw, cap)) is not None]
            best = _deciphered(decoded, keys or []) or _plain(decoded)
            if best is None:
                continue
            out, path = best
            out, rounds = base64_again(out, cap)
            path += " > base64" * rounds
            # inflated (gzinflate, gzuncompress, gzdecode) as often as it still inflates, all
            # rounds together within `cap` output bytes (a bomb of bombs stops there)
            spent = 0
            for _ in range(REPEAT_INFLATE):
                if (layer := kept(out)) is not None:
                    yield path, layer
                    break
                inflated = any_inflate(out, cap - spent) if spent < cap else None
                if inflated is None:
                    break
                spent += len(inflated)
                out, path = inflated, path + " > inflate"


def _short(name: str) -> str:
    return {"frombase64string": "base64", "base64_decode": "base64", "decodebuffer": "base64",
            "decode": "base64", "parsebase64binary": "base64", "decodebase64": "base64"}.get(name, name)  # fmt: skip

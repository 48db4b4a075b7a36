"""The first and the last block of server code of a large page, judged on their own.

A shell is often planted in an application's page rather than dropped beside it: a block of
code added at the top or the bottom of `index.php` or `default.asp`. Rules that judge a small
page by its size (a request read and a dynamic call in under 2 KB) no longer see a small page.
The page's first and last blocks (`<?php .. ?>`, `<% .. %>`, and an ASP.NET
`<script language="C#" runat="server">` near its head or its end) are given to the rules as
pages of their own when the page is large and the block small, and so is its tail of blocks:
a shell of several blocks (`<%a=request("v")%><%eval a%>`) pasted at the end.

A whole page pasted after another one leaves a seam: text after the host's `</html>`, or a
second `<%@` directive deep in the page (a page has its directives at its head), or a PHP
file's end (`}` or `;`, its closing tag on a line of its own) followed by nothing but blank
space and another open tag (`}\n?>\n<?php`: a class file with a page pasted after it; a
template closes its blocks on the lines of their code and has markup between them). What follows
the seam is judged alone when it is at most TAIL_MAX bytes: a file manager appended to an
Exchange or CMS page is then the small page its rules know.

Bounds: a few `find`s and `rfind`s per kind of tag, per `?>` of the last TAIL_MAX bytes two
short checks around it, and one search for server script blocks over the first and the last
TAIL_MAX bytes; at most eleven islands: per kind of tag a first and a last block and a run of
blocks, a first and a last server script block, each of at most ISLAND_MAX bytes (+2), one
seam's tail and two PHP seams' tails of at most TAIL_MAX.
"""

from __future__ import annotations

import re

ISLAND_PAGE = 32 * 1024  # pages above this size get their edge blocks judged alone
ISLAND_MAX = 8 * 1024  # a block larger than this is application code, not a planted one
TAIL_MAX = 64 * 1024  # a page pasted after a seam, judged alone up to this size
_SEAMS = 4  # `</html>` ends looked at, from the page's end back
_DIRECTIVE_DEPTH = 4 * 1024  # a `<%@` beyond this far into a page starts a pasted one
_TAGS = ((b"<?", b"?>"), (b"<%", b"%>"))
_PHP_SEAMS = 2  # closed-and-reopened PHP blocks looked at, from the page's end back
_BLANKS = b" \t\r\n"
_OPEN_NEXT = re.compile(rb"[ \t\r\n]*(?=<\?)")  # blank space, then another open tag
# ASP.NET's other server block: `<script language="C#" runat="server">` (C# or VB.NET; a
# classic-ASP page's VBScript or JScript helper block of functions, at its end, is no island)
_SERVER_SCRIPT = re.compile(
    rb"<script\b(?=[^>]{0,200}?\brunat[ \t]{0,4}=[ \t]{0,4}[\"']?server)"
    rb"(?=[^>]{0,200}?\blanguage[ \t]{0,4}=[ \t]{0,4}[\"']?(?:c#|cs|csharp|vb|visualbasic)(?![\w#.]))",
    re.I,
)
_SCRIPT_END = re.compile(rb"</script[ \t]{0,4}>", re.I)


def _block(data: bytes, start: int, close: bytes) -> bytes | None:
    end = data.find(close, start + 2, start + ISLAND_MAX + 2)
    if end < 0:
        end = len(data) if len(data) - start <= ISLAND_MAX else -1
    else:
        end += len(close)
    return data[start:end] if end > start else None


def _tail_run(data: bytes, open_: bytes) -> bytes | None:
    """The page's last ISLAND_MAX bytes from the first block that opens in them, when two or
    more do: the last blocks together, a variable set in one and run in the next."""
    at = data.find(open_, len(data) - ISLAND_MAX)
    if at < 0 or data.find(open_, at + len(open_)) < 0:
        return None  # one block: the last block is judged already
    return data[at:]


def seam_tail(data: bytes) -> bytes | None:
    """The longest tail of at most TAIL_MAX bytes that starts at a seam and holds server code."""
    size = len(data)
    low = data[-TAIL_MAX - 7 :].lower()  # the lowered tail only: a seam further back is too far
    base = size - len(low)
    best = -1
    end = len(low)
    for _ in range(_SEAMS):
        at = low.rfind(b"</html>", 0, end)
        if at < 0:
            break
        best, end = base + at + 7, at
    directive = data.rfind(b"<%@", max(_DIRECTIVE_DEPTH, size - TAIL_MAX))
    if directive >= 0 and (best < 0 or directive < best):
        best = directive
    if best < 0 or best >= size - 16:
        return None
    tail = data[best:]
    return tail if b"<%" in tail or b"<?" in tail or b"runat" in tail.lower() else None


def php_seam_tails(data: bytes) -> list[bytes]:
    """What follows each of the last _PHP_SEAMS places where a PHP file ends and another block
    opens after blank space only, within the page's last TAIL_MAX bytes (the nearest to the
    end first: a pasted shell of several blocks has such a seam of its own). Each `?>` is
    found with `bytes.find` and its two sides checked where it stands (a regular expression
    with a look-behind tried at every byte cost 0.6 ms a page)."""
    seams: list[int] = []
    at = data.find(b"?>", max(0, len(data) - TAIL_MAX - 2))
    while at >= 0:
        # a file's end: `}` or `;` ending the code, the tag alone on its line (a template
        # closes its blocks on the lines of their code, `endif; ?>`: most stop here)
        nl = data.rfind(b"\n", max(0, at - 256), at)
        if nl >= 0 and not data[nl + 1 : at].strip(b" \t"):
            code_end = data[max(0, nl - 256) : nl].rstrip(_BLANKS)[-1:]
            after = _OPEN_NEXT.match(data, at + 2) if code_end in (b";", b"}") else None
            if after is not None:
                seams.append(after.end())
        at = data.find(b"?>", at + 2)
    return [
        data[at:]
        for at in reversed(seams[max(0, len(seams) - _PHP_SEAMS) :])
        if at < len(data) - 16
    ]


def _script_blocks(data: bytes) -> list[bytes]:
    """The first server script block in the page's first TAIL_MAX bytes and the last in its
    last TAIL_MAX, each at most ISLAND_MAX bytes (a regular expression that ignores case is
    run over those two stretches only, not over a page of megabytes)."""
    tail = list(_SERVER_SCRIPT.finditer(data, max(0, len(data) - TAIL_MAX)))
    found = [_SERVER_SCRIPT.search(data, 0, TAIL_MAX), tail[-1] if tail else None]
    out: list[bytes] = []
    for m in found:
        if m is None:
            continue
        end = _SCRIPT_END.search(data, m.end(), m.start() + ISLAND_MAX)
        block = data[m.start() : end.end()] if end is not None else None
        if block is not None and block not in out:
            out.append(block)
    return out


def edge_blocks(data: bytes) -> list[bytes]:
    """The islands of a large page: its first and last code block (each at most ISLAND_MAX
    bytes), its tail of blocks and what follows a seam (at most TAIL_MAX)."""
    if len(data) <= ISLAND_PAGE:
        return []
    out: list[bytes] = []
    for open_, close in _TAGS:
        first = data.find(open_)
        if first < 0:
            continue
        last = data.rfind(open_)
        for at in dict.fromkeys((first, last)):
            block = _block(data, at, close)
            if block is not None and block not in out:
                out.append(block)
    for block in _script_blocks(data):
        if block not in out:
            out.append(block)
    # (a run inside the seam's tail is still judged alone: rules weigh a page's size)
    tails = (seam_tail(data), *php_seam_tails(data), *(_tail_run(data, o) for o, _ in _TAGS))
    for tail in tails:
        if tail is not None and tail not in out:
            out.append(tail)
    return out

"""Goto-threaded PHP put back in the order it runs.

PHP obfuscators of the yakpro-po kind cut a page into statements, give each a random label,
shuffle them and chain them with `goto`: `goto a; c: eval($x); goto d; a: $x = "..";
goto c;`. Every statement is still in the file, but no rule sees two of them next to each other
(`$x = ..; eval($x)`), and the folding of append chains (`$u .= "ht"; $u .= "tp"`) never meets
a chain. This layer follows the chain from the top: each labelled piece is written out once, in
the order the unconditional gotos take, then the pieces nothing jumped to (the targets of
conditional gotos) in file order.

Bounds: one linear pass of one regular expression (strings and comments are consumed whole, an
unclosed one to the end of the file); every piece is written at most once; at most `cap` bytes.
"""

from __future__ import annotations

import re

# Strings and comments first, so a `label:` or `goto` inside them is no token; a label is an
# identifier after `;`, `{`, `}` or another label's colon, followed by one colon (not `::`);
# like any PHP name it may hold bytes above ASCII (EnPHP's labels are GBK soup).
_TOKENS = re.compile(
    rb"""'(?:[^'\\]|\\.)*+'?|"(?:[^"\\]|\\.)*+"?"""
    rb"|/\*(?:.*?\*/|.*)|(?://|\#)[^\n]*"
    rb"|\bgoto[ \t\r\n]++([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})[ \t\r\n]*+;"
    rb"|(?<=[;{}:])[ \t\r\n]*+([A-Za-z_\x80-\xff][\w\x80-\xff]{0,63})[ \t\r\n]*+:(?!:)"
    rb"|([{}])",
    re.S,
)
_NOT_LABELS = frozenset((b"default", b"else", b"case", b"parent", b"self", b"static"))
MIN_GOTOS = 4


def linearize(data: bytes, cap: int) -> bytes | None:
    """The page with its goto-chained pieces in the order they run; None when it has fewer
    than MIN_GOTOS gotos to labels it defines."""
    labels: dict[bytes, int] = {}  # label -> index of the piece it starts
    cuts: list[tuple[int, int]] = []  # (label token start, piece start)
    gotos: list[tuple[int, int, bytes]] = []  # (start, end, target)
    # A goto that starts a statement at its piece's brace depth always jumps: what follows it
    # in the piece never runs (obfuscators pad pieces with dead gotos: `a(); goto b; goto c;`).
    # One after `if (..)` or `else` without braces, or inside a block, may not.
    depth, piece_depth = 0, [0]
    sure: list[bool] = []
    for m in _TOKENS.finditer(data):
        if m[3] is not None:
            depth += 1 if m[3] == b"{" else -1
        elif m[1] is not None:
            gotos.append((m.start(), m.end(), m[1]))
            before = data[max(0, m.start() - 64) : m.start()].rstrip()[-1:]
            sure.append(depth == piece_depth[-1] and before in (b"", b";", b"{", b"}", b":"))
        elif m[2] is not None and m[2].lower() not in _NOT_LABELS and m[2] not in labels:
            labels[m[2]] = len(cuts) + 1
            cuts.append((m.start(), m.end()))
            piece_depth.append(depth)
    if sum(1 for _, _, t in gotos if t in labels) < MIN_GOTOS:
        return None
    # Piece 0 runs from the top to the first label; piece i from label i's colon to the next.
    bounds = [(0, cuts[0][0] if cuts else len(data))]
    for i, (_, start) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(data)
        bounds.append((start, end))
    # A piece jumps at its first sure goto, or at a goto that ends it (only blanks after it);
    # any other piece falls through.
    last_goto: dict[int, tuple[int, bytes]] = {}
    for (start, end, target), always in zip(gotos, sure, strict=True):
        holder = _piece_of(bounds, start)
        if holder in last_goto and last_goto[holder][0] < start:
            continue
        if always or data[end : bounds[holder][1]].strip() == b"":
            last_goto[holder] = (start, target)
    out: list[bytes] = []
    size = 0
    seen: set[int] = set()
    for first in range(len(bounds)):
        piece: int | None = first
        while piece is not None and piece not in seen and piece < len(bounds):
            seen.add(piece)
            lo, hi = bounds[piece]
            jump = last_goto.get(piece)
            text = data[lo : jump[0] if jump else hi].strip()
            if text:
                out.append(text)
                size += len(text) + 1
                if size >= cap:
                    return b"\n".join(out)[:cap]
            piece = labels.get(jump[1]) if jump else piece + 1
    return b"\n".join(out)[:cap]


def _piece_of(bounds: list[tuple[int, int]], offset: int) -> int:
    """Index of the piece holding `offset` (bounds are sorted and contiguous)."""
    lo, hi = 0, len(bounds) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if bounds[mid][0] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo

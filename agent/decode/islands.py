"""The first and the last block of server code of a large page, judged on their own.

A shell is often planted in an application's page rather than dropped beside it: a block of
code added at the top or the bottom of `index.php` or `default.asp`. Rules that judge a small
page by its size (a request read and a dynamic call in under 2 KB) no longer see a small page.
The page's first and last blocks (`<?php .. ?>`, `<% .. %>`) are given to the rules as pages
of their own when the page is large and the block small.

Bounds: two `find`s and two `rfind`s per kind of tag; at most two blocks of ISLAND_MAX bytes.
"""

from __future__ import annotations

ISLAND_PAGE = 32 * 1024  # pages above this size get their edge blocks judged alone
ISLAND_MAX = 8 * 1024  # a block larger than this is application code, not a planted one
_TAGS = ((b"<?", b"?>"), (b"<%", b"%>"))


def _block(data: bytes, start: int, close: bytes) -> bytes | None:
    end = data.find(close, start + 2, start + ISLAND_MAX + 2)
    if end < 0:
        end = len(data) if len(data) - start <= ISLAND_MAX else -1
    else:
        end += len(close)
    return data[start:end] if end > start else None


def edge_blocks(data: bytes) -> list[bytes]:
    """The first and the last code block of a large page, each at most ISLAND_MAX bytes."""
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
    return out

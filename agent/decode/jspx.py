"""JSP documents (JSPX): the code as the container compiles it.

A JSP document is XML: its code sits in `<jsp:scriptlet>`, `<jsp:declaration>` and
`<jsp:expression>` elements, where the XML parser removes `<![CDATA[`/`]]>` markers and turns
character references (`&#x52;`, `&#82;`, `&lt;`) into characters before Java sees the text. A
shell can therefore split `Runtime` as `Run<![CDATA[time]]>` or write all of its code as
`&#x...;` references, and no rule reading the bytes sees it. This layer is the document read the
way the container reads it, with the elements written as the `<% %>` tags the JSP rules know.

Bounds: one linear pass of each regular expression; at most `cap` bytes come out.
"""

from __future__ import annotations

import functools
import html
import re

_KINDS = (b"scriptlet", b"declaration", b"expression")
_ELEMENT = {
    k: re.compile(rb"<jsp:" + k + rb"\b[^<>]{0,200}>(.*?)</jsp:" + k + rb"\s*>", re.S)
    for k in _KINDS
}
_CDATA = re.compile(rb"<!\[CDATA\[|\]\]>")
_REF = re.compile(rb"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot|apos);")
_OPEN = {b"scriptlet": b"<%", b"declaration": b"<%!", b"expression": b"<%="}


@functools.lru_cache(maxsize=1024)
def _char(ref: bytes) -> bytes:
    # A page of references repeats a few dozen of them: each is read once (a million-reference
    # page cost 2.5 s of CPU, over the stage's 2 s budget, with html.unescape per reference).
    return html.unescape(ref.decode("ascii")).encode("utf-8", "replace")


def _ref(m: re.Match[bytes]) -> bytes:
    return _char(m.group(0))


def _text(body: bytes) -> bytes:
    """An element's text as the XML parser hands it over: CDATA markers gone, references read."""
    if b"]]>" in body or b"<![" in body:
        body = _CDATA.sub(b"", body)
    return _REF.sub(_ref, body) if b"&" in body else body


def decode_document(buf: bytes, cap: int) -> bytes | None:
    """`buf` with every JSP code element replaced by its text between `<% %>` tags; None when
    no element hides anything (no CDATA marker or reference in any of them).

    One regular-expression pass per kind of element, over the page up to the last closing tag
    of that kind: every opening tag there has a closing tag after it, so the non-greedy body
    never runs to the end of the page and back (a page of a million open tags costs one pass,
    not one per tag)."""
    buf = buf[: cap * 4]
    changed = False

    def one(m: re.Match[bytes]) -> bytes:
        nonlocal changed
        text = _text(m.group(1))
        changed = changed or text != m.group(1)
        return _OPEN[kind] + text + b"%>"

    for kind in _KINDS:
        cut = buf.rfind(b"</jsp:" + kind)
        gt = buf.find(b">", cut) if cut >= 0 else -1
        if gt >= 0:
            buf = _ELEMENT[kind].sub(one, buf[: gt + 1]) + buf[gt + 1 :]
    return buf[:cap] if changed else None

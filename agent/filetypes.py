"""Which files are web-executable, and what their first bytes say they are."""

from __future__ import annotations

import enum
import os
import re


class Lang(enum.IntFlag):
    """The server-side languages a buffer can hold: which language-scoped rules run on it."""

    PHP = 1
    ASP = 2  # classic ASP and ASP.NET: IIS pages, handlers and their web.config
    JSP = 4
    ALL = PHP | ASP | JSP


# Extensions a web server on IIS, Apache, nginx+PHP or Tomcat hands to an interpreter, and the
# language each one means. Lower-case, with the dot; matching is case-insensitive (IIS serves
# `.ASPX` too).
_EXTENSION_LANG: dict[str, Lang] = {
    # ASP.NET and IIS handlers
    **dict.fromkeys((".aspx", ".ashx", ".asmx", ".asax", ".ascx", ".svc", ".soap", ".rem",
                     ".cshtml", ".vbhtml", ".config", ".master", ".axd"), Lang.ASP),
    # classic ASP and the old IIS aliases for it
    **dict.fromkeys((".asp", ".asa", ".cer", ".cdx"), Lang.ASP),
    **dict.fromkeys((".php", ".phtml", ".php3", ".php4", ".php5", ".php6", ".php7", ".pht",
                     ".phar"), Lang.PHP),
    **dict.fromkeys((".jsp", ".jspx", ".jspf"), Lang.JSP),
}  # fmt: skip
# `.inc` is an include of PHP or classic ASP: scanned, with every rule.
WEB_EXTENSIONS: frozenset[str] = frozenset({*_EXTENSION_LANG, ".inc"})


def tagged_languages(buf: bytes) -> Lang:
    """The languages whose code tags `buf` holds anywhere: `<?` PHP (an XML prolog `<?xml` is
    no PHP code: PHP would stop at it with a parse error), `<%` ASP and JSP (the same tag).
    Substring searches: a few milliseconds for a 20 MiB file."""
    lang = Lang(0)
    first = buf.find(b"<?")  # a page's first `<?` is nearly always its code: one short look
    if first >= 0 and (
        not buf.startswith(b"<?xml", first) or buf.count(b"<?") > buf.count(b"<?xml")
    ):
        lang |= Lang.PHP
    if b"<%" in buf:
        lang |= Lang.ASP | Lang.JSP
    return lang


def languages(buf: bytes, extension: str) -> Lang:
    """The languages a file may hold, so the rules of the others need not run on it.

    A name the server hands to one interpreter (`.php`, `.aspx`, `.jsp`, ...) gives its language,
    and the tags in the bytes add theirs: an ASP page renamed `.php` is still judged as ASP. But
    `<%` is the tag of both ASP and JSP: in a `.jsp` page it is JSP, in an ASP name it is ASP (a
    JSP page's client-side `eval(` is no classic-ASP finding). Any other name (`.inc`,
    `.htaccess`, an image served as PHP) may hold anything: every rule runs."""
    lang = _EXTENSION_LANG.get(extension)
    if lang is None:
        return Lang.ALL
    tags = tagged_languages(buf)
    if lang in (Lang.ASP, Lang.JSP):
        shared_tag = bool(tags & Lang.ASP)  # `<%` is in the page (tagged_languages looked once)
        tags &= ~(Lang.ASP | Lang.JSP)
        # ...unless the page's directive names the other one (a JSP shell saved as `.asp`)
        head = buf[:DIRECTIVE_WINDOW]
        if b"<%@" in head:
            m = _DIRECTIVE_LANGUAGE.search(head)
            if m is not None:
                tags |= Lang.JSP if m[1].lower() == b"java" else Lang.ASP
        # ...or its code uses the other one's server objects (an ASPX one-liner saved as
        # `.jsp`, `Request.Item[..]`, is no JSP: judged as what it is)
        if shared_tag:
            window = buf[:OBJECT_WINDOW]
            if lang == Lang.JSP and any(o in window for o in _ASP_OBJECTS):
                tags |= Lang.ASP
            elif lang == Lang.ASP and any(o in window for o in _JSP_OBJECTS):
                tags |= Lang.JSP
    return lang | tags


DIRECTIVE_WINDOW = 4096
OBJECT_WINDOW = 64 * 1024
# Server objects only one of the two `<%` languages has, spelled as its code spells them
# (case matters: JSP's objects are lower-case Java variables, ASP's are capitalised).
_ASP_OBJECTS = (b"Request.Item", b"Request.Form", b"Request.QueryString", b"Server.CreateObject",
                b"Response.Write")  # fmt: skip
_JSP_OBJECTS = (b"request.getParameter", b"request.getInputStream", b"Runtime.getRuntime",
                b"pageContext.")  # fmt: skip
_DIRECTIVE_LANGUAGE = re.compile(
    rb"<%@[^>]{0,200}?\blanguage\s{0,3}=\s{0,3}[\"']?(java|vbscript|jscript|javascript|c#|vb|csharp)(?!\w)",
    re.IGNORECASE,
)


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"!BDN", "PST"),
    (b"PK\x03\x04", "ZIP"),
    (b"MZ", "PE"),
    (b"\x7fELF", "ELF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"%PDF-", "PDF"),
    (b"\xff\xfe", "UTF16LE"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
)


# Server configuration that a web user can drop into a folder to change what runs there
# (Apache .htaccess, PHP's per-folder .user.ini, IIS web.config, a php.ini beside CGI PHP):
# always scanned, whatever the extension filter says.
ALWAYS_SCAN_NAMES: frozenset[str] = frozenset({".htaccess", ".user.ini", "web.config", "php.ini"})


def always_scanned(path: str) -> bool:
    name = os.path.basename(path).lower()
    return name in ALWAYS_SCAN_NAMES or (name.startswith("php") and name.endswith(".ini"))


def extension_of(name: str) -> str:
    """Lower-case extension with its dot, or '' (`.htaccess` has none)."""
    ext = os.path.splitext(name)[1]
    return ext.lower()


def is_web_file(name: str, extensions: frozenset[str] = WEB_EXTENSIONS) -> bool:
    return extension_of(name) in extensions


def sniff(head: bytes) -> str:
    """A short type name from the first bytes, or '' for text and everything unknown."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return ""


# ---- content sniffing: server-side code under a name that does not say so -----------------
# A web root can serve a `.jpg` as PHP (an .htaccess AddType, a .user.ini auto_prepend_file,
# a web.config handler) or include it from another script. Such a file is scanned whatever its
# extension if its first or last SNIFF_EDGE bytes carry a server-side code marker. Sniffing
# only chooses what is scanned: the normal rules decide whether anything is alerted.
SNIFF_EDGE = 64 * 1024
SNIFF_MARKS_MAX = 64  # marker candidates looked at per file: an attacker cannot make it loop
# Spelled with explicit case classes rather than re.IGNORECASE: the literal "<" prefix lets
# the engine skip ahead, about 25 % faster on binary data (measured in `make bench`).
_MARK = re.compile(
    rb"<(?:\?(?:[pP][hH][pP]|=)|%|[jJ][sS][pP]:"
    rb"|[sS][cC][rR][iI][pP][tT]\b[^>]{0,200}?\b[rR][uU][nN][aA][tT]\s{0,3}=\s{0,3}[\"']?[sS][eE][rR][vV][eE][rR])"
)
_JSP_DIRECTIVE = re.compile(
    rb"^@\s{0,5}(page|include|taglib)\b[^>]{0,300}?(java|import=|pageencoding|contenttype|prefix=)",
    re.I,
)


# The agent's own short-lived names in a web root (quarantine's hidden rename, restore's temp
# file): never sniffed, or a running agent would alert on (and take) a file mid-restore. They
# carry no extension, so no server runs them by name; see docs/security.md for what is left.
_AGENT_TEMP = re.compile(
    r"\.webshell-agent-(quarantine-\d{8}T\d{6}Z-[0-9a-f]{8}|restore-\d{8}T\d{6}Z-[0-9a-f]{8}-[0-9a-f]{8})"
)


def is_agent_temp(path: str) -> bool:
    return _AGENT_TEMP.fullmatch(os.path.basename(path)) is not None


def server_code(buf: bytes) -> str:
    """The extension of the server-side language `buf` carries (`.php`, `.jsp`, `.aspx`,
    `.asp`), or '' when it carries none. A bare `<%` counts only with a closing `%>`."""
    for n, m in enumerate(_MARK.finditer(buf)):
        if n >= SNIFF_MARKS_MAX:
            break
        token = m.group(0)[:5].lower()
        if token.startswith(b"<?"):
            return ".php"
        if token == b"<jsp:":
            return ".jsp"
        if token.startswith(b"<scri"):
            return ".aspx"
        rest = buf[m.end() : m.end() + 4096]
        if b"%>" not in rest:
            continue
        if rest.startswith(b"@"):
            if _JSP_DIRECTIVE.match(rest):
                return ".jsp"
            head = rest[:300].lower()
            if (
                b"page" in head
                or b"control" in head
                or b"webhandler" in head
                or b"webservice" in head
            ):
                return ".aspx"
        return ".asp"
    return ""

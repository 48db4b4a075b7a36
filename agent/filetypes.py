"""Which files are web-executable, and what their first bytes say they are."""

from __future__ import annotations

import os

# Extensions a web server on IIS, Apache, nginx+PHP or Tomcat hands to an interpreter.
# Lower-case, with the dot; matching is case-insensitive (IIS serves `.ASPX` too).
WEB_EXTENSIONS: frozenset[str] = frozenset(
    {
        # ASP.NET and IIS handlers
        ".aspx", ".ashx", ".asmx", ".asax", ".ascx", ".svc", ".soap", ".rem",
        ".cshtml", ".vbhtml", ".config", ".master", ".axd",
        # classic ASP and the old IIS aliases for it
        ".asp", ".asa", ".cer", ".cdx",
        # PHP
        ".php", ".phtml", ".php3", ".php4", ".php5", ".php6", ".php7", ".pht", ".phar", ".inc",
        # Java
        ".jsp", ".jspx", ".jspf",
    }
)  # fmt: skip

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

"""PHP in the spelling rules are written for: the request read as `$_REQUEST[..]`, functions
called by their plain name, no comment opening an argument list.

`$_POST['c']` is also `$GLOBALS['_POST']['c']`, `${'_POST'}['c']` and, in old PHP,
`$HTTP_POST_VARS['c']`; and a client header the page made up (`$_SERVER['HTTP_X_CMD']`,
`getallheaders()['X-Cmd']`) is request data as much as a form field is. Rules are written for
`$_POST[..]`: a shell that reads its command another way runs the same and walks past them.
This layer is the page with those reads restated as `$_REQUEST[..]`.

A function may also be called by its global name, `\\system(..)`, and a comment may open its
argument list, `system(/**/$_GET['c'])`: PHP runs both as `system($_GET['c'])`, which is how
they are written here.

Headers every browser, proxy and framework sends (`Host`, `User-Agent`, `X-Forwarded-For`,
`X-Requested-With`, ...) are left as they are: applications read them all the time, and no
rule needs them restated to see a sink fed by one (WSA-PHP-001 reads `$_SERVER` itself).

Trigger: WSA-GEN-911 (yara finds the spellings in the pass every file gets); what it finds is
confirmed here (`cue_at`: a header every client sends is no cue). Bounds: a substring test and a linear regular-expression
pass per spelling, over at most `cap` bytes.
"""

from __future__ import annotations

import re

# Headers applications read as a matter of course (upper-cased, `-` as `_`, no `HTTP_`).
_COMMON = frozenset(
    b"HOST USER_AGENT REFERER ACCEPT ACCEPT_LANGUAGE ACCEPT_ENCODING ACCEPT_CHARSET COOKIE "
    b"CONNECTION KEEP_ALIVE CACHE_CONTROL PRAGMA ORIGIN AUTHORIZATION VIA FORWARDED TE DNT "
    b"RANGE EXPECT UPGRADE UPGRADE_INSECURE_REQUESTS CONTENT_TYPE CONTENT_LENGTH IF_MATCH "
    b"IF_NONE_MATCH IF_MODIFIED_SINCE IF_UNMODIFIED_SINCE IF_RANGE X_FORWARDED_FOR "
    b"X_FORWARDED_PROTO X_FORWARDED_HOST X_FORWARDED_PORT X_FORWARDED_SERVER X_FORWARDED_SSL "
    b"X_FORWARDED X_REAL_IP CLIENT_IP X_CLIENT_IP X_CLUSTER_CLIENT_IP CF_CONNECTING_IP "
    b"CF_IPCOUNTRY CF_VISITOR CF_RAY TRUE_CLIENT_IP X_REQUESTED_WITH X_HTTP_METHOD_OVERRIDE "
    b"X_ORIGINAL_URL X_REWRITE_URL X_CSRF_TOKEN X_XSRF_TOKEN X_CSRFTOKEN X_WP_NONCE X_PJAX "
    b"X_WAP_PROFILE PROFILE WAP_PROFILE X_OPERAMINI_PHONE_UA DEVICE_STOCK_UA "
    b"X_ORIGINAL_HOST X_HTTPS HTTPS FRONT_END_HTTPS X_UP_DEVID X_UP_SUBNO X_NOKIA_MSISDN "
    b"SEC_FETCH_DEST SEC_FETCH_MODE SEC_FETCH_SITE SEC_FETCH_USER SEC_CH_UA "
    b"SEC_CH_UA_MOBILE SEC_CH_UA_PLATFORM SEC_WEBSOCKET_KEY SEC_WEBSOCKET_VERSION "
    b"SEC_WEBSOCKET_PROTOCOL X_REQUEST_ID X_CORRELATION_ID X_AMZ_CF_ID X_MOZ PURPOSE "
    b"SAVE_DATA X_ATT_DEVICEID X_HUB_SIGNATURE X_GITHUB_EVENT".split()
)
_COLLECTION = rb"_(?:GET|POST|REQUEST|COOKIE|FILES)"
# (needles, pattern): one pattern per spelling, each opening with a literal (the regex engine
# then skips to it), run only on a page holding one of its needles; group 2, where there is
# one, is a header's name.
_HEADER_CALLS = (
    b"allheaders",
    b"AllHeaders",
    b"ALLHEADERS",
    b"request_headers",
    b"REQUEST_HEADERS",
)
_SPELLINGS = tuple(
    (needles, re.compile(pattern))
    for needles, pattern in (
        ((b"$GLOBALS",), rb"\$GLOBALS\s{0,4}\[\s{0,4}(['\"])" + _COLLECTION + rb"\1\s{0,4}\]"),
        ((b"${",), rb"\$\{\s{0,4}(['\"])" + _COLLECTION + rb"\1\s{0,4}\}"),
        ((b"$HTTP_",), rb"\$HTTP_(?:GET|POST|COOKIE|POST_FILES)_VARS\b"),
        ((b"$_SERVER",), rb"\$_SERVER\s{0,4}\[\s{0,4}(['\"])HTTP_(\w{1,64})\1\s{0,4}\]"),
        (_HEADER_CALLS, rb"(?i:getallheaders|apache_request_headers)\s{0,4}\(\s{0,4}\)\s{0,4}"
                        rb"\[\s{0,4}(['\"])([\w-]{1,64})\1\s{0,4}\]"),
    )
)  # fmt: skip


def _restated(m: re.Match[bytes]) -> bytes:
    name = m.group(2) if m.re.groups >= 2 else None
    if name is None:
        return b"$_REQUEST"
    if name.upper().replace(b"-", b"_") in _COMMON:
        return m.group(0)
    return b"$_REQUEST['" + name + b"']"


# `\\system(`: a plain function's global name (not `\\Foo\\bar(`, a namespaced one)
_GLOBAL_CALL = re.compile(rb"(?<![\w\\$])\\([A-Za-z_]\w{0,63})(?=\s{0,4}\()")
# `(/**/`, `, /* x */` or `(\n    /**_**/ `: a short comment opening an argument, and the
# blanks and line breaks around it (a layout-minded packer's)
_ARG_COMMENT = re.compile(rb"([(,])\s{0,16}/\*[\s\S]{0,64}?\*/\s{0,16}")
# What makes a cue of them: a command or code sink's or a decoder's name so written (the
# trigger's list, WSA-GEN-911): libraries call `\\strlen(..)`, `\\fopen(..)` and comment their
# arguments all the time
_SINKS = (
    rb"assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|base64_decode|gzinflate"
    rb"|gzuncompress|str_rot13|create_function|eval|preg_replace"
)
# (each opens with a literal, `\\` or `(/*`, that the regex engine skips to)
_GLOBAL_SINK = re.compile(rb"\\(?i:" + _SINKS + rb")\s{0,4}\(")
_COMMENT_OPEN = re.compile(rb"\(\s{0,16}/\*")
_SINK_BEFORE = re.compile(rb"(?i:" + _SINKS + rb")\s{0,4}$")


def cue_at(data: bytes) -> int | None:
    """Offset of the first spelling this layer restates, when the page has one (and `<?`)."""
    if b"<?" not in data:
        return None
    first: int | None = None
    if b"\\" in data and (m := _GLOBAL_SINK.search(data)) is not None:
        first = m.start()
    for m in _COMMENT_OPEN.finditer(data):
        if _SINK_BEFORE.search(data, max(0, m.start() - 24), m.start()) is not None:
            first = m.start() if first is None else min(first, m.start())
            break
    for needles, pattern in _SPELLINGS:
        if not any(n in data for n in needles):
            continue
        for m in pattern.finditer(data):
            if _restated(m) != m.group(0):
                first = m.start() if first is None else min(first, m.start())
                break
    return first


def normalise(buf: bytes, cap: int) -> bytes | None:
    """`buf` (up to `cap` bytes) in the plain spelling; None when that changes nothing."""
    data = out = buf[:cap]
    for _, pattern in _SPELLINGS:
        out = pattern.sub(_restated, out)
    if b"\\" in out:
        out = _GLOBAL_CALL.sub(rb"\1", out)
    if b"/*" in out:
        out = _ARG_COMMENT.sub(rb"\1", out)
    return out if out != data else None

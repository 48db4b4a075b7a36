"""String folding: what a line of code computes from constant pieces, written out plainly.

`"e"+"x"+"e"+"c"` -> `"exec"`; `Chr(101)&ChrW(118)` -> `"ev"`; `String.fromCharCode(101,118)`;
`Join(Array("a","b"),"")`; `\\x65`, `\\145`, `\\u0065` escapes; PHP `'...'^'...'` (also `&`, `|`);
`/* */` comments; `Select Case` on a constant keeps only the live branch; a variable assigned the
name of a sink or decoder (or a constant defined as one) and then called is replaced by the name
(`$f = "assert"; $f(..)`, `define('RUN', 'system'); RUN(..)`). Each pass is one
linear regular-expression sweep with bounded repetitions (no nested unbounded quantifiers), so
hostile input costs at most a few passes over the bytes.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.decode import payload

_LIT = rb"""(?:"(?:[^"\\\r\n]|\\.){0,512}"|'(?:[^'\\\r\n]|\\.){0,512}')"""
_LIT_RE = re.compile(_LIT)
_CONCAT = re.compile(_LIT + rb"(?:[ \t]{0,8}(?:\+|\.|&)[ \t]{0,8}" + _LIT + rb"){1,256}")
# A literal alone in parentheses that are not a call: `('a'^'b')` -> `'x'`, never `f('x')`.
_PAREN = re.compile(rb"\((?<![\w$\]\)]\()[ \t]{0,8}(" + _LIT + rb")[ \t]{0,8}\)")
# XOR operands are payloads too, kilobytes long (a scan stops at the next quote or line end,
# so each start costs at most the distance to it)
_LONG_LIT = rb"""(?:"(?:[^"\\\r\n]|\\.){0,65536}"|'(?:[^'\\\r\n]|\\.){0,65536}')"""
_BITOP = re.compile(rb"(" + _LONG_LIT + rb")[ \t]{0,8}([\^|&])[ \t]{0,8}(" + _LONG_LIT + rb")")
_NUM = rb"(?:&[hH][0-9A-Fa-f]{1,6}|0[xX][0-9A-Fa-f]{1,6}|\d{1,7})"
_CHR = re.compile(
    rb"\b(chrw?|chrb|chr\$)[ \t]{0,4}\([ \t]{0,4}("
    + _NUM
    + rb")(?:[ \t]{0,4}([-+*])[ \t]{0,4}("
    + _NUM
    + rb"))?[ \t]{0,4}\)",
    re.I,
)
_FROMCHARCODE = re.compile(
    rb"String[ \t]{0,4}\.[ \t]{0,4}fromCharCode[ \t]{0,4}\(((?:[ \t]{0,4}"
    + _NUM
    + rb"[ \t]{0,4},){0,4096}[ \t]{0,4}"
    + _NUM
    + rb")[ \t]{0,4}\)",
    re.I,
)
# Java and C# strings made from an array of chars or character codes: `new String(new byte[]{
# 106, 97})`, `String.valueOf(new char[]{'c', 'm'})`, `Encoding.ASCII.GetString(new byte[]{..})`
_ELEMENT = rb"(?:'(?:[^'\\\r\n]|\\.)'|" + _NUM + rb")"
_ELEMENT_RE = re.compile(_ELEMENT)
_CHAR_ESCAPES: dict[bytes, bytes | None] = {
    b"n": b"\n",
    b"t": b"\t",
    b"r": b"\r",
    b"\\": b"\\",
    b"'": b"'",
    b'"': b'"',
    b"0": None,
}
_ARRAY_STRING = re.compile(
    rb"(?:new[ \t]{1,4}[Ss]tring|String[ \t]{0,4}\.[ \t]{0,4}(?:valueOf|copyValueOf)|"
    rb"Encoding[ \t]{0,4}\.[ \t]{0,4}(?:ASCII|UTF8|Default|UTF7)[ \t]{0,4}\.[ \t]{0,4}GetString)"
    rb"[ \t]{0,4}\([ \t]{0,4}new[ \t]{1,4}(?:char|byte)[ \t]{0,4}\[[ \t]{0,4}\][ \t]{0,4}\{(("
    rb"?:[ \t]{0,4}" + _ELEMENT + rb"[ \t]{0,4},){0,4096}[ \t]{0,4}" + _ELEMENT
    + rb")[ \t]{0,4},?[ \t]{0,4}\}[ \t]{0,4}\)"
)  # fmt: skip
_JOIN = re.compile(
    rb"\bJoin[ \t]{0,4}\([ \t]{0,4}Array[ \t]{0,4}\(((?:[ \t]{0,4}"
    + _LIT
    + rb"[ \t]{0,4},){0,4096}[ \t]{0,4}"
    + _LIT
    + rb")[ \t]{0,4}\)[ \t]{0,4}(?:,[ \t]{0,4}("
    + _LIT
    + rb"))?[ \t]{0,4}\)",
    re.I,
)
_JS_JOIN = re.compile(
    rb"\[((?:[ \t]{0,4}" + _LIT + rb"[ \t]{0,4},){0,4096}[ \t]{0,4}" + _LIT
    + rb")[ \t]{0,4}\][ \t]{0,4}\.[ \t]{0,4}join[ \t]{0,4}\([ \t]{0,4}(" + _LIT + rb")?[ \t]{0,4}\)"
)  # fmt: skip
_ESCAPE = re.compile(
    rb"\\(?:x([0-9A-Fa-f]{2})|u+([0-9A-Fa-f]{4})|u\{([0-9A-Fa-f]{1,6})\}|([0-7]{2,3}))"
)
_COMMENT = re.compile(rb"/\*.{0,65536}?\*/", re.S)
# A PHP open tag spelt in escapes: code a page writes out or evaluates, hidden however few
# escapes it takes ("\x3c\x3f\x70\x68\x70 " . $code)
_ESCAPED_TAG = re.compile(rb"\\x3c\\x3f\\x70\\x68\\x70|\\74\\77\\160\\150\\160", re.I)
_WORDLESS = re.compile(rb"[^A-Za-z0-9\s]*")
_SELECT = re.compile(
    rb"\bSelect[ \t]+Case[ \t]+([^\r\n:]{1,64}?)[ \t]*(?:\r?\n|:)(.{0,65536}?)\bEnd[ \t]+Select\b",
    re.I | re.S,
)
# `$f = "assert"; ... $f($x)`: a variable holding the name of a sink or decoder, called later.
_SINKS = (
    rb"assert|eval|system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|create_function|"
    rb"call_user_func(?:_array)?|array_map|base64_decode|gzinflate|gzuncompress|gzdecode|"
    rb"str_rot13|strrev|hex2bin|preg_replace|file_put_contents|fwrite|fputs|move_uploaded_file"
)
_SINK_RE = re.compile(rb"(?:" + _SINKS + rb")", re.I)
# Besides a PHP sink, the names whose spelling in pieces is telling: the COM objects, VBScript
# calls, Java and .NET classes and methods, and shells that ASP, JSP and ASPX shells split to
# hide (`"Scrip" & "tControl"`, `"java.lang.Run" + "time"`).
_NAMED = re.compile(
    rb"(?:" + _SINKS + rb"|execute(?:global)?|wscript\.(?:shell|network)|shell\.application|"
    rb"scripting\.filesystemobject|adodb\.(?:stream|connection)|(?:msscriptcontrol\.)?scriptcontrol|"
    rb"microsoft\.xmlhttp|msxml2\.(?:server)?xmlhttp(?:\.[36]\.0)?|winhttp\.winhttprequest\.5\.1|"
    rb"java\.lang\.(?:runtime|processbuilder|classloader|reflect\.method)|getruntime|processbuilder|"
    rb"defineclass|getdeclaredmethod|forname|javax\.script\.scriptenginemanager|nashorn|"
    rb"system\.diagnostics\.process(?:startinfo)?|system\.reflection\.assembly|cmd\.exe|cmd \/c|"
    rb"powershell(?:\.exe)?|\/bin\/(?:ba)?sh)",
    re.I,
)


def _name_cut(value: bytes, parts: list[bytes]) -> bool:
    """Whether a seam between pieces falls inside a telling name of the joined value
    (`"cmd.ex" + "e /C "`: the command line is text, the name cut in it is not)."""
    seams, at = [], 0
    for x in parts[:-1]:
        at += len(x) - 2  # the piece's body, without its quotes
        seams.append(at)
    return _spans_a_name(value, seams)


def cuts_a_name(left: bytes, right: bytes) -> bool:
    """Whether two pieces glued (`left` + `right`) spell a telling name across their seam."""
    return _spans_a_name(left + right, [len(left)])


def _spans_a_name(value: bytes, seams: list[int]) -> bool:
    return any(m.start() < seam < m.end() for m in _NAMED.finditer(value) for seam in seams)


_SINK_CALL = re.compile(rb"\b((?:" + _SINKS + rb")[ \t]{0,8}\()", re.I)
_NAME_ASSIGN = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}([\"'])(" + _SINKS + rb")\2[ \t]{0,8};", re.I
)
# define('RUN', 'system'); RUN($x)
_NAME_DEFINE = re.compile(
    rb"\bdefine[ \t]{0,8}\([ \t]{0,8}([\"'])([A-Za-z_]\w{0,63})\1[ \t]{0,8},[ \t]{0,8}([\"'])("
    + _SINKS
    + rb")\3[ \t]{0,8}\)",
    re.I,
)
# PHP arrays of string pieces: `$s = ['sy', 'st', 'em'];` then `$s[0].$s[1].$s[2]` or
# `implode('', $s)` (elements may sit on lines of their own).
_WS = rb"[ \t\r\n]{0,16}"
_ARRAY_ASSIGN = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}(?:\[|array[ \t]{0,8}\()((?:" + _WS + _LIT
    + _WS + rb"," + rb"){0,256}" + _WS + _LIT + rb")" + _WS + rb"(?:," + _WS + rb")?[\])][ \t]{0,8};",
    re.I,
)  # fmt: skip
# PHP char codes joined: `implode('', array_map('chr', [104, 116, ..]))`.
_CHR_ARRAY = re.compile(
    rb"\b(?:implode|join)[ \t]{0,8}\([ \t]{0,8}(?:(?:''|\"\")[ \t]{0,8},[ \t]{0,8})?array_map"
    rb"[ \t]{0,8}\([ \t]{0,8}(['\"])chr\1[ \t]{0,8},[ \t]{0,8}(?:\[|array[ \t]{0,8}\()((?:"
    + _WS + _NUM + _WS + rb",){0,4096}" + _WS + _NUM + rb")" + _WS + rb",?" + _WS
    + rb"[\])][ \t]{0,8}\)[ \t]{0,8}\)",
    re.I,
)  # fmt: skip
# `pack('H*', '73797374656d')` is the bytes that hex spells.
_PACK_HEX = re.compile(
    rb"\bpack[ \t]{0,8}\([ \t]{0,8}(['\"])H\*\1[ \t]{0,8},[ \t]{0,8}(['\"])((?:[0-9A-Fa-f]{2}){1,4096})\2"
    rb"[ \t]{0,8}\)",
    re.I,
)
# A quoted hex string that spells a function a shell needs (`"6d6f76655f..."`, decoded by a
# helper of the page's own): written as the name. Other hex (hashes, colours) is left alone.
_HEX_LIT = re.compile(rb"(['\"])((?:[0-9A-Fa-f]{2}){4,40})\1")
_HEX_NAMES = re.compile(
    rb"(?:"
    + _SINKS
    + rb"|php_uname|curl_exec|file_get_contents|fsockopen|proc_nice|posix_getpwuid)",
    re.I,
)
# `$a = 's';` .. `$f = $a.$b.$c;`: variables holding one short literal each, glued (a goto
# obfuscator's alphabet). Only variables assigned once count.
_SHORT_VAR = re.compile(
    # (a `$` that starts no variable is a dollar sign: `"val($"` is a piece of `eval($_POST`)
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}('[^'\\\r\n]{1,8}'|\"(?:[^\"\\$\r\n]|\$(?![A-Za-z_{])){1,8}\")[ \t]{0,8};"
)
_VAR_CHAIN = re.compile(
    rb"\$[A-Za-z_]\w{0,63}(?:[ \t]{0,8}\.[ \t]{0,8}\$[A-Za-z_]\w{0,63}){2,64}(?![\w\[(-])"
)
MAX_ALPHABET = 256  # one-literal variables resolved per window
# `$t = '#9p5lr*ma_f..'; .. $t[17].$t[5]..`: characters picked from a string held in a variable.
_STR_TABLE = re.compile(rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}(" + _LIT + rb")[ \t]{0,8};")
# `$a = Array();` then `$a[] = 'x';` pushes (a push of anything else ends the match in group 2).
_ARRAY_EMPTY = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}(?:array[ \t]{0,8}\([ \t]{0,8}\)|\[[ \t]{0,8}\])[ \t]{0,8};",
    re.I,
)
_ARRAY_PUSH = re.compile(
    rb"\$([A-Za-z_]\w{0,63})\[\][ \t]{0,8}=[ \t]{0,8}(?:(" + _LIT + rb")[ \t]{0,8};)?"
)
# `$z = ""; $z .= "UEQ5"; $z .= "d2FI"; ..`: a literal built by appending literals, statement by
# statement (at least two appends, nothing else between them).
_APPENDED = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}(" + _LIT + rb")[ \t]{0,8};"
    rb"((?:[ \t\r\n]{0,64}\$\1[ \t]{0,8}\.=[ \t]{0,8}" + _LIT + rb"[ \t]{0,8};){2,262144})"
)
_APPEND_ONE = re.compile(rb"\.=[ \t]{0,8}(" + _LIT + rb")")
# PHP string functions run on literals only: what they return is a constant too
# (`substr_replace("assexx", "rt", 4)` is "assert"). Results are capped at MAX_PURE bytes.
_A = rb"[ \t]{0,8},[ \t]{0,8}"
_INT = rb"(-?\d{1,4})"
_PURE_ONE = re.compile(
    rb"\b(strrev|str_rot13|strtolower|strtoupper|ucfirst|ucwords|trim|ltrim|rtrim|base64_decode|"
    rb"hex2bin|urldecode|rawurldecode)[ \t]{0,8}\([ \t]{0,8}(" + _LIT + rb")[ \t]{0,8}\)",
    re.I,
)
_PURE_SUBSTR = re.compile(
    rb"\bsubstr[ \t]{0,8}\([ \t]{0,8}(" + _LIT + rb")" + _A + _INT + rb"(?:" + _A + _INT
    + rb")?[ \t]{0,8}\)", re.I
)  # fmt: skip
_PURE_SUBSTR_REPLACE = re.compile(
    rb"\bsubstr_replace[ \t]{0,8}\([ \t]{0,8}(" + _LIT + rb")" + _A + rb"(" + _LIT + rb")" + _A
    + _INT + rb"(?:" + _A + _INT + rb")?[ \t]{0,8}\)", re.I
)  # fmt: skip
_PURE_REPLACE = re.compile(
    rb"\b(str_i?replace|strtr)[ \t]{0,8}\([ \t]{0,8}(" + _LIT + rb")" + _A + rb"(" + _LIT + rb")"
    + _A + rb"(" + _LIT + rb")[ \t]{0,8}\)", re.I
)  # fmt: skip
MAX_PURE = 256
_PURE_ONE_NAMES = frozenset((b"strrev", b"str_rot13", b"strtolower", b"strtoupper", b"ucfirst",
                             b"ucwords", b"trim", b"ltrim", b"rtrim", b"base64_decode", b"hex2bin",
                             b"urldecode", b"rawurldecode"))  # fmt: skip
_PURE_NAMES = _PURE_ONE_NAMES | {b"substr", b"substr_replace", b"str_replace", b"str_ireplace",
                                 b"strtr"}  # fmt: skip
_OPEN_LITERAL = re.compile(rb"\([ \t]{0,8}['\"]")
_WORD_END = re.compile(rb"(\w{1,20})[ \t]{0,8}\Z")
_PRINTABLE = re.compile(rb"[\x20-\x7e\t\r\n]{1,256}")
# `$k = 'literal';`: a variable that holds one literal (for the XOR pass).
_VAR_LITERAL = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}(" + _LONG_LIT + rb")[ \t]{0,8};"
)
# A bare word is a string in PHP before 8 (an undefined constant): `(sy.(st).(em))`.
# (white space only inside the optional parentheses, so a failed match cannot split it two ways)
_BARE = rb"(?:\([ \t]{0,4})?[A-Za-z_]\w{0,31}(?:[ \t]{0,4}\))?"
_BARE_CHAIN = re.compile(
    rb"\((?<![\w$>:\\]\()[ \t]{0,4}(" + _BARE + rb"(?:[ \t]{0,4}\.[ \t]{0,4}" + _BARE + rb"){1,16})[ \t]{0,4}\)"
)  # fmt: skip
# A bare word glued to a literal: `sy.'stem'`, `'pass'.thru` (a sink's name only).
# (the literal side first: the dot is a literal a regex search finds fast, a leading word is not)
_DOT_LIT = re.compile(rb"\.[ \t]{0,4}(['\"])([A-Za-z_]{1,24})\1")
_WORD_BEFORE = re.compile(rb"(?<![\w$>:\\'\"])([A-Za-z_]\w{0,31})[ \t]{0,4}\Z")
_LIT_DOT_WORD = re.compile(
    rb"(['\"])([A-Za-z_]{1,24})\1[ \t]{0,4}\.[ \t]{0,4}([A-Za-z_]\w{0,31})(?![\w(\[$])"
)
# `'system'($x)`: a quoted function name called is that function.
_CALLED_NAME = re.compile(rb"([\"'])(?<![\w$\\\[][\"'])(" + _SINKS + rb")\1[ \t]{0,8}\(", re.I)
# `call_user_func("fwrite", $h, ..)` is `fwrite($h, ..)`: written as the call it makes, so the
# rules for the function itself see it (any function: a loader's tmpfile, fwrite, include path).
_CALL_BY_NAME = re.compile(
    rb"call_user_func(?<![\w$>:]call_user_func)[ \t]{0,8}\([ \t]{0,8}([\"'])([A-Za-z_]\w{0,63})\1[ \t]{0,8}(?:,[ \t]{0,8}|(?=\)))",
    re.I,
)
# Functions whose first argument is the callback: `call_user_func($f, ..)` calls `$f`.
_CALLBACK_FIRST = (
    rb"call_user_func(?:_array)?|array_map|register_shutdown_function|register_tick_function|"
    rb"forward_static_call(?:_array)?"
)


# One of these is enough to fold a small page: a split (`'sy'.'stem'`: two alphabetic pieces
# glued by a dot, or a spaced dot between two literals), picks from an array glued
# (`$s[0].$s[1]`), an array joined (`implode('', $s)`), bare words glued (`(sy.(st).(em))`), a
# quoted sink name called (`'system'(..)`), char codes mapped through chr or `pack('H*', ..)`, a
# quoted hex string of letters only (a name, not a hash), two short literals assigned in a row
# (an alphabet), a short lowercase word glued to a literal (`sy.'stem'`), two short
# base64-like pieces appended in a row, a string function's result on a literal assigned, a
# literal XORed or ORed with another operand, or a variable named by a literal of escapes. A
# cue may come with substrings one of which it cannot do without: a page holding none of them
# skips that regex (one alternation of all of them, tried at every byte of every small page,
# cost more than the rest of the scan of such pages). A cue without them is searched at once:
# its regex starts with a byte that Python's engine finds as fast as a substring test, or its
# substring is in nearly every page (measured on 23,771 small benign PHP pages: the tests
# cost more than the searches they saved). The substrings are looked for in the page with
# capitals lowered, double quotes made single and blanks (spaces, tabs) left out: one test
# covers every spelling, and a needle written with blanks is tested without them.


_Q = rb"(?:'[^'\\\r\n]{1,4}'|\"[^\"\\\r\n]{1,4}\")"
_PIECE = rb"(?:'[A-Za-z0-9+/=]{2,16}'|\"[A-Za-z0-9+/=]{2,16}\")"
SMALL_PAGE_CUES: tuple[tuple[tuple[bytes, ...], re.Pattern[bytes]], ...] = tuple(
    (tuple(dict.fromkeys(n.replace(b" ", b"") for n in needles)), re.compile(pattern))
    for needles, pattern in (
        ((b"'.'",), rb"[A-Za-z_]'\.'[A-Za-z_]|[A-Za-z_]\"\.\"[A-Za-z_]"),
        ((b"' . '",), rb"' \. '|\" \. \""),
        # a word cut by VBScript's `&` or a `+` of Java, C# or JScript (`"Scrip" & "tControl"`)
        ((b"'&", b"' &", b"'  &", b"'+", b"' +", b"'  +"),
         rb"[A-Za-z_][\"'][ \t]{0,2}[&+][ \t]{0,2}[\"'][A-Za-z_]"),
        ((b"].",), rb"\$\w{1,64}\[\d{1,3}\][ \t]{0,4}\.[ \t]{0,4}\$\w{1,64}\[\d{1,3}\]"),
        ((b"implode", b"join"), rb"\b(?i:implode|join)[ \t]{0,8}\([ \t]{0,8}(?:''|\"\")[ \t]{0,8},[ \t]{0,8}\$"),
        ((b".(",), rb"\([ \t]{0,4}[A-Za-z_]\w{0,31}[ \t]{0,4}\.[ \t]{0,4}\("),
        ((b"chr", b"h*"), rb"(?i:array_map[ \t]{0,8}\([ \t]{0,8}['\"]chr['\"]|pack[ \t]{0,8}\([ \t]{0,8}['\"]H\*)"),
        ((b"'6", b"'7", b"'5"), rb"['\"](?:6[1-9a-fA-F]|7[0-9aA]|5[fF]){4,40}['\"]"),
        ((b"';",), rb"=[ \t]{0,8}" + _Q + rb";\s{0,8}\$\w{1,64}[ \t]{0,8}=[ \t]{0,8}" + _Q + rb";"),
        ((b".'",), rb"[a-z](?<![\w$>:\\][a-z])[a-z]{1,7}\.['\"][a-z_]{2,}['\"]"),
        ((b".=",), rb"\.=[ \t]{0,8}" + _PIECE + rb";[ \t\r\n]{0,64}\$\w{1,64}[ \t]{0,8}\.=[ \t]{0,8}" + _PIECE + rb";"),
        ((b"'(",), rb"(?i:" + _CALLED_NAME.pattern + rb")"),
        # a variable assigned what a string function makes of a literal (`$f = strrev('..')`)
        ((b"substr", b"str_", b"strt", b"strrev", b"base64_decode", b"hex2bin", b"ucfirst"),
         rb"=[ \t]{0,8}(?i:substr_replace|substr|str_i?replace|strtr|strrev|str_rot13|base64_decode|"
         rb"hex2bin|ucfirst|strtolower|strtoupper)[ \t]{0,8}\([ \t]{0,8}['\"]"),
        # a literal XORed or ORed with a literal, a bare word or a parenthesis ('W2v'^SJJs); the
        # quote before the operator closes a literal (not `explode("|", ..)`)
        ((b"'^", b"'|"), rb"[^'\"\s(,=.\[]['\"][ \t]{0,4}[\^|][ \t]{0,4}['\"A-Za-z_(]"),
        # a comment closed right before a sink or decoder (`eval( /**_**/ urldecode(..)`); a
        # small page's cue, not a trigger: in yara every decoder call of every file paid for it
        ((b"*/",),
         rb"\*/[ \t\r\n]{0,8}@?(?i:eval|assert|system|exec|passthru|shell_exec|urldecode|rawurldecode|"
         rb"base64_decode|gzinflate|str_rot13|file_get_contents)[ \t]{0,4}\("),
        # a variable's name in escapes (`${"\137\103\117.."}` is `${"_COO.."}`)
        ((b"${",), rb"\$\{[ \t\r\n]{0,8}['\"]\\(?:[0-7]|x[0-9A-Fa-f])"),
    )
)  # fmt: skip


_GATE = bytes.maketrans(b'ABCDEFGHIJKLMNOPQRSTUVWXYZ"', b"abcdefghijklmnopqrstuvwxyz'")


def small_page_cue(buf: bytes) -> int | None:
    """Offset of a cue that a small page hides code in pieces, if it has one."""
    gate = buf.translate(_GATE, b" \t")
    for needles, pattern in SMALL_PAGE_CUES:
        # a plain loop, since a generator per cue cost more than the searches on a page of a
        # few kilobytes
        if needles:
            for n in needles:
                if n in gate:
                    break
            else:
                continue
        m = pattern.search(buf)
        if m:
            return m.start()
    return None


MAX_NAMES = 32  # variables resolved per window
_CASE = re.compile(rb"\bCase[ \t]+([^\r\n:]{1,256})", re.I)
_SPACE = frozenset(b" \t\r\n")
MIN_VALUE = 3  # folded values shorter than this are not listed on their own
ESCAPES_TELLING = 8  # fewer escapes than this in a window is ordinary string data


@dataclass
class Folded:
    data: bytes
    values: list[bytes] = field(default_factory=list)
    folds: int = 0  # every change
    telling: int = 0  # changes that hide code: char codes, XOR, Join, dead branches, comments,
    # runs of escapes, and concatenations of three or more short pieces (not a wrapped string)

    def layer(self, cap: int) -> bytes:
        """The folded text, then every folded value on a line of its own (code that is run)."""
        tail = b"\n".join(v for v in self.values if len(v) >= MIN_VALUE)
        return (self.data + b"\n" + tail)[:cap] if tail else self.data[:cap]


def _num(text: bytes) -> int:
    t = text.lower()
    if t.startswith(b"&h"):
        return int(t[2:], 16)
    if t.startswith(b"0x"):
        return int(t[2:], 16)
    return int(t)


def _char(code: int) -> bytes | None:
    if 0 < code < 0x110000:
        return chr(code).encode("utf-8", "replace")
    return None


def _body(lit: bytes) -> bytes:
    return lit[1:-1]


def _quote(value: bytes, q: bytes = b'"') -> bytes:
    return q + value.replace(q, b"\\" + q) + q


_UNQUOTE = re.compile(rb"\\([\"'\\])")


def _glued(parts: list[bytes]) -> tuple[bytes, bytes]:
    """Literals glued into one: its body as the first piece's quote writes it (each piece's
    escapes kept as written, a bare quote of that kind in another piece escaped), and the text
    it holds (quotes and backslashes unescaped: the code that is run). Quoting the joined
    bodies again escaped their escapes: a quote made by `Chr(34)` came out as a backslash, a
    backslash and a quote, which ended the literal early."""
    q = parts[0][:1]
    body = b"".join(_body(p) if p[:1] == q else _body(p).replace(q, b"\\" + q) for p in parts)
    return body, _UNQUOTE.sub(rb"\1", body)


def _quote_chars(value: bytes, q: bytes = b'"') -> bytes:
    """Characters made from their codes as a literal: a backslash among them is a character,
    not an escape (`Chr(92) & "n"` is `\\n`, not a line feed), and must not escape the quote
    that closes it (`"\\"` would swallow the `&` after it)."""
    return _quote(value.replace(b"\\", b"\\\\"), q)


def _unescape(m: re.Match[bytes]) -> bytes:
    hx, u4, ub, octal = m.groups()
    code = int(hx or u4 or ub, 16) if (hx or u4 or ub) else int(octal, 8)
    if code > 0xFF and octal:
        return m.group(0)
    out = _char(code)
    # Only printable results: a \x00 in a binary string stays as it was.
    return (
        out
        if out is not None and (code >= 0x20 or code in (9, 10, 13)) and code != 0x7F
        else m.group(0)
    )


class _Fold:
    def __init__(self, data: bytes) -> None:
        self.f = Folded(data)
        self.lower = data.lower()

    def sub(
        self, pattern: re.Pattern[bytes], fn: object, telling: bool = True, hint: bytes = b""
    ) -> None:
        if hint and hint not in self.lower:  # a cheap substring test saves a regex pass
            return

        def counted(m: re.Match[bytes]) -> bytes:
            out: bytes = fn(m)  # type: ignore[operator]
            if out != m.group(0):
                self.f.folds += 1
                self.f.telling += telling
            return out

        self.f.data = pattern.sub(counted, self.f.data)

    def value(self, v: bytes) -> bytes:
        self.f.values.append(v)
        return v


def fold(data: bytes, max_values: int = 256) -> Folded:
    """Apply every folding pass once, in the order that lets one feed the next."""
    st = _Fold(data)

    def comment(m: re.Match[bytes]) -> bytes:
        # Hiding code: an empty comment, or one wedged between code on both sides (`ev/*x*/al`,
        # `eval/*x*/(`). A docblock or a remark after a space is ordinary and tells nothing.
        # So is a short comment of no words between tokens (`eval( /**_**/ urldecode(..)`): a
        # separator, not a remark.
        data, a, b = m.string, m.start(), m.end()
        wedged = a > 0 and b < len(data) and data[a - 1] not in _SPACE and data[b] not in _SPACE
        filler = b - a <= 20 and _WORDLESS.fullmatch(data, a + 2, b - 2) is not None
        st.f.telling += m.end() - m.start() == 4 or wedged or filler
        return b""

    st.sub(_COMMENT, comment, telling=False, hint=b"/*")
    before = st.f.folds
    st.sub(_ESCAPE, _unescape, telling=False, hint=b"\\")
    if st.f.folds - before >= ESCAPES_TELLING or (
        st.f.folds > before and _ESCAPED_TAG.search(data) is not None
    ):
        st.f.telling += 1
    st.sub(_SELECT, _live_case, hint=b"select")

    def chr_(m: re.Match[bytes]) -> bytes:
        a = _num(m.group(2))
        if m.group(3):
            b = _num(m.group(4))
            a = a + b if m.group(3) == b"+" else a - b if m.group(3) == b"-" else a * b
        # VBScript's Chr (not ChrW) gives the page's code-page bytes: one byte above 127, two
        # for a double-byte character (GBK, Big5: `Chr(&HB0A1)`), as the page's own literal
        # would hold them; ChrW and the rest give a character (written as UTF-8)
        if m.group(1).lower() != b"chrw" and 128 <= a <= 0xFFFF:
            c: bytes | None = bytes([a]) if a < 256 else a.to_bytes(2, "big")
        else:
            c = _char(a)
        return m.group(0) if c is None else _quote_chars(c)

    st.sub(_CHR, chr_, hint=b"chr")

    def from_char_code(m: re.Match[bytes]) -> bytes:
        chars = [_char(_num(x.strip())) for x in m.group(1).split(b",")]
        if any(c is None for c in chars):
            return m.group(0)
        return _quote_chars(st.value(b"".join(c for c in chars if c is not None)))

    st.sub(_FROMCHARCODE, from_char_code, hint=b"fromcharcode")

    def array_string(m: re.Match[bytes]) -> bytes:
        chars: list[bytes | None] = []
        # (elements read one by one: a `','` element holds the separator)
        for x in _ELEMENT_RE.findall(m.group(1)):
            if not x.startswith(b"'"):
                chars.append(_char(_num(x)))
            elif x[1:2] != b"\\":
                chars.append(x[1:-1])
            else:  # `'\n'`, `'\''`: the escapes a char literal may hold, or none folded
                chars.append(_CHAR_ESCAPES.get(x[2:-1]))
        if any(c is None for c in chars):
            return m.group(0)
        return _quote(st.value(b"".join(c for c in chars if c is not None)))

    st.sub(_ARRAY_STRING, array_string, hint=b"new ")

    def chr_array(m: re.Match[bytes]) -> bytes:
        chars = [_char(_num(x.strip())) for x in m.group(2).split(b",")]
        if any(c is None for c in chars):
            return m.group(0)
        return _quote_chars(st.value(b"".join(c for c in chars if c is not None)), b"'")

    st.sub(_CHR_ARRAY, chr_array, hint=b"array_map")
    st.sub(_PACK_HEX, lambda m: _quote(st.value(bytes.fromhex(m.group(3).decode())), b"'"),
           hint=b"pack")  # fmt: skip

    def hex_name(m: re.Match[bytes]) -> bytes:
        name = bytes.fromhex(m.group(2).decode())
        return _quote(name, m.group(1)) if _HEX_NAMES.fullmatch(name) else m.group(0)

    st.sub(_HEX_LIT, hex_name)

    def bitop(m: re.Match[bytes]) -> bytes:
        a, op, b = _body(m.group(1)), m.group(2), _body(m.group(3))
        if op != b"^" and not (m.group(1)[:1] == m.group(3)[:1] == b"'"):
            return m.group(0)  # VBScript's `"a" & "b"` is a concatenation, not PHP's AND
        if op == b"^":
            v = bytes(x ^ y for x, y in zip(a, b, strict=False))
        elif op == b"&":
            v = bytes(x & y for x, y in zip(a, b, strict=False))
        else:
            v = bytes(
                x | y for x, y in zip(a.ljust(len(b), b"\0"), b.ljust(len(a), b"\0"), strict=True)
            )
        return _quote(st.value(v), m.group(1)[:1])

    if b"^" in st.lower:
        _xor_operands(st)
    if (
        b"^" in st.lower
        or b"'&" in st.lower
        or b"'|" in st.lower
        or b"' &" in st.lower
        or b"' |" in st.lower
    ):
        st.sub(_BITOP, bitop)
    if st.f.folds:  # only folding leaves a literal alone in parentheses worth unwrapping
        # Unwrapping hides nothing: the pass that made the literal already counted as telling.
        st.sub(_PAREN, lambda m: m.group(1), telling=False)

    def join(m: re.Match[bytes]) -> bytes:
        parts = [_body(x) for x in _LIT_RE.findall(m.group(1))]
        sep = _body(m.group(2)) if m.group(2) else b" "
        return _quote(st.value(sep.join(parts)))

    st.sub(_JOIN, join, hint=b"join")
    st.sub(_JS_JOIN, hint=b"join", fn=lambda m: _quote(st.value(
        (_body(m.group(2)) if m.group(2) else b",").join(_body(x) for x in _LIT_RE.findall(m.group(1)))
    )))  # fmt: skip

    if b"." in st.f.data and b"(" in st.f.data:
        st.sub(_BARE_CHAIN, _bare_chain)
        _bare_lits(st)
    _php_arrays(st)
    _string_picks(st)
    _var_chains(st)

    def appended(m: re.Match[bytes]) -> bytes:
        # Telling: many short pieces (a payload cut up), or a sink's name; a query or a page
        # built up in a few long appends is ordinary.
        parts: list[bytes] = [m.group(2), *_APPEND_ONE.findall(m.group(3))]
        body, value = _glued(parts)
        st.f.telling += (len(parts) >= 8 and len(value) <= 16 * len(parts)) or bool(
            _SINK_RE.fullmatch(value)
        )
        st.value(value)
        q = parts[0][:1]
        return b"$" + m.group(1) + b" = " + q + body + q + b";"

    def concat(m: re.Match[bytes]) -> bytes:
        parts: list[bytes] = _LIT_RE.findall(m.group(0))
        body, value = _glued(parts)
        # Three or more short pieces, a sink's name in two (`'sy'.'stem'`), or a sink's call that
        # no piece holds whole (`'ev'.'al($_'.'GET'..`).
        if (
            (len(parts) >= 3 and len(value) <= 4 * len(parts))
            or _NAMED.fullmatch(value)
            or _split_call(value, parts)
            or _cut_word(parts)
            or _name_cut(value, parts)
        ):
            st.f.telling += 1
        st.value(value)
        return parts[0][:1] + body + parts[0][:1]

    st.sub(_CONCAT, concat, telling=False)
    st.sub(_APPENDED, appended, telling=False, hint=b".=")
    if st.f.telling:  # a literal the concatenations made may stand alone in parentheses now
        st.sub(_PAREN, lambda m: m.group(1), telling=False)
    _pushed_arrays(st)

    _pure_subjects(st)
    if _pure_calls(st):
        _pure_calls(st)  # once more for a call wrapped around another (`ucfirst(strtolower(..))`)

    _superglobal_names(st)  # after the concatenations: `"_" . "GET"` is a literal now
    # Only after folding: the name is often spelled in pieces (`$f = "as"."sert";`). A name
    # resolved may make a call constant (`$b = "base64_decode"; $c = $b('YXNzZXJ0');`): once more.
    _resolve_names(st)
    if _pure_calls(st):
        _resolve_names(st)
    st.sub(_CALLED_NAME, lambda m: m.group(2) + b"(", telling=False)
    st.sub(_CALL_BY_NAME, lambda m: m.group(2) + b"(", hint=b"call_user_func")
    st.f.values = st.f.values[:max_values]
    return st.f


_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def _cut_word(parts: list[bytes]) -> bool:
    """Whether a piece ends and the next begins inside a word of letters (`'tmp'.'_name'`,
    `"Scrip" & "tControl"`): text is joined at spaces and punctuation, names are cut to hide."""
    for a, b in itertools.pairwise(parts):
        x, y = _body(a), _body(b)
        if (
            len(x) >= 2
            and len(y) >= 2
            and x[-2] in _LETTERS
            and x[-1] in _LETTERS
            and (y[0] in _LETTERS and y[1] in _LETTERS)
        ):
            return True
    return False


def _split_call(value: bytes, parts: list[bytes]) -> bool:
    """Whether `value` calls a sink whose name or call no single piece spells."""
    m = _SINK_CALL.search(value)
    return m is not None and not any(m.group(1).lower() in p.lower() for p in parts)


# Reads and writes of any variable, matched once per page and checked against the names a pass
# holds (a pattern compiled per page's names cost more than the passes: most names are unique)
_XOR_LEFT = re.compile(rb"(?<![\w$])\$([A-Za-z_]\w{0,63})(?!\w)(?=[ \t]{0,8}\^)")
_XOR_RIGHT = re.compile(rb"(\^[ \t]{0,8})\$([A-Za-z_]\w{0,63})(?!\w)")
# (`[` or `{` around the index; a read, not an assignment to the character)
_CHAR_PICK = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[\[{][ \t]{0,4}(\d{1,4})[ \t]{0,4}[\]}](?![ \t]{0,8}=[^=])"
)
_ELEMENT_READ = re.compile(
    rb"\$([A-Za-z_]\w{0,63})\[[ \t]{0,4}(\d{1,3})[ \t]{0,4}\](?![ \t]{0,8}=[^=])"
)
_ELEMENT_WRITE = (
    re.compile(rb"\$([A-Za-z_]\w{0,63})\[[^\]\r\n]{0,64}\][ \t]{0,8}=[^=]"),
    re.compile(rb"\$([A-Za-z_]\w{0,63})\[[^\]\r\n]{1,64}\][ \t]{0,8}=[^=]"),
)
# (variable names are case-sensitive, function names are not)
_ARRAY_JOIN = re.compile(
    rb"\b(?i:implode|join)[ \t]{0,8}\([ \t]{0,8}(?:(" + _LIT + rb")[ \t]{0,8},[ \t]{0,8})?"
    rb"\$([A-Za-z_]\w{0,63})(?!\w)[ \t]{0,8}\)"
)


def _written_elements(data: bytes, least: int) -> set[bytes]:
    """Names of arrays an element of which is assigned (`$a[..] = `; with `least` 1, not a push
    `$a[] = `)."""
    return {m[1] for m in _ELEMENT_WRITE[least].finditer(data)}


def _xor_operands(st: _Fold) -> None:
    """`$k = '..'; $f = '..' ^ $k;`: a variable holding one literal, used as an operand of `^`,
    is written as that literal so the XOR pass can fold it (a common PHP obfuscator's shape)."""
    held: dict[bytes, bytes] = {}
    for m in _VAR_LITERAL.finditer(st.f.data):
        if len(held) >= MAX_NAMES:
            break
        held.setdefault(m.group(1), m.group(2))
    if not held:
        return
    st.sub(_XOR_LEFT, lambda m: held.get(m[1], m[0]), telling=False)
    st.sub(_XOR_RIGHT, lambda m: m[1] + held[m[2]] if m[2] in held else m[0], telling=False)


def _assigned_once(
    pattern: re.Pattern[bytes], data: bytes, limit: int, read: Callable[[bytes], bytes | None]
) -> dict[bytes, bytes]:
    """Variable -> value of each `pattern` match (group 1 the name, group 2 the literal, read by
    `read`), for variables assigned exactly once; a value `read` cannot give rules it out."""
    held: dict[bytes, bytes] = {}
    out: set[bytes] = set()
    for m in pattern.finditer(data):
        name = m.group(1)
        if name in held or name in out:
            out.add(name)
        elif len(held) < limit:
            value = read(m.group(2))
            if value is None:
                out.add(name)
            else:
                held[name] = value
    return {k: v for k, v in held.items() if k not in out}


def _table(lit: bytes) -> bytes | None:
    """A literal as PHP reads it for indexing: `\'` and `\\` in single quotes are one
    character; a double-quoted literal with escapes is not read (its indexes would shift)."""
    if lit[:1] == b"'":
        return re.sub(rb"\\([\\'])", rb"\1", _body(lit))
    return None if b"\\" in lit else _body(lit)


# `$low = range('a', 'z');`: an alphabet array whose elements are picked like a string's.
_RANGE_TABLE = re.compile(
    rb"\$([A-Za-z_]\w{0,63})[ \t]{0,8}=[ \t]{0,8}range[ \t]{0,8}\([ \t]{0,8}(['\"][A-Za-z0-9]['\"]"
    rb"[ \t]{0,8},[ \t]{0,8}['\"][A-Za-z0-9]['\"])[ \t]{0,8}\)[ \t]{0,8};",
    re.I,
)


def _range(args: bytes) -> bytes | None:
    a, b = args[1], args[-2]
    return bytes(range(a, b + 1)) if a <= b else None


def _string_picks(st: _Fold) -> None:
    """`$t[17]` or `$t{17}` read from a variable assigned one literal (or one `range('a', 'z')`),
    once: that character (the concatenation pass then judges the pieces glued)."""
    if b"[" not in st.f.data and b"{" not in st.f.data:
        return
    found = _assigned_once(_STR_TABLE, st.f.data, MAX_NAMES, _table)
    if b"range" in st.lower:
        found.update(_assigned_once(_RANGE_TABLE, st.f.data, MAX_NAMES, _range))
    tables = {k: v for k, v in found.items() if len(v) >= 8}
    if not tables:
        return

    def pick(m: re.Match[bytes]) -> bytes:
        table = tables.get(m.group(1))
        i = int(m.group(2))
        if table is None or i >= len(table):
            return m.group(0)
        c = table[i : i + 1]
        return b'"' + c + b'"' if c == b"'" else b"'" + c + b"'"

    st.sub(_CHAR_PICK, pick, telling=False)


_SUPERGLOBALS = frozenset(
    (b"_GET", b"_POST", b"_REQUEST", b"_COOKIE", b"_SERVER", b"_FILES", b"_ENV", b"GLOBALS")
)


def _superglobal_names(st: _Fold) -> None:
    """`$g = '_GET'; .. $$g` (or `${$g}`): a variable variable naming a superglobal is that
    superglobal, written as such so the request is seen where it is read."""
    if b"$$" not in st.f.data and b"${$" not in st.f.data:
        return
    held = {
        k: v for k, v in _assigned_once(_STR_TABLE, st.f.data, MAX_NAMES, _table).items()
        if v in _SUPERGLOBALS
    }  # fmt: skip
    if not held:
        return
    alt = b"|".join(re.escape(n) for n in held)
    st.sub(
        re.compile(rb"\$(?:\$(" + alt + rb")(?!\w)|\{[ \t]{0,4}\$(" + alt + rb")[ \t]{0,4}\})"),
        lambda m: b"$" + held[m.group(1) or m.group(2)],
    )


def _var_chains(st: _Fold) -> None:
    """`$f = $a.$b.$c;` where each variable holds one short literal, assigned once: the literal
    they spell (telling: three or more pieces)."""
    if b"$" not in st.f.data or b"." not in st.f.data:
        return
    held = _assigned_once(_SHORT_VAR, st.f.data, MAX_ALPHABET, _body)
    if len(held) < 3:
        return

    def chain(m: re.Match[bytes]) -> bytes:
        names = re.findall(rb"\$([A-Za-z_]\w{0,63})", m.group(0))
        if not all(n in held for n in names):
            return m.group(0)
        return _quote(st.value(b"".join(held[n] for n in names)), b"'")

    st.sub(_VAR_CHAIN, chain)


def _bare_chain(m: re.Match[bytes]) -> bytes:
    """`(sy.(st).(em))` -> `'system'`, only when the words spell a sink (else they may be real
    constants joined, `(PHP_EOL . SEP)`)."""
    value = re.sub(rb"[\s().]", b"", m.group(1))
    return _quote(value, b"'") if _SINK_RE.fullmatch(value) else m.group(0)


def _bare_lits(st: _Fold) -> None:
    """`sy.'stem'` and `'pass'.thru` -> the quoted name, only when word and literal spell a sink
    (else they may be a real constant and a string, `PHP_EOL . 'x'`)."""
    data = st.f.data
    out: list[bytes] = []
    last = 0
    for m in _DOT_LIT.finditer(data):
        w = _WORD_BEFORE.search(data, max(last, m.start() - 40), m.start())
        if w is None or not _SINK_RE.fullmatch(w.group(1) + m.group(2)):
            continue
        out += [data[last : w.start()], _quote(w.group(1) + m.group(2), b"'")]
        last = m.end()
        st.f.folds += 1
        st.f.telling += 1
    if out:
        st.f.data = b"".join(out) + data[last:]

    def lit_word(m: re.Match[bytes]) -> bytes:
        value = m.group(2) + m.group(3)
        return _quote(value, b"'") if _SINK_RE.fullmatch(value) else m.group(0)

    st.sub(_LIT_DOT_WORD, lit_word)


def _read_elements(st: _Fold, arrays: dict[bytes, list[bytes]]) -> None:
    """`$a[1]` of a constant array as its literal (a read, not an assignment to the element,
    `$a[0] = ..`)."""

    def pick(m: re.Match[bytes]) -> bytes:
        items = arrays.get(m.group(1))
        i = int(m.group(2))
        return _quote(items[i], b"'") if items is not None and i < len(items) else m.group(0)

    st.sub(_ELEMENT_READ, pick, telling=False)


def _pushed_arrays(st: _Fold) -> None:
    """`$a = Array(); $a[] = 'create_function'; $a[] = 'pack'; .. $a[0]`: an array filled only
    by pushing literals (after folding, so pieces glued into one count), read by index."""
    if b"[]" not in st.f.data:
        return
    arrays: dict[bytes, list[bytes]] = {}
    for m in _ARRAY_EMPTY.finditer(st.f.data):
        if len(arrays) >= MAX_NAMES:
            break
        arrays.setdefault(m.group(1), [])
    if not arrays:
        return
    for m in _ARRAY_PUSH.finditer(st.f.data):
        name = m.group(1)
        if name in arrays:
            if m.group(2) is None:  # a push of anything but one literal: no constant
                del arrays[name]
            else:
                arrays[name].append(_body(m.group(2)))
    written = _written_elements(st.f.data, 1)  # an element written by index: no constant either
    arrays = {k: v for k, v in arrays.items() if v and k not in written}
    if not arrays:
        return
    _read_elements(st, arrays)


def _php_arrays(st: _Fold) -> None:
    """Picks from and joins of PHP arrays of string literals, as the literals they give."""
    if b"$" not in st.f.data:
        return
    arrays: dict[bytes, list[bytes]] = {}
    for m in _ARRAY_ASSIGN.finditer(st.f.data):
        if len(arrays) >= MAX_NAMES:
            break
        arrays.setdefault(m.group(1), [_body(x) for x in _LIT_RE.findall(m.group(2))])
    written = _written_elements(st.f.data, 0)  # an array written to later is no constant
    arrays = {k: v for k, v in arrays.items() if k not in written}
    if not arrays:
        return
    _read_elements(st, arrays)

    def joined(m: re.Match[bytes]) -> bytes:
        items = arrays.get(m.group(2))
        if items is None:
            return m.group(0)
        sep = _body(m.group(1)) if m.group(1) else b""
        value = sep.join(items)
        # Telling as a concatenation is: a sink's name, or three or more short pieces glued.
        short = not sep and len(items) >= 3 and len(value) <= 4 * len(items)
        st.f.telling += bool(_SINK_RE.fullmatch(value)) or short
        return _quote(st.value(value), b"'")

    st.sub(_ARRAY_JOIN, joined, telling=False)


def _live_case(m: re.Match[bytes]) -> bytes:
    """`Select Case <constant>`: only the branch that constant selects can run."""
    selector = m.group(1).strip().strip(b'"').lower()
    body = m.group(2)
    cases = list(_CASE.finditer(body))
    if not cases or not re.fullmatch(rb"-?\w{1,64}", selector):
        return m.group(0)
    fallback = None
    for i, c in enumerate(cases):
        end = cases[i + 1].start() if i + 1 < len(cases) else len(body)
        branch = body[c.end() : end]
        labels = [x.strip().strip(b'"').lower() for x in c.group(1).split(b",")]
        if labels == [b"else"]:
            fallback = branch
        elif selector in labels:
            return branch
    return fallback if fallback is not None else b""


def _php_span(size: int, start: int, length: int | None) -> tuple[int, int]:
    """The [a, b) slice PHP's substr takes for (start, length), negatives counted from the end."""
    a = max(0, size + start) if start < 0 else min(start, size)
    if length is None:
        return a, size
    b = max(a, size + length) if length < 0 else min(size, a + length)
    return a, b


# The decoders among them are the payload stage's own (agent/decode/payload.py).
_PURE_DECODERS: dict[bytes, Callable[[bytes, int], bytes | None]] = {
    b"strrev": payload.strrev,
    b"str_rot13": payload.rot13,
    b"base64_decode": payload.b64,
    b"hex2bin": payload.hex2bin,
    b"rawurldecode": payload.urldecode,
    b"urldecode": lambda text, cap: payload.urldecode(text.replace(b"+", b" "), cap),
}
_TRIM = b" \t\n\r\0\x0b"


def _pure_one(name: bytes, text: bytes) -> bytes | None:
    name = name.lower()
    decoder = _PURE_DECODERS.get(name)
    if decoder is not None:
        return decoder(text, MAX_PURE + 1)  # one byte over the cap: too long, not cut short
    if name == b"strtolower":
        return text.lower()
    if name == b"strtoupper":
        return text.upper()
    if name == b"ucfirst":
        return text[:1].upper() + text[1:]
    if name == b"ucwords":
        return b" ".join(w[:1].upper() + w[1:] for w in text.split(b" "))
    if name == b"ltrim":
        return text.lstrip(_TRIM)
    if name == b"rtrim":
        return text.rstrip(_TRIM)
    return text.strip(_TRIM)


# `str_replace('<', '', $a)` where `$a` holds one literal, assigned once: the literal put in
# its place, so the pure-call pass can fold the call (junk characters inserted in a decoder's
# name, `'ba<se6<4_de<code'`, and taken out at run time).
_PURE_SUBJECT = re.compile(
    rb"\b(?i:str_i?replace|strtr|substr_replace|substr|strrev|str_rot13|strtolower|strtoupper|"
    rb"ucfirst|trim)[ \t]{0,8}\((?:[ \t]{0,8}"
    + _LIT
    + rb"[ \t]{0,8},){0,2}[ \t]{0,8}\$([A-Za-z_]\w{0,63})"
    rb"(?=[ \t]{0,8}[,)])"
)


def _pure_subjects(st: _Fold) -> None:
    """A variable passed to a string function, holding one literal of at most MAX_PURE bytes
    assigned once: the literal in its place (the call is then a constant)."""
    if b"$" not in st.f.data or b"(" not in st.f.data:
        return
    held = {
        k: v for k, v in _assigned_once(_STR_TABLE, st.f.data, MAX_NAMES, lambda x: x).items()
        if len(v) <= MAX_PURE + 2
    }  # fmt: skip
    if not held:
        return

    def put(m: re.Match[bytes]) -> bytes:
        lit = held.get(m.group(1))
        if lit is None:
            return m.group(0)
        return m.group(0)[: m.start(1) - 1 - m.start()] + lit

    st.sub(_PURE_SUBJECT, put, telling=False)


def _pure_calls(st: _Fold) -> bool:
    """String functions called on literals only are replaced by their (short, printable)
    result; telling when that result is a sink's name. Whether any was."""

    def put(m: re.Match[bytes], value: bytes | None, quote: bytes) -> bytes:
        if value is None or not value or len(value) > MAX_PURE or not _PRINTABLE.fullmatch(value):
            return m.group(0)
        st.f.telling += bool(_SINK_RE.fullmatch(value))
        return _quote(st.value(value), quote)

    def one(m: re.Match[bytes]) -> bytes:
        return put(m, _pure_one(m.group(1), _body(m.group(2))), m.group(2)[:1])

    def substr(m: re.Match[bytes]) -> bytes:
        text = _body(m.group(1))
        a, b = _php_span(len(text), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
        return put(m, text[a:b], m.group(1)[:1])

    def substr_replace(m: re.Match[bytes]) -> bytes:
        text, rep = _body(m.group(1)), _body(m.group(2))
        a, b = _php_span(len(text), int(m.group(3)), int(m.group(4)) if m.group(4) else None)
        return put(m, text[:a] + rep + text[b:], m.group(1)[:1])

    def replace(m: re.Match[bytes]) -> bytes:
        name, x, y, z = m.group(1).lower(), _body(m.group(2)), _body(m.group(3)), _body(m.group(4))
        if name == b"strtr":  # strtr(subject, from, to): byte for byte
            n = min(len(y), len(z))
            return put(m, x.translate(bytes.maketrans(y[:n], z[:n])), m.group(2)[:1])
        if not x:
            return m.group(0)
        if name == b"str_ireplace":
            value = re.sub(re.escape(x), lambda _: y, z, flags=re.I)
        else:
            value = z.replace(x, y)
        return put(m, value, m.group(4)[:1])

    before = st.f.folds
    # One sweep finds which functions are called on a literal (as folded so far: a call may be
    # on a literal only now); only their passes run.
    low = st.f.data.lower()
    called = set()
    for m in _OPEN_LITERAL.finditer(low):  # `('`: a call on a literal; which function?
        word = _WORD_END.search(low, max(0, m.start() - 24), m.start())
        if word is not None and word[1] in _PURE_NAMES:
            called.add(word[1])
    if called & _PURE_ONE_NAMES:
        st.sub(_PURE_ONE, one, telling=False)
    if b"substr" in called:
        st.sub(_PURE_SUBSTR, substr, telling=False)
    if b"substr_replace" in called:
        st.sub(_PURE_SUBSTR_REPLACE, substr_replace, telling=False)
    if called & {b"str_replace", b"str_ireplace", b"strtr"}:
        st.sub(_PURE_REPLACE, replace, telling=False)
    return st.f.folds > before


def _resolve_names(st: _Fold) -> None:
    """A variable or constant assigned a sink's or decoder's name, called (or passed as a
    callback), is written as that function."""
    names: dict[bytes, bytes] = {}
    for m in _NAME_ASSIGN.finditer(st.f.data):
        if len(names) >= MAX_NAMES:
            break
        names.setdefault(b"$" + m.group(1), m.group(3).lower())
    for m in _NAME_DEFINE.finditer(st.f.data):
        if len(names) >= 2 * MAX_NAMES:
            break
        names.setdefault(m.group(2), m.group(4).lower())
    if names:
        calls, callbacks = _name_patterns(b"|".join(re.escape(n) for n in names))
        st.sub(calls, lambda m: names[m.group(1)] + b"(")
        st.sub(callbacks, lambda m: m.group(1) + m.group(2) + _quote(names[m.group(3)], b"'"))


@functools.lru_cache(maxsize=1024)
def _name_patterns(alt: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """The calls and callbacks of these names (compiled once: pages reuse the same names)."""
    calls = re.compile(rb"(?<![\w$>:])(" + alt + rb")(?!\w)[ \t]{0,8}\(")
    callbacks = re.compile(
        rb"\b(" + _CALLBACK_FIRST + rb")([ \t]{0,8}\([ \t]{0,8})(" + alt + rb")(?!\w)", re.I
    )
    return calls, callbacks

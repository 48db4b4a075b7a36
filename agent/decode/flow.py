"""Request flow in PHP: request data that reaches a command or code sink through variables.

A shell rarely runs `system($_POST['c'])` in one statement; it copies the request into a
variable, through a helper's parameter or a property, and runs that (`$c = trim($_POST['c']);
... echo shell_exec($c . ' 2>&1');`). This pass follows the request the way data flows, not
the way a sample is spelled, and writes each sink call it reaches with the request put back in
place of the variables (`shell_exec($_POST['c'] . ' 2>&1');`): the plain-text rules judge that
layer as they judge a one-liner.

What counts as taint: the superglobals, request headers, `php://input`, `filter_input`.
Taint passes through assignment (also `.=`, `??=`, list and foreach targets), string
interpolation, calls of the page's own functions (argument to parameter) and properties
(`$this->cmd`). It stops at sanitising calls and casts (`escapeshellarg`, `intval`, `(int)`,
`htmlspecialchars`, `basename`, `md5`, ...) and at comparisons (a boolean is no command).
Variables are scoped per named function, `global` declarations join the page's scope.

Bounds: layers up to `MAX_INPUT` bytes; every scan is a linear regular-expression sweep
or a bounded `find`; right-hand sides and argument lists are cut at `MAX_EXPR` bytes; taint is
propagated in at most `ROUNDS` passes over a capped list of assignments.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

# The pass reads a layer token by token in Python (about 0.1 ms per KB): larger layers are left
# to the rules and the other decoders, so no page makes it cost more than a few tens of ms.
MAX_INPUT = 128 * 1024
MAX_EXPR = 2048
MAX_ITEMS = 20000  # assignments, calls and sinks looked at per layer
ROUNDS = 6
MAX_OUTPUT = 64 * 1024  # bytes of sink calls written out per layer
SMALL_PAGE = 4 * 1024  # a page this small is a tool of its own, not an application's file

# Every pattern here runs on the lower-cased layer (no case-insensitive alternations: they
# cost a test at every byte); what is written out comes from the original bytes.
_BASE_SOURCE = (
    rb"\$_(?:get|post|request|cookie|files)\b|\$http_(?:get|post|cookie|post_files)_vars\b"
    rb"|\$_server\s{0,4}\[\s{0,4}['\"](?:http_\w+|query_string|request_uri|path_info)"
    rb"|\$globals\s{0,4}\[\s{0,4}['\"]_(?:get|post|request|cookie)"
    rb"|getenv\s{0,4}\(\s{0,4}['\"]?http_|php://input|getallheaders\s{0,4}\("
    rb"|apache_request_headers\s{0,4}\(|filter_input(?:_array)?\s{0,4}\(\s{0,4}input_"
)
# frameworks' request objects: Symfony, Drupal and Laravel (`$request->query->get('c')`),
# OpenCart (`$this->request->post['c']`), CodeIgniter and Joomla (`->input->post('c')`), Zend
# and Magento (`->getParam('c')`); Laravel's and Joomla's facades, PrestaShop. The names once,
# for SOURCE and for the whole read written out (`_FRAMEWORK_READ`).
_BAGS = rb"query|request|cookies|headers|files"  # `$request->query->get(..)`
_BAG_GETS = rb"get|post|getint|getalnum|getdigits|getboolean|filter"
_INPUT_GETS = rb"get|post|cookie|get_post|post_get|getstring|getcmd|getvar|getraw"
_ARRAYS = rb"post|get|cookie|request"  # `$this->request->post['c']`
_FACADES = rb"input|jrequest|tools"
_FACADE_GETS = rb"get|getvar|getcmd|getstring|getvalue"
# Apart, each opening with a literal (`->`, `::`) the engine skips to: a page's every `input`
# and `request` word would otherwise send it through all of SOURCE's alternatives.
_ARROW_SOURCE = (
    rb"->\s{0,4}(?:(?:" + _BAGS + rb")\s{0,4}->\s{0,4}(?:all|" + _BAG_GETS + rb")\s{0,4}\("
    rb"|request\s{0,4}->\s{0,4}(?:" + _ARRAYS + rb")\s{0,4}\["
    rb"|input\s{0,4}(?:->\s{0,4}(?:" + _INPUT_GETS + rb")\s{0,4})?\(|get(?:param|post)\s{0,4}\()"
)
_STATIC_SOURCE = rb"::\s{0,4}(?:" + _FACADE_GETS + rb")\s{0,4}\("
_FACADE = re.compile(rb"\b(?:" + _FACADES + rb")\s{0,4}$")
SOURCE = re.compile(
    _BASE_SOURCE + rb"|" + _ARROW_SOURCE + rb"|\b(?:" + _FACADES + rb")\s{0,4}" + _STATIC_SOURCE
)
_BASE = re.compile(_BASE_SOURCE)
_ARROW = re.compile(_ARROW_SOURCE)
_STATIC = re.compile(_STATIC_SOURCE)
# A literal each of the base alternatives holds: a page with none of them skips the regex.
_SOURCE_NEEDLES = (b"$_", b"$http_", b"$globals", b"getenv", b"php://input", b"getallheaders",
                   b"apache_request_headers", b"filter_input")  # fmt: skip


# A framework's request read as one expression, receiver and key (`\Drupal::request()->query->
# get('c')`, `$this->input->post('c')`, `Yii::$app->request->post('c')`, `Tools::getValue('c')`):
# written out as `$_POST['c']`, the spelling rules know. Case-blind: it runs on the written-out
# sinks, and on a page only when no variable carries the request.
_RECEIVER = (
    rb"(?:\\?[a-z_][\w\\]{0,64}\s{0,4}::\s{0,4}\$?\w{1,64}(?:\s{0,4}\(\s{0,4}\))?|\$\w{1,64})"
    rb"(?:\s{0,4}->\s{0,4}\w{1,64}(?:\s{0,4}\(\s{0,4}\))?){0,3}?"
)
_KEY = rb"\s{0,4}(['\"])([\w-]{1,64})['\"]"
_FRAMEWORK_READ = re.compile(
    rb"(?:" + _RECEIVER + rb"\s{0,4}->\s{0,4}(?:(?:" + _BAGS + rb")\s{0,4}->\s{0,4}(?:" + _BAG_GETS
    + rb")|input(?:\s{0,4}->\s{0,4}(?:" + _INPUT_GETS + rb"))?|getparam|getpost)\s{0,4}\("
    + _KEY + rb"[^()\n]{0,64}\)"
    rb"|" + _RECEIVER + rb"\s{0,4}->\s{0,4}request\s{0,4}->\s{0,4}(?:" + _ARRAYS + rb")\s{0,4}\["
    + _KEY + rb"\s{0,4}\]"
    rb"|\b(?:" + _FACADES + rb")\s{0,4}" + _STATIC_SOURCE + _KEY + rb"[^()\n]{0,64}\))",
    re.IGNORECASE,
)  # fmt: skip


def reads_request(low: bytes) -> bool:
    """Whether a lower-cased layer reads request data (SOURCE), substrings first."""
    if any(n in low for n in _SOURCE_NEEDLES) and _BASE.search(low) is not None:
        return True
    if b"->" in low and _ARROW.search(low) is not None:
        return True
    if b"::" in low:
        for m in _STATIC.finditer(low):
            if _FACADE.search(low, max(0, m.start() - 16), m.start()) is not None:
                return True
    return False


# Calls whose result carries nothing an attacker can steer into a command or code.
_SANITISER_NAMES = (
    rb"(?:intval|floatval|boolval|abs|round|floor|ceil|count|sizeof|strlen|"
    rb"mb_strlen|isset|empty|is_\w{1,16}|ctype_\w{1,8}|in_array|array_key_exists|"
    rb"preg_match(?:_all)?|strpos|stripos|strcmp|strcasecmp|md5|sha1|crc32|hash|hash_hmac|"
    rb"password_hash|password_verify|escapeshellarg|escapeshellcmd|\w{1,16}shellarg|htmlspecialchars|"
    rb"htmlentities|strip_tags|basename|realpath|addslashes|urlencode|rawurlencode|"
    rb"json_encode|var_export|serialize|filter_var|\w{0,16}real_escape_string|quote|"
    rb"file_exists|is_file|is_dir|filesize|filemtime|date|strtotime|checkdate|uniqid|"
    # what a file on disk holds is not the request (a request-named template or folder)
    rb"file_get_contents|file|fread|fgets|stream_get_contents|parse_ini_file|glob|scandir|curl_exec|"
    rb"readdir|simplexml_load_file|"
    # what a store holds under a request-given key is the store's, not the request
    rb"get_transient|get_site_transient|get_option|get_site_option|get_\w{1,8}_meta|"
    rb"wp_cache_get|apcu?_fetch|memcache_get)"
)
_SANITISER = re.compile(rb"(?<![\w$])" + _SANITISER_NAMES + rb"\s{0,4}\(")
# `$v = escapeshellarg($v);`: a variable cleaned in place (flow-insensitive here, so it stays
# clean for the page: the sink that follows sees the cleaned value)
_SELF_CLEANED = re.compile(
    rb"\$(\w{1,64})\s{0,4}=\s{0,4}" + _SANITISER_NAMES + rb"\s{0,4}\(\s{0,4}\$\1(?![\w\[])"
)
# `$ext === '.png'`: a variable compared with a file extension is an upload's checked
# extension, whatever branch the comparison guards (a command compared with a word is not
# cleaned: `if ($c == 'ls')` is no whitelist a shell keeps)
# Extensions of files the web server hands out and never runs (pictures, documents, data).
_DATA_EXTENSIONS = (
    rb"jpe?g|png|gif|bmp|webp|svg|ico|pdf|docx?|xlsx?|pptx?|txt|csv|zip|mp[34]"
    rb"|json|xml|log|md|ini|cache|tmp|dat|bak|css|js"
)
_EXTENSION = rb"""['"]\.?(?:""" + _DATA_EXTENSIONS + rb""")['"]"""
_EXT_CHECKED = re.compile(
    rb"\$(\w{1,64})\s{0,4}(?:===?|!==?)\s{0,4}" + _EXTENSION
    + rb"|" + _EXTENSION + rb"\s{0,4}(?:===?|!==?)\s{0,4}\$(\w{1,64})"
)  # fmt: skip
_NEW = re.compile(rb"\bnew\s{1,8}[\w\\]{1,128}\s{0,4}\(")
# A command line that starts with a program the page chose: a constant's path and a literal
# word (`PANEL_CMD . "v-list-user " . $_POST['u']`). Request data after it is arguments, not
# the command: a hosting panel, not a shell. Not when the word launches what follows (a shell,
# `env`, `sudo`, an interpreter) or the line holds a separator or an escape (`" | sh"`).
_FIXED_PROGRAM = re.compile(
    rb"\s{0,8}[a-z_][a-z0-9_]{2,30}\s{0,4}\.\s{0,8}['\"]([a-z][\w./-]{0,40})[ '\"]"
)
# (the same list as WSA-PHP-010's `$fl`; a version suffix is dropped first: `python3.11`)
_LAUNCHERS = frozenset(
    b"sh bash zsh dash ksh cmd cmd.exe powershell pwsh env sudo su nohup xargs busybox timeout "
    b"nice ionice setsid stdbuf chroot exec eval python perl php ruby node lua awk find".split()
)
_SEPARATOR = re.compile(rb"['\"][^'\"\n]{0,256}(?:[;|&`\\]|\$\()")


def fixed_program(rhs: bytes) -> bool:
    """Whether an assigned command line (lower-cased) starts with a program the page chose."""
    m = _FIXED_PROGRAM.match(rhs)
    if m is None or _SEPARATOR.search(rhs):
        return False
    return m[1].rsplit(b"/", 1)[-1].rstrip(b"0123456789.") not in _LAUNCHERS


# a cast and its operand (a variable with its subscripts, or a call)
_CAST = re.compile(
    rb"\(\s{0,4}(?:int|integer|bool|boolean|float|double)\s{0,4}\)\s{0,4}"
    rb"(?:\$\w{1,64}(?:\s{0,4}\[[^\]\n]{0,64}\])*|\w{1,64}\s{0,4}\([^()]{0,256}\))"
)
# a ternary's `?` (not `??`, `?:`, `?->` or `?>`)
_TERNARY = re.compile(rb"(?<!\?)\?(?![?:>-])")
_COMPARE = re.compile(rb"===?|!==?|<>|<=|>=|\binstanceof\b")
# `$name`, `$this->name` (properties are one name per page: `->name`); `$obj->x` is an
# object's member, not request text.
_VAR = re.compile(rb"\$(?:this\s{0,4}->\s{0,4}(\w{1,64})|(\w{1,64})(?!\w)(?!\s{0,4}->))")
# The same, with any subscripts after it (written over whole when the variable is tainted).
_VAR_ELEMENTS = re.compile(_VAR.pattern + rb"(?:\s{0,4}\[[^\[\]\n]{0,64}\])*")
# After a variable's name: an assignment to it or to one of its elements.
_ASSIGN_TAIL = rb"(?!\w)\s{0,4}(?:\[[^\]\n;]{0,64}\]\s{0,4}){0,4}(?:\.|\?\?)?=(?![=>])"
_VAR_ASSIGN = re.compile(rb"\$(\w{1,64})" + _ASSIGN_TAIL)
_PROP_ASSIGN = re.compile(rb"\$this\s{0,4}->\s{0,4}(\w{1,64})" + _ASSIGN_TAIL)
_LIST = re.compile(  # `list($a, $b) =`, `[$a, $b] =`, `['f' => $f, 'a' => $a] =`
    rb"(?:\blist\s{0,4}\(|\[)((?:\s{0,4}(?:['\"][^'\"\n]{0,64}['\"]\s{0,4}=>\s{0,4})?&?\$\w{1,64}\s{0,4},?){1,8})"
    rb"[\])]\s{0,4}=(?![=>])"
)
_FOREACH = re.compile(
    rb"\bforeach\s{0,4}\(([^;{}]{1,256}?)\s+as\s+(?:&?\$(\w{1,64})\s{0,4}=>\s{0,4})?&?\$(\w{1,64})\s{0,4}\)"
)
_FUNCTION = re.compile(
    rb"\bfunction\s{1,8}&?\s{0,4}(\w{1,64})\s{0,4}\(([^(){};]{0,512})\)[^{;]{0,128}\{"
)
_GLOBAL = re.compile(rb"\bglobal\s{1,8}(\$\w{1,64}(?:\s{0,4},\s{0,4}\$\w{1,64}){0,32})\s{0,4};")
# Commands and code; a callback only where the page calls a function the request names.
_SINK_NAMES = (
    rb"system|exec|passthru|shell_exec|popen|proc_open|pcntl_exec|eval|assert|create_function|"
    rb"call_user_func(?:_array)?"
)
# File writes are followed too, but only in a page of its own: in an application's code (a
# class, an access check) a form that saves a template or a language file is the app's own
# editor, and an upload form checks or renames what it stores; the written layer would lose
# the context that tells those apart.
_WRITE_NAMES = rb"file_put_contents|move_uploaded_file|copy|fopen|fwrite|fputs"
# A write's destination that ends in a literal data extension (`$dir . $_POST['n'] . '.txt'`)
# names no file the web server would run (a CMS's agreement or language text, a cache entry).
_DATA_FILE = re.compile(
    rb"""\.\s{0,4}['"][\w./-]{0,64}\.(?:""" + _DATA_EXTENSIONS + rb""")['"]\s{0,4}$"""
)
_DESTINATION = {b"file_put_contents": 0, b"fopen": 0, b"copy": 1, b"move_uploaded_file": 1}


def _writes_data_file(call: bytes) -> bool:
    """Whether a (lower-cased) sink call is a file write whose destination is a data file."""
    paren = call.find(b"(")  # (none in a backtick command)
    at = _DESTINATION.get(call[:paren].rstrip()) if paren > 0 else None
    if at is None:
        return False
    args = _split_args(call[paren + 1 : -1])
    return len(args) > at and _DATA_FILE.search(args[at].strip()) is not None


_APP_CODE = re.compile(
    rb"\$this\s{0,4}->|\bclass\s{1,8}\w|require_acl|current_user_can|check_admin_referer|"
    rb"verify_nonce|csrf|\$_g\s{0,4}\[|"
    # an upload checked or renamed by the page (the check is lost in a written-out call)
    rb"in_array\s{0,4}\(|pathinfo\s{0,4}\(|getimagesize|exif_imagetype|finfo_|mime_content_type|"
    rb"random_bytes|uniqid"
)
# (no look-behinds in patterns that sweep a whole layer: they cost a test at every byte;
# `_after_name` checks the byte before a match instead)
_SINK = re.compile(rb"(" + _SINK_NAMES + rb")\s{0,8}\(")
_SINK_OR_WRITE = re.compile(rb"(" + _SINK_NAMES + rb"|" + _WRITE_NAMES + rb")\s{0,8}\(")
# The cheap look first: a sink with a variable or a call in its first 256 bytes of arguments, a
# backtick command holding a variable, a variable called on a request value. Three searches,
# not one alternation (which costs twice their sum), and no look-behind, so each search skips
# to its first letters.
_CUES = (
    re.compile(
        rb"(?:" + _SINK_NAMES + rb"|" + _WRITE_NAMES + rb")\s{0,8}\([^;]{0,256}?(?:\$|\w\s{0,4}\()"
    ),
    re.compile(rb"`[^`\n]{0,256}?\$\w"),
    re.compile(rb"\$\w{1,64}\s{0,8}\([^;]{0,256}?\$_(?:get|post|request|cookie)"),
)
# A small page calling a function held in a variable (`$f(`, `$x[0](`): looked at when it also
# reads the request, trigger or not (agent/decode/stage.py).
_SMALL_CUE = re.compile(rb"\$\w{1,64}(?:\s{0,4}\[[^\[\]\n]{0,32}\])?\s{0,8}\(")
_VAR_CALL = re.compile(rb"\$(\w{1,64})(?:\s{0,4}\[[^\[\]\n]{0,32}\])?\s{0,8}\(")
_NOT_BEFORE_NAME = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_$>:")
# `$c::$m(..)`: a static call whose class and method are both held in variables
_STATIC_CLASS = re.compile(rb"\$\w{1,64}\s{0,4}::\s{0,4}$")


def _after_name(code: bytes, pos: int) -> bool:
    """Whether a name starts at `pos` (not inside a longer name, a method or a namespace)."""
    return pos == 0 or code[pos - 1] not in _NOT_BEFORE_NAME


# A page's own table looked up by a request key yields the page's value, not the request's.
_LOOKUP = re.compile(
    rb"(\$(?!_(?:get|post|request|cookie|files|server)\b)\w{1,64}(?:\s{0,4}->\s{0,4}\w{1,64}){0,4})"
    rb"\s{0,4}\[(?:[^\[\]]|\[[^\[\]]{0,64}\]){0,128}\]"
)

Key = tuple[int, bytes]  # (scope, name); scope -1 is the page, -2 holds properties
RETURN = b"()"  # the name under which a function's return value is followed
_NAME_CALL = re.compile(rb"(\w{1,64})\s{0,4}\(")
_SIMPLE_CALL = re.compile(rb"(\w{1,64})\s{0,4}\([^()\n]{0,64}\)")
_NOT_CALLER = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$>:")
_RETURN = re.compile(rb"\breturn\b\s{0,8}")


@dataclass
class _Scopes:
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    globals: dict[int, set[bytes]] = field(default_factory=dict)

    def at(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1
        for j in range(i, max(-1, i - 8), -1):  # nested functions: the innermost that holds pos
            if self.ends[j] >= pos:
                return j
        return -1

    def key(self, scope: int, prop: bytes | None, name: bytes | None) -> Key:
        if prop is not None:
            return (-2, prop)
        assert name is not None
        if scope >= 0 and name in self.globals.get(scope, ()):
            return (-1, name)
        return (scope, name)


@dataclass
class Lexed:
    """A layer read once: comments blanked (same length), the matching `}` of each `{`, the
    spans of quoted strings and of backtick commands (outside comments and strings)."""

    code: bytes
    braces: dict[int, int]
    strings: list[tuple[int, int]]
    ticks: list[tuple[int, int]]

    def in_string(self, pos: int) -> bool:
        i = bisect.bisect_right(self.strings, (pos, len(self.code))) - 1
        return i >= 0 and self.strings[i][0] < pos < self.strings[i][1]


# A whole quoted string (possessive: no backtracking), a comment's start, a brace, or a lone
# quote that opens a string never closed.
_TOKEN = re.compile(
    rb"'(?:[^'\\]++|\\.)*+'|\"(?:[^\"\\]++|\\.)*+\"|`[^`]*+`|\#|//|/\*|\?>|[{}'\"`]", re.S
)
_NOT_NEWLINE = re.compile(rb"[^\n]")


def strip_comments(buf: bytes) -> Lexed:
    """One pass over `buf`; an unterminated string or comment runs to the end."""
    out = bytearray(buf)
    braces: dict[int, int] = {}
    strings: list[tuple[int, int]] = []
    ticks: list[tuple[int, int]] = []
    stack: list[int] = []
    i, n = 0, len(buf)
    # Text outside `<?php .. ?>` is no code (an apostrophe in HTML opens no string): blanked.
    # A fragment with no open tag at all is read as code.
    first = buf.find(b"<?")
    if first > 0:
        out[:first] = _NOT_NEWLINE.sub(b" ", buf[:first])
        i = first
    while (m := _TOKEN.search(buf, i)) is not None:
        i, j = m.span()
        c = buf[i]
        if c == 0x3F:  # `?>`: on to the next open tag
            e = buf.find(b"<?", j)
            e = n if e < 0 else e
            out[j:e] = _NOT_NEWLINE.sub(b" ", buf[j:e])
            i = e
            continue
        if c in b"'\"`":
            if j - i == 1:  # never closed: the rest is text
                j = n
            # a `$` that is no variable (single quotes, `\$`) must not read as a request
            text = buf[i:j]
            (ticks if c == 0x60 else strings).append((i, j))
            if c == 0x27:
                out[i:j] = text.replace(b"$", b" ")
            elif b"\\$" in text:
                out[i:j] = text.replace(b"\\$", b"  ")
        elif c == 0x7B:
            stack.append(i)
        elif c == 0x7D:
            if stack:
                braces[stack.pop()] = i
        elif j - i == 1 or buf[i + 1] == 0x2F:  # `#` or `//`, up to the line end or `?>`
            e = buf.find(b"\n", i)
            e = n if e < 0 else e
            k = buf.find(b"?>", i, e)
            j = k if k >= 0 else e
            out[i:j] = b" " * (j - i)
        else:  # `/*`
            e = buf.find(b"*/", j)
            j = n if e < 0 else e + 2
            out[i:j] = _NOT_NEWLINE.sub(b" ", buf[i:j])
        i = j
    return Lexed(bytes(out), braces, strings, ticks)


def _string_end(buf: bytes, i: int) -> int:
    """Index after the quoted string that starts at `i` (its quote), escapes honoured."""
    q = buf[i : i + 1]
    j = i + 1
    n = len(buf)
    while True:
        k = buf.find(q, j)
        if k < 0:
            return n
        back = k - 1
        while back > i and buf[back] == 0x5C:  # backslashes before the quote
            back -= 1
        if (k - 1 - back) % 2 == 0:
            return k + 1
        j = k + 1


_PUNCT = {stop: re.compile(rb"['\"()\[\]{}" + re.escape(stop) + rb"]") for stop in (b";", b")")}


def _expr_end(code: bytes, start: int, stop: bytes = b";") -> int:
    """End of the expression from `start`: the first `stop` outside brackets, at most MAX_EXPR."""
    depth = 0
    limit = min(len(code), start + MAX_EXPR)
    punct = _PUNCT[stop]
    i = start
    while True:
        m = punct.search(code, i, limit)
        if m is None:
            return limit
        i = m.start()
        c = code[i]
        if c in b"'\"":
            i = min(_string_end(code, i), limit)
            continue
        if c in b"([{":
            depth += 1
        elif c in b")]}" and depth:
            depth -= 1
        else:  # `stop`, or a closing bracket opened before `start`
            if depth == 0:
                return i
        i += 1


def _args_end(code: bytes, open_paren: int) -> int:
    """Index of the `)` closing the call opened at `open_paren` (or the cut at MAX_EXPR)."""
    return _expr_end(code, open_paren + 1, b")")


def _split_args(args: bytes) -> list[bytes]:
    out, depth, last = [], 0, 0
    i = 0
    while i < len(args):
        c = args[i : i + 1]
        if c in b"'\"":
            i = _string_end(args, i)
            continue
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            depth -= 1
        elif c == b"," and depth == 0:
            out.append(args[last:i])
            last = i + 1
        i += 1
    out.append(args[last:])
    return out


# `escapeshellcmd` escapes a command's metacharacters, not the command: a value that is nothing
# but it (`$c = escapeshellcmd($_GET['c']); exec($c)`) is still the request's command. As a part
# of one (`HESTIA_CMD . escapeshellcmd($x)`) it cleans an argument like `escapeshellarg`.
_WHOLE_COMMAND = re.compile(rb"[\s@(]{0,8}")
_VALUE_END = re.compile(rb"\s{0,8}(?:[,)]|\Z)")


_CLOSURE = re.compile(rb"\s{0,8}(?:static\s{1,8})?(?:function|fn)\s{0,8}\(")


def _cleaned(expr: bytes) -> bytes:
    """The parts of an expression whose value may carry request data: sanitised calls and casts
    cut out, a comparison's operands dropped, a ternary's condition dropped."""
    for m in reversed(list(_NEW.finditer(expr))):  # an object built from the request is no text
        expr = expr[: m.start()] + b"0" + expr[_args_end(expr, m.end() - 1) + 1 :]
    for m in reversed(list(_SANITISER.finditer(expr))):
        end = _args_end(expr, m.end() - 1)
        if b"php://input" in expr[m.end() : end]:
            continue  # reading the request body is reading the request
        whole = _WHOLE_COMMAND.fullmatch(expr, 0, m.start()) and _VALUE_END.match(expr, end + 1)
        if whole and expr[m.start() : m.start() + 14].lower() == b"escapeshellcmd":
            continue  # escapeshellcmd(..) as the whole value: the request still picks the command
        expr = expr[: m.start()] + b"0" + expr[end + 1 :]
    expr = _CAST.sub(b"0", expr)
    expr = _LOOKUP.sub(rb"\1[0]", expr)
    q = _TERNARY.search(expr)
    if q is not None:
        return expr[q.end() :]
    if _COMPARE.search(expr):
        return b""
    return expr


@dataclass(frozen=True, slots=True)
class _Rhs:
    """What an assignment's right-hand side may carry: a request read, or these variables."""

    source: bool
    keys: tuple[Key, ...]


@dataclass
class _Flow:
    code: bytes
    scopes: _Scopes
    functions: dict[bytes, tuple[int, list[bytes]]]
    # Return values are followed in small pages only: an application's request wrapper
    # (`$this->get('x')`) would carry the request into every value it hands out.
    returns: bool = False
    tainted: set[Key] = field(default_factory=set)

    def vars_in(self, scope: int, expr: bytes) -> list[Key]:
        """The variables an expression reads, and the page's own functions it calls (their
        return value: key `(function, "()")`)."""
        keys = [self.scopes.key(scope, m[1], m[2]) for m in _VAR.finditer(expr)]
        if self.returns and self.functions and b"(" in expr:
            for m in _NAME_CALL.finditer(expr):
                f = self.functions.get(m[1])
                if f is not None and (m.start() == 0 or expr[m.start() - 1] not in _NOT_CALLER):
                    keys.append((f[0], RETURN))
        return keys

    def read(self, scope: int, expr: bytes) -> _Rhs:
        """What an expression may carry once sanitised parts are cut out of it. A closure
        carries nothing: its body is code run when it is called, not its value (LiteCart's
        `$iterator = function(..) use (&$iterator, &$path) {..}` read the request through $path)."""
        if _CLOSURE.match(expr):
            return _Rhs(False, ())
        expr = _cleaned(expr)
        return _Rhs(SOURCE.search(expr) is not None, tuple(self.vars_in(scope, expr)))

    def carried(self, rhs: _Rhs) -> bool:
        return rhs.source or any(k in self.tainted for k in rhs.keys)

    def carries(self, scope: int, expr: bytes) -> bool:
        return self.carried(self.read(scope, expr))

    def substituted(self, scope: int, text: bytes) -> bytes:
        """`text` (original case) with each tainted variable written as a request read."""

        def put(m: re.Match[bytes]) -> bytes:
            name = m[1] or m[2]
            prop, var = (m[1].lower(), None) if m[1] else (None, m[2].lower())
            if self.scopes.key(scope, prop, var) in self.tainted:
                return b"$_POST['" + name + b"']"  # its elements too: `$x[0]` is request data
            return m[0]

        def call(m: re.Match[bytes]) -> bytes:
            f = self.functions.get(m[1].lower())
            before = m.string[m.start() - 1] if m.start() else 0
            if f is not None and before not in _NOT_CALLER and (f[0], RETURN) in self.tainted:
                return b"$_POST['" + m[1] + b"']"  # a function of the page's returning the request
            return m[0]

        text = _FRAMEWORK_READ.sub(_framework_key, text)
        text = _VAR_ELEMENTS.sub(put, text)
        return _SIMPLE_CALL.sub(call, text) if self.functions else text


def _framework_key(m: re.Match[bytes]) -> bytes:
    """A framework's request read (matched case-blind on original-case text) as `$_POST[key]`."""
    key = next(g for g in m.groups()[1::2] if g is not None)
    return b"$_POST['" + key + b"']"


def _scopes(
    code: bytes, braces: dict[int, int]
) -> tuple[_Scopes, dict[bytes, tuple[int, list[bytes]]]]:
    """Named functions: their body spans (scopes) and, by name, (scope, parameter names)."""
    sc = _Scopes()
    found: list[tuple[int, int, bytes, list[bytes]]] = []
    for m in _FUNCTION.finditer(code):
        open_brace = m.end() - 1
        close = braces.get(open_brace)
        if close is None:
            continue
        params = [p[1] for p in re.finditer(rb"\$(\w{1,64})", m[2])]
        found.append((open_brace, close, m[1].lower(), params))
        if len(found) >= MAX_ITEMS:
            break
    found.sort()
    functions: dict[bytes, tuple[int, list[bytes]]] = {}
    for idx, (start, end, name, params) in enumerate(found):
        sc.starts.append(start)
        sc.ends.append(end)
        functions.setdefault(name, (idx, params))
        body = code[start:end]
        names = {
            g[1] for gm in _GLOBAL.finditer(body) for g in re.finditer(rb"\$(\w{1,64})", gm[1])
        }
        if names:
            sc.globals[idx] = names
    return sc, functions


def small_page_cue(buf: bytes) -> bool:
    """Whether a small page calls a function held in a variable, or a sink however spaced, and
    reads the request: the flow pass looks at it even when no trigger atom matched."""
    if len(buf) >= SMALL_PAGE:
        return False
    low = buf.lower()
    # the request first: one regex that few pages match, before the cues' several
    return reads_request(low) and _cued(low, small=True)


def _cued(low: bytes, small: bool) -> bool:
    """Whether a lower-cased page has something to follow: a sink, a backtick command or a
    request-fed variable call, or in a small page any variable call."""
    return any(c.search(low) for c in _CUES) or (small and _SMALL_CUE.search(low) is not None)


def flow_layer(buf: bytes) -> bytes | None:
    """The sink calls request data reaches through variables, written with the request in
    place of the variables (one per line, after `<?php`); None when there are none."""
    if len(buf) > MAX_INPUT:
        return None
    low = buf.lower()
    if not reads_request(low) or not _cued(low, len(buf) < SMALL_PAGE):
        return None
    lexed = strip_comments(buf)
    original = lexed.code
    code = original.lower()  # names compared lower-cased; written out as the page has them
    app_code = _APP_CODE.search(code) is not None
    sinks = _sinks(code, lexed, app_code)
    if not sinks:
        return None
    scopes, functions = _scopes(code, lexed.braces)
    st = _Flow(code, scopes, functions, returns=len(buf) < SMALL_PAGE)
    graph = _Graph(st)
    # Only what a sink can see is looked at: the variables in its arguments, what they were
    # assigned from, and so on back (a page's other assignments cost nothing).
    wanted: list[Key] = []
    for start, end, _ in sinks:
        sc = scopes.at(start)
        wanted += st.vars_in(sc, code[start:end])  # a called variable is among them
    flows = graph.closure(wanted)
    cleaned = {m[1] for m in _SELF_CLEANED.finditer(code)}
    if b"move_uploaded_file" in code or b"copy" in code:  # (only an upload's name is checked so)
        cleaned |= {m[1] or m[2] for m in _EXT_CHECKED.finditer(code)}
    # Variables assigned from an expression that reads the request itself (one hop).
    direct: set[Key] = set()
    for _ in range(ROUNDS):
        before = len(st.tainted)
        for targets, rhs in flows:
            if st.carried(rhs):
                kept = [t for t in targets if t[0] == -2 or t[1] not in cleaned]
                st.tainted.update(kept)
                if rhs.source:
                    direct.update(kept)
        if len(st.tainted) == before:
            break
    if not st.tainted and not (
        _ARROW.search(code) or (b"::" in code and _FRAMEWORK_READ.search(code))
    ):
        return None  # (a framework's read may sit in a sink itself: `system($req->get('c'))`)
    lines: list[bytes] = []
    written, size = -1, 0
    sink_scopes = {scopes.at(start) for start, _, _ in sinks}
    # In an application's code, a callback computed from request data through its own
    # properties and helpers is how hooks and routers dispatch (SMF's likes and profile hooks:
    # `$call = call_helper($this->_validLikes['callback'])`): there, a called function counts
    # as request-named only when it is the request read itself or a variable assigned from one.
    # A shell's callback is a tool of its own; the dev corpus's shells found through a callback
    # on this layer alone are all pages under 4 KB.
    app = len(buf) >= SMALL_PAGE and app_code
    for start, end, callee in sinks:
        if start < written or size > MAX_OUTPUT:
            continue  # inside a sink already written out (`system(system(..`), or enough
        sc = scopes.at(start)
        text = code[start:end]
        if callee is not None:
            # `$f(..)`: a request-named function; or, in a small page, a function held in a
            # variable run on request data (in an application, a callback's ordinary use)
            key = scopes.key(sc, None, callee)
            head = text[: text.index(b"(")]  # `$f` or, for a static call, `$c::$m`
            if app:
                named = key in direct or (b"::" in head and _reads_directly(st, direct, sc, head))
            else:
                named = key in st.tainted or (b"::" in head and st.carries(sc, head))
            if not named and _local_callback(graph, key, code, functions, sink_scopes):
                continue  # `$f = 'render_page';` names one of the page's own, sink-free functions
            if not (named or (len(buf) < SMALL_PAGE and st.carries(sc, text[text.index(b"(") :]))):
                continue
        elif not st.carries(sc, text):
            continue
        elif _writes_data_file(text):
            continue  # a write into `.. . '.txt'`: whatever the name, no page the server runs
        elif app and text.startswith(b"call_user_func"):
            callback = _split_args(text[text.index(b"(") + 1 : -1])[0]
            if not _reads_directly(st, direct, sc, callback):
                continue
        lines.append(st.substituted(sc, original[start:end]) + b";")
        written, size = end, size + len(lines[-1])
    if not lines:
        return None
    # each its own statement (`;` before it), as the call stood in the page
    return b"<?php\n" + b"".join(b"; " + line + b"\n" for line in lines)


_NAME_LITERAL = re.compile(rb"""\s{0,8}(['"])([a-z_]\w{0,63})\1\s{0,8}""")


def _reads_directly(st: _Flow, direct: set[Key], scope: int, expr: bytes) -> bool:
    """Whether `expr` reads the request itself or holds a variable assigned from a read."""
    rhs = st.read(scope, expr)
    return rhs.source or any(k in direct for k in rhs.keys)


def _local_callback(
    graph: _Graph,
    key: Key,
    code: bytes,
    functions: dict[bytes, tuple[int, list[bytes]]],
    sink_scopes: set[int],
) -> bool:
    """Whether a called variable is only ever assigned the quoted name of a function the page
    defines itself and that calls no sink, or a closure written in place (an application's
    callback, not a function chosen elsewhere; a local helper that runs a command is still
    followed through the call, and a closure's own sinks are sinks of the page)."""
    spans = graph.assignments(key)
    if not spans:
        return False
    for start, end in spans:
        if _CLOSURE.match(code, start):
            continue  # a closure the page writes here is its own code (Elgg's `$is_selected`)
        m = _NAME_LITERAL.fullmatch(code, start, end if end >= 0 else _expr_end(code, start))
        if m is None or m[2] not in functions or functions[m[2]][0] in sink_scopes:
            return False
    return True


class _Graph:
    """Where each variable may get its value: assignments, list and foreach targets, and a
    function's parameters from the arguments of its calls; read lazily, key by key."""

    def __init__(self, flow: _Flow) -> None:
        self.flow, self.code, self.scopes = flow, flow.code, flow.scopes
        code, scopes = flow.code, flow.scopes
        self.rhs_at: dict[Key, list[tuple[int, int]]] = {}  # key -> right-hand side spans
        self.group: dict[tuple[int, int], list[Key]] = {}  # list/foreach span -> its targets
        self.looked: set[tuple[bool, bytes]] = set()  # names whose assignments are read
        self._by_name: dict[bool, dict[bytes, list[tuple[int, int]]]] = {}
        for m in _LIST.finditer(code):
            sc = scopes.at(m.start())
            self._add(
                [scopes.key(sc, None, v[1]) for v in re.finditer(rb"\$(\w{1,64})", m[1])],
                m.end(),
                -1,
            )
        for m in _FOREACH.finditer(code):
            sc = scopes.at(m.start())
            self._add([scopes.key(sc, None, v) for v in (m[2], m[3]) if v], m.start(1), m.end(1))
        self.params: dict[Key, tuple[int, int]] = {}  # parameter key -> (function, position)
        self.names: dict[int, bytes] = {}
        for name, (idx, names) in flow.functions.items():
            self.names[idx] = name
            for i, p in enumerate(names):
                self.params[(idx, p)] = (idx, i)
        self._calls: dict[int, list[tuple[int, list[bytes]]]] = {}

    def assignments(self, key: Key) -> list[tuple[int, int]]:
        """Right-hand side spans assigned to `key`, read the first time a name is asked for."""
        prop = key[0] == -2
        if (prop, key[1]) not in self.looked:
            self.looked.add((prop, key[1]))
            for start, end in self._assigned(prop).get(key[1], ()):
                sc = self.scopes.at(start)
                target = self.scopes.key(sc, key[1] if prop else None, None if prop else key[1])
                self._add([target], end, -1)
        return self.rhs_at.get(key, [])

    def _assigned(self, prop: bool) -> dict[bytes, list[tuple[int, int]]]:
        """Every assignment to a variable (or to a `$this` property), by name: one pass over
        the layer the first time one is asked for, not a pattern compiled per name (most names
        are a page's own, so a cache of patterns missed)."""
        if prop not in self._by_name:
            found: dict[bytes, list[tuple[int, int]]] = {}
            pattern = _PROP_ASSIGN if prop else _VAR_ASSIGN
            for n, m in enumerate(pattern.finditer(self.code)):
                if n >= MAX_ITEMS:
                    break
                found.setdefault(m[1], []).append((m.start(), m.end()))
            self._by_name[prop] = found
        return self._by_name[prop]

    def _add(self, targets: list[Key], start: int, end: int) -> None:
        for t in targets:
            self.rhs_at.setdefault(t, []).append((start, end))
        self.group[(start, end)] = targets

    def calls(self, idx: int) -> list[tuple[int, list[bytes]]]:
        """(caller scope, argument texts) of each call of the function `idx`."""
        if idx not in self._calls:
            found: list[tuple[int, list[bytes]]] = []
            code = self.code
            for m in _call_pattern(self.names[idx]).finditer(code):
                before = code[max(0, m.start() - 12) : m.start()]
                if not (_after_name(code, m.start()) or before.endswith((b"->", b"::"))):
                    continue
                if before.rstrip().endswith(b"function"):
                    continue
                end = _args_end(code, m.end() - 1)
                found.append((self.scopes.at(m.start()), _split_args(code[m.end() : end])))
                if len(found) >= MAX_ITEMS:
                    break
            self._calls[idx] = found
        return self._calls[idx]

    def returns(self, idx: int) -> list[tuple[list[Key], _Rhs]]:
        """What the function `idx` returns: each `return` in its body."""
        code, start, end = self.code, self.scopes.starts[idx], self.scopes.ends[idx]
        out: list[tuple[list[Key], _Rhs]] = []
        for m in _RETURN.finditer(code, start, end):
            if self.scopes.at(m.start()) == idx:  # not a nested function's
                out.append(
                    ([(idx, RETURN)], self.flow.read(idx, code[m.end() : _expr_end(code, m.end())]))
                )
            if len(out) >= 64:
                break
        return out

    def _appended(self, key: Key, start: int, rhs: bytes) -> bool:
        """Whether an assignment appends to the variable itself (`.=`, `$x = $x . ..`) with
        no shell separator: more arguments for the same program."""
        if _SEPARATOR.search(rhs):
            return False
        if self.code[max(0, start - 2) : start].endswith(b".="):
            return True
        m = _VAR.match(rhs.lstrip())
        return m is not None and (m[1] or m[2]) == key[1] and b"." in rhs

    def closure(self, wanted: list[Key]) -> list[tuple[list[Key], _Rhs]]:
        """(targets, right-hand side) of every flow that can reach the `wanted` variables."""
        seen = set(wanted)
        todo = list(seen)  # each key once: a page may name one variable in thousands of sinks
        out: list[tuple[list[Key], _Rhs]] = []
        done: set[tuple[int, int]] = set()
        while todo and len(out) < MAX_ITEMS:
            key = todo.pop()
            found: list[tuple[list[Key], _Rhs]] = []
            spans = [
                (start, end, end if end >= 0 else _expr_end(self.code, start))
                for start, end in self.assignments(key)
                if (start, end) not in done
            ]
            # a command line built on a fixed program, and what is appended to it, carry the
            # request as arguments only
            programs = [fixed_program(self.code[s:stop]) for s, _, stop in spans]
            for (start, end, stop), program in zip(spans, programs, strict=True):
                done.add((start, end))
                rhs = self.code[start:stop]
                if any(programs) and (program or self._appended(key, start, rhs)):
                    found.append((self.group[(start, end)], _Rhs(False, ())))
                    continue
                found.append((self.group[(start, end)], self.flow.read(self.scopes.at(start), rhs)))
            if key[1] == RETURN:
                found += self.returns(key[0])
            if key in self.params:
                idx, pos = self.params[key]
                for caller, args in self.calls(idx):
                    if pos < len(args):
                        found.append(([key], self.flow.read(caller, args[pos])))
            for flow in found:
                out.append(flow)
                for k in flow[1].keys:
                    if k not in seen:
                        seen.add(k)
                        todo.append(k)
        return out


@functools.lru_cache(maxsize=4096)
def _call_pattern(name: bytes) -> re.Pattern[bytes]:
    return re.compile(re.escape(name) + rb"\s{0,4}\(")


def _sinks(code: bytes, lexed: Lexed, app_code: bool) -> list[tuple[int, int, bytes | None]]:
    """(start, end, callee variable or None) of each sink call or backtick command with a
    variable in it; not inside a quoted string (text, or SQL's backtick quoting), nor inside
    the arguments of a sink already taken (the outer call is written out whole). In an
    application's code (`app_code`), file writes are no sinks."""
    out: list[tuple[int, int, bytes | None]] = []
    last = -1
    sink = _SINK if app_code else _SINK_OR_WRITE
    for m in sink.finditer(code):
        if m.start() < last or not _after_name(code, m.start()) or lexed.in_string(m.start()):
            continue
        last = _args_end(code, m.end() - 1) + 1
        if b"$" in code[m.end() : last] or b"(" in code[m.end() : last]:  # a variable or a call
            out.append((m.start(), last, None))
        if len(out) >= MAX_ITEMS:
            return out
    last = -1
    for m in _VAR_CALL.finditer(code):
        start = m.start()
        if code[max(0, start - 5) : start].rstrip().endswith(b"::"):
            cls = _STATIC_CLASS.search(code, max(0, start - 72), start)
            if cls is not None and _after_name(code, cls.start()):
                start = cls.start()  # the class variable is part of the callee
        if (
            start < last
            or not _after_name(code, start)
            or lexed.in_string(start)
            or code[max(0, m.start() - 12) : m.start()].rstrip().endswith(b"new")
        ):
            continue  # nested, text, or `new $class(..)` building an object
        last = _args_end(code, m.end() - 1) + 1
        out.append((start, last, m[1]))
        if len(out) >= 2 * MAX_ITEMS:
            break
    for start, end in lexed.ticks[:MAX_ITEMS]:
        if end - start <= 512 and b"$" in code[start:end]:
            out.append((start, end, None))
    return sorted(out)

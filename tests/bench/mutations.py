"""Meaning-preserving rewrites of a web page's server code, to test how far a rule generalises.

An attacker who reuses a public shell changes what costs nothing: the case of a case-insensitive
name, spacing and line breaks, variable names, how a string is spelt, which request collection
is read, where the page lives (inside a larger application file), an encoding wrapper. A rule
that misses such a rewrite of a shell it finds is fitted to the sample's spelling, not to what
the shell does. Each mutation below is one such rewrite, applied only where the language keeps
the page's meaning (VBScript names but not JScript's, `\\u` escapes in Java and C# code but not
in VB), outside string literals and comments where it would change them. A mutation that has
nothing to rewrite in a page returns None: the page does not count for it.

Pages are handled as latin-1 text, so every byte survives a rewrite it is not part of.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
import re
import zlib
from collections.abc import Callable, Iterator

Mutation = Callable[[str, random.Random], "str | None"]

# Server-code regions: PHP tags; ASP/JSP/ASPX `<% %>` blocks (not directives or comments) and
# server-side <script> blocks.
_PHP_REGION = re.compile(r"<\?(?:php\b|=)?(.*?)(?:\?>|\Z)", re.S | re.I)
_TAG_REGION = re.compile(
    r"<%(?!\s*[@-])=?(.*?)(?:%>|\Z)"
    r"|<script\b[^>]*\brunat\s*=\s*[\"']?server[^>]*>(.*?)(?:</script\s*>|\Z)",
    re.S | re.I,
)


def _regions(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    for m in pattern.finditer(text):
        for g in range(1, (pattern.groups or 0) + 1):
            if m.group(g) is not None:
                yield m.span(g)


def _on_regions(text: str, pattern: re.Pattern[str], edit: Callable[[str], str]) -> str:
    out, last = [], 0
    for a, b in _regions(text, pattern):
        out += [text[last:a], edit(text[a:b])]
        last = b
    out.append(text[last:])
    return "".join(out)


def c_like_parts(
    code: str, *, hash_comments: bool = False, verbatim: bool = False
) -> list[tuple[bool, str]]:
    """Split C-like code into (is_code, chunk): string and char literals and comments are not
    code. Backslash escapes inside quotes; `#` comments for PHP; `@"..."` verbatim strings (with
    `""` inside) for C#. An unterminated literal runs to the end."""
    parts: list[tuple[bool, str]] = []
    i, start, n = 0, 0, len(code)

    def cut(end: int) -> None:
        nonlocal start
        if end > start:
            parts.append((True, code[start:end]))
        start = end

    while i < n:
        c = code[i]
        j = -1
        if verbatim and c == "@" and code.startswith('@"', i):
            j = i + 2
            while j < n:
                if code[j] == '"':
                    if code.startswith('""', j):
                        j += 2
                        continue
                    j += 1
                    break
                j += 1
        elif c in "\"'":
            j = i + 1
            while j < n and code[j] != c:
                j += 2 if code[j] == "\\" else 1
            j = min(j + 1, n)
        elif code.startswith("//", i) or (hash_comments and c == "#"):
            j = code.find("\n", i)
            j = n if j < 0 else j
        elif code.startswith("/*", i):
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
        if j < 0:
            i += 1
            continue
        cut(i)
        parts.append((False, code[i:j]))
        start = i = j
    cut(n)
    return parts


def _on_code(code: str, edit: Callable[[str], str], **kw: bool) -> str:
    return "".join(edit(chunk) if is_code else chunk for is_code, chunk in c_like_parts(code, **kw))


def _mixed_case(word: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    while True:
        out = "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in word)
        if out != word or len(letters) < 2:
            return out


def _words(text: str) -> list[str]:
    return text.split()


def _changed(before: str, after: str) -> str | None:
    return after if after != before else None


# ---- PHP -------------------------------------------------------------------------------------

_PHP_CALLS = _words(
    "eval assert system exec shell_exec passthru popen proc_open pcntl_exec base64_decode "
    "gzinflate gzuncompress gzdecode str_rot13 strrev hex2bin create_function call_user_func "
    "call_user_func_array array_map array_filter usort preg_replace file_put_contents fwrite "
    "fopen fputs move_uploaded_file copy include require include_once require_once unlink "
    "file_get_contents readfile fsockopen curl_exec mysql_query mysqli_query chmod"
)
_PHP_CALL = re.compile(r"(?<![\w$>:\\])(" + "|".join(_PHP_CALLS) + r")(?=\s*\()", re.I)
_SUPERGLOBAL = {"_GET", "_POST", "_REQUEST", "_COOKIE", "_SERVER", "_FILES", "_SESSION", "_ENV",
                "GLOBALS", "this", "http_raw_post_data", "php_errormsg"}  # fmt: skip
_PHP_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def php_case(text: str, rng: random.Random) -> str | None:
    """PHP function names and `eval` are case-insensitive: `SyStEm(`."""

    def code(c: str) -> str:
        return _PHP_CALL.sub(lambda m: _mixed_case(m.group(1), rng), c)

    return _changed(
        text, _on_regions(text, _PHP_REGION, lambda r: _on_code(r, code, hash_comments=True))
    )


def php_space(text: str, rng: random.Random) -> str | None:
    """A comment and a line break between a called name and its `(`: `eval /**/\n(`."""

    def code(c: str) -> str:
        return _PHP_CALL.sub(lambda m: m.group(1) + " /**/\n", c)

    return _changed(
        text, _on_regions(text, _PHP_REGION, lambda r: _on_code(r, code, hash_comments=True))
    )


_CONSTRUCTS = {"eval", "include", "require", "include_once", "require_once"}


def php_backslash(text: str, rng: random.Random) -> str | None:
    """Functions called by their global name: `\\system(..)` (valid in any namespace); not the
    language constructs (`eval`, `include`), which cannot be named so."""

    def code(c: str) -> str:
        return _PHP_CALL.sub(
            lambda m: m.group(1) if m.group(1).lower() in _CONSTRUCTS else "\\" + m.group(1), c
        )

    return _changed(
        text, _on_regions(text, _PHP_REGION, lambda r: _on_code(r, code, hash_comments=True))
    )


def php_argcomment(text: str, rng: random.Random) -> str | None:
    """A comment opening the argument list: `system(/**/$_GET['c'])`."""

    def code(c: str) -> str:
        return re.sub(
            r"(?<![\w$>:\\])(" + "|".join(_PHP_CALLS) + r")(\s*\()", r"\1\2/**/", c, flags=re.I
        )

    return _changed(
        text, _on_regions(text, _PHP_REGION, lambda r: _on_code(r, code, hash_comments=True))
    )


def php_layout(text: str, rng: random.Random) -> str | None:
    """Calls laid over lines, a wordless comment before each argument list's first token:
    `system(\n    /**_**/ $_GET['c'])` (a layout-minded packer's spacing)."""

    def code(c: str) -> str:
        return re.sub(
            r"(?<![\w$>:\\])(" + "|".join(_PHP_CALLS) + r")(\s*\()",
            r"\1\2\n    /**_**/ ",
            c,
            flags=re.I,
        )

    return _changed(
        text, _on_regions(text, _PHP_REGION, lambda r: _on_code(r, code, hash_comments=True))
    )


def php_request(text: str, rng: random.Random) -> str | None:
    """Another request collection: `$_POST`/`$_GET` read as `$_REQUEST`, `$_REQUEST` as `$_POST`."""
    swap = {"_POST": "_REQUEST", "_GET": "_REQUEST", "_REQUEST": "_POST"}
    return _changed(
        text, re.sub(r"\$(_POST|_GET|_REQUEST)\b", lambda m: "$" + swap[m.group(1)], text)
    )


def php_cookie(text: str, rng: random.Random) -> str | None:
    """The request read from a cookie: `$_POST[..]`/`$_GET[..]`/`$_REQUEST[..]` as `$_COOKIE[..]`."""
    return _changed(text, re.sub(r"\$_(?:POST|GET|REQUEST)\b(?=\s*\[)", "$_COOKIE", text))


def php_header(text: str, rng: random.Random) -> str | None:
    """The request read from a header: `$_POST['cmd']` as `$_SERVER['HTTP_CMD']`."""

    def header(m: re.Match[str]) -> str:
        return f"$_SERVER[{m.group(1)}HTTP_{m.group(2).upper()}{m.group(1)}]"

    out = re.sub(r"\$_(?:POST|GET|REQUEST|COOKIE)\s*\[\s*(['\"])(\w{1,40})\1\s*\]", header, text)
    return _changed(text, out)


def php_globals(text: str, rng: random.Random) -> str | None:
    """The request's collections read through `$GLOBALS`: `$_POST[..]` as `$GLOBALS['_POST'][..]`."""
    out = re.sub(r"\$(_(?:POST|GET|REQUEST|COOKIE))\b(?=\s*\[)", r"$GLOBALS['\1']", text)
    return _changed(text, out)


def php_sink(text: str, rng: random.Random) -> str | None:
    """A sink for its twin: `system` and `passthru` swapped (both run a command and print its
    output), `eval` of a string as `assert` (which evaluates one in PHP 5 and 7)."""
    twin = {"system": "passthru", "passthru": "system", "eval": "assert"}

    def code(c: str) -> str:
        return re.sub(
            r"(?<![\w$>:\\])(system|passthru|eval)(?=\s*\()",
            lambda m: twin[m.group(1).lower()] if m.group(1).lower() in twin else m.group(1),
            c,
            flags=re.I,
        )

    return _changed(
        text, _on_regions(text, _PHP_REGION, lambda r: _on_code(r, code, hash_comments=True))
    )


def php_rename(text: str, rng: random.Random) -> str | None:
    """Local variables renamed consistently (`$cmd` -> `$q7f3a`). Pages that name variables at
    run time (`$$x`, `${..}`, `extract`, `compact`, `get_defined_vars`) or use a variable name
    as a property are left alone."""
    if re.search(r"\$\$|\$\{|\b(?:extract|compact|get_defined_vars|parse_str)\s*\(", text, re.I):
        return None
    props = set(re.findall(r"(?:->|::\$?)([A-Za-z_]\w*)", text))
    salt = rng.getrandbits(32)
    names: dict[str, str] = {}

    def new(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _SUPERGLOBAL or name in props:
            return m.group(0)
        if name not in names:
            digest = hashlib.sha1(f"{salt}:{name}".encode()).hexdigest()
            names[name] = "q" + digest[:6]
        return "$" + names[name]

    return _changed(text, _on_regions(text, _PHP_REGION, lambda r: _PHP_VAR.sub(new, r)))


def php_split(text: str, rng: random.Random) -> str | None:
    """Single-quoted literals of four or more plain characters split: `'sys'.'tem'`."""

    def lit(chunk: str) -> str:
        body = chunk[1:-1]
        if not (chunk.startswith("'") and chunk.endswith("'")) or len(body) < 4:
            return chunk
        if re.search(r"[\\'\n]", body):
            return chunk
        k = rng.randrange(1, len(body))
        return f"'{body[:k]}'.'{body[k:]}'"

    def region(r: str) -> str:
        return "".join(c if code else lit(c) for code, c in c_like_parts(r, hash_comments=True))

    return _changed(text, _on_regions(text, _PHP_REGION, region))


def php_base64(text: str, rng: random.Random) -> str | None:
    """The whole page run through `eval('?>' . base64_decode('..'))`."""
    b64 = base64.b64encode(text.encode("latin-1")).decode()
    return f"<?php eval('?>'.base64_decode('{b64}')); ?>"


NEST = 5  # one more than the decode stage unwraps (agent.decode.Limits.depth)


def php_nest(text: str, rng: random.Random) -> str | None:
    """The page run through `eval('?>' . base64_decode('..'))` NEST times over."""
    for _ in range(NEST):
        text = php_base64(text, rng) or text
    return text


def php_gzip(text: str, rng: random.Random) -> str | None:
    """The whole page deflated, base64-encoded and run: `eval('?>'.gzinflate(base64_decode(..)))`."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = raw.compress(text.encode("latin-1")) + raw.flush()
    return f"<?php eval('?>'.gzinflate(base64_decode('{base64.b64encode(packed).decode()}'))); ?>"


def php_xor(text: str, rng: random.Random) -> str | None:
    """The whole page XORed with a key of the page's own and hex-encoded backwards, run through
    the page's own decoder: `eval('?>' . dx(hex2bin(strrev($p)), $k))`."""
    key = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    data = text.encode("latin-1")
    stream = (key.encode() * (len(data) // len(key) + 1))[: len(data)]
    hexed = bytes(a ^ b for a, b in zip(data, stream, strict=True)).hex()[::-1]
    return (
        "<?php function dx($h, $k) { $d = hex2bin(strrev($h)); $o = ''; $n = strlen($k);"
        " for ($i = 0; $i < strlen($d); $i++) { $o .= $d[$i] ^ $k[$i % $n]; } return $o; }\n"
        f'$p = "{hexed}";\n$k = "{key}";\neval(\'?>\' . dx($p, $k)); ?>'
    )


# Top-level statements a goto chain cannot move: declarations PHP wants first, alternative
# syntax and heredocs the splitter below does not parse, and the end of the compiled code.
_GOTO_UNSAFE = re.compile(
    r"<<<|\b(?:namespace|declare|use|end(?:if|foreach|for|while|switch|declare)"
    r"|__halt_compiler)\b",
    re.I,
)
# After a closing `}` at depth 0 the statement goes on: `do {..} while (..);`, `}(..)`, `};`.
_GOTO_JOINS = re.compile(r"\s*while\b|\s*[;),.\-\[?:=]", re.I)


def php_statements(code: str) -> list[str] | None:
    """A PHP region's top-level statements, in order, joining to `code`; a statement ends at a
    `;` or a closing `}` at depth 0 (`_GOTO_JOINS`; `else`, `catch` and `finally` join the
    statement before). None where the region holds what `_GOTO_UNSAFE` names."""
    parts = c_like_parts(code, hash_comments=True)
    # Literals and comments masked to one neutral character so only code is scanned.
    masked = "".join(c if is_code else "x" * len(c) for is_code, c in parts)
    if _GOTO_UNSAFE.search(masked):
        return None
    cuts, depth = [0], 0
    for i, ch in enumerate(masked):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0 and ch == "}" and not _GOTO_JOINS.match(masked, i + 1):
                cuts.append(i + 1)
        elif ch == ";" and depth == 0:
            cuts.append(i + 1)
    if depth:
        return None
    cuts.append(len(code))
    stmts = [code[a:b] for a, b in itertools.pairwise(cuts) if b > a]
    # `if (a) x(); else y();`: a statement opening with `else` belongs to the one before.
    out: list[str] = []
    for s in stmts:
        if out and re.match(r"\s*(?:else|elseif|catch|finally)\b", s, re.I):
            out[-1] += s
        else:
            out.append(s)
    return out


def php_goto(text: str, rng: random.Random) -> str | None:
    """Top-level statements shuffled and chained by `goto` (yakpro-po's control-flow shuffle):
    `goto L0; L2: c(); goto L3; L0: a(); goto L1; L1: b(); goto L2; L3: ;`."""
    tag = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(4))

    def region(code: str) -> str:
        stmts = php_statements(code)
        if not stmts:
            return code
        tail = stmts.pop() if not stmts[-1].strip().endswith((";", "}")) else ""
        if len(stmts) < 3:
            return code
        blocks = [f"{tag}{i}: {s}\ngoto {tag}{i + 1};\n" for i, s in enumerate(stmts)]
        rng.shuffle(blocks)
        return f" goto {tag}0;\n" + "".join(blocks) + f"{tag}{len(stmts)}: ;{tail}"

    return _changed(text, _on_regions(text, _PHP_REGION, region))


# ---- classic ASP (VBScript) ----------------------------------------------------------------

_VB_WORDS = _words(
    "execute executeglobal eval request form querystring item server createobject mappath "
    "response write scripting filesystemobject wscript shell run exec stdout readall adodb "
    "stream savetofile createtextfile opentextfile writeline binaryread totalbytes chr chrw "
    "session application cmd"
)
_VB_WORD = re.compile(
    r"(?<![\w.])\b(" + "|".join(_VB_WORDS) + r")\b|(?<=\.)(" + "|".join(_VB_WORDS) + r")\b", re.I
)
_JSCRIPT = re.compile(r"language\s*=\s*[\"']?(?:j|java)script", re.I)


def _vbscript_page(text: str) -> bool:
    return not _JSCRIPT.search(text)


def _on_vbscript(text: str, edit: Callable[[str], str]) -> str:
    """`edit` applied to each server-code region that is plain VBScript (a Script Encoder
    region, `#@~^..^#~@`, is left whole: any change to it breaks its checksum)."""
    return _on_regions(text, _TAG_REGION, lambda r: r if "#@~^" in r else edit(r))


def asp_case(text: str, rng: random.Random) -> str | None:
    """VBScript and COM ProgIDs are case-insensitive: `eXeCuTe ReQuest("x")`."""
    if not _vbscript_page(text):
        return None
    return _changed(
        text,
        _on_vbscript(text, lambda r: _VB_WORD.sub(lambda m: _mixed_case(m.group(0), rng), r)),
    )


def asp_item(text: str, rng: random.Random) -> str | None:
    """`Request("x")` read through its default property: `Request.Item("x")`."""
    if not _vbscript_page(text):
        return None
    return _changed(
        text,
        _on_vbscript(text, lambda r: re.sub(r"\b(Request)\s*\(", r"\1.Item(", r, flags=re.I)),
    )


def asp_cookie(text: str, rng: random.Random) -> str | None:
    """The request read from a cookie: `Request("x")`, `Request.Form("x")` as
    `Request.Cookies("x")`."""
    if not _vbscript_page(text):
        return None
    pattern = r"\bRequest(?:\s*\.\s*(?:Form|QueryString|Item))?\s*\(\s*(\"[^\"\r\n]{1,40}\")\s*\)"
    return _changed(
        text,
        _on_vbscript(text, lambda r: re.sub(pattern, r"Request.Cookies(\1)", r, flags=re.I)),
    )


def asp_createobject(text: str, rng: random.Random) -> str | None:
    """VBScript's own `CreateObject("X")` for `Server.CreateObject("X")` and back (both make the
    same COM object in an ASP page)."""
    if not _vbscript_page(text):
        return None

    def swap(m: re.Match[str]) -> str:
        if m.group(1):
            return "CreateObject("
        # (another object's CreateObject, `x.CreateObject(`, is not VBScript's)
        return (
            m.group(0) if m.string[: m.start()].rstrip().endswith(".") else "Server.CreateObject("
        )

    pattern = r"(\bServer\s*\.\s*)?\bCreateObject\s*\("
    return _changed(text, _on_vbscript(text, lambda r: re.sub(pattern, swap, r, flags=re.I)))


def asp_form(text: str, rng: random.Random) -> str | None:
    """The request's collection named: `Request("x")` as `Request.Form("x")`, and a named
    collection as the bare `Request("x")`."""
    if not _vbscript_page(text):
        return None

    def swap(m: re.Match[str]) -> str:
        return "Request(" if m.group(1) else "Request.Form("

    pattern = r"\bRequest(\s*\.\s*(?:Form|QueryString))?\s*\((?=\s*\")"
    return _changed(text, _on_vbscript(text, lambda r: re.sub(pattern, swap, r, flags=re.I)))


_ASP_BLOCK = re.compile(r"<%(?!\s*[@-])(=)?(.*?)%>", re.S)


def asp_script(text: str, rng: random.Random) -> str | None:
    """Server code in script blocks instead of `<% %>`: `<script language="VBScript"
    runat="server">..</script>`, `<%= e %>` as `Response.Write(e)` (VBScript pages; a block with
    `</script` or a Script Encoder region in it is left)."""
    if not _vbscript_page(text):
        return None

    def block(m: re.Match[str]) -> str:
        body = m.group(2)
        if "#@~^" in body or re.search(r"</script", body, re.I):
            return m.group(0)
        if m.group(1):
            body = f" Response.Write({body.strip()}) "
        return f'<script language="VBScript" runat="server">{body}</script>'

    return _changed(text, _ASP_BLOCK.sub(block, text))


def asp_global(text: str, rng: random.Random) -> str | None:
    """`Execute` as `ExecuteGlobal` (both run a string of VBScript)."""
    if not _vbscript_page(text):
        return None
    return _changed(
        text,
        _on_vbscript(
            text, lambda r: re.sub(r"\bExecute\b(?!Global)", "ExecuteGlobal", r, flags=re.I)
        ),
    )


_VB_STRING = re.compile(r'"((?:[^"\r\n]|"")*)"')


def _vb_strings(
    text: str, rng: random.Random, spell: Callable[[str, random.Random], str]
) -> str | None:
    """Rewrite VBScript string literals in server code, outside comments and Const lines."""
    if not _vbscript_page(text):
        return None

    def line(ln: str) -> str:
        if re.match(r"\s*(?:(?:public|private)\s+)?const\b", ln, re.I):
            return ln
        out, i = [], 0
        for m in _VB_STRING.finditer(ln):
            before = ln[i : m.start()]
            if "'" in before or re.search(r"\brem\b", before, re.I):
                break  # a comment: the rest of the line is not code
            out += [
                before,
                spell(m.group(1), rng)
                if len(m.group(1)) >= 4 and '""' not in m.group(1)
                else m.group(0),
            ]
            i = m.end()
        out.append(ln[i:])
        return "".join(out)

    return _changed(
        text,
        _on_vbscript(text, lambda r: "".join(line(ln) for ln in r.splitlines(True))),
    )


def asp_split(text: str, rng: random.Random) -> str | None:
    """String literals of four or more characters split: `"WScr" & "ipt.Shell"`."""

    def spell(body: str, r: random.Random) -> str:
        k = r.randrange(1, len(body))
        return f'"{body[:k]}" & "{body[k:]}"'

    return _vb_strings(text, rng, spell)


def asp_chr(text: str, rng: random.Random) -> str | None:
    """String literals of 4 to 40 characters spelt as `Chr(..)&Chr(..)`."""

    def spell(body: str, r: random.Random) -> str:
        if len(body) > 40:
            return f'"{body}"'
        return "(" + "&".join(f"Chr({ord(ch)})" for ch in body) + ")"

    return _vb_strings(text, rng, spell)


# ---- JSP and ASPX (C#) ---------------------------------------------------------------------

_JAVA_NAMES = _words(
    "Runtime getRuntime exec ProcessBuilder start getParameter getHeader getInputStream "
    "ClassLoader defineClass forName getMethod invoke newInstance getDeclaredMethod "
    "FileOutputStream write ScriptEngineManager getEngineByName eval Base64 decode "
    "getDecoder decodeBuffer BASE64Decoder Cipher"
)
_CS_NAMES = _words(
    "Process Start ProcessStartInfo FileName Arguments Request Form QueryString Item "
    "Assembly Load CreateInstance Convert FromBase64String File WriteAllBytes WriteAllText "
    "StreamWriter Server MapPath Eval GetType InvokeMember"
)


def _name_re(names: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w\\])(" + "|".join(names) + r")\b")


_JAVA_NAME = _name_re(_JAVA_NAMES)
_CS_NAME = _name_re(_CS_NAMES)
_CSHARP_PAGE = re.compile(r"language\s*=\s*[\"']?(?:c#|csharp|cs)(?![\w#])", re.I)


def _escape_first(m: re.Match[str]) -> str:
    w = m.group(1)
    return f"\\u{ord(w[0]):04x}{w[1:]}"


def _code_edit(text: str, edit: Callable[[str], str], *, verbatim: bool = False) -> str | None:
    return _changed(
        text, _on_regions(text, _TAG_REGION, lambda r: _on_code(r, edit, verbatim=verbatim))
    )


def jsp_unicode(text: str, rng: random.Random) -> str | None:
    """Java reads `\\uXXXX` escapes anywhere in code: `\\u0052untime.getRuntime()`."""
    return _code_edit(text, lambda c: _JAVA_NAME.sub(_escape_first, c))


_MEMBER_DOT = re.compile(r"(?<=[\w)\]])\s*\.(?=[A-Za-z_])")


def jsp_newline(text: str, rng: random.Random) -> str | None:
    """A line break before each member access, as chains are often written: `Runtime\\n
    .getRuntime()`."""
    return _code_edit(text, lambda c: _MEMBER_DOT.sub("\n  .", c))


def jsp_comment(text: str, rng: random.Random) -> str | None:
    """A comment before each member access: `Runtime/**/.getRuntime()`."""
    return _code_edit(text, lambda c: _MEMBER_DOT.sub("/**/.", c))


def jsp_header(text: str, rng: random.Random) -> str | None:
    """The request read from a header: `request.getParameter("x")` as `request.getHeader("x")`."""
    return _code_edit(text, lambda c: re.sub(r"\bgetParameter\s*\(", "getHeader(", c))


_JSP_ELEMENT = re.compile(r"<%(?!--)(@|!|=)?(.*?)%>", re.S)
_JSP_DIRECTIVE = re.compile(r"\s*(page|include|taglib)\b(.*)", re.S)


def jsp_xmltags(text: str, rng: random.Random) -> str | None:
    """Scripting elements in the XML syntax a standard JSP page also takes: `<% c %>` as
    `<jsp:scriptlet>c</jsp:scriptlet>`, `<%= e %>` as `<jsp:expression>`, `<%! d %>` as
    `<jsp:declaration>`, `<%@ page .. %>` as `<jsp:directive.page .. />`."""

    def element(m: re.Match[str]) -> str:
        kind, body = m.group(1), m.group(2)
        if kind == "@":
            d = _JSP_DIRECTIVE.match(body)
            if d is None:
                return m.group(0)
            return f"<jsp:directive.{d.group(1)}{d.group(2).rstrip()} />"
        tag = {"=": "expression", "!": "declaration"}.get(kind or "", "scriptlet")
        if "]]>" in body:
            return m.group(0)
        # Jasper reads such a body up to the next `<`: code holding one goes in a CDATA section
        if "<" in body or "&" in body:
            body = f"<![CDATA[{body}]]>"
        return f"<jsp:{tag}>{body}</jsp:{tag}>"

    return _changed(text, _JSP_ELEMENT.sub(element, text))


def aspx_header(text: str, rng: random.Random) -> str | None:
    """The request read from a header: `Request.Form["x"]`, `Request["x"]`, `Request.Item("x")`
    as `Request.Headers[..]` (`(..)` in VB). The key is a literal: the code part ends at it."""
    pattern = r"\bRequest(?:\s*\.\s*(?:Form|QueryString|Params|Item))?\s*(?=[\[(]\s*\Z)"
    return _code_edit(text, lambda c: re.sub(pattern, "Request.Headers", c), verbatim=True)


def jsp_qualified(text: str, rng: random.Random) -> str | None:
    """Classes named in full, as code that imports nothing does: `java.lang.Runtime`,
    `java.io.File`, `java.lang.ProcessBuilder`."""
    names = {"Runtime": "java.lang.Runtime", "ProcessBuilder": "java.lang.ProcessBuilder",
             "File": "java.io.File", "FileOutputStream": "java.io.FileOutputStream"}  # fmt: skip
    pattern = r"(?<![\w.])(" + "|".join(names) + r")(?=\s*[.(])"
    return _code_edit(text, lambda c: re.sub(pattern, lambda m: names[m.group(1)], c))


def aspx_qualified(text: str, rng: random.Random) -> str | None:
    """Classes named in full (C# pages): `System.Diagnostics.Process.Start`, `System.IO.File`."""
    if not _CSHARP_PAGE.search(text):
        return None
    names = {"Process": "System.Diagnostics.Process", "ProcessStartInfo":
             "System.Diagnostics.ProcessStartInfo", "File": "System.IO.File",
             "Assembly": "System.Reflection.Assembly", "Convert": "System.Convert"}  # fmt: skip
    pattern = r"(?<![\w.])(" + "|".join(names) + r")(?=\s*[.(])"
    return _code_edit(
        text, lambda c: re.sub(pattern, lambda m: names[m.group(1)], c), verbatim=True
    )


def aspx_unicode(text: str, rng: random.Random) -> str | None:
    """C# reads `\\uXXXX` escapes in identifiers: `\\u0050rocess.Start(..)` (C# pages only)."""
    if not _CSHARP_PAGE.search(text):
        return None
    return _code_edit(text, lambda c: _CS_NAME.sub(_escape_first, c), verbatim=True)


def aspx_newline(text: str, rng: random.Random) -> str | None:
    """A line break before each member access (C# pages only)."""
    if not _CSHARP_PAGE.search(text):
        return None
    return _code_edit(text, lambda c: _MEMBER_DOT.sub("\n  .", c), verbatim=True)


def aspx_comment(text: str, rng: random.Random) -> str | None:
    """A comment before each member access (C# pages only)."""
    if not _CSHARP_PAGE.search(text):
        return None
    return _code_edit(text, lambda c: _MEMBER_DOT.sub("/**/.", c), verbatim=True)


_NAME_LITERAL = re.compile(r'"([\w.:/ -]{3,32})"')


def _char_arrays(region: str, ctor: str, verbatim: bool) -> str:
    """Each short literal passed or assigned (after `(`, `,`, `=`, `+`) written as a string made
    of a char array: `"cmd.exe"` as `new String(new char[]{'c','m',..})`."""
    out: list[str] = []
    before = ""
    for is_code, chunk in c_like_parts(region, verbatim=verbatim):
        m = None if is_code else _NAME_LITERAL.fullmatch(chunk)
        if m is not None and before.rstrip()[-1:] in ("(", ",", "=", "+"):
            chunk = ctor + "(new char[]{" + ",".join(f"'{c}'" for c in m.group(1)) + "})"
        if is_code:
            before = chunk
        out.append(chunk)
    return "".join(out)


def _split_literals(region: str, verbatim: bool, rng: random.Random) -> str:
    """Each short literal passed or assigned (after `(`, `,`, `=`, `+`) cut in two and glued
    back: `"cmd.exe"` as `"cm" + "d.exe"`."""
    out: list[str] = []
    before = ""
    for is_code, chunk in c_like_parts(region, verbatim=verbatim):
        m = None if is_code else _NAME_LITERAL.fullmatch(chunk)
        if m is not None and len(m.group(1)) >= 4 and before.rstrip()[-1:] in ("(", ",", "=", "+"):
            body = m.group(1)
            k = rng.randrange(1, len(body))
            chunk = f'"{body[:k]}" + "{body[k:]}"'
        if is_code:
            before = chunk
        out.append(chunk)
    return "".join(out)


def jsp_split(text: str, rng: random.Random) -> str | None:
    """Short string literals cut in two and glued with `+`: `"Run" + "time"`."""
    return _changed(text, _on_regions(text, _TAG_REGION, lambda r: _split_literals(r, False, rng)))


def aspx_split(text: str, rng: random.Random) -> str | None:
    """The same in C# pages: `"cm" + "d.exe"`."""
    if not _CSHARP_PAGE.search(text):
        return None
    return _changed(text, _on_regions(text, _TAG_REGION, lambda r: _split_literals(r, True, rng)))


def _first_values(region: str) -> str:
    """`getParameter(<literal>)` as `getParameterValues(<literal>)[0]` (the literal is a chunk
    of its own, so the call's two ends are edited in the code chunks around it)."""
    parts = list(c_like_parts(region))
    out: list[str] = []
    for i, (is_code, chunk) in enumerate(parts):
        if is_code and i >= 2 and re.search(r"getParameterValues\(\s*$", parts[i - 2][1]):
            chunk = re.sub(r"^\s*\)", ")[0]", chunk)
        if is_code and i + 1 < len(parts) and not parts[i + 1][0]:
            chunk = re.sub(r"\bgetParameter\s*\(\s*$", "getParameterValues(", chunk)
        parts[i] = (is_code, chunk)
        out.append(chunk)
    return "".join(out)


def jsp_param(text: str, rng: random.Random) -> str | None:
    """A parameter read as the first of its values: `request.getParameterValues("x")[0]`."""
    return _changed(text, _on_regions(text, _TAG_REGION, _first_values))


def aspx_params(text: str, rng: random.Random) -> str | None:
    """The request read through its merged collection: `Request.Form["x"]`, `Request["x"]`,
    `Request.QueryString["x"]` as `Request.Params["x"]` (C# pages)."""
    if not _CSHARP_PAGE.search(text):
        return None
    pattern = r"\bRequest(?:\s*\.\s*(?:Form|QueryString|Item))?\s*(?=\[\s*\Z)"
    return _code_edit(text, lambda c: re.sub(pattern, "Request.Params", c), verbatim=True)


def jsp_chars(text: str, rng: random.Random) -> str | None:
    """Names and commands spelt as char arrays: `new String(new char[]{'c','m','d'})`."""
    return _changed(
        text, _on_regions(text, _TAG_REGION, lambda r: _char_arrays(r, "new String", False))
    )


def aspx_chars(text: str, rng: random.Random) -> str | None:
    """Names and commands spelt as char arrays (C# pages only): `new string(new char[]{..})`."""
    if not _CSHARP_PAGE.search(text):
        return None
    return _changed(
        text, _on_regions(text, _TAG_REGION, lambda r: _char_arrays(r, "new string", True))
    )


# ---- every language ------------------------------------------------------------------------


def crlf(text: str, rng: random.Random) -> str | None:
    """Line ends swapped: LF pages saved with CRLF and CRLF pages with LF."""
    if "\r\n" in text:
        return _changed(text, text.replace("\r\n", "\n"))
    return _changed(text, text.replace("\n", "\r\n"))


MUTATIONS: dict[str, tuple[str, Mutation]] = {
    "php-case": ("PHP", php_case),
    "php-space": ("PHP", php_space),
    "php-request": ("PHP", php_request),
    "php-cookie": ("PHP", php_cookie),
    "php-header": ("PHP", php_header),
    "php-globals": ("PHP", php_globals),
    "php-backslash": ("PHP", php_backslash),
    "php-argcomment": ("PHP", php_argcomment),
    "php-layout": ("PHP", php_layout),
    "php-sink": ("PHP", php_sink),
    "php-rename": ("PHP", php_rename),
    "php-split": ("PHP", php_split),
    "php-base64": ("PHP", php_base64),
    "php-nest": ("PHP", php_nest),
    "php-gzip": ("PHP", php_gzip),
    "php-xor": ("PHP", php_xor),
    "php-goto": ("PHP", php_goto),
    "asp-case": ("ASP", asp_case),
    "asp-item": ("ASP", asp_item),
    "asp-global": ("ASP", asp_global),
    "asp-createobject": ("ASP", asp_createobject),
    "asp-form": ("ASP", asp_form),
    "asp-cookie": ("ASP", asp_cookie),
    "asp-split": ("ASP", asp_split),
    "asp-chr": ("ASP", asp_chr),
    "asp-script": ("ASP", asp_script),
    "jsp-unicode": ("JSP", jsp_unicode),
    "jsp-newline": ("JSP", jsp_newline),
    "jsp-comment": ("JSP", jsp_comment),
    "jsp-header": ("JSP", jsp_header),
    "jsp-chars": ("JSP", jsp_chars),
    "jsp-split": ("JSP", jsp_split),
    "jsp-param": ("JSP", jsp_param),
    "jsp-qualified": ("JSP", jsp_qualified),
    "jsp-xmltags": ("JSP", jsp_xmltags),
    "aspx-header": ("ASPX family", aspx_header),
    "aspx-chars": ("ASPX family", aspx_chars),
    "aspx-split": ("ASPX family", aspx_split),
    "aspx-params": ("ASPX family", aspx_params),
    "aspx-qualified": ("ASPX family", aspx_qualified),
    "aspx-unicode": ("ASPX family", aspx_unicode),
    "aspx-newline": ("ASPX family", aspx_newline),
    "aspx-comment": ("ASPX family", aspx_comment),
    "crlf": ("*", crlf),
}

"""Worst-case CPU of the decode stage: hostile files at the size limit through the scanner.

    python -m tests.bench.decode_cost [--size 20MiB] [--only REGEX]

Each file is one trigger atom (or an encoded block, a bomb) repeated to the size, behind a
shell; the scan runs the bundled rules, triggers and decode stage in this thread, so
`thread_time` is the cost of one file. The budget is 2 s of CPU per file.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import time
import warnings
import zlib

from agent.config import parse_size
from agent.decode.flow import MAX_INPUT as FLOW_MAX
from agent.rules import load_rules
from agent.scanner import Scanner
from tests.decode_helpers import script_encode

# A harmless head: a file already judged critical skips the decode stage, which is what is timed.
HEAD = b"<?php echo 'x'; ?>\n"


def cases(size: int) -> dict[str, bytes]:
    bomb = base64.b64encode(zlib.compress(b"A" * (64 << 20), 9)[2:-4])
    units = {
        "script-encoder blocks": script_encode(b'Response.Write "x"\r\n' * 20),
        "one huge script-encoder block": script_encode(b'Response.Write "x"\r\n' * (size // 40)),
        "base64_decode('QUJD')": b"base64_decode('QUJDRA==');\n",
        "gzinflate bomb": b"eval(gzinflate(base64_decode('" + bomb + b"')));\n",
        "'^' atoms": b"'^'",
        "'.' chains": b"$a='x'.'y'.'z';\n",
        "Chr(65)& atoms": b"Chr(65)&",
        "\\x41 escapes": b"\\x41\\x42",
        "/**/ comments": b"e/**/v",
        "long base64 literal": b"'" + base64.b64encode(os.urandom(3 << 20)) + b"'",
        "Select Case": b"Select Case 1\nCase 1\nx\nEnd Select\n",
        # decoders named through variables, literals read through variables, opaque literals
        "decoder aliases": b"$f = '\\x62ase64_decode'; $f($f);\n",
        "variable literals": b"$z = 'QUJD'; echo base64_decode($z);\n",
        "opaque literals": b"'" + base64.b64encode(os.urandom(1500)) + b"';\n",
        "JSP document elements": b"<jsp:scriptlet>R<![CDATA[u]]>n&#x41;</jsp:scriptlet>",
        "JSP document, tags left open": b"<jsp:scriptlet>&#65;",
        "string calls on variables": b"$a = 'x<y'; $b = str_replace('<', '', $a);\n",
        "goto chains": b"goto a; a: $x .= 'y'; goto a;\n",
        "names above ASCII": "$变量 = $数; 加载($变量);\n".encode(),
        "bytes above ASCII": b"$\xe4" + b"\xb8" * 4000,
        "blank padding": b" " * 300 + b"x",
        "spaced calls": b"eval" + b" " * 64 + b"(",
        "blanks before parentheses": b"x" + b" " * 70 + b"(",
        "blanks just short of a run": b" " * 255 + b"x",
        "goto, comments left open": b"goto a; a: /* goto a;",
        # C-style code (JSP/ASPX): escapes, comments by member dots, line breaks before members
        "\\u escapes in code": b"<% \\u0052\\uu0075n",
        "comments by member dots": b"<% a. /* x */ b",
        "line breaks before members": b"<% x)\n  .exec",
        "comments left open by dots": b"<% a./*",
        # classic ASP spelling: .Item reads and continued lines
        "Request.Item reads": b"<% Request.Item(",
        "continued lines": b"<% a _\r\n",
        # edge blocks of a large page: tags opened and never closed
        "code blocks left open": b"<?php <% ",
        # seams: many pages' ends, directives deep in the page, PHP files closed and reopened
        "html ends and directives": b"</html><%@ x %><% y %>",
        "closed and reopened PHP files": b"}\n?>\n<?php f();\n",
        "template tags": b"<?php endif; ?>\n",
        # PHP spelling: other request reads, global names, comments opening arguments
        "request spellings": b"$GLOBALS['_POST'][$_SERVER['HTTP_X_A']](\\system(/**/$a));",
        # an obfuscator's variable table and its lookups
        "variable tables": b'${"GLOBALS"}["k"] = "a"; ${${"GLOBALS"}["k"]} = ${$v};\n',
        # short decoded literals put back in place; keys for a page's own cipher
        "inline literals": b"exec(str_rot13('ybbx')); $f = base64_decode('c3lzdGVt');\n",
        "xor keys and hex": b"$k = 'key1234'; $p = '"
        + os.urandom(1 << 16).hex().encode()
        + b"';\n",
        "Java char arrays": b"new String(new char[]{'a','b','c'}) + new String(new byte[]{97,98});",
        "framework request reads": b"$this->request->post['c']; \\Drupal::request()->query->get('c');",
        # an open tag in escapes (a fold cue of its own); a decoder's name copied from a
        # property before a call on a literal (aliases followed through copies)
        "escaped open tags": b'$w($t, "\\x3c\\x3f\\x70\\x68\\x70 " . $c);\n',
        "copied decoder names": b'private $d = "base64_decode"; $f = $this->d; $g = $f; $g("aGk=");\n',
    }
    out = {k: (HEAD + u * (size // len(u) + 1))[:size] for k, u in units.items()}
    # a folded page (escapes) holding one wrapped base64 literal longer than the loose window:
    # the fold layer is padded with line breaks to the file's size, and the cut literal's
    # trailing breaks were once trimmed one slice at a time
    wrapped = b"\n".join(base64.encodebytes(os.urandom(57 * 1024)).split(b"\n")) * (
        size // 78_000 + 1
    )
    name = b"\\x62\\x61\\163\\x65\\66\\64\\x5f\\x64\\145\\x63\\x6f\\x64\\x65"  # base64_decode
    folded = HEAD + b'<?php $t = "' + name + b'"; eval($t("' + wrapped
    out["folded page, literal past the window"] = folded[: size - 4] + b'"));'
    # the charset layer: a whole page in a declared EBCDIC code page, and behind a UTF-16 BOM
    code = 'Response.Write("x"); Runtime.getRuntime().exec(request.getParameter("c"));\n'
    ebcdic = b'<%@ page pageEncoding="Cp037" %>' + code.encode("cp037") * (size // len(code) + 1)
    out["EBCDIC page (charset layer)"] = ebcdic[:size]
    out["UTF-16 page (charset layer)"] = (code * (size // (2 * len(code)) + 1)).encode("utf-16")[
        :size
    ]
    # the flow pass reads pages up to its own bound: hostile pages at that size
    flow = min(size, FLOW_MAX)
    head = b"<?php $a = $_GET['x'];\n"
    for name, unit in {
        "flow: nested sink calls": b"system(",
        "flow: variable calls": b"$a($a);",
        "flow: assignment chain": b"$a = $a . $_GET['x']; system($a);",
        "flow: recursive helper": b"function f($a) { f($a); system($a); }",
        "flow: unclosed quotes": b"'\\'",
    }.items():
        out[name] = (head + unit * (flow // len(unit) + 1))[:flow]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", default="20MiB")
    ap.add_argument("--budget", type=float, default=2.0)
    ap.add_argument("--only", default="", help="regex on the case names")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    size = parse_size(args.size)
    scanner = Scanner(load_rules(), timeout=60)
    st = os.stat(__file__)
    print(f"decode stage, files of {size:,} bytes, bundled rules, budget {args.budget} s CPU")
    for name, data in cases(size).items():
        if not re.search(args.only, name):
            continue
        # the better of two runs: the first may compile the rule view for its size and languages,
        # which the agent's compiling child has done before any scan
        cpu = float("inf")
        for _ in range(2):
            t0 = time.thread_time()
            r = scanner.scan_bytes("/srv/www/x.php", data, st)
            cpu = min(cpu, time.thread_time() - t0)
        layers = sorted({m.layer for m in r.matches if m.layer})
        flag = "OVER" if cpu > args.budget else "ok"
        print(f"  {flag:4} {cpu:6.2f} s  {name:32} {r.verdict} {r.reason or ''} layers={layers}")


if __name__ == "__main__":
    main()

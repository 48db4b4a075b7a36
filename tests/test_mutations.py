"""The mutation bench's rewrites keep a page's meaning: what they may not touch stays as it was."""

from __future__ import annotations

import base64
import random
import re
import zlib

from hypothesis import given
from hypothesis import strategies as st

from tests.bench import mutations as m

CODE = st.text(alphabet=st.sampled_from(list("ab$_.()'\"\\/*#\n @=;<?%>")), max_size=80)


@given(CODE, st.booleans(), st.booleans())
def test_code_parts_cover_the_code_exactly(code: str, hashes: bool, verbatim: bool) -> None:
    parts = m.c_like_parts(code, hash_comments=hashes, verbatim=verbatim)
    assert "".join(chunk for _, chunk in parts) == code
    for is_code, chunk in parts:
        if not is_code:
            assert chunk[0] in "\"'/#@"


def test_code_parts_keep_literals_and_comments_apart() -> None:
    parts = m.c_like_parts("a(\"x.y\", 'z') // c.d\nb /* e.f */ . g", hash_comments=False)
    assert [c for is_code, c in parts if not is_code] == ['"x.y"', "'z'", "// c.d", "/* e.f */"]


def test_php_case_changes_only_the_case_of_calls_in_code() -> None:
    page = "<p>system(1)</p><?php system($_GET['c']); echo 'eval(x)'; ?>"
    out = m.php_case(page, random.Random(1))
    assert out is not None and out.lower() == page.lower()
    assert out.startswith("<p>system(1)</p>") and "'eval(x)'" in out
    assert re.search(r"(?i)system\(\$_GET", out) and "system($_GET" not in out


def test_php_rename_keeps_superglobals_and_properties() -> None:
    page = "<?php $c = $_POST['c']; $this->d = $c; $d = 1; system($c . \"$c\"); ?>"
    out = m.php_rename(page, random.Random(1))
    assert out is not None
    assert "$_POST['c']" in out and "$this->d" in out and "$d = 1" in out and "$c " not in out
    new = re.search(r"\$(q[0-9a-f]{6}) =", out)
    assert new and out.count("$" + new.group(1)) == 4


def test_php_rename_leaves_pages_that_name_variables_at_run_time() -> None:
    assert m.php_rename("<?php $a = 'b'; $$a = 1; ?>", random.Random(1)) is None


@given(st.text(max_size=200))
def test_php_wrappers_carry_the_page_whole(page: str) -> None:
    page = page.encode("utf-8").decode("latin-1")
    b64 = re.search(r"base64_decode\('([^']*)'\)", m.php_base64(page, random.Random(0)) or "")
    assert b64 and base64.b64decode(b64.group(1)).decode("latin-1") == page
    nest = m.php_nest(page, random.Random(0)) or ""
    for _ in range(m.NEST):
        nest = base64.b64decode(re.search(r"base64_decode\('([^']*)'\)", nest).group(1)).decode(  # type: ignore[union-attr]
            "latin-1"
        )
    assert nest == page
    gz = re.search(r"base64_decode\('([^']*)'\)", m.php_gzip(page, random.Random(0)) or "")
    assert gz and zlib.decompress(base64.b64decode(gz.group(1)), -15).decode("latin-1") == page
    x = m.php_xor(page, random.Random(0)) or ""
    hexed, key = re.search(r'\$p = "([0-9a-f]*)";\n\$k = "(\w+)";', x).groups()  # type: ignore[union-attr]
    data = bytes.fromhex(hexed[::-1])
    stream = (key.encode() * (len(data) // len(key) + 1))[: len(data)]
    assert bytes(a ^ b for a, b in zip(data, stream, strict=True)).decode("latin-1") == page


def test_php_split_splits_plain_literals_only() -> None:
    page = "<?php $f = 'system'; $g = 'a\\'b'; $h = 'ab'; ?>"
    out = m.php_split(page, random.Random(3))
    assert out is not None
    assert re.search(r"'sys?t?e?m?'\.'\w+'", out) and "'a\\'b'" in out and "'ab'" in out
    assert out.replace("'.'", "") == page


def test_asp_rewrites_leave_jscript_pages_and_html_alone() -> None:
    js = '<%@ Language="JScript" %><% eval(Request("x")) %>'
    assert m.asp_case(js, random.Random(1)) is None
    assert m.asp_split(js, random.Random(1)) is None
    page = '<p>"Request text"</p><% Execute Request("pass") %>'
    out = m.asp_item(page, random.Random(1))
    assert out == '<p>"Request text"</p><% Execute Request.Item("pass") %>'


def test_asp_chr_spells_strings_and_spares_consts_and_comments() -> None:
    page = '<%\nConst K = "abcd"\nx = "cmd /c" \' "note"\n%>'
    out = m.asp_chr(page, random.Random(1))
    assert out is not None
    assert 'Const K = "abcd"' in out and '\' "note"' in out
    assert "(Chr(99)&Chr(109)&Chr(100)&Chr(32)&Chr(47)&Chr(99))" in out


def test_asp_split_joins_back_to_the_page() -> None:
    page = '<% Set o = CreateObject("WScript.Shell") %>'
    out = m.asp_split(page, random.Random(5))
    assert out is not None and out.replace('" & "', "") == page


def test_java_unicode_escapes_names_in_code_not_in_strings() -> None:
    page = '<% Runtime.getRuntime().exec(request.getParameter("Runtime")); %>'
    out = m.jsp_unicode(page, random.Random(1))
    assert out is not None and '"Runtime"' in out
    assert re.sub(r"\\u([0-9a-f]{4})", lambda x: chr(int(x.group(1), 16)), out) == page


def test_newlines_before_members_keep_strings() -> None:
    page = '<% String s = "a.b"; Runtime.getRuntime().exec(s); %>'
    out = m.jsp_newline(page, random.Random(1))
    assert out is not None and '"a.b"' in out
    assert out.replace("\n  ", "") == page
    assert m.jsp_comment(page, random.Random(1)) == page.replace(").exec", ")/**/.exec").replace(
        "Runtime.", "Runtime/**/."
    )
    assert m.aspx_newline('<%@ Page Language="VB" %><% a.b() %>', random.Random(1)) is None


def test_crlf_swaps_line_ends_both_ways() -> None:
    assert m.crlf("a\nb", random.Random(0)) == "a\r\nb"
    assert m.crlf("a\r\nb", random.Random(0)) == "a\nb"
    assert m.crlf("ab", random.Random(0)) is None


def test_request_sources_swap_keys_and_keep_other_code() -> None:
    r = random.Random(0)
    assert m.php_header("<?php system($_POST['cmd']); ?>", r) == (
        "<?php system($_SERVER['HTTP_CMD']); ?>"
    )
    assert m.php_cookie("<?php f($_GET[1]); $x = $_POST; ?>", r) == (
        "<?php f($_COOKIE[1]); $x = $_POST; ?>"
    )
    assert m.php_globals("<?php f($_GET[1]); $x = $_POST; ?>", r) == (
        "<?php f($GLOBALS['_GET'][1]); $x = $_POST; ?>"
    )
    # a literal passed on is spelt; one after `case` (a constant) and the directive are not
    jsp = '<%@ page import="java.io.*" %><% x.exec("cmd.exe"); switch (c) { case "k": } %>'
    assert m.jsp_chars(jsp, r) == (
        '<%@ page import="java.io.*" %><% x.exec(new String(new char[]{'
        "'c','m','d','.','e','x','e'})); switch (c) { case \"k\": } %>"
    )
    asp = '<% Set o = Server.CreateObject("a") : Set f = CreateObject("b") : x = Request("c") %>'
    assert m.asp_createobject(asp, r) == (
        '<% Set o = CreateObject("a") : Set f = Server.CreateObject("b") : x = Request("c") %>'
    )
    assert m.asp_form(asp, r) == asp.replace('Request("c")', 'Request.Form("c")')
    page = "<?php eval($a); system($b); echo 'system(1)'; ?>"
    assert m.php_backslash(page, r) == "<?php eval($a); \\system($b); echo 'system(1)'; ?>"
    assert m.php_argcomment(page, r) == "<?php eval(/**/$a); system(/**/$b); echo 'system(1)'; ?>"
    assert m.php_layout(page, r) == (
        "<?php eval(\n    /**_**/ $a); system(\n    /**_**/ $b); echo 'system(1)'; ?>"
    )
    page = '<% Execute Request.Form("a") : x = Request("b") : y = Request(k) %>'
    assert m.asp_cookie(page, r) == (
        '<% Execute Request.Cookies("a") : x = Request.Cookies("b") : y = Request(k) %>'
    )
    jsp = '<% String c = request.getParameter("c"); x(request.getParameter( "d" )); %>'
    assert m.jsp_param(jsp, r) == (
        '<% String c = request.getParameterValues("c")[0];'
        ' x(request.getParameterValues("d")[0]); %>'
    )
    cs = '<%@ Page Language="C#" %><% var a = Request.Form["a"]; var b = Request["b"]; %>'
    assert m.aspx_params(cs, r) == cs.replace('Request.Form["a"]', 'Request.Params["a"]').replace(
        'Request["b"]', 'Request.Params["b"]'
    )
    split = m.jsp_split('<% x.exec("cmd.exe"); y = "ab"; %>', random.Random(3)) or ""
    assert re.fullmatch(r'<% x\.exec\("[^"]+" \+ "[^"]+"\); y = "ab"; %>', split), split
    assert split.replace('" + "', "") == '<% x.exec("cmd.exe"); y = "ab"; %>'
    assert m.aspx_split('<% Process.Start("cmd.exe"); %>', r) is None  # not a C# page
    jsp = '<% out.print("getParameter("); exec(request.getParameter("c")); %>'
    assert m.jsp_header(jsp, r) == '<% out.print("getParameter("); exec(request.getHeader("c")); %>'
    aspx = '<%@ Page Language="C#" %><% Run(Request.Form["c"]); Run(Request[k]); %>'
    assert m.aspx_header(aspx, r) == (
        '<%@ Page Language="C#" %><% Run(Request.Headers["c"]); Run(Request[k]); %>'
    )


def test_twins_and_full_names_keep_what_they_do_not_name() -> None:
    r = random.Random(0)
    page = "<?php system($_GET['c']); EVAL($x); $o->system(1); echo 'system('; ?>"
    assert m.php_sink(page, r) == (
        "<?php passthru($_GET['c']); assert($x); $o->system(1); echo 'system('; ?>"
    )
    assert m.asp_global("<% Execute a : ExecuteGlobal b %>", r) == (
        "<% ExecuteGlobal a : ExecuteGlobal b %>"
    )
    jsp = "<% Runtime.getRuntime().exec(c); File f = new File(p); java.io.File g; %>"
    assert m.jsp_qualified(jsp, r) == (
        "<% java.lang.Runtime.getRuntime().exec(c); File f = new java.io.File(p); java.io.File g; %>"
    )
    aspx = '<%@ Page Language="C#" %><% Process.Start(c); System.IO.File.Delete(x); %>'
    assert m.aspx_qualified(aspx, r) == (
        '<%@ Page Language="C#" %><% System.Diagnostics.Process.Start(c); System.IO.File.Delete(x); %>'
    )


@given(CODE)
def test_php_statements_join_back_to_the_region(code: str) -> None:
    stmts = m.php_statements(code)
    if stmts is not None:
        assert "".join(stmts) == code


def test_php_goto_chain_runs_the_statements_in_their_order() -> None:
    page = (
        "<p>x;</p><?php\n$a = $_POST['c']; # y;\nif ($a) { echo '}'; } else { echo 2; }\n"
        "function f($x) { return system($x); }\n$g = function () { return 1; };\n"
        "if ($a) f($a); else echo ';';\ndo { f($a); } while (0);\nf($a); ?>tail"
    )
    out = m.php_goto(page, random.Random(2))
    assert out is not None and out.startswith("<p>x;</p><?php") and out.endswith("?>tail")
    body = out[len("<p>x;</p><?php") : -len("?>tail")]
    blocks = dict(re.findall(r"(\w+): (.*?)\ngoto \w+;\n", body, re.S))
    label = re.match(r" goto (\w+);", body).group(1)  # type: ignore[union-attr]
    ran = []
    while label in blocks:
        ran.append(blocks[label])
        label = re.sub(r"\d+$", lambda d: str(int(d.group()) + 1), label)
    assert "".join(ran) + " " == page[len("<p>x;</p><?php") : -len("?>tail")]
    assert [re.sub(r"#.*", "", s).strip()[:6] for s in ran] == [
        "$a = $",
        "if ($a",
        "functi",
        "$g = f",
        "if ($a",
        "do { f",
        "f($a);",
    ]


def test_php_goto_leaves_what_it_cannot_move() -> None:
    for page in ("<?php namespace A; a(); b(); c();", "<?php if ($a): b(); endif; c(); d();",
                 "<?php $x = <<<EOT\n;\nEOT;\na(); b();", "<?php a(); b();"):  # fmt: skip
        assert m.php_goto(page, random.Random(0)) is None


def test_jsp_xmltags_keeps_each_elements_code_and_wraps_what_jasper_would_cut() -> None:
    page = (
        '<%@ page import="java.io.*" %><%! int n; %>'
        "<% for (int i = 0; i < 2; i++) out.print(i); %><%= n %><%-- note --%>"
    )
    out = m.jsp_xmltags(page, random.Random(0)) or ""
    assert out.startswith('<jsp:directive.page import="java.io.*" />')
    assert "<jsp:declaration> int n; </jsp:declaration>" in out
    assert (
        "<jsp:scriptlet><![CDATA[ for (int i = 0; i < 2; i++) out.print(i); ]]></jsp:scriptlet>"
        in out
    )
    assert "<jsp:expression> n </jsp:expression>" in out and out.endswith("<%-- note --%>")


def test_asp_script_moves_code_into_script_blocks_and_leaves_directives() -> None:
    page = '<%@ Language="VBScript" %><% a = Request("v") %><p><%= a %></p><% Execute a %>'
    out = m.asp_script(page, random.Random(0)) or ""
    block = '<script language="VBScript" runat="server">'
    assert out.startswith('<%@ Language="VBScript" %>') and "<%" not in out[26:]
    assert f'{block} a = Request("v") </script>' in out
    assert f"<p>{block} Response.Write(a) </script></p>" in out
    assert m.asp_script('<%@ Language="JScript" %><% eval(x) %>', random.Random(0)) is None

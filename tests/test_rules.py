"""Rule loading: externals, broken files isolated with file:line, the compiled-rule cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import RuleError
from agent.rules import load_rules
from agent.rules.lint import case_findings, lint, wildcard_findings
from agent.rules.sources import collect_sources


def test_compiles_with_externals(rules_dir: Path) -> None:
    rs = load_rules((rules_dir,), default_rules=False)
    assert rs.count == 3 and rs.files == 1 and not rs.broken
    assert {r.identifier for r in rs.rules} == {"T_Eval_Request", "T_Name_Indicator", "T_Scored"}


def test_broken_file_is_reported_with_line_and_the_rest_loads(rules_dir: Path) -> None:
    (rules_dir / "broken.yar").write_text(
        "rule ok_one { condition: true }\n\nrule bad {\n  condition: nope(\n}\n"
    )
    rs = load_rules((rules_dir,), default_rules=False)
    assert rs.count == 3
    (problem,) = rs.broken
    assert problem.path.endswith("broken.yar") and problem.line == 4
    assert "broken.yar:4:" in str(problem)


def test_all_files_broken_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yar").write_text("rule {")
    with pytest.raises(RuleError, match="no rule file compiled"):
        load_rules((tmp_path,), default_rules=False)


def test_no_rule_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no rule files"):
        load_rules((tmp_path,), default_rules=False)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="does not exist"):
        load_rules((tmp_path / "nope",), default_rules=False)


def test_same_rule_name_in_two_files_is_fine(rules_dir: Path) -> None:
    # Each file is its own namespace, as with third-party sets that repeat names.
    (rules_dir / "dup.yar").write_text("rule T_Scored { condition: false }")
    assert load_rules((rules_dir,), default_rules=False).count == 4


def test_cache_hit_and_invalidation(rules_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    second = load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    assert not first.from_cache and second.from_cache
    assert second.digest == first.digest and second.count == first.count
    (rules_dir / "more.yar").write_text("rule T_More { condition: false }")
    third = load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    assert not third.from_cache and third.count == 4 and third.digest != first.digest


def test_corrupt_cache_is_recompiled(rules_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    for f in cache.glob("*.yarc"):
        f.write_bytes(b"garbage")
    again = load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    assert not again.from_cache and again.count == 3


def test_cache_keeps_broken_file_report(rules_dir: Path, tmp_path: Path) -> None:
    (rules_dir / "broken.yar").write_text("rule {")
    cache = tmp_path / "cache"
    load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    cached = load_rules((rules_dir,), default_rules=False, cache_dir=cache)
    assert cached.from_cache and len(cached.broken) == 1


def test_nursery_and_tests_folders_are_not_loaded(rules_dir: Path) -> None:
    (rules_dir / "nursery").mkdir()
    (rules_dir / "nursery" / "wip.yar").write_text("rule {")
    assert [s.path.name for s in collect_sources((rules_dir,), default_rules=False)] == ["test.yar"]


def test_lint_flags_missing_metadata_and_duplicates(rules_dir: Path) -> None:
    (rules_dir / "ours.yar").write_text(
        'rule WSA_Test_One { meta: id = "WSA-GEN-001" severity = "extreme" condition: false }\n'
        'rule WSA_Test_Two { meta: id = "WSA-GEN-001" condition: false }\n'
    )
    sources = collect_sources((rules_dir,), default_rules=False)
    findings = [
        str(f)
        for f in lint(sources, ours={s.namespace for s in sources if s.path.name == "ours.yar"})
    ]
    assert any("missing meta 'description'" in f for f in findings)
    assert any("severity must be one of" in f for f in findings)
    assert any("duplicate id WSA-GEN-001" in f for f in findings)
    assert not any("test.yar" in f for f in findings)  # third-party file: compile checks only


def test_lint_reports_yara_performance_warnings(tmp_path: Path) -> None:
    (tmp_path / "slow.yar").write_text("rule T_Slow { strings: $a = { 00 ?? } condition: $a }")
    findings = lint(collect_sources((tmp_path,), default_rules=False))
    assert any("may slow down scanning" in str(f) for f in findings)


def test_lint_flags_a_wildcard_set_that_takes_a_stray_string() -> None:
    text = """
rule WSA_Gen_Test_One
{
    strings:
        $c1 = "a"
        $c_x = "b"
        $cd = "c"
        $k4a = "d"
        $php = "<?"
    condition:
        any of ($c*) and any of ($k4*) and any of ($p*)
}
"""
    found = [f.message for f in wildcard_findings("x.yar", text)]
    # `$cd` and `$php` joined their sets by accident; `$c1`, `$c_x` and `$k4a` are their own
    assert found == ["($c*) also takes $cd: rename it", "($p*) also takes $php: rename it"]


def test_lint_flags_a_php_function_name_that_is_not_nocase() -> None:
    text = r"""
rule WSA_Php_Test_One
{
    strings:
        $a = /(fsockopen|socket_connect)\s{0,3}\(/
        $b = "move_uploaded_file(" nocase
        $c = /\$_POST\[/
        $d = "$system" // a variable, not the function
        $e = "eval(" ascii // eval
    condition:
        all of them
}
"""
    found = [f.message for f in case_findings("x.yar", text)]
    assert found == ["$a names fsockopen() but is not nocase", "$e names eval() but is not nocase"]


def test_the_bundled_php_rules_match_function_names_in_any_case() -> None:
    for source in collect_sources((), default_rules=True):
        if source.namespace.startswith("wsa/php/"):
            assert case_findings(str(source.path), source.path.read_text(encoding="utf-8")) == []


def test_the_bundled_rules_have_no_stray_wildcard_strings() -> None:
    for source in collect_sources((), default_rules=True):
        assert wildcard_findings(str(source.path), source.path.read_text(encoding="utf-8")) == []

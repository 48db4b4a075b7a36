"""Our shipped signatures against their own samples: one pytest case per sample."""

from __future__ import annotations

import pytest

from agent.rules import default_rules_dir, load_rules
from agent.rules.lint import lint
from agent.rules.sources import collect_sources
from agent.rules.testing import Case, load_cases, run_cases, untested_rules

SIG = default_rules_dir()
CASES = load_cases(SIG / "tests")


@pytest.fixture(scope="module")
def ruleset():  # type: ignore[no-untyped-def]
    return load_rules((SIG,), default_rules=False)


def test_signatures_compile_and_lint_clean() -> None:
    sources = collect_sources(default_rules=True)
    assert sources, "no shipped rule files"
    findings = lint(sources, ours={s.namespace for s in sources})
    assert not findings, "\n".join(map(str, findings[:20]))


def test_every_rule_has_a_positive_case(ruleset) -> None:  # type: ignore[no-untyped-def]
    assert untested_rules(ruleset, CASES) == []


@pytest.mark.parametrize("case", CASES, ids=[f"{c.language}/{c.sample}" for c in CASES])
def test_case(ruleset, case: Case) -> None:  # type: ignore[no-untyped-def]
    (outcome,) = run_cases(ruleset, [case])
    assert outcome.problem is None, outcome.problem


def test_each_language_has_benign_lookalikes() -> None:
    for lang in {c.language for c in CASES}:
        assert any(not c.match for c in CASES if c.language == lang), (
            f"{lang}: no benign look-alike"
        )

"""Rules: find rule files, compile them with our externals, cache the result."""

from agent.rules.compiler import EXTERNALS, RuleSet, compile_rules, load_rules
from agent.rules.sources import RuleSource, collect_sources, default_rules_dir

__all__ = [
    "EXTERNALS",
    "RuleSet",
    "RuleSource",
    "collect_sources",
    "compile_rules",
    "default_rules_dir",
    "load_rules",
]

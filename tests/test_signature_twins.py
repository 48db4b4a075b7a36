"""Strings that two rule files must spell alike: yara cannot share a string across rule files,
so where one rule applies another's exceptions, the copy is held equal to its original here."""

from __future__ import annotations

import re

from agent.rules import default_rules_dir

# (file of the original, file of the copy, string names)
TWINS = [
    ("asp/shells_and_managers.yar", "aspx/process_exec.yar", ("$fixed", "$fixdir")),
    # an .htaccess script lock, and a PHP page writing one
    ("config/server_config.yar", "php/capabilities.yar", ("$mc1", "$mc2", "$mc3", "$mc4", "$mc5")),
]


def _strings(path: str) -> dict[str, list[str]]:
    text = (default_rules_dir() / path).read_text()
    found: dict[str, list[str]] = {}
    for name, body in re.findall(r"(?m)^\s*(\$\w+)\s*=\s*(.+?)\s*$", text):
        found.setdefault(name, []).append(body)
    return found


def test_a_rule_applying_another_rules_exceptions_spells_them_alike() -> None:
    for original, copy, names in TWINS:
        a, b = _strings(original), _strings(copy)
        for name in names:
            assert name in b, (copy, name)
            assert set(b[name]) <= set(a.get(name, [])), (original, copy, name)

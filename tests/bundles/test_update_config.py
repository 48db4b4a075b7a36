"""[rules.update]: a nested table with its own unknown-key errors and checks."""

from __future__ import annotations

import tomllib

import pytest

from agent import config as cfgmod
from agent.errors import ConfigError


def _load(text: str) -> cfgmod.Config:
    return cfgmod.merge(cfgmod.Config(), tomllib.loads(text), "agent.toml")


def test_the_table_loads_beside_the_rules_keys() -> None:
    cfg = _load(
        '[rules]\nreload = false\n[rules.update]\nurl = "https://h/x.tar.gz"\npublic_key = "RWQ"\ninterval = 600\n'
    )
    assert cfg.rules.reload is False
    assert (cfg.rules.update.url, cfg.rules.update.interval) == ("https://h/x.tar.gz", 600.0)
    assert cfg.rules.update.timeout == 60.0  # untouched keys keep their defaults
    assert cfgmod.Config().rules.update.url == ""  # no update configured by default


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[rules.update]\nurll = 1\n", "rules.update.urll"),
        ('[rules.update]\ninterval = "often"\n', "rules.update.interval"),
        ("[rules]\nupdate = 3\n", "rules.update"),
    ],
)
def test_mistakes_name_the_key(text: str, where: str) -> None:
    with pytest.raises(ConfigError, match=where):
        _load(text)


def test_check_reports_a_url_without_a_key() -> None:
    problems = cfgmod.check(_load('[rules.update]\nurl = "https://h/"\n'))
    assert any("public_key" in p for p in problems)
    both = _load(
        '[rules.update]\nurl = "https://h/"\npublic_key = "a"\npublic_key_file = "b"\ninterval = 0.5\n'
    )
    text = " ".join(cfgmod.check(both))
    assert "not both" in text and "at least 1 s" in text

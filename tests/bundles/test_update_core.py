"""The agent's core with [rules.update] on a folder share: a bundle whose rules equal the
built-in ones still switches (alerts and heartbeats must name it), and a rollback by hand
reaches the running agent."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import Config, UpdateConfig
from agent.rules import bundle_store
from agent.rules.sources import default_rules_dir
from tests.bundles.conftest import Keys, publish, wait_for
from tests.watcher.conftest import Agent, make_config


def _config(tmp_path: Path, share: Path, keys: Keys) -> Config:
    root = tmp_path / "www"
    root.mkdir()
    rules = tmp_path / "extra"
    rules.mkdir()
    (rules / "none.yar").write_text("rule Never { condition: false }")
    cfg = make_config(tmp_path, [root], rules)
    update = UpdateConfig(url=str(share), public_key=keys.public.encode(), interval=1.0)
    return dataclasses.replace(
        cfg, rules=dataclasses.replace(cfg.rules, default_rules=True, update=update)
    )


@pytest.fixture
def agent(tmp_path: Path, keys: Keys) -> Iterator[Agent]:
    share = tmp_path / "share"
    publish(default_rules_dir(), 1, keys, share)  # byte for byte the built-in signatures
    a = Agent(_config(tmp_path, share, keys))
    try:
        a.core.start()
        yield a
    finally:
        a.core.stop(10.0)


def test_same_rules_new_bundle_switches_and_a_rollback_reaches_the_agent(agent: Agent) -> None:
    wait_for(lambda: agent.core.health()["rules_version"] == "1", what="bundle 1 in use")
    # the stage swaps the rules, then writes its event: wait for the event too
    wait_for(lambda: agent.events("rules-reloaded"), what="the rules-reloaded event")
    reloaded = agent.events("rules-reloaded")
    assert "nothing to re-verify" in reloaded[-1]["message"]
    bundle_store.rollback(agent.data)  # by hand, while the agent runs
    wait_for(lambda: agent.core.health()["rules_version"] is None, what="back on signatures/")
    assert agent.events("rules-bundle-switched")
    # a pointer nobody can parse: said loudly, and the newest installed bundle is used
    (agent.data / "rules" / "current").write_text("{not json")
    wait_for(lambda: agent.events("rules-bundle-unusable"), what="the bad pointer reported")
    wait_for(lambda: agent.core.health()["rules_version"] == "1", what="bundle 1 again")

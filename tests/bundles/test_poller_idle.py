"""Without a URL the poller only follows the pointer file, every FOLLOW_EVERY seconds: an idle
agent must not spin (a past first-poll time once turned the wait into a 0.05 s loop)."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from agent.config import UpdateConfig
from agent.rules import bundle_store
from agent.rules import update_poller as up
from tests.watcher.conftest import make_config


def test_no_url_means_a_look_every_follow_interval_not_a_busy_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = make_config(tmp_path, [tmp_path], tmp_path)
    update = UpdateConfig(url="", interval=0.001)  # first poll time is in the past at once
    cfg = dataclasses.replace(cfg, rules=dataclasses.replace(cfg.rules, update=update))
    looks = 0
    real = bundle_store.pointer_problem

    def counting(data_dir: Path) -> str | None:
        nonlocal looks
        looks += 1
        return real(data_dir)

    monkeypatch.setattr(bundle_store, "pointer_problem", counting)
    monkeypatch.setattr(up, "FOLLOW_EVERY", 0.5)
    poller = up.UpdatePoller(cfg, tmp_path / "data", lambda *a, **k: None, lambda: None).start()
    try:
        # an observation window, not a synchronisation: 2 s hold at most 5 looks at one every
        # 0.5 s (the busy loop made about 40)
        threading.Event().wait(2.0)
        seen = looks
    finally:
        poller.stop()
    assert 1 <= seen <= 5, seen

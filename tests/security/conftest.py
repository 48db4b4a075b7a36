"""Shared by the attack tests: the real-agent helpers of the watcher tests and the arena."""

from __future__ import annotations

from tests.security.arena import arena  # noqa: F401 (fixture)
from tests.watcher.conftest import agent_rules, run_agent, web_root  # noqa: F401 (fixtures)

"""Shared by the attack tests: the real-agent helpers of the watcher tests."""

from __future__ import annotations

from tests.watcher.conftest import agent_rules, run_agent, web_root  # noqa: F401 (fixtures)

"""The watcher tests' agent fixtures, for the end-to-end SIEM test."""

from tests.watcher.conftest import agent_rules, run_agent, web_root  # noqa: F401

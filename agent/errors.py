"""One error root for everything the agent reports to a user.

Exceptions carry where the problem is (a file, a file:line, a config key); only `cli` turns
them into exit codes and one-line messages.
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of every error the agent raises on purpose."""

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ConfigError(AgentError):
    """The configuration (file, environment or flags) is not valid."""


class RuleError(AgentError):
    """Rules could not be loaded or compiled."""


class UsageError(AgentError):
    """A command was called with arguments that do not fit."""

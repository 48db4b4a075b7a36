"""`webshell-agent man`: the man page, generated from the parser (see `completion`)."""

from __future__ import annotations

from typing import Any

from agent.commands.completion import register_man


def register(sub: Any) -> None:
    register_man(sub)

"""The data folder of the running agent: alerts.jsonl (one writer), events.jsonl (the EventLog),
the agent's identity, the state database and the network outputs that ship alerts.jsonl.

A corrupt state database is moved aside (kept for forensics) and rebuilt by a baseline scan,
with a `state-corrupt` event; a data folder that cannot be written or is used by another agent
stops the start with an error.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from agent.config import Config
from agent.datadir import private_dir, private_umask
from agent.errors import AgentError
from agent.identity import Identity, load_identity
from agent.logging import Event, EventLog, ForwardWarnings
from agent.outputs.delivery import Outputs
from agent.outputs.jsonfile import AlreadyOpen, JsonLinesFile
from agent.state import State, StateError, open_state


class DataFolder:
    def __init__(
        self,
        config: Config,
        echo_event: Callable[[Event], None] | None = None,
        os_log: Callable[[Event], None] | None = None,
    ) -> None:
        cfg = config.agent
        self.path = data = cfg.data_dir
        self._files: list[JsonLinesFile] = []
        self._hooks: list[tuple[logging.Logger, logging.Handler]] = []
        self.state: State | None = None
        self.outputs: Outputs | None = None
        self._umask: int | None = None
        try:
            self._umask = private_umask()  # everything written from here on is private
            private_dir(data)
            events_file = JsonLinesFile(data / "events.jsonl", cfg.rotate_size, cfg.rotate_keep)
            self._files.append(events_file)
            self.alerts = JsonLinesFile(data / "alerts.jsonl", cfg.rotate_size, cfg.rotate_keep)
            self._files.append(self.alerts)
        except AlreadyOpen as e:
            self.close()
            raise AgentError(f"{e}: is another agent using this data folder?") from None
        except OSError as e:
            self.close()
            raise AgentError(f"cannot write the data folder: {e}", location=str(data)) from None
        self.identity: Identity = load_identity(data)
        self.events = EventLog(events_file, self.identity, echo_event, os_log)
        forward = ForwardWarnings(self.events)
        for name in ("agent", "watchdog"):
            logger = logging.getLogger(name)
            logger.addHandler(forward)
            self._hooks.append((logger, forward))
        # SIEM outputs ship alerts.jsonl from their saved positions (the backlog of a previous
        # run first); a bad [[outputs]] table is a ConfigError here, before anything is watched.
        try:
            self.outputs = Outputs.from_config(config.outputs, data, self._output_health)
            self.outputs.start()
        except BaseException:
            self.close()  # the files are free again for a corrected configuration
            raise

    def _output_health(self, doc: dict[str, Any]) -> None:
        error = doc.get("error", {}).get("message")
        self.events.emit(
            doc["event"]["action"], doc["message"], level=doc["log"]["level"],
            error=error, output=doc["webshell"]["output"],
        )  # fmt: skip

    def open_state(self) -> State:
        path = self.path / "state.sqlite"
        try:
            opened = open_state(path)
        except StateError as e:
            raise AgentError(f"cannot open the state database: {e}") from None
        self.state = opened.state
        if opened.moved_to is not None:
            self.events.emit(
                "state-corrupt",
                f"the state database was unusable ({opened.problem}): kept as"
                f" {opened.moved_to.name}, rebuilt by a baseline scan",
                level="error", stderr=True, path=str(path), moved_to=str(opened.moved_to),
                error=opened.problem,
            )  # fmt: skip
        return opened.state

    def unhook(self) -> None:
        """Library warnings no longer become events (before the last events of a stop)."""
        for logger, handler in self._hooks:
            logger.removeHandler(handler)
        self._hooks.clear()

    def close(self, timeout: float = 5.0) -> None:
        self.unhook()
        if self.state is not None:
            with contextlib.suppress(Exception):
                self.state.close()
        if self.outputs is not None:  # undelivered alerts go at the next start
            self.outputs.stop(timeout)
        for f in self._files:
            f.close()
        if self._umask is not None:
            os.umask(self._umask)
            self._umask = None

"""The agent's own operational events: JSON lines in events.jsonl, apart from the alerts.

Every event has the alert document's envelope (`@timestamp`, `message`, `ecs`, `event`, `host`,
`agent`) with `event.kind` = event | state | metric, `event.action` = the event name (listed in
docs/agent.md), `log.level`, details under `webshell.*` and failures under `error.*`.

structlog builds the documents; the bound logger is made per `EventLog` (not through the global
`structlog.configure`), so two agents in one test process never share a sink.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, MutableMapping
from typing import Any

import structlog

from agent.alerts import ECS_VERSION, iso
from agent.identity import Identity
from agent.outputs.jsonfile import JsonLinesFile
from agent.service import journal

Event = dict[str, Any]
_LEVELS = {"debug", "info", "warning", "error", "critical"}


class _Sink:
    """The structlog 'logger': hands the finished document to the file and the echo."""

    def __init__(self, file: JsonLinesFile | None, echo: Callable[[Event], None] | None) -> None:
        self.file = file
        self.echo = echo
        self.failures = 0

    def msg(self, doc: Event) -> None:
        if self.file is not None:
            try:
                self.file.write(doc)
            except (OSError, ValueError):
                self.failures += 1  # disk full or closed: the agent keeps watching
        if self.echo is not None:
            self.echo(doc)

    debug = info = warning = error = critical = msg


def _envelope(identity: Identity) -> Callable[[Any, str, MutableMapping[str, Any]], Any]:
    host, agent = identity.host(), identity.agent()

    def processor(_logger: Any, method: str, ev: MutableMapping[str, Any]) -> Any:
        action = ev.pop("event")
        kind = ev.pop("kind", "event")
        level = method if method in _LEVELS else "info"
        message = ev.pop("message", action)
        error = ev.pop("error", None)
        now = iso()
        doc: Event = {
            "@timestamp": now,
            "message": message,
            "ecs": {"version": ECS_VERSION},
            "event": {
                "kind": kind,
                "action": action,
                "dataset": "webshell_agent.events",
                "module": "webshell_agent",
                "created": now,
            },
            "log": {"level": level},
            "host": host,
            "agent": agent,
        }
        if error is not None:
            doc["error"] = {"message": str(error)}
        if ev:
            doc["webshell"] = dict(ev)
        return ((doc,), {})

    return processor


class EventLog:
    """emit(action, message, **details): one operational event. Thread-safe."""

    def __init__(
        self,
        file: JsonLinesFile | None,
        identity: Identity,
        echo: Callable[[Event], None] | None = None,
    ) -> None:
        self._sink = _Sink(file, journal.tee(echo))  # journal: under systemd only
        self._log = structlog.wrap_logger(
            self._sink,
            processors=[_envelope(identity)],
            wrapper_class=structlog.BoundLogger,
            cache_logger_on_first_use=True,
        )
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def emit(
        self, action: str, message: str, *, level: str = "info", kind: str = "event", **details: Any
    ) -> None:
        with self._lock:
            self.counts[action] = self.counts.get(action, 0) + 1
            getattr(self._log, level if level in _LEVELS else "info")(
                action, message=message, kind=kind, **details
            )

    @property
    def write_failures(self) -> int:
        return self._sink.failures


class ForwardWarnings(logging.Handler):
    """Library warnings (watchdog, our own modules' stdlib loggers) become `log` events."""

    def __init__(self, events: EventLog) -> None:
        super().__init__(logging.WARNING)
        self.events = events

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            self.events.emit(
                "log",
                text,
                level=record.levelname.lower(),
                logger=record.name,
            )
        except Exception:
            self.handleError(record)

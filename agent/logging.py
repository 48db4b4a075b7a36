"""The agent's own operational events: JSON lines in events.jsonl, apart from the alerts.

Every event has the alert document's envelope (agent.document: `@timestamp`, `message`, `ecs`,
`event`, `host`, `agent`) with `event.kind` = event | metric, `event.action` = the event name
(listed in docs/agent.md), `log.level`, details under `webshell.*` and failures under `error.*`.

An event that cannot be written to its file (disk full, file made immutable), and the few that
must reach the service's log whatever happens (`emit(..., stderr=True)`: disk-full, a corrupt
state, the watch limit), go to stderr as the same JSON line, so the journal still sees them
(on a terminal the readable echo shows them instead).

structlog builds the documents; the bound logger is made per `EventLog` (not through the global
`structlog.configure`), so two agents in one test process never share a sink.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, MutableMapping
from typing import Any, Protocol

from agent.document import ErrorFields, EventFields, envelope
from agent.identity import Identity
from agent.outputs.jsonfile import JsonLinesFile
from agent.outputs.jsonl import encode_line
from agent.service import journal

# structlog imports asyncio, and asyncio imports ssl (libssl and libcrypto: ~4 MB resident in an
# idle agent) for transports the agent never uses. ssl is hidden for that one import; asyncio
# then runs without TLS, and the outputs that speak TLS import the real module when they start.
_hide_ssl = "ssl" not in sys.modules
if _hide_ssl:
    sys.modules["ssl"] = None  # type: ignore[assignment]
try:
    import structlog
finally:
    if _hide_ssl:
        del sys.modules["ssl"]

Event = dict[str, Any]
_LEVELS = {"debug", "info", "warning", "error", "critical"}


def to_stderr(doc: Event) -> None:
    """One event as a JSON line on stderr (never raises: stderr may be closed too)."""
    try:
        sys.stderr.write(encode_line(doc).decode("utf-8", "replace"))
        sys.stderr.flush()
    except Exception:  # nowhere left to report to
        pass


class _Sink:
    """The structlog 'logger': hands the finished document to the file and the echo."""

    def __init__(
        self,
        file: JsonLinesFile | None,
        echo: Callable[[Event], None] | None,
        os_log: Callable[[Event], None] | None = None,
    ) -> None:
        self.file = file
        self.echo = echo
        self.os_log = os_log  # the service manager's log (Windows event log); default stderr
        self.failures = 0

    def msg(self, doc: Event, *, stderr: bool = False) -> None:
        written = False
        if self.file is not None:
            try:
                self.file.write(doc)
                written = True
            except (OSError, ValueError):
                self.failures += 1  # disk full or closed: the agent keeps watching
                stderr = stderr or not self.file.closed
        failed = self.file is not None and not written and not self.file.closed
        if stderr or failed:  # the journal / event log sees what the file could not keep
            if self.os_log is not None:
                try:
                    self.os_log(doc)
                except Exception:  # the OS log failing must not stop the agent
                    to_stderr(doc)
            elif self.echo is None:  # (a terminal's echo shows it already)
                to_stderr(doc)
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
        stderr = bool(ev.pop("_stderr", False))
        doc = envelope(
            EventFields(kind=kind, action=action, dataset="webshell_agent.events"),
            message,
            host=host,
            agent=agent,
            level=level,
            error=None if error is None else ErrorFields(str(error)),
        )
        if ev:
            doc["webshell"] = dict(ev)
        return ((doc,), {"stderr": stderr})

    return processor


class EventLog:
    """emit(action, message, **details): one operational event. Thread-safe."""

    def __init__(
        self,
        file: JsonLinesFile | None,
        identity: Identity,
        echo: Callable[[Event], None] | None = None,
        os_log: Callable[[Event], None] | None = None,
    ) -> None:
        self._sink = _Sink(file, journal.tee(echo), os_log)  # journal: under systemd only
        self._log = structlog.wrap_logger(
            self._sink,
            processors=[_envelope(identity)],
            wrapper_class=structlog.BoundLogger,
            cache_logger_on_first_use=True,
        )
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def emit(
        self,
        action: str,
        message: str,
        *,
        level: str = "info",
        kind: str = "event",
        stderr: bool = False,
        **details: Any,
    ) -> None:
        """`stderr=True`: also on stderr even when the file took it (a full disk must reach
        the journal / the service's log, not only a file on that disk)."""
        with self._lock:
            self.counts[action] = self.counts.get(action, 0) + 1
            getattr(self._log, level if level in _LEVELS else "info")(
                action, message=message, kind=kind, _stderr=stderr, **details
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


class Emit(Protocol):
    """What a stage needs to report: EventLog.emit."""

    def __call__(
        self,
        action: str,
        message: str,
        *,
        level: str = ...,
        kind: str = ...,
        stderr: bool = ...,
        **details: Any,
    ) -> None: ...

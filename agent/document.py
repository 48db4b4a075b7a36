"""The document every line of alerts.jsonl and events.jsonl is: an ECS envelope plus our
`webshell.*` namespace.

One builder, `envelope()`, makes the ECS part for file alerts (agent.alerts), process alerts
(agent.process.alert), the agent's own events (agent.logging) and output health events
(agent.outputs.delivery); each adds its own fields (`file.*`, `process.*`, `webshell.*`).
The typed pieces are dataclasses rendered to plain dicts (what the formatters take), with
fields that are None left out rather than written as null.

`parse_document()` is the reader's side: delivery uses it on what it reads back from the
alert file and reports lines that are not documents.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.timefmt import iso, parse_utc

Document = dict[str, Any]
ECS_VERSION = "8.11.0"
SCHEMA_VERSION = 1
MODULE = "webshell_agent"
Kind = Literal["alert", "event", "state", "metric"]
KINDS = ("alert", "event", "state", "metric")
Outcome = Literal["success", "failure", "unknown"]
LEVELS = ("debug", "info", "warning", "error", "critical")


_PLAIN = frozenset({str, int, float, bool, type(None)})
# class -> ((attribute, output key), ...) for dataclasses, None for any other class. Rendering
# runs for every alert of a one-off scan (hundreds of values each): asking `dataclasses` about
# every value was the largest Python cost of scanning a tree full of shells.
_LAYOUT: dict[type, tuple[tuple[str, str], ...] | None] = {}


def _layout(cls: type) -> tuple[tuple[str, str], ...] | None:
    try:
        return _LAYOUT[cls]
    except KeyError:
        pass
    layout = (
        tuple((f.name, f.metadata.get("name", f.name)) for f in dataclasses.fields(cls))
        if dataclasses.is_dataclass(cls)
        else None
    )
    _LAYOUT[cls] = layout
    return layout


def render(value: Any) -> Any:
    """A dataclass (or containers of them) as JSON-ready values; None fields are left out."""
    cls = type(value)
    if cls in _PLAIN:
        return value
    layout = _layout(cls)
    if layout is not None:
        out: dict[str, Any] = {}
        for name, key in layout:
            v = getattr(value, name)
            if v is not None:
                # plain values inline: a call per string excerpt was most of an alert's cost
                out[key] = v if type(v) in _PLAIN else render(v)
        return out
    if isinstance(value, Mapping):
        return {k: v if type(v) in _PLAIN else render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _PLAIN else render(v) for v in value]
    return value


# -- the ECS envelope -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFields:
    """ECS `event.*`. `outcome` only where the event is about something that can fail: ECS
    leaves it out for `type: info` alerts (a detection is not a success or a failure)."""

    kind: Kind
    action: str
    dataset: str
    category: tuple[str, ...] | None = None
    type: tuple[str, ...] | None = None
    id: str | None = None
    severity: int | None = None
    risk_score: float | None = None
    outcome: Outcome | None = None
    start: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorFields:
    message: str
    type: str | None = None


def envelope(
    event: EventFields,
    message: str,
    *,
    host: Mapping[str, Any] | None = None,
    agent: Mapping[str, Any] | None = None,
    level: str | None = None,
    error: ErrorFields | None = None,
    timestamp: str | None = None,
) -> Document:
    """The ECS part of every document, in one key order: @timestamp, message, ecs, event, log,
    host, agent, error. Callers add their own top-level fields after it."""
    now = timestamp or iso()
    ev = render(event)
    ordered = {k: ev[k] for k in ("kind", "category", "type", "action", "id") if k in ev}
    ordered["created"] = now
    ordered.update({k: v for k, v in ev.items() if k not in ordered})
    ordered["module"] = MODULE
    doc: Document = {
        "@timestamp": now,
        "message": message,
        "ecs": {"version": ECS_VERSION},
        "event": ordered,
    }
    if level is not None:
        doc["log"] = {"level": level if level in LEVELS else "info"}
    if host is not None:
        doc["host"] = dict(host)
    if agent is not None:
        doc["agent"] = dict(agent)
    if error is not None:
        doc["error"] = render(error)
    return doc


# -- the webshell.* namespace of a file alert -------------------------------------------------


@dataclass(frozen=True, slots=True)
class StringExcerpt:
    identifier: str
    offset: int
    length: int
    excerpt: str  # printable ASCII, everything else escaped (agent.alerts.excerpt)


@dataclass(frozen=True, slots=True)
class MatchDoc:
    rule: str
    namespace: str
    tags: tuple[str, ...]
    severity: str
    meta: Mapping[str, Any]
    layer: str  # "" = the file as stored; else the decoded layer, e.g. "script-encoder > base64"
    strings: tuple[StringExcerpt, ...]


@dataclass(frozen=True, slots=True)
class ScanDoc:
    duration_ms: float
    engine: str
    ruleset: str


@dataclass(frozen=True, slots=True)
class WebshellFile:
    filetype: str
    path_bytes_b64: str | None = None  # the exact bytes of a name that is not valid UTF-8


@dataclass(frozen=True, slots=True)
class FileAlertNamespace:
    severity: str
    correlation_id: str  # a process alert that follows this file carries the same value
    trigger: str
    file: WebshellFile
    scan: ScanDoc
    matches: tuple[MatchDoc, ...]
    reason: str | None = None  # "scan-timeout": the alert stands for a scan that ran out of time
    schema_version: int = field(default=SCHEMA_VERSION)

    def render(self) -> Document:
        doc: Document = render(self)
        # schema_version first, as documents before the typed model had it
        return {"schema_version": doc.pop("schema_version"), **doc}


# -- reading back -----------------------------------------------------------------------------


class MalformedDocument(ValueError):
    """A line that is not one of our documents; the message says what is wrong with it."""


def parse_document(line: bytes | str) -> Document:
    """One JSON line back into a document, checking the envelope fields that are present
    (a reader must not trip over a line torn by a crash or written by something else)."""
    try:
        doc = json.loads(line)
    except ValueError as e:
        raise MalformedDocument(f"not JSON ({e.__class__.__name__})") from None
    if not isinstance(doc, dict):
        raise MalformedDocument("not a JSON object")
    if "@timestamp" in doc:
        try:
            parse_utc(doc["@timestamp"])
        except (ValueError, TypeError):
            raise MalformedDocument("@timestamp is not an ISO 8601 time") from None
    if "message" in doc and not isinstance(doc["message"], str):
        raise MalformedDocument("message is not a string")
    event = doc.get("event")
    if event is not None:
        if not isinstance(event, dict):
            raise MalformedDocument("event is not an object")
        if "kind" in event and event["kind"] not in KINDS:
            raise MalformedDocument(f"event.kind {event['kind']!r} is not one of {KINDS}")
        for key in ("id", "action", "dataset"):
            if key in event and not isinstance(event[key], str):
                raise MalformedDocument(f"event.{key} is not a string")
    return doc

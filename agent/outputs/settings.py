"""Validation of `[[outputs]]` tables: each becomes a typed `OutputSpec` or a ConfigError that
names the output and the key (`outputs[2] (siem-tls).verify: expected true or false`)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.config import parse_size
from agent.errors import ConfigError
from agent.outputs import leef
from agent.outputs.http import Proxy
from agent.outputs.options import OPTIONS, FileOptions, Options
from agent.outputs.syslog import DEFAULT_SD_ID, FACILITIES, sd_name

TYPES = ("jsonl", "syslog", "hec", "elasticsearch", "eventlog")
NETWORK_TYPES = ("syslog", "hec", "elasticsearch", "eventlog")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class OutputSpec:
    """One configured output: the keys every output has, and `options`, the typed settings of
    its type (`options.OPTIONS`), already checked."""

    name: str
    type: str
    batch_size: int
    batch_bytes: int
    max_backlog: int
    backoff_initial: float
    backoff_max: float
    timeout: float
    start_at: str
    events: bool = False
    options: Options = field(default_factory=FileOptions)
    enabled: bool = True
    dead_letter_max: int = 64 * 1024 * 1024


def _str(v: Any) -> str:
    if isinstance(v, str) and v:
        return v
    raise ValueError("expected a non-empty string")


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    raise ValueError("expected true or false")


def _pos_int(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return v
    raise ValueError("expected a whole number above 0")


def _pos_float(v: Any) -> float:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
        return float(v)
    raise ValueError("expected a number of seconds above 0")


def _size(v: Any) -> int:
    size = parse_size(v)
    if size <= 0:
        raise ValueError("expected a size above 0")
    return size


def _size_or_zero(v: Any) -> int:
    size = parse_size(v)
    if size < 0:
        raise ValueError("expected a size (0 turns it off)")
    return size


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v in choices:
            return str(v)
        raise ValueError(f"expected one of {', '.join(map(repr, choices))}")

    return check


def _file(v: Any) -> str:
    path = Path(_str(v)).expanduser()
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    return str(path)


def _url(v: Any) -> str:
    s = _str(v)
    if not re.match(r"https?://[^/\s]+", s):
        raise ValueError("expected an http:// or https:// URL")
    return s.rstrip("/")


def _address(v: Any) -> tuple[str, int]:
    s = _str(v)
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d+)|([^:\s\[\]]+):(\d+)", s)
    if not m:
        raise ValueError('expected "host:port" (IPv6: "[::1]:6514")')
    host, port = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    if not 0 < int(port) < 65536:
        raise ValueError(f"port {port} is out of range")
    return host, int(port)


def _facility(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 23:
        return v
    if isinstance(v, str) and v.lower() in FACILITIES:
        return FACILITIES[v.lower()]
    raise ValueError("expected a facility name (local0..local7, daemon, ...) or 0-23")


def _sd_id(v: Any) -> str:
    return sd_name(_str(v))


def _delimiter(v: Any) -> str:
    return leef.check_delimiter(_str(v))


_COMMON: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "type": (_choice(*TYPES), None),
    "name": (_str, None),
    "enabled": (_bool, True),
    "batch_size": (_pos_int, None),
    "batch_bytes": (_size, "1MiB"),
    "max_backlog": (_size, "256MiB"),
    "dead_letter_max": (_size, "64MiB"),
    "backoff_initial": (_pos_float, 1.0),
    "backoff_max": (_pos_float, 300.0),
    "timeout": (_pos_float, 10.0),
    "start_at": (_choice("beginning", "end"), "beginning"),
    "events": (_bool, None),  # also ship events.jsonl (lifecycle, health); eventlog: on
}
_TLS: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "ca_file": (_file, None),
    "cert_file": (_file, None),
    "key_file": (_file, None),
    "verify": (_bool, True),
}


def _proxy(v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError('expected "http://host:port" or "none"')
    if v.lower() not in ("", "none"):
        Proxy.parse(v)
    return v


_HTTP: dict[str, tuple[Callable[[Any], Any], Any]] = {
    "proxy": (_proxy, None),  # None: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment
    "compress": (_bool, False),  # gzip request bodies
    **_TLS,
}
_REQUIRED = object()
_TYPE_KEYS: dict[str, dict[str, tuple[Callable[[Any], Any], Any]]] = {
    "jsonl": {},
    "syslog": {
        "address": (_address, _REQUIRED),
        "transport": (_choice("tcp", "tls", "udp"), "tls"),
        "format": (_choice("json", "cef", "leef"), "json"),
        "framing": (_choice("octet-counting", "newline"), "octet-counting"),
        "facility": (_facility, "local3"),
        "app_name": (_str, "webshell-agent"),
        "hostname": (_str, None),
        "sd_id": (_sd_id, DEFAULT_SD_ID),
        "bom": (_bool, False),
        "leef_delimiter": (_delimiter, leef.DEFAULT_DELIMITER),
        "resend_window": (_size_or_zero, "1MiB"),  # tcp/tls: re-sent after a reconnect
        "max_message_bytes": (_size_or_zero, 8096),  # rsyslog default maxMessageSize; 0: none
        **_TLS,
    },
    "hec": {
        "url": (_url, _REQUIRED),
        "token": (_str, _REQUIRED),
        "index": (_str, None),
        "sourcetype": (_str, "webshell_agent:alert"),
        "source": (_str, "webshell-agent"),
        "ack": (_bool, False),
        "ack_timeout": (_pos_float, 120.0),
        **_HTTP,
    },
    "elasticsearch": {
        "url": (_url, _REQUIRED),
        "index": (_str, "logs-webshell_agent.alerts-default"),
        "username": (_str, None),
        "password": (_str, None),
        "api_key": (_str, None),
        **_HTTP,
    },
    "eventlog": {"source": (_str, "webshell-agent")},
}
_BATCH_SIZE = {"syslog": 100, "hec": 100, "elasticsearch": 500, "eventlog": 100, "jsonl": 1}


def parse_one(raw: Mapping[str, Any], index: int) -> OutputSpec:
    where = f"outputs[{index}]"
    if not isinstance(raw, Mapping):
        raise ConfigError("expected an [[outputs]] table", location=where)
    kind = raw.get("type")
    if kind not in TYPES:
        choices = ", ".join(map(repr, TYPES))
        raise ConfigError(
            f"'type' must be one of {choices}, got {kind!r}", location=f"{where}.type"
        )
    name = raw.get("name", kind)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            "a name is 1-64 letters, digits, '.', '_' or '-' (it names the saved-position file)",
            location=f"{where}.name",
        )
    where = f"{where} ({name})"
    keys = {**_COMMON, **_TYPE_KEYS[str(kind)]}
    errors: list[ConfigError] = [
        ConfigError(
            f"unknown key {key!r} for a {kind} output (known: {', '.join(sorted(keys))})",
            location=f"{where}.{key}",
        )
        for key in sorted(set(raw) - set(keys))
    ]
    values: dict[str, Any] = {}
    for key, (check, default) in keys.items():
        if key in raw:
            try:
                values[key] = check(raw[key])
            except ValueError as e:
                errors.append(ConfigError(f"{e} (got {raw[key]!r})", location=f"{where}.{key}"))
        elif default is _REQUIRED:
            errors.append(ConfigError(f"a {kind} output needs {key!r}", location=f"{where}.{key}"))
        else:
            values[key] = None if default is None else check(default)
    if errors:
        raise ConfigErrors(errors)
    if kind == "elasticsearch" and values["api_key"] and values["username"]:
        raise ConfigError(
            "give either api_key or username/password, not both", location=f"{where}.api_key"
        )
    if values.get("key_file") and not values.get("cert_file"):
        raise ConfigError("key_file needs cert_file", location=f"{where}.key_file")
    if kind == "eventlog" and sys.platform != "win32":
        raise ConfigError("the eventlog output exists only on Windows", location=f"{where}.type")
    if (
        kind == "syslog"
        and values["transport"] == "udp"
        and values["framing"] != "octet-counting"
        and "framing" in raw
    ):
        raise ConfigError(
            "framing applies to tcp and tls only (UDP sends one message per datagram)",
            location=f"{where}.framing",
        )
    if values["backoff_max"] < values["backoff_initial"]:
        raise ConfigError(
            "backoff_max must be at least backoff_initial", location=f"{where}.backoff_max"
        )
    common = {k: values.pop(k) for k in list(values) if k in _COMMON}
    return OutputSpec(
        name=name,
        type=str(kind),
        batch_size=common["batch_size"] or _BATCH_SIZE[str(kind)],
        batch_bytes=common["batch_bytes"],
        max_backlog=common["max_backlog"],
        backoff_initial=common["backoff_initial"],
        backoff_max=common["backoff_max"],
        timeout=common["timeout"],
        start_at=common["start_at"],
        events=common["events"] if common["events"] is not None else kind == "eventlog",
        options=OPTIONS[str(kind)](**values),
        enabled=common["enabled"],
        dead_letter_max=common["dead_letter_max"],
    )


class ConfigErrors(ConfigError):
    """Several problems in one table: reads as the first, carries all (for `config check`)."""

    def __init__(self, errors: list[ConfigError]) -> None:
        super().__init__(errors[0].message, location=errors[0].location)
        self.errors = errors


def problems(raws: Sequence[Mapping[str, Any]]) -> list[ConfigError]:
    """Every problem of every [[outputs]] table, for `config check` (parse stops at the first)."""
    found: list[ConfigError] = []
    for i, raw in enumerate(raws):
        try:
            parse_one(raw, i)
        except ConfigErrors as e:
            found += e.errors
        except ConfigError as e:
            found.append(e)
    if not found:
        try:
            parse(raws)
        except ConfigError as e:  # duplicate names
            found.append(e)
    return found


def parse(raws: Sequence[Mapping[str, Any]]) -> list[OutputSpec]:
    """Every enabled output, checked; names must be unique (each has its own saved position)."""
    specs = [parse_one(raw, i) for i, raw in enumerate(raws)]
    seen: dict[str, int] = {}
    for i, spec in enumerate(specs):
        if spec.name in seen:
            raise ConfigError(
                f"two outputs are named {spec.name!r} (outputs[{seen[spec.name]}] and"
                f" outputs[{i}]): give each a distinct 'name'",
                location=f"outputs[{i}].name",
            )
        seen[spec.name] = i
    return [s for s in specs if s.enabled]

"""One typed settings class per output type, built by `settings.parse` from a checked
[[outputs]] table: every value here is already validated (types, ranges, files that exist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Transport = Literal["tcp", "tls", "udp"]
Framing = Literal["octet-counting", "newline"]


@dataclass(frozen=True)
class TlsOptions:
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True


@dataclass(frozen=True)
class FileOptions:
    """`type = "jsonl"`: the agent's own alert file, always written; no options."""


@dataclass(frozen=True)
class SyslogOptions(TlsOptions):
    address: tuple[str, int] = ("localhost", 6514)
    transport: Transport = "tls"
    format: str = "json"
    framing: Framing = "octet-counting"
    facility: int = 19
    app_name: str = "webshell-agent"
    hostname: str | None = None
    sd_id: str = "webshell@32473"
    bom: bool = False
    leef_delimiter: str = "^"
    resend_window: int = 1 << 20
    max_message_bytes: int = 8096


@dataclass(frozen=True)
class HttpOptions(TlsOptions):
    url: str = ""
    proxy: str | None = None
    compress: bool = False


@dataclass(frozen=True)
class HecOptions(HttpOptions):
    token: str = ""
    index: str | None = None
    sourcetype: str = "webshell_agent:alert"
    source: str = "webshell-agent"
    ack: bool = False
    ack_timeout: float = 120.0


@dataclass(frozen=True)
class ElasticOptions(HttpOptions):
    index: str = "logs-webshell_agent.alerts-default"
    username: str | None = None
    password: str | None = None
    api_key: str | None = None


@dataclass(frozen=True)
class EventlogOptions:
    source: str = "webshell-agent"


Options = FileOptions | SyslogOptions | HecOptions | ElasticOptions | EventlogOptions
OPTIONS: dict[str, type[Options]] = {
    "jsonl": FileOptions,
    "syslog": SyslogOptions,
    "hec": HecOptions,
    "elasticsearch": ElasticOptions,
    "eventlog": EventlogOptions,
}

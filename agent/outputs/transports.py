"""The transport table: each output type's sender, built from its typed settings.

A transport takes a batch of documents and returns once the receiver took it (or raises
`Retry`/`OSError` to keep the batch, `Rejected` to have it split); Elasticsearch also returns
per-document refusals. Formatting for syslog comes from the format table (`formats`). The
local alert file (`type = "jsonl"`) is written by the agent itself and has no transport here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from agent.errors import ConfigError
from agent.outputs.elastic import BulkResult, ElasticSender
from agent.outputs.formats import format_for
from agent.outputs.hec import HecFormat, HecSender
from agent.outputs.http import HttpClient, proxy_for, tls_context
from agent.outputs.options import (
    ElasticOptions,
    EventlogOptions,
    HecOptions,
    HttpOptions,
    SyslogOptions,
)
from agent.outputs.settings import OutputSpec
from agent.outputs.syslog import Endpoint, SyslogFormat, SyslogSender
from agent.outputs.trim import fit


class Transport(Protocol):
    def send(self, docs: list[dict[str, Any]]) -> BulkResult | None: ...

    def close(self) -> None: ...


class SyslogOutput:
    def __init__(self, spec: OutputSpec, o: SyslogOptions) -> None:
        host, port = o.address
        self.describe = f"syslog {o.transport}://{host}:{port} ({o.format})"
        self.format = format_for(o)
        self.max_bytes = o.max_message_bytes
        self.header = SyslogFormat(o.facility, o.app_name, o.hostname, o.sd_id, o.bom)
        endpoint = Endpoint(
            host,
            port,
            o.transport,
            o.framing,
            spec.timeout,
            o.ca_file,
            o.cert_file,
            o.key_file,
            o.verify,
            o.resend_window,
        )
        try:
            self.sender = SyslogSender(endpoint)
        except (OSError, ValueError) as e:  # unreadable CA / key
            raise ConfigError(
                f"cannot set up TLS: {e}", location=f"outputs ({spec.name})"
            ) from None

    def render(self, doc: dict[str, Any]) -> bytes:
        return self.header.message(doc, self.format(doc))

    def send(self, docs: list[dict[str, Any]]) -> None:
        self.sender.send([fit(d, self.render, self.max_bytes) for d in docs])

    def keepalive(self) -> None:
        self.sender.keepalive()

    @property
    def resent(self) -> int:
        return self.sender.resent

    def close(self) -> None:
        self.sender.close()


def http_client(spec: OutputSpec, o: HttpOptions) -> HttpClient:
    try:
        ctx = (
            tls_context(o.ca_file, o.verify, o.cert_file, o.key_file)
            if o.url.startswith("https")
            else None
        )
        proxy = proxy_for(o.url, o.proxy)
        return HttpClient(o.url, timeout=spec.timeout, ssl_context=ctx, proxy=proxy)
    except (OSError, ValueError) as e:
        raise ConfigError(str(e), location=f"outputs ({spec.name}).url") from None


class HecOutput:
    def __init__(self, spec: OutputSpec, o: HecOptions, stop: threading.Event) -> None:
        self.describe = f"hec {o.url}"
        self.sender = HecSender(
            http_client(spec, o),
            o.token,
            HecFormat(o.index, o.sourcetype, o.source),
            ack=o.ack,
            ack_timeout=o.ack_timeout,
            sleep=stop.wait,
            compress=o.compress,
        )

    def send(self, docs: list[dict[str, Any]]) -> None:
        self.sender.send(docs)

    def set_warning_sink(self, warn: Callable[[str], None]) -> None:
        self.sender.warn = warn

    def close(self) -> None:
        self.sender.close()


class ElasticOutput:
    def __init__(self, spec: OutputSpec, o: ElasticOptions) -> None:
        self.describe = f"elasticsearch {o.url} index {o.index}"
        self.sender = ElasticSender(
            http_client(spec, o),
            o.index,
            username=o.username,
            password=o.password,
            api_key=o.api_key,
            compress=o.compress,
        )

    def send(self, docs: list[dict[str, Any]]) -> BulkResult:
        return self.sender.send(docs)

    def close(self) -> None:
        self.sender.close()


def _syslog(spec: OutputSpec, _stop: threading.Event) -> Transport:
    assert isinstance(spec.options, SyslogOptions)
    return SyslogOutput(spec, spec.options)


def _hec(spec: OutputSpec, stop: threading.Event) -> Transport:
    assert isinstance(spec.options, HecOptions)
    return HecOutput(spec, spec.options, stop)


def _elasticsearch(spec: OutputSpec, _stop: threading.Event) -> Transport:
    assert isinstance(spec.options, ElasticOptions)
    return ElasticOutput(spec, spec.options)


def _eventlog(spec: OutputSpec, _stop: threading.Event) -> Transport:
    assert isinstance(spec.options, EventlogOptions)
    from agent.outputs import eventlog

    writer = getattr(eventlog, "EventLogWriter", None)
    if writer is None:
        raise ConfigError(
            "the eventlog output exists only on Windows", location=f"outputs ({spec.name})"
        )
    transport: Transport = writer(spec.options.source)
    return transport


TRANSPORTS: dict[str, Callable[[OutputSpec, threading.Event], Transport]] = {
    "syslog": _syslog,
    "hec": _hec,
    "elasticsearch": _elasticsearch,
    "eventlog": _eventlog,
}


def build_transport(spec: OutputSpec, stop: threading.Event) -> Transport:
    build = TRANSPORTS.get(spec.type)
    if build is None:
        raise ConfigError(
            f"{spec.type!r} is not a network output", location=f"outputs ({spec.name})"
        )
    return build(spec, stop)

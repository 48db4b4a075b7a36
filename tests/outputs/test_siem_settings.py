"""[[outputs]] validation: every mistake names the output and the key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.config import Config, merge
from agent.errors import ConfigError
from agent.outputs import eventlog
from agent.outputs.delivery import Outputs
from agent.outputs.options import SyslogOptions
from agent.outputs.settings import parse


def test_defaults_and_types(tmp_path: Path) -> None:
    (spec,) = parse([{"type": "syslog", "address": "siem.example.test:6514"}])
    assert spec.name == "syslog" and spec.batch_size == 100 and spec.start_at == "beginning"
    assert spec.events is False
    o = spec.options
    assert isinstance(o, SyslogOptions)
    assert o.address == ("siem.example.test", 6514)
    assert (o.transport, o.format, o.framing, o.verify) == (
        "tls",
        "json",
        "octet-counting",
        True,
    )
    assert o.facility == 19
    assert (o.max_message_bytes, o.resend_window) == (8096, 1 << 20)
    (v6,) = parse(
        [{"type": "syslog", "address": "[::1]:514", "transport": "udp", "max_backlog": "10MiB"}]
    )
    assert (
        isinstance(v6.options, SyslogOptions)
        and v6.options.address == ("::1", 514)
        and v6.max_backlog == 10 * 1024 * 1024
    )


@pytest.mark.parametrize(
    ("raw", "location", "words"),
    [
        ({"type": "splunk"}, "outputs[0].type", "must be one of"),
        ({"type": "syslog"}, "outputs[0] (syslog).address", "needs 'address'"),
        ({"type": "syslog", "address": "nohost"}, "outputs[0] (syslog).address", "host:port"),
        ({"type": "syslog", "address": "h:99999"}, "outputs[0] (syslog).address", "out of range"),
        (
            {"type": "syslog", "address": "h:1", "transport": "sctp"},
            "outputs[0] (syslog).transport",
            "one of",
        ),
        (
            {"type": "syslog", "address": "h:1", "verify": "yes"},
            "outputs[0] (syslog).verify",
            "true or false",
        ),
        (
            {"type": "syslog", "address": "h:1", "ca_file": "/nonexistent/ca.pem"},
            "outputs[0] (syslog).ca_file",
            "no such file",
        ),
        (
            {"type": "syslog", "address": "h:1", "fromat": "cef"},
            "outputs[0] (syslog).fromat",
            "unknown key",
        ),
        (
            {"type": "syslog", "address": "h:1", "leef_delimiter": "="},
            "outputs[0] (syslog).leef_delimiter",
            "delimiter",
        ),
        (
            {"type": "syslog", "address": "h:1", "sd_id": "bad id"},
            "outputs[0] (syslog).sd_id",
            "SD-ID",
        ),
        ({"type": "hec", "url": "http://h"}, "outputs[0] (hec).token", "needs 'token'"),
        ({"type": "hec", "url": "ftp://h", "token": "t"}, "outputs[0] (hec).url", "http"),
        (
            {"type": "elasticsearch", "url": "http://h", "api_key": "k", "username": "u"},
            "outputs[0] (elasticsearch).api_key",
            "either",
        ),
        (
            {"type": "hec", "url": "http://h", "token": "t", "batch_size": 0},
            "outputs[0] (hec).batch_size",
            "above 0",
        ),
        (
            {"type": "hec", "name": "a/b", "url": "http://h", "token": "t"},
            "outputs[0].name",
            "letters",
        ),
    ],
)
def test_errors_name_output_and_key(raw: dict[str, object], location: str, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse([raw])
    assert err.value.location == location
    assert words in err.value.message


def test_names_must_be_unique() -> None:
    with pytest.raises(ConfigError, match="distinct 'name'"):
        parse(
            [
                {"type": "hec", "url": "http://h", "token": "t"},
                {"type": "hec", "url": "http://i", "token": "t"},
            ]
        )


def test_disabled_and_jsonl_outputs_start_no_worker(tmp_path: Path) -> None:
    outs = Outputs.from_config(
        [
            {"type": "jsonl"},
            {"type": "hec", "url": "http://127.0.0.1:9", "token": "t", "enabled": False},
        ],
        tmp_path,
        lambda doc: None,
    )
    assert outs.workers == []


@pytest.mark.skipif(sys.platform == "win32", reason="the eventlog output is valid on Windows")
def test_eventlog_refused_off_windows() -> None:
    assert not hasattr(eventlog, "EventLogWriter")
    with pytest.raises(ConfigError, match="only on Windows"):
        parse([{"type": "eventlog"}])


def test_toml_outputs_reach_validation(tmp_path: Path) -> None:
    cfg = merge(
        Config(),
        {"outputs": [{"type": "syslog", "address": "127.0.0.1:6514", "format": "leef"}]},
        "test.toml",
    )
    (spec,) = parse(cfg.outputs)
    assert isinstance(spec.options, SyslogOptions) and spec.options.format == "leef"


def test_the_format_and_transport_tables_cover_every_type() -> None:
    from agent.outputs.formats import FORMATS
    from agent.outputs.options import OPTIONS
    from agent.outputs.settings import NETWORK_TYPES, TYPES
    from agent.outputs.transports import TRANSPORTS

    assert set(OPTIONS) == set(TYPES) and set(TRANSPORTS) == set(NETWORK_TYPES)
    minimal = {
        "jsonl": {},
        "syslog": {"address": "h:1"},
        "hec": {"url": "https://h", "token": "t"},
        "elasticsearch": {"url": "https://h"},
    }
    for kind, keys in minimal.items():
        (spec,) = parse([{"type": kind, **keys}])
        assert type(spec.options) is OPTIONS[kind]
    for fmt in FORMATS:
        (spec,) = parse([{"type": "syslog", "address": "h:1", "format": fmt}])
        assert isinstance(spec.options, SyslogOptions) and spec.options.format == fmt

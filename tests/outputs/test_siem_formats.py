"""CEF, LEEF 2.0 and RFC 5424: hostile file names never forge a field or a second event."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.outputs import cef, leef
from agent.outputs.jsonl import render_line
from agent.outputs.syslog import SyslogFormat, frame, sd_escape, structured_data
from tests.outputs.siem_support import (
    make_alert,
    parse_cef,
    parse_leef,
    parse_sd,
    parse_syslog,
    unframe,
)

HOSTILE = [
    "/var/www/a|b=c\\d.php",
    "/var/www/x.php\nCEF:0|evil|evil|1|1|forged|10|msg=owned",
    "/var/www/x.php\r\n<13>1 2026-01-01T00:00:00Z evil - - - - forged",
    "/var/www/ fname=evil.php cs1=forged",
    "/var/www/^sev=1^cat=forged.php",
    "/var/www/\ttab\x00nul\x1besc\x7fdel\u2028ls\u0085nel.php",
    '/var/www/"quoted" ] \\] [x@1 a="b"].php',
    "/var/www/\\",
    "/var/www/ünïcödé-木马.php",
]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


def cef_clean(value: str) -> str:
    """What CEF may keep of a value: CR/LF survive (escaped), other controls become U+FFFD."""
    return cef._UNSAFE.sub(lambda m: m.group() if m.group() in "\r\n" else cef.REPLACEMENT, value)


@pytest.mark.parametrize("path", HOSTILE)
def test_cef_hostile_path_stays_in_its_field(path: str) -> None:
    doc = make_alert(path)
    line = cef.format_cef(doc)
    header, ext = parse_cef(line)
    assert header[0] == "CEF:0" and header[1] == "webshell-agent" and header[6] == "10"
    assert ext["filePath"] == cef_clean(path)
    assert ext["externalId"] == doc["event"]["id"]
    assert set(ext) == {k for k, _ in cef.extension(doc)}
    assert "\n" not in line and "\r" not in line


@given(path=text, rule=text, message=text)
@settings(max_examples=300, deadline=None)
def test_cef_round_trips_any_text(path: str, rule: str, message: str) -> None:
    doc = make_alert("/srv/" + path)
    doc["rule"]["name"] = [rule or "r"]
    doc["message"] = message
    line = cef.format_cef(doc)
    header, ext = parse_cef(line)
    assert len(header) == 7
    assert header[4] == cef._clean(rule or "r")
    assert ext["filePath"] == cef_clean("/srv/" + path)[:1023] or ext["filePath"].endswith("\u2026")
    expected = {k for k, _ in cef.extension(doc)}
    assert set(ext) == expected
    if message:
        assert ext["msg"] == cef_clean(message)


def test_cef_escaping_rules() -> None:
    assert cef.escape_header("a|b\\c") == "a\\|b\\\\c"
    assert cef.escape_value("a=b\\c|d\ne\rf") == "a\\=b\\\\c|d\\ne\\rf"
    assert cef.escape_value("x\x00y") == "x\ufffdy"


@pytest.mark.parametrize("delimiter", ["^", "\t", "~"])
@pytest.mark.parametrize("path", HOSTILE)
def test_leef_hostile_path_stays_in_its_field(path: str, delimiter: str) -> None:
    doc = make_alert(path)
    header, attrs = parse_leef(leef.format_leef(doc, delimiter))
    assert header[1:5] == ["webshell-agent", "webshell-agent", header[3], "webshell-detected"]
    assert attrs["filePath"] == leef.clean_value(path, delimiter)
    assert attrs["sev"] == "10"
    assert list(attrs) == [k for k, _ in leef.attributes(doc)]


@given(path=text, message=text, delimiter=st.sampled_from(["^", "\t", "~", "#"]))
@settings(max_examples=300, deadline=None)
def test_leef_never_forges_attributes(path: str, message: str, delimiter: str) -> None:
    doc = make_alert("/srv/" + path)
    doc["message"] = message
    line = leef.format_leef(doc, delimiter)
    header, attrs = parse_leef(line)
    assert len(header) == 6
    assert list(attrs) == [k for k, _ in leef.attributes(doc)]
    assert attrs["filePath"] == leef.clean_value("/srv/" + path, delimiter)
    assert delimiter not in attrs["filePath"]


def test_leef_rejects_bad_delimiters() -> None:
    for bad in ("", "ab", "=", "|", "a", "\n", "\\"):
        with pytest.raises(ValueError):
            leef.check_delimiter(bad)


@given(values=st.lists(text, min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
def test_sd_param_escaping_round_trips(values: list[str]) -> None:
    params = [(f"p{i}", v) for i, v in enumerate(values)]
    sd = structured_data("x@32473", params)
    assert parse_sd(sd) == {"x@32473": dict(params)}


def test_sd_escape_rules() -> None:
    assert sd_escape('a"b]c\\d') == 'a\\"b\\]c\\\\d'


@pytest.mark.parametrize("fmt", ["json", "cef", "leef"])
@given(path=text)
@settings(max_examples=100, deadline=None)
def test_syslog_message_parses_back(fmt: str, path: str) -> None:
    doc = make_alert("/srv/" + path)
    payload = {"json": render_line, "cef": cef.format_cef, "leef": leef.format_leef}[fmt](doc)
    raw = SyslogFormat().message(doc, payload)
    m = parse_syslog(raw)
    assert m["pri"] == 19 * 8 + 2  # local3, critical
    assert m["timestamp"] == doc["@timestamp"]
    assert (
        m["hostname"] == "web01.example.test"
        and m["app"] == "webshell-agent"
        and m["msgid"] == "alert"
    )
    assert m["sd"]["webshell@32473"]["eventId"] == doc["event"]["id"]
    assert m["msg"] == payload
    if fmt == "json":
        assert json.loads(m["msg"]) == doc
    # one frame per message, whatever the payload holds
    stream = b"".join(frame(raw, "octet-counting") for _ in range(3))
    assert unframe(stream) == [raw] * 3
    assert frame(raw, "newline").count(b"\n") == 1


def test_header_fields_are_printable_ascii() -> None:
    doc = make_alert()
    doc["host"]["hostname"] = "bad host\nname"
    raw = SyslogFormat(app_name="app name é").message(doc, "x")
    m = parse_syslog(raw)
    assert m["hostname"] == "badhostname" and m["app"] == "appname"


def test_health_events_format_without_file_fields() -> None:
    from agent.outputs.health import health_event

    doc = health_event(
        "output-down", "output x is down", {"name": "x"}, level="error", error="refused|=\n"
    )
    _, ext = parse_cef(cef.format_cef(doc))
    assert ext["act"] == "output-down" and ext["reason"] == "refused|=\n" and "filePath" not in ext
    _, attrs = parse_leef(leef.format_leef(doc))
    assert attrs["action"] == "output-down"
    assert parse_syslog(SyslogFormat().message(doc, "m"))["msgid"] == "event"


@given(
    path=text, index=st.none() | st.text("abcxyz_-", min_size=1, max_size=10), n=st.integers(1, 5)
)
@settings(max_examples=100, deadline=None)
def test_hec_body_is_concatenated_events_that_parse_back(
    path: str, index: str | None, n: int
) -> None:
    from agent.outputs.hec import HecFormat

    docs = [make_alert("/srv/" + path, n=i) for i in range(n)]
    body = HecFormat(index=index).body(docs)
    dec, raw, i, events = json.JSONDecoder(), body.decode("utf-8"), 0, []
    while i < len(raw):
        obj, i = dec.raw_decode(raw, i)
        events.append(obj)
        assert raw[i] == "\n"
        i += 1
    assert [e["event"] for e in events] == docs
    assert all(("index" in e) == (index is not None) for e in events)
    assert body.count(b"\n") == n  # one event per line: a newline in a path cannot add one


@given(path=text, n=st.integers(1, 5))
@settings(max_examples=100, deadline=None)
def test_bulk_body_pairs_create_actions_with_event_ids(path: str, n: int) -> None:
    from agent.outputs.elastic import bulk_body

    docs = [make_alert("/srv/" + path, n=i) for i in range(n)]
    lines = bulk_body(docs, "logs-x-default").decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 2 * n + 1
    for k, doc in enumerate(docs):
        action = json.loads(lines[2 * k])
        assert action == {"create": {"_index": "logs-x-default", "_id": doc["event"]["id"]}}
        assert json.loads(lines[2 * k + 1]) == doc


@given(message=text)
@settings(max_examples=200, deadline=None)
def test_eventlog_summary_is_always_one_line(message: str) -> None:
    from agent.outputs import eventlog

    doc = make_alert()
    doc["message"] = message
    rec = eventlog.record(doc)
    assert rec.strings[0].isprintable() or rec.strings[0] == ""
    assert all(len(s) <= eventlog.MAX_STRING for s in rec.strings)
    assert json.loads(rec.strings[1]) == doc

"""The alert document and its renderings, property-tested over arbitrary paths and matches."""

from __future__ import annotations

import base64
import json
import os
import stat
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.alerts import build_alert, display_path, excerpt
from agent.identity import Identity
from agent.outputs import console, jsonl, sarif
from agent.scanner import (
    TIMEOUT_MATCH,
    FileInfo,
    Hashes,
    Reason,
    RuleMatch,
    ScanResult,
    StringHit,
    Verdict,
)
from agent.severity import SEVERITY, severity_of
from agent.summary import Summary
from tests.test_cli_scan import sarif_schema

IDENTITY = Identity("host-1", "agent-id-1")
VALIDATOR = jsonschema.Draft4Validator(sarif_schema())

# Paths as the OS hands them to us: any bytes but NUL, decoded with surrogateescape.
raw_names = st.binary(min_size=1, max_size=40).filter(
    lambda b: b"\0" not in b and b"/" not in b and b not in (b".", b"..")
)
paths = st.builds(lambda d, n: os.fsdecode(b"/srv/" + d + b"/" + n), raw_names, raw_names)
meta_values = st.one_of(st.text(max_size=30), st.integers(-(2**31), 2**31), st.booleans())
matches = st.builds(
    RuleMatch,
    rule=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True),
    namespace=st.text(max_size=20),
    tags=st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), max_size=3).map(tuple),
    meta=st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), meta_values, max_size=5),
    strings=st.lists(
        st.builds(
            StringHit,
            st.from_regex(r"\$[a-z0-9]{0,5}", fullmatch=True),
            st.integers(0, 2**40),
            st.integers(0, 2**20),
            st.binary(max_size=64),
        ),
        max_size=4,
    ).map(tuple),
)


def result_for(path: str, ms: tuple[RuleMatch, ...]) -> ScanResult:
    info = FileInfo(
        10, 1_700_000_000.5, 1_700_000_000.5, stat.S_IFREG | 0o644, 33, "www-data", 7, 1
    )
    return ScanResult(
        path, Verdict.MATCHED, info=info, hashes=Hashes("a" * 64, "b" * 40, "c" * 32), matches=ms
    )


@settings(max_examples=150, deadline=None)
@given(paths, st.lists(matches, min_size=1, max_size=3).map(tuple))
def test_jsonl_is_one_parseable_line_that_keeps_the_path(
    path: str, ms: tuple[RuleMatch, ...]
) -> None:
    alert = build_alert(result_for(path, ms), IDENTITY, "f" * 64)
    line = jsonl.encode_line(alert)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = json.loads(line)
    b64 = back["webshell"]["file"].get("path_bytes_b64")
    exact = base64.b64decode(b64) if b64 else back["file"]["path"].encode("utf-8")
    assert exact == os.fsencode(path)
    assert back["rule"]["name"] == [m.rule for m in ms]
    assert back["event"]["severity"] == max(SEVERITY[severity_of(m.meta)] for m in ms)


@settings(max_examples=80, deadline=None)
@given(paths, st.lists(matches, min_size=1, max_size=3).map(tuple))
def test_sarif_is_valid_for_any_path_and_match(path: str, ms: tuple[RuleMatch, ...]) -> None:
    alert = build_alert(result_for(path, ms), IDENTITY, "f" * 64)
    doc = sarif.render([alert], Summary().finish())
    VALIDATOR.validate(json.loads(json.dumps(doc)))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"
    ]
    assert all(0x20 < ord(c) < 0x7F for c in uri)  # percent-encoded, no raw controls or spaces


@given(paths, st.lists(matches, min_size=1, max_size=2).map(tuple))
def test_console_never_prints_control_characters(path: str, ms: tuple[RuleMatch, ...]) -> None:
    text = console.render_alert(build_alert(result_for(path, ms), IDENTITY, "f" * 64))
    for line in text.split("\n"):
        assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in line)


@given(
    st.one_of(
        st.binary(max_size=64),
        # mostly code as text: the fast path, and one backslash or control byte in it
        st.text(st.characters(min_codepoint=0x1F, max_codepoint=0x7F), max_size=64).map(
            lambda t: t.encode("ascii")
        ),
    )
)
def test_excerpt_is_printable_and_reversible(data: bytes) -> None:
    text = excerpt(data)
    assert all(0x20 <= ord(c) < 0x7F for c in text)
    decoded = text.encode("ascii").decode("unicode_escape").encode("latin-1")
    assert decoded == data


def test_display_path_keeps_valid_utf8() -> None:
    assert display_path("/srv/ünï/x.aspx") == "/srv/ünï/x.aspx"
    assert display_path(os.fsdecode(b"/srv/\xff.aspx")) == "/srv/\\xff.aspx"


def test_severity_from_score_or_default() -> None:
    assert severity_of({"severity": "Low"}) == "low"
    assert severity_of({"score": 95}) == "critical"
    assert severity_of({"score": 50}) == "medium"
    assert severity_of({}) == "high"


def test_ecs_shape_for_elastic_external_alerts() -> None:
    ms = (RuleMatch("R", "ns", (), {"severity": "medium", "family": "Fam"}, ()),)
    a: dict[str, Any] = build_alert(result_for("/srv/x.aspx", ms), IDENTITY, "f" * 64)
    assert (
        a["event"]["kind"] == "alert"
        and a["event"]["severity"] == 47
        and a["event"]["risk_score"] == 47.0
    )
    assert a["@timestamp"].endswith("Z") and a["message"].startswith(
        "Web shell detected: /srv/x.aspx"
    )
    assert a["threat"]["software"]["name"] == ["Fam"] and a["file"]["extension"] == "aspx"
    assert a["host"]["name"] == "host-1" and a["agent"]["id"] == "agent-id-1"


def test_scan_timeout_alert_is_medium_and_says_why() -> None:
    info = FileInfo(10, 1.0, 1.0, stat.S_IFREG | 0o644, 33, "www-data", 7, 1)
    r = ScanResult(
        "/srv/pad.php", Verdict.MATCHED, Reason.TIMEOUT, "yara gave up after 10s", info,
        Hashes("a" * 64, "b" * 40, "c" * 32), (TIMEOUT_MATCH,),
    )  # fmt: skip
    a: dict[str, Any] = build_alert(r, IDENTITY, "f" * 64)
    assert a["webshell"]["reason"] == "scan-timeout"
    assert a["event"]["severity"] == SEVERITY["medium"]
    assert a["message"].startswith("Scan timed out (possible evasion): /srv/pad.php")


def test_each_match_names_its_layer() -> None:
    ms = (
        RuleMatch("Plain", "ns", (), {}, ()),
        RuleMatch("Decoded", "ns", (), {}, (), layer="script-encoder > base64"),
    )
    a: dict[str, Any] = build_alert(result_for("/srv/x.asp", ms), IDENTITY, "f" * 64)
    assert [m["layer"] for m in a["webshell"]["matches"]] == ["", "script-encoder > base64"]
    assert "reason" not in a["webshell"]


def test_third_party_meta_values_go_out_as_strings() -> None:
    meta = {"score": 70, "experimental": True, "ratio": 0.5, "author": "x"}
    ms = (RuleMatch("R", "ns", (), meta, ()),)
    a: dict[str, Any] = build_alert(result_for("/srv/x.php", ms), IDENTITY, "f" * 64)
    assert a["webshell"]["matches"][0]["meta"] == {
        "score": "70",
        "experimental": "true",
        "ratio": "0.5",
        "author": "x",
    }
    assert a["event"]["severity"] == 73  # the score still sets the severity (70 -> high)


def test_sarif_uri_keeps_a_backslash_in_a_posix_name() -> None:
    import urllib.parse

    uri = sarif.file_uri("/var/www/na\\me.php", windows=False)
    assert uri == "file:///var/www/na%5Cme.php"
    assert urllib.parse.unquote(uri.removeprefix("file://")) == "/var/www/na\\me.php"
    assert sarif.file_uri("/var/www/na/me.php", windows=False) != uri  # another file
    assert sarif.file_uri("C:\\inetpub\\wwwroot\\x.aspx", windows=True) == (
        "file:///C:/inetpub/wwwroot/x.aspx"
    )

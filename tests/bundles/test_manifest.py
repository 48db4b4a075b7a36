"""The manifest parser and the member-name rules, by property."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.rules.bundle_manifest import (
    Manifest,
    ManifestError,
    member_kind,
    parse_manifest,
)

_part = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,12}", fullmatch=True)
_rule_names = st.lists(_part, min_size=1, max_size=4).map(lambda p: "/".join(p) + ".yar")
_sha = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.binary(max_size=2000))
def test_any_bytes_are_a_manifest_or_a_manifest_error(data: bytes) -> None:
    with contextlib.suppress(ManifestError):
        parse_manifest(data)


@given(
    st.dictionaries(
        st.sampled_from(["format", "version", "created", "min_agent_version", "files", "x"]),
        _json,
    )
)
def test_any_json_object_is_parsed_or_refused_cleanly(doc: dict[str, object]) -> None:
    try:
        m = parse_manifest(json.dumps(doc).encode())
    except ManifestError:
        return
    assert isinstance(m.version, int) and m.version >= 1


@given(
    st.integers(1, (1 << 63) - 1),
    st.dictionaries(_rule_names, _sha, min_size=1, max_size=20),
    st.from_regex(r"\d{1,3}\.\d{1,3}\.\d{1,3}", fullmatch=True),
)
def test_round_trip(version: int, files: dict[str, str], minimum: str) -> None:
    m = Manifest(version, "2026-12-03T00:00:00Z", minimum, files)
    assert parse_manifest(m.to_bytes()) == m


@given(st.text(max_size=300))
def test_no_accepted_name_escapes_the_bundle_folder(name: str) -> None:
    try:
        member_kind(name)
    except ManifestError:
        return
    parts = name.split("/")
    assert not name.startswith("/") and "\\" not in name and ":" not in name and "\0" not in name
    assert all(p not in ("", ".", "..") for p in parts)
    assert name == "manifest.json" or name.lower().endswith((".yar", ".yara", ".toml", ".b64x"))


@pytest.mark.parametrize(
    "name",
    [
        "../x.yar", "/etc/x.yar", "a/../../x.yar", "a//x.yar", "./x.yar", "a\\..\\x.yar",
        "C:/x.yar", "x.php", "x.yar/", "tests/run.sh", "tests/samples/php/x.php",
        "nul.yar", "a/CON.yara", ".hidden.yar", "manifest.json/x.yar", "x.yar\0.txt",
    ],
)  # fmt: skip
def test_names_refused(name: str) -> None:
    with pytest.raises(ManifestError):
        member_kind(name)


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"format": 2}, "format"),
        ({"format": 1, "version": 0}, "version"),
        ({"format": 1, "version": True}, "version"),
        ({"format": 1, "version": 1, "created": "x", "files": {"a.yar": "ABC"}}, "sha256"),
        ({"format": 1, "version": 1, "created": "x", "files": {}}, "no rule"),
        ({"format": 1, "version": 1, "created": "x", "min_agent_version": "1.x", "files": {}}, "version like"),
    ],
)  # fmt: skip
def test_manifest_refusals(doc: dict[str, object], words: str) -> None:
    with pytest.raises(ManifestError, match=words):
        parse_manifest(json.dumps(doc).encode())

"""The typed document: one envelope for every kind of line, the time format, reading back."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, fields, is_dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.document import (
    EventFields,
    MalformedDocument,
    envelope,
    parse_document,
    render,
)
from agent.timefmt import iso, parse_utc, utc_text


def test_importing_a_formatter_does_not_load_yara() -> None:
    code = (
        "import sys, agent.outputs.syslog, agent.outputs.cef, agent.outputs.leef, agent.document;"
        "print('yara' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@given(st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.just(UTC)))
def test_utc_text_round_trips_to_the_millisecond(when: datetime) -> None:
    text = utc_text(when)
    assert text.endswith("Z") and len(text) == 24
    back = parse_utc(text)
    assert abs((back - when).total_seconds()) < 0.001


def test_iso_of_a_timestamp() -> None:
    assert iso(0) == "1970-01-01T00:00:00.000Z"


def test_envelope_leaves_out_what_is_not_set() -> None:
    doc = envelope(
        EventFields(kind="alert", action="webshell-detected", dataset="d", type=("info",)),
        "m",
        timestamp="2024-01-01T00:00:00.000Z",
    )
    assert doc == {
        "@timestamp": "2024-01-01T00:00:00.000Z",
        "message": "m",
        "ecs": {"version": "8.11.0"},
        "event": {
            "kind": "alert",
            "type": ["info"],
            "action": "webshell-detected",
            "created": "2024-01-01T00:00:00.000Z",
            "dataset": "d",
            "module": "webshell_agent",
        },
    }
    assert "outcome" not in doc["event"]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b'{"event": {"id": "a"', "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"@timestamp": "yesterday"}', "@timestamp"),
        (b'{"event": "x"}', "event is not an object"),
        (b'{"event": {"kind": "alarm"}}', "event.kind"),
        (b'{"message": 3}', "message"),
    ],
)
def test_malformed_lines_say_what_is_wrong(line: bytes, why: str) -> None:
    with pytest.raises(MalformedDocument, match=why):
        parse_document(line)


@given(st.text(max_size=40), st.sampled_from(["alert", "event", "metric"]))
def test_every_envelope_parses_back(message: str, kind: str) -> None:
    doc = envelope(EventFields(kind=kind, action="a", dataset="d"), message)  # type: ignore[arg-type]
    assert parse_document(json.dumps(doc)) == doc


@dataclass(frozen=True)
class _Leaf:
    text: str | None
    number: int | None = dc_field(default=None, metadata={"name": "n"})


@dataclass(frozen=True)
class _Node:
    leaves: tuple[_Leaf, ...]
    extra: dict[str, object] | None = None
    child: _Leaf | None = None


def _reference(value: object) -> object:
    """render's contract written the slow, obvious way."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.metadata.get("name", f.name): _reference(getattr(value, f.name))
            for f in fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, dict):
        return {k: _reference(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_reference(v) for v in value]
    return value


_leaf = st.builds(_Leaf, st.none() | st.text(max_size=5), st.none() | st.integers())
_scalar = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
)


@given(
    st.builds(
        _Node,
        st.lists(_leaf, max_size=4).map(tuple),
        st.none() | st.dictionaries(st.text(max_size=5), _scalar | _leaf, max_size=4),
        st.none() | _leaf,
    )
)
def test_render_leaves_out_none_and_renames_fields(node: _Node) -> None:
    assert render(node) == _reference(node)
    assert render(_Leaf(None, 3)) == {"n": 3}

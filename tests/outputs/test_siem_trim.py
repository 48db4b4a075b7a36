"""trim.fit: a document over the limit loses detail in order, stays valid, says it was trimmed."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.outputs.jsonl import render_line
from agent.outputs.trim import fit
from tests.outputs.siem_support import make_alert

BASE = make_alert("/var/www/t.php", rules=("A", "B", "C"))


def render(doc: dict[str, Any]) -> bytes:
    return render_line(doc).encode()


def with_strings(excerpts: list[str]) -> dict[str, Any]:
    doc = json.loads(json.dumps(BASE))
    doc["webshell"]["matches"][1]["strings"] = [
        {"identifier": f"$s{i}", "offset": i, "length": len(e), "excerpt": e}
        for i, e in enumerate(excerpts)
    ]
    return doc


@settings(max_examples=150, deadline=None)
@given(
    excerpts=st.lists(st.text(max_size=300), max_size=40),
    limit=st.integers(min_value=1500, max_value=20_000),
)
def test_fits_or_is_minimal_and_always_parses(excerpts: list[str], limit: int) -> None:
    doc = with_strings(excerpts)
    out = fit(doc, render, limit)
    sent = json.loads(out)
    whole = len(render(doc)) <= limit
    assert len(out) <= limit  # the minimal alert of this document is well under 1500 bytes
    assert (sent == doc) if whole else sent["webshell"]["trimmed"] is True
    assert sent["event"]["id"] == doc["event"]["id"] and sent["file"]["path"] == doc["file"]["path"]
    assert sent["rule"]["name"] == doc["rule"]["name"]
    assert "trimmed" not in doc["webshell"]  # the caller's document is never changed


def test_excerpts_go_before_the_matches() -> None:
    doc = with_strings(["x" * 200] * 30)
    full = len(render(doc))
    sent = json.loads(fit(doc, render, full - 100))
    kept = sent["webshell"]["matches"][1]["strings"]
    assert len(kept) == 30 and all(len(s["excerpt"]) <= 33 for s in kept)
    assert [m["rule"] for m in sent["webshell"]["matches"]] == ["A", "B", "C"]
    assert fit(doc, render, 0) == render(doc)  # 0: no limit

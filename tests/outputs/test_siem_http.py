"""HEC and Elasticsearch outputs against local fake collectors that check the request format:
batching, retries on 5xx/timeouts, 4xx reported, indexer ack, idempotent bulk create."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.outputs.delivery import Outputs
from tests.outputs.siem_support import FakeCollector, make_alert, write_alerts

FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "timeout": 2.0}


def wait_until(cond: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def concatenated(body: bytes) -> list[dict[str, Any]]:
    dec, text, i, out = json.JSONDecoder(), body.decode(), 0, []
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            break
        obj, i = dec.raw_decode(text, i)
        out.append(obj)
    return out


def hec_handler(col: FakeCollector, req: dict[str, Any]) -> tuple[int, bytes]:
    assert req["headers"]["Authorization"] == "Splunk s3cret"
    if req["path"] == "/services/collector/ack":
        acks = json.loads(req["body"])["acks"]
        col.acked = getattr(col, "acked", 0) + 1
        ready = col.acked > 1  # "not yet" on the first poll
        return 200, json.dumps({"acks": {str(a): ready for a in acks}}).encode()
    assert req["path"] == "/services/collector/event"
    events = concatenated(req["body"])
    if any("poison" in e["event"]["file"]["path"] for e in events):
        return 400, b'{"text":"Invalid data format","code":6,"invalid-event-number":0}'
    reply: dict[str, Any] = {"text": "Success", "code": 0}
    if "X-Splunk-Request-Channel" in req["headers"]:
        reply["ackId"] = len(col.requests)
    return 200, json.dumps(reply).encode()


def hec_events(col: FakeCollector) -> list[dict[str, Any]]:
    return [
        e
        for r in col.requests
        if r["path"].endswith("/event") and r["status"] == 200
        for e in concatenated(r["body"])
    ]


@pytest.fixture
def run_outputs(tmp_path: Path) -> Iterator[Callable[..., tuple[Outputs, list[dict[str, Any]]]]]:
    started: list[Outputs] = []

    def start(*raw: dict[str, Any]) -> tuple[Outputs, list[dict[str, Any]]]:
        health: list[dict[str, Any]] = []
        outs = Outputs.from_config(list(raw), tmp_path, health.append)
        outs.start()
        started.append(outs)
        return outs, health

    yield start
    for o in started:
        assert o.stop(10)


def alerts(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [make_alert(f"/var/www/html/s{i}.php", n=i) for i in range(start, start + n)]


def test_hec_batches_in_splunk_format(tmp_path: Path, run_outputs: Any) -> None:
    docs = alerts(250)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(hec_handler) as col:
        outs, health = run_outputs(
            {
                "type": "hec",
                "url": col.url,
                "token": "s3cret",
                "index": "sec",
                "batch_size": 100,
                **FAST,
            }
        )
        assert wait_until(lambda: len(hec_events(col)) >= 250)
        outs.notify()
    events = hec_events(col)
    assert [e["event"]["event"]["id"] for e in events] == [d["event"]["id"] for d in docs]
    assert [len(concatenated(r["body"])) for r in col.requests] == [100, 100, 50]
    first = events[0]
    assert first["index"] == "sec" and first["sourcetype"] == "webshell_agent:alert"
    assert first["host"] == "web01.example.test" and first["event"] == docs[0]
    assert isinstance(first["time"], float)
    assert health == []


def test_hec_retries_5xx_and_timeouts_then_recovers(tmp_path: Path, run_outputs: Any) -> None:
    docs = alerts(20)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(hec_handler) as col:
        col.plan = [503, "timeout", 500, 429]
        _outs, health = run_outputs(
            {"type": "hec", "url": col.url, "token": "s3cret", **FAST, "timeout": 0.5}
        )
        assert wait_until(lambda: len(hec_events(col)) >= 20)
        assert wait_until(lambda: any(h["event"]["action"] == "output-up" for h in health))
    ids = [e["event"]["event"]["id"] for e in hec_events(col)]
    assert sorted(ids) == sorted(d["event"]["id"] for d in docs)
    actions = [h["event"]["action"] for h in health]
    assert actions[0] == "output-down" and actions[-1] == "output-up"
    assert any("HTTP 503" in h["message"] for h in health)
    assert any("timed out" in h["message"] for h in health)
    assert health[-1]["webshell"]["output"]["failures"] == 4


def test_hec_per_event_data_error_parks_only_the_bad_alert_in_the_dead_letter_file(
    tmp_path: Path, run_outputs: Any
) -> None:
    docs = alerts(9)
    docs.insert(4, make_alert("/var/www/poison.php", n=99))
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(hec_handler) as col:
        outs, health = run_outputs({"type": "hec", "url": col.url, "token": "s3cret", **FAST})
        assert wait_until(lambda: any(h["event"]["action"] == "output-rejected" for h in health))
        assert wait_until(lambda: outs.stats()["hec"]["backlog_bytes"] == 0)
    delivered = {e["event"]["event"]["id"] for e in hec_events(col)}
    assert delivered == {d["event"]["id"] for d in docs if "poison" not in d["file"]["path"]}
    (rej,) = [h for h in health if h["event"]["action"] == "output-rejected"]
    assert rej["webshell"]["output"]["event_ids"] == [docs[4]["event"]["id"]]
    assert "HTTP 400" in rej["message"] and "Invalid data format" in rej["message"]
    (parked,) = (tmp_path / "dead-letter" / "hec.jsonl").read_text().splitlines()
    assert json.loads(parked)["document"] == docs[4]


def test_hec_auth_failure_is_retried_not_dropped(tmp_path: Path, run_outputs: Any) -> None:
    write_alerts(tmp_path / "alerts.jsonl", alerts(5))
    with FakeCollector(hec_handler) as col:
        col.plan = [(403, b'{"text":"Invalid token","code":4}'), 401]
        _outs, health = run_outputs({"type": "hec", "url": col.url, "token": "s3cret", **FAST})
        assert wait_until(lambda: len(hec_events(col)) >= 5)
    assert "HTTP 403" in health[0]["message"] and "Invalid token" in health[0]["message"]
    assert not any(h["event"]["action"] == "output-rejected" for h in health)


def test_hec_indexer_ack_is_awaited(tmp_path: Path, run_outputs: Any) -> None:
    write_alerts(tmp_path / "alerts.jsonl", alerts(3))
    with FakeCollector(hec_handler) as col:
        outs, _health = run_outputs(
            {"type": "hec", "url": col.url + "/", "token": "s3cret", "ack": True, **FAST}
        )
        assert wait_until(lambda: outs.stats()["hec"]["backlog_bytes"] == 0)
    paths = [r["path"] for r in col.requests]
    assert paths[0] == "/services/collector/event" and paths.count("/services/collector/ack") == 2
    channel = col.requests[0]["headers"]["X-Splunk-Request-Channel"]
    assert all(r["headers"]["X-Splunk-Request-Channel"] == channel for r in col.requests)


# -- Elasticsearch ----------------------------------------------------------------------------
def es_handler(col: FakeCollector, req: dict[str, Any]) -> tuple[int, bytes]:
    assert req["path"] == "/_bulk"
    assert req["headers"]["Content-Type"] == "application/x-ndjson"
    body: bytes = req["body"]
    assert body.endswith(b"\n")
    lines = body.decode().split("\n")[:-1]
    index: dict[str, Any] = col.__dict__.setdefault("index", {})
    items = []
    for action_line, doc_line in zip(lines[::2], lines[1::2], strict=True):
        action = json.loads(action_line)["create"]
        doc = json.loads(doc_line)
        assert (
            action["_id"] == doc["event"]["id"]
            and action["_index"] == "logs-webshell_agent.alerts-default"
        )
        if "mapping" in doc["file"]["path"]:
            items.append(
                {
                    "create": {
                        "status": 400,
                        "error": {"type": "document_parsing_exception", "reason": "bad"},
                    }
                }
            )
        elif "busy" in doc["file"]["path"] and not col.__dict__.get("busy_done"):
            col.busy_done = True
            items.append(
                {"create": {"status": 429, "error": {"type": "es_rejected_execution_exception"}}}
            )
        elif action["_id"] in index:
            items.append(
                {"create": {"status": 409, "error": {"type": "version_conflict_engine_exception"}}}
            )
        else:
            index[action["_id"]] = doc
            items.append({"create": {"status": 201, "result": "created"}})
    errors = any(i["create"]["status"] >= 300 for i in items)
    return 200, json.dumps({"errors": errors, "items": items}).encode()


def test_bulk_create_is_idempotent_across_resends(tmp_path: Path, run_outputs: Any) -> None:
    docs = alerts(30)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(es_handler) as col:
        spec = {"type": "elasticsearch", "url": col.url, "api_key": "a2V5", **FAST}
        outs, health = run_outputs(spec)
        assert wait_until(lambda: len(col.__dict__.get("index", {})) == 30)
        assert outs.stop(10)
        (tmp_path / "outputs" / "elasticsearch.json").unlink()  # forget the position: resend all
        outs2, health2 = run_outputs(spec)
        assert wait_until(lambda: outs2.stats()["elasticsearch"]["backlog_bytes"] == 0)
        assert wait_until(lambda: outs2.stats()["elasticsearch"]["delivered"] == 30)
    assert len(col.requests) == 2 and set(col.index) == {d["event"]["id"] for d in docs}
    assert col.requests[0]["headers"]["Authorization"] == "ApiKey a2V5"
    assert health == health2 == []


def test_bulk_item_errors_retry_429_and_report_400(tmp_path: Path, run_outputs: Any) -> None:
    docs = [
        *alerts(4),
        make_alert("/var/www/mapping.php", n=50),
        make_alert("/var/www/busy.php", n=51),
    ]
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(es_handler) as col:
        outs, health = run_outputs(
            {
                "type": "elasticsearch",
                "url": col.url,
                "username": "elastic",
                "password": "pw",
                **FAST,
            }
        )
        assert wait_until(lambda: outs.stats()["elasticsearch"]["backlog_bytes"] == 0)
    assert set(col.index) == {d["event"]["id"] for d in docs if "mapping" not in d["file"]["path"]}
    auth = col.requests[0]["headers"]["Authorization"]
    assert base64.b64decode(auth.removeprefix("Basic ")) == b"elastic:pw"
    actions = [h["event"]["action"] for h in health]
    assert actions == ["output-down", "output-rejected", "output-up"] or actions == [
        "output-down",
        "output-up",
        "output-rejected",
    ]
    (rej,) = [h for h in health if h["event"]["action"] == "output-rejected"]
    assert rej["webshell"]["output"]["event_ids"] == [docs[4]["event"]["id"]]
    assert "document_parsing_exception" in rej["message"]


def test_http_5xx_from_bulk_endpoint_keeps_the_batch(tmp_path: Path, run_outputs: Any) -> None:
    docs = alerts(5)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(es_handler) as col:
        col.plan = [502, 503]
        _outs, health = run_outputs({"type": "elasticsearch", "url": col.url, **FAST})
        assert wait_until(lambda: len(col.__dict__.get("index", {})) == 5)
    assert next(h["event"]["action"] for h in health) == "output-down"


def test_backlog_over_max_backlog_drops_the_oldest_and_counts_them(
    tmp_path: Path, run_outputs: Any
) -> None:
    docs = alerts(20)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    with FakeCollector(hec_handler) as col:
        col.plan = [503] * 3
        outs, health = run_outputs(
            {"type": "hec", "url": col.url, "token": "s3cret", "max_backlog": "8KiB", **FAST}
        )
        assert wait_until(lambda: outs.stats()["hec"]["backlog_bytes"] == 0)
        assert wait_until(lambda: any(h["event"]["action"] == "output-up" for h in health))
    delivered = [e["event"]["event"]["id"] for e in hec_events(col)]
    dropped = sum(
        h["webshell"]["output"]["dropped"]
        for h in health
        if h["event"]["action"] == "output-dropped"
    )
    assert delivered == [d["event"]["id"] for d in docs[dropped:]]  # the newest are kept
    assert 0 < dropped < 20 and len(delivered) + dropped == 20
    assert outs.stats()["hec"]["dropped"] == dropped


def test_malformed_lines_read_back_are_reported_and_the_rest_delivered(
    tmp_path: Path, run_outputs: Any
) -> None:
    docs = alerts(3)
    write_alerts(tmp_path / "alerts.jsonl", docs[:1])
    with open(tmp_path / "alerts.jsonl", "ab") as fh:
        fh.write(b'{"event": {"kind": "alarm"}}\n')  # JSON, but not one of our documents
        fh.write(b'{"@timestamp": "yesterday"}\n')
    write_alerts(tmp_path / "alerts.jsonl", docs[1:])
    with FakeCollector(hec_handler) as col:
        _outs, health = run_outputs({"type": "hec", "url": col.url, "token": "s3cret", **FAST})
        assert wait_until(lambda: len(hec_events(col)) == 3)
        assert wait_until(lambda: any(h["event"]["action"] == "output-dropped" for h in health))
    (dropped,) = [h for h in health if h["event"]["action"] == "output-dropped"]
    assert dropped["webshell"]["output"]["dropped"] == 2
    reasons = dropped["webshell"]["output"]["reasons"]
    assert any("event.kind" in r for r in reasons) and any("@timestamp" in r for r in reasons)
    assert [e["event"]["event"]["id"] for e in hec_events(col)] == [d["event"]["id"] for d in docs]


def test_a_full_dead_letter_file_holds_delivery_until_moved_away(
    tmp_path: Path, run_outputs: Any
) -> None:
    """The dead-letter file is bounded without dropping: past its cap the output is down with
    the reason, later alerts wait, and moving the file away resumes delivery by itself."""
    docs = [
        make_alert("/var/www/mapping1.php", n=60),
        *alerts(3),
        make_alert("/var/www/mapping2.php", n=61),
        *alerts(2, start=10),
    ]
    write_alerts(tmp_path / "alerts.jsonl", docs)
    parked = tmp_path / "dead-letter" / "elasticsearch.jsonl"
    with FakeCollector(es_handler) as col:
        outs, health = run_outputs(
            {
                "type": "elasticsearch",
                "url": col.url,
                "api_key": "a2V5",
                "dead_letter_max": "1KiB",
                "batch_size": 1,  # refusals of one batch are written together
                **FAST,
            }
        )
        assert wait_until(lambda: any("is full" in h["message"] for h in health))
        # the file took its first refusal and no more; what follows the second waits
        assert [json.loads(x)["document"] for x in parked.read_text().splitlines()] == [docs[0]]
        waiting = {d["event"]["id"] for d in docs[5:]}
        assert not waiting & set(col.__dict__.get("index", {}))
        assert outs.stats()["elasticsearch"]["backlog_bytes"] > 0
        parked.rename(tmp_path / "replayed.jsonl")  # the operator ships it and moves it away
        assert wait_until(lambda: outs.stats()["elasticsearch"]["backlog_bytes"] == 0)
    assert set(col.index) == {d["event"]["id"] for d in docs if "mapping" not in d["file"]["path"]}
    assert [json.loads(x)["document"] for x in parked.read_text().splitlines()] == [docs[4]]
    (full,) = {h["message"] for h in health if "is full" in h["message"]}
    assert "dead_letter_max 1024" in full
    assert health[-1]["event"]["action"] in ("output-up", "output-rejected")
    assert any(h["event"]["action"] == "output-up" for h in health)

"""A receiver refusing a request as a whole (a configuration mistake on either side) never
costs an alert: the output is down and retries until someone fixes it. Only a document refused
by itself (an Elasticsearch mapping error) leaves the stream, into the dead-letter file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.outputs.delivery import Outputs
from tests.outputs.receivers import Elasticsearch, Splunk
from tests.outputs.siem_support import FakeCollector, make_alert, write_alerts
from tests.outputs.test_siem_http import wait_until

FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "timeout": 2.0}


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., tuple[Outputs, list[dict[str, Any]]]]]:
    started: list[Outputs] = []

    def run(raw: dict[str, Any]) -> tuple[Outputs, list[dict[str, Any]]]:
        health: list[dict[str, Any]] = []
        outs = Outputs.from_config([raw], tmp_path, health.append)
        outs.start()
        started.append(outs)
        return outs, health

    yield run
    for o in started:
        assert o.stop(10)


def alerts(n: int) -> list[dict[str, Any]]:
    return [make_alert(f"/var/www/html/s{i}.php", n=i) for i in range(n)]


def refused(col: FakeCollector) -> list[dict[str, Any]]:
    return [r for r in col.requests if r["status"] >= 400]


def fix_index(s: Splunk) -> None:
    s.indexes.add("sec")


def fix_ack(s: Splunk) -> None:
    s.ack = False


def fix_token(s: Splunk) -> None:
    s.token = "s3cret"


@pytest.mark.parametrize(
    ("receiver_factory", "extra", "words", "fix"),
    [
        (lambda: Splunk(indexes={"main"}), {"index": "sec"}, "Incorrect index", fix_index),
        (lambda: Splunk(ack=True), {}, "Data channel is missing", fix_ack),
        (lambda: Splunk(token="rotated"), {}, "Invalid token", fix_token),
    ],
    ids=["code7-wrong-index", "code10-channel-missing", "code4-token"],
)
def test_hec_request_level_errors_keep_every_alert_until_fixed(
    tmp_path: Path,
    start: Any,
    receiver_factory: Callable[[], Splunk],
    extra: dict[str, Any],
    words: str,
    fix: Callable[[Splunk], None],
) -> None:
    receiver = receiver_factory()
    docs = alerts(12)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    size = (tmp_path / "alerts.jsonl").stat().st_size
    with FakeCollector(receiver) as col:
        outs, health = start({"type": "hec", "url": col.url, "token": "s3cret", **extra, **FAST})
        assert wait_until(lambda: len(refused(col)) >= 5)
        # down, retrying, and the saved position has not moved past anything
        assert outs.stats()["hec"]["down"] and outs.stats()["hec"]["backlog_bytes"] == size
        assert not (tmp_path / "dead-letter").exists()
        fix(receiver)  # the operator fixes the receiver; nothing is re-configured here
        assert wait_until(lambda: outs.stats()["hec"]["backlog_bytes"] == 0)
    assert sorted(set(receiver.ids())) == sorted(d["event"]["id"] for d in docs)
    assert {r["status"] for r in refused(col)} <= {400, 403}
    actions = [h["event"]["action"] for h in health]
    assert actions[0] == "output-down" and actions[-1] == "output-up"
    assert "output-rejected" not in actions and "output-dropped" not in actions
    assert words in health[0]["message"] and "HTTP 4" in health[0]["message"]
    assert outs.stats()["hec"]["delivered"] == 12 and outs.stats()["hec"]["rejected"] == 0


def test_elasticsearch_request_level_400_is_retried_not_dropped(tmp_path: Path, start: Any) -> None:
    docs = alerts(8)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    es = Elasticsearch(block_requests=True)
    with FakeCollector(es) as col:
        outs, health = start({"type": "elasticsearch", "url": col.url, **FAST})
        assert wait_until(lambda: len(refused(col)) >= 5)
        assert outs.stats()["elasticsearch"]["backlog_bytes"] > 0
        es.block_requests = False
        assert wait_until(lambda: outs.stats()["elasticsearch"]["backlog_bytes"] == 0)
    assert set(es.docs) == {d["event"]["id"] for d in docs}
    actions = [h["event"]["action"] for h in health]
    assert actions[0] == "output-down" and actions[-1] == "output-up"
    assert "action_request_validation_exception" in health[0]["message"]
    assert "output-rejected" not in actions


def test_elasticsearch_mapping_error_goes_to_the_dead_letter_file(
    tmp_path: Path, start: Any
) -> None:
    docs = alerts(6)
    docs[3]["file"]["size"] = "12 KB"  # does not fit the `long` mapping: refused by itself
    write_alerts(tmp_path / "alerts.jsonl", docs)
    es = Elasticsearch()
    with FakeCollector(es) as col:
        outs, health = start({"type": "elasticsearch", "url": col.url, **FAST})
        assert wait_until(lambda: outs.stats()["elasticsearch"]["backlog_bytes"] == 0)
    assert len(col.requests) == 1
    assert set(es.docs) == {d["event"]["id"] for i, d in enumerate(docs) if i != 3}
    dead = tmp_path / "dead-letter" / "elasticsearch.jsonl"
    (line,) = dead.read_text().splitlines()
    kept = json.loads(line)
    assert kept["document"] == docs[3] and kept["output"] == "elasticsearch"
    assert "document_parsing_exception" in kept["reason"]
    (rej,) = health
    assert rej["event"]["action"] == "output-rejected"
    assert rej["webshell"]["output"]["event_ids"] == [docs[3]["event"]["id"]]
    assert rej["webshell"]["output"]["dead_letter_file"] == str(dead)
    assert outs.stats()["elasticsearch"] == {**outs.stats()["elasticsearch"], "rejected": 1}


def test_elasticsearch_sets_event_ingested_at_send_time(tmp_path: Path, start: Any) -> None:
    docs = alerts(2)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    es = Elasticsearch()
    with FakeCollector(es) as _col:
        outs, _health = start({"type": "elasticsearch", "url": _col.url, **FAST})
        assert wait_until(lambda: outs.stats()["elasticsearch"]["backlog_bytes"] == 0)
    for d in docs:
        got = es.docs[d["event"]["id"]]["event"]
        assert got["ingested"] >= d["event"]["created"]
        assert {k: v for k, v in got.items() if k != "ingested"} == d["event"]
    assert (
        "ingested"
        not in json.loads((tmp_path / "alerts.jsonl").read_text().splitlines()[0])["event"]
    )


def test_hec_ack_on_with_a_token_without_acknowledgement_delivers_once_and_says_so(
    tmp_path: Path, start: Any
) -> None:
    docs = alerts(15)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    splunk = Splunk(ack=False)  # the token: acknowledgement off; /ack answers code 14
    with FakeCollector(splunk) as col:
        outs, health = start(
            {"type": "hec", "url": col.url, "token": "s3cret", "ack": True, "batch_size": 5, **FAST}
        )
        assert wait_until(lambda: outs.stats()["hec"]["backlog_bytes"] == 0)
    assert splunk.ids() == [d["event"]["id"] for d in docs]  # once each: nothing re-sent
    (warning,) = health
    assert warning["event"]["action"] == "output-warning"
    assert "acknowledgement off" in warning["message"]

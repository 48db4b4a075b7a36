"""Loopback receivers that answer as Splunk HEC and Elasticsearch document it, for FakeCollector.

Splunk ("Troubleshoot HTTP Event Collector", "Format events for HEC", indexer acknowledgment):
every answer is `{"text": ..., "code": N}`; a request is checked for the token (401 code 2, 403
code 4), the channel when acknowledgment is on (400 code 10 "Data channel is missing"), the
index of every event (400 code 7 "Incorrect index" with `invalid-event-number`) and that each
event has an `event` field (400 code 12). Acks come from /services/collector/ack.

Elasticsearch (`_bulk` API): a request-level problem is an HTTP 4xx with `{"error": {"type",
"reason", "root_cause": [...]}, "status": N}`; otherwise 200 with `errors` and one item per
action, item `status` 201 created, 409 on an existing `_id`, 400 `document_parsing_exception`
when a document does not fit the mapping.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import Any

from tests.outputs.siem_support import FakeCollector


def body_of(req: dict[str, Any]) -> bytes:
    body: bytes = req["body"]
    if req["headers"].get("Content-Encoding") == "gzip":
        return gzip.decompress(body)
    return body


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


def _reply(status: int, doc: dict[str, Any]) -> tuple[int, bytes]:
    return status, json.dumps(doc).encode()


@dataclass
class Splunk:
    token: str = "s3cret"
    indexes: set[str] = field(default_factory=lambda: {"main"})
    ack: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)
    _ack_ids: int = 0

    def __call__(self, col: FakeCollector, req: dict[str, Any]) -> tuple[int, bytes]:
        auth = req["headers"].get("Authorization", "")
        if not auth:
            return _reply(401, {"text": "Token is required", "code": 2})
        if auth != f"Splunk {self.token}":
            return _reply(403, {"text": "Invalid token", "code": 4})
        channel = req["headers"].get("X-Splunk-Request-Channel")
        if req["path"] == "/services/collector/ack":
            if not self.ack:
                return _reply(400, {"text": "ACK is disabled", "code": 14})
            acks = json.loads(body_of(req))["acks"]
            return _reply(200, {"acks": {str(a): True for a in acks}})
        if self.ack and not channel:
            return _reply(400, {"text": "Data channel is missing", "code": 10})
        batch = concatenated(body_of(req))
        for n, event in enumerate(batch):
            if "event" not in event:
                return _reply(
                    400, {"text": "Event field is required", "code": 12, "invalid-event-number": n}
                )
            if event.get("index", "main") not in self.indexes:
                return _reply(
                    400, {"text": "Incorrect index", "code": 7, "invalid-event-number": n}
                )
        self.events += batch
        if self.ack:
            self._ack_ids += 1
            return _reply(200, {"text": "Success", "code": 0, "ackId": self._ack_ids})
        return _reply(200, {"text": "Success", "code": 0})

    def ids(self) -> list[str]:
        return [e["event"]["event"]["id"] for e in self.events]


@dataclass
class Elasticsearch:
    index_name: str = "logs-webshell_agent.alerts-default"
    block_requests: bool = False  # answer every _bulk with a request-level 400
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, col: FakeCollector, req: dict[str, Any]) -> tuple[int, bytes]:
        if self.block_requests:
            reason = "Validation Failed: 1: no requests added;"
            err = {"type": "action_request_validation_exception", "reason": reason}
            return _reply(400, {"error": {"root_cause": [err], **err}, "status": 400})
        lines = body_of(req).decode().split("\n")[:-1]
        items = []
        for action_line, doc_line in zip(lines[::2], lines[1::2], strict=True):
            action = json.loads(action_line)["create"]
            doc = json.loads(doc_line)
            if not isinstance(doc.get("file", {}).get("size"), int):  # `long` in the mapping
                reason = "[1:345] failed to parse field [file.size] of type [long]"
                items.append(
                    {
                        "create": {
                            "_index": action["_index"],
                            "_id": action["_id"],
                            "status": 400,
                            "error": {"type": "document_parsing_exception", "reason": reason},
                        }
                    }
                )
            elif action["_id"] in self.docs:
                items.append(
                    {
                        "create": {
                            "_id": action["_id"],
                            "status": 409,
                            "error": {"type": "version_conflict_engine_exception"},
                        }
                    }
                )
            else:
                self.docs[action["_id"]] = doc
                items.append({"create": {"_id": action["_id"], "status": 201, "result": "created"}})
        errors = any(i["create"]["status"] >= 300 for i in items)
        return _reply(200, {"took": 3, "errors": errors, "items": items})

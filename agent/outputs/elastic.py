"""Elasticsearch `_bulk` with `create` and `_id = event.id`.

Data streams accept only `create`; our own `_id` makes a re-sent document a 409 conflict,
which counts as delivered -- so at-least-once delivery becomes exactly-once in the index.
Plain HTTP rather than the official client, whose 9.x major refuses to talk to 8.x clusters.

`event.ingested` is set at send time (Elastic's External Alerts rule orders by it). Only an item
refused with 400 (a mapping or parsing error: this document will never fit this index) leaves
the stream, into the dead-letter file; any other item error (403 read-only index, 404 missing
index, 429, 5xx) and any request-level error retries the whole batch.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.outputs.fields import get
from agent.outputs.http import HttpClient, Rejected, Retry, check_status, compress
from agent.outputs.jsonl import encode_line
from agent.timefmt import iso

DEFAULT_INDEX = "logs-webshell_agent.alerts-default"
REJECT_ITEM = frozenset({400})


@dataclass(frozen=True)
class BulkResult:
    rejected: list[tuple[int, str]]  # (position in the batch, reason) of refused documents


def bulk_body(docs: Sequence[dict[str, Any]], index: str, ingested: str | None = None) -> bytes:
    lines: list[bytes] = []
    for doc in docs:
        if ingested is not None:
            event = doc.get("event")
            doc = {
                **doc,
                "event": {**(event if isinstance(event, dict) else {}), "ingested": ingested},
            }
        action: dict[str, Any] = {"_index": index}
        if get(doc, "event.id"):
            action["_id"] = str(get(doc, "event.id"))
        lines.append(encode_line({"create": action}))
        lines.append(encode_line(doc))
    return b"".join(lines)


def read_bulk_response(body: Any, count: int) -> BulkResult:
    """Per-item outcome: 2xx and 409 delivered, 400 refused (dead letter), else retry."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise Retry("Elasticsearch: _bulk answered without an items list")
    items = body["items"]
    if len(items) != count:
        raise Retry(f"Elasticsearch: _bulk answered {len(items)} items for {count} documents")
    rejected: list[tuple[int, str]] = []
    retry: list[str] = []
    for pos, item in enumerate(items):
        result: Any = next(iter(item.values()), {}) if isinstance(item, dict) and item else {}
        status = result.get("status", 0) if isinstance(result, dict) else 0
        status = status if isinstance(status, int) else 0
        if 200 <= status < 300 or status == 409:
            continue
        err = result.get("error", {}) if isinstance(result, dict) else {}
        reason = (
            f"{status} {err.get('type', '')}: {err.get('reason', '')}"
            if isinstance(err, dict)
            else f"{status} {err}"
        )
        if status in REJECT_ITEM:
            rejected.append((pos, reason))
        else:
            retry.append(reason)
    if retry:
        raise Retry(
            f"Elasticsearch: {len(retry)} of {count} documents must be retried ({retry[0]})"
        )
    return BulkResult(rejected)


class ElasticSender:
    def __init__(
        self,
        client: HttpClient,
        index: str = DEFAULT_INDEX,
        *,
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        compress: bool = False,
    ) -> None:
        self.compress = compress
        self.client = client
        self.index = index
        self.headers = {"Content-Type": "application/x-ndjson"}
        if api_key:
            self.headers["Authorization"] = f"ApiKey {api_key}"
        elif username is not None:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
        self.path = client.base_path + "/_bulk"

    def send(self, docs: Sequence[dict[str, Any]]) -> BulkResult:
        headers = dict(self.headers)
        body = compress(bulk_body(docs, self.index, iso()), headers, self.compress)
        resp = self.client.request("POST", self.path, body, headers)
        check_status(resp, "Elasticsearch _bulk")
        return read_bulk_response(resp.json(), len(docs))

    def close(self) -> None:
        self.client.close()


__all__ = ["BulkResult", "ElasticSender", "Rejected", "Retry", "bulk_body", "read_bulk_response"]

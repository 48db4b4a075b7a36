"""Splunk HTTP Event Collector: event formatting and a batching sender with optional
indexer acknowledgement.

Batch = event objects concatenated in one body (Splunk "Format events for HEC"); `time` is
epoch seconds with milliseconds; the whole ECS document is the `event`. With `ack` on, a 200
only means "received": the sender polls /services/collector/ack until every ackId is true, so
a batch counts as delivered only once indexed.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agent.outputs.fields import get, text, timestamp
from agent.outputs.http import HttpClient, Rejected, Response, Retry, check_status, compress
from agent.outputs.jsonl import encode_line

EVENT_PATH = "/services/collector/event"
ACK_PATH = "/services/collector/ack"


@dataclass(frozen=True)
class HecFormat:
    index: str | None = None
    sourcetype: str = "webshell_agent:alert"
    source: str = "webshell-agent"

    def event(self, doc: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time": round(timestamp(doc).timestamp(), 3),
            "host": text(get(doc, "host.hostname") or get(doc, "host.name")) or None,
            "source": self.source,
            "sourcetype": self.sourcetype,
            "event": doc,
        }
        if self.index:
            out["index"] = self.index
        return {k: v for k, v in out.items() if v is not None}

    def body(self, docs: Sequence[dict[str, Any]]) -> bytes:
        """Concatenated JSON objects, one per line (no array, no commas)."""
        return b"".join(encode_line(self.event(d)) for d in docs)


class HecSender:
    def __init__(
        self,
        client: HttpClient,
        token: str,
        fmt: HecFormat,
        *,
        ack: bool = False,
        ack_timeout: float = 120.0,
        ack_poll: float = 1.0,
        sleep: Callable[[float], bool] | None = None,
        compress: bool = False,
    ) -> None:
        self.compress = compress
        # told once when the token has acknowledgement off although `ack` is on
        self.warn: Callable[[str], None] | None = None
        self._warned = False
        self.client = client
        self.token = token
        self.fmt = fmt
        self.ack = ack
        self.ack_timeout = ack_timeout
        self.ack_poll = ack_poll
        # sleep(seconds) -> True when the caller wants to stop waiting (agent stopping)
        self._sleep = sleep or _plain_sleep
        self.channel = str(uuid.uuid4())
        path = client.base_path
        self.event_path = (
            path if path.endswith("/event") or "/collector" in path else path + EVENT_PATH
        )
        self.ack_path = self.event_path.split("/services/collector")[0] + ACK_PATH

    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Splunk {self.token}", "Content-Type": "application/json"}
        if self.ack:
            headers["X-Splunk-Request-Channel"] = self.channel
        return headers

    def send(self, docs: Sequence[dict[str, Any]]) -> None:
        headers = self._headers()
        body = compress(self.fmt.body(docs), headers, self.compress)
        resp = self.client.request("POST", self.event_path, body, headers)
        check_hec(resp, "HEC")
        if self.ack:
            ack_id = (resp.json() or {}).get("ackId")
            if not isinstance(ack_id, int) and (resp.json() or {}).get("code") == 0:
                # The token has acknowledgement off: Splunk took (and indexes) the events.
                # Sending them again would index them again; deliver, and say so once.
                if self.warn is not None and not self._warned:
                    self._warned = True
                    self.warn(
                        "ack = true but the HEC token has indexer acknowledgement off: events"
                        " are delivered when received, not when indexed (set ack = false, or"
                        " enable acknowledgement on the token)"
                    )
                return
            if not isinstance(ack_id, int):
                raise Retry(
                    "HEC: indexer acknowledgement is on but the response had no ackId"
                    " (is ack enabled on the token?)"
                )
            self._wait_ack(ack_id)

    def _wait_ack(self, ack_id: int) -> None:
        deadline = time.monotonic() + self.ack_timeout
        body = json.dumps({"acks": [ack_id]}).encode()
        while True:
            resp = self.client.request("POST", self.ack_path, body, self._headers())
            check_hec(resp, "HEC ack")
            acks = (resp.json() or {}).get("acks", {})
            if acks.get(str(ack_id)) is True:
                return
            if time.monotonic() >= deadline:
                raise Retry(
                    f"HEC: ackId {ack_id} not acknowledged within {self.ack_timeout:g} s; resending"
                )
            if self._sleep(self.ack_poll):
                raise Retry("HEC: stopped while waiting for the indexer acknowledgement")

    def close(self) -> None:
        self.client.close()


def _plain_sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False


# HEC status codes that are about the events sent (Splunk "Troubleshoot HTTP Event Collector"):
# 6 invalid data format (with invalid-event-number), 12 event field is required, 13 event
# field cannot be blank, 15 error in handling indexed fields. Every other code (7 incorrect
# index, 10 data channel is missing, 11 invalid data channel, 14 ACK is disabled, 2/3/4 token,
# ...) is the receiver's or our configuration: retried with backoff until an operator fixes it.
EVENT_CODES = frozenset({6, 12, 13, 15})


def check_hec(resp: Response, what: str) -> None:
    """HEC answers errors with {"text", "code"}: per-event codes are `Rejected` (the loop
    narrows them down to one event), anything else is `Retry`."""
    doc = resp.json()
    code = doc.get("code") if isinstance(doc, dict) else None
    if 200 <= resp.status < 300 and code in (None, 0):
        return
    if code in EVENT_CODES and resp.status == 400:
        detail = resp.body[:300].decode("utf-8", "replace").strip()
        raise Rejected(f"{what}: HTTP {resp.status}: {detail}")
    check_status(resp, what)  # non-2xx: Retry (or Rejected for 413) with the receiver's words
    raise Retry(f"{what}: code {code}: {doc.get('text') if isinstance(doc, dict) else ''}")


__all__ = ["HecFormat", "HecSender", "Rejected", "Retry"]

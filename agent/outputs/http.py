"""A minimal HTTP(S) client for the collector outputs (stdlib only, one request at a time).

Outcomes are sorted for the delivery loop. A `Retry` keeps the batch and backs off: connection
trouble, timeouts, 5xx, and every request-level 4xx (400, 401, 403, 404, 422, ...), because a
request the receiver refuses as a whole says its configuration or ours is wrong (a missing
index, a token, a channel), never that these alerts are; an operator fixes it and delivery
resumes with nothing lost. A `Rejected` (413: this body is too large) lets the loop split the
batch; a single document refused that way goes to the output's dead-letter file. Per-document
refusals are read from the receiver's own answer (HEC codes, `_bulk` items).
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.parse
from dataclasses import dataclass
from typing import Any

REJECT_STATUS = frozenset({413})  # too large: the only status that is about the documents


class Retry(Exception):
    """Try the same batch again later."""


class Rejected(Exception):
    """The receiver will never take this batch as it is (split it; a single document goes to
    the dead-letter file)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


def tls_context(
    ca_file: str | None, verify: bool, cert_file: str | None = None, key_file: str | None = None
) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert_file:
        ctx.load_cert_chain(cert_file, key_file)
    return ctx


class HttpClient:
    """Keeps one connection to one origin alive between batches."""

    def __init__(self, url: str, *, timeout: float, ssl_context: ssl.SSLContext | None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base_path = parts.path.rstrip("/")
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._conn: http.client.HTTPConnection | None = None

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=self.ssl_context
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Response:
        """One request; `Retry` on transport errors. Status codes are left to the caller."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except ssl.SSLCertVerificationError as e:
                self.close()
                raise Retry(
                    f"TLS certificate verification failed for {self.origin}: {e.verify_message}"
                ) from e
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt == 1:
                    continue  # a kept-alive connection the server had closed: one fresh try
                raise Retry(f"{self.origin}: connection lost: {e}") from e
            except TimeoutError as e:
                self.close()
                raise Retry(f"{self.origin}: timed out after {self.timeout:g} s") from e
            except (OSError, http.client.HTTPException) as e:
                self.close()
                raise Retry(f"{self.origin}: {getattr(e, 'strerror', None) or e}") from e
            if resp.getheader("connection", "").lower() == "close":
                self.close()
            return Response(resp.status, data)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def check_status(resp: Response, what: str) -> None:
    """Raise Retry/Rejected for anything but 2xx, with the receiver's own words."""
    if 200 <= resp.status < 300:
        return
    detail = resp.body[:300].decode("utf-8", "replace").strip()
    message = f"{what}: HTTP {resp.status}" + (f": {detail}" if detail else "")
    if resp.status in REJECT_STATUS:
        raise Rejected(message)
    raise Retry(message)

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

import base64
import gzip
import json
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import http.client
    import ssl

# http.client, urllib.request (with the email package: ~2 MB of an idle agent's RSS) and ssl
# (libssl and libcrypto, ~4 MB) are imported where an HTTP output is actually used, not by
# every agent that loads this module.

from agent import __version__

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
    import ssl

    ctx = ssl.create_default_context(cafile=ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert_file:
        ctx.load_cert_chain(cert_file, key_file)
    return ctx


USER_AGENT = f"webshell-agent/{__version__}"


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str | None = None  # "Basic ..." from user:password in the proxy URL

    @classmethod
    def parse(cls, url: str) -> Proxy:
        parts = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a proxy is an http://host:port URL, got {url!r}")
        auth = None
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            secret = urllib.parse.unquote(parts.password or "")
            auth = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
        return cls(parts.hostname, parts.port or 3128, auth)


def proxy_for(url: str, configured: str | None) -> Proxy | None:
    """The proxy to reach `url`: the `proxy` key ("none": never), else the environment as curl
    reads it (HTTPS_PROXY / HTTP_PROXY, lower-case too, and NO_PROXY)."""
    if configured is not None:
        return None if configured.lower() in ("", "none") else Proxy.parse(configured)
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    env = urllib.request.getproxies_environment()
    chosen = env.get(parts.scheme)
    host = parts.hostname or ""
    if not chosen or bypass(host, env.get("no", "")):
        return None
    return Proxy.parse(chosen)


def bypass(host: str, no_proxy: str) -> bool:
    """NO_PROXY as curl reads it: `*`, or comma-separated names matching the host or a parent
    domain (a leading dot is optional; a `:port` suffix is ignored)."""
    host = host.lower().rstrip(".")
    for entry in no_proxy.split(","):
        name = entry.strip().lower().lstrip(".")
        if name.startswith("[") and "]" in name:
            name = name[1 : name.index("]")]
        elif name.count(":") == 1:
            name = name.split(":")[0]
        if name == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


class HttpClient:
    """Keeps one connection to one origin alive between batches, through an HTTP proxy when
    one applies (CONNECT tunnel for https, absolute-form requests for http)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float,
        ssl_context: ssl.SSLContext | None,
        proxy: Proxy | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base_path = parts.path.rstrip("/")
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.proxy = proxy
        self._conn: http.client.HTTPConnection | None = None

    @property
    def origin(self) -> str:
        via = f" via proxy {self.proxy.host}:{self.proxy.port}" if self.proxy else ""
        return f"{self.scheme}://{self.host}:{self.port}{via}"

    def _connection(self) -> http.client.HTTPConnection:
        import http.client

        if self._conn is None:
            host, port = (
                (self.proxy.host, self.proxy.port) if self.proxy else (self.host, self.port)
            )
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=self.ssl_context
                )
                if self.proxy is not None:
                    tunnel = (
                        {"Proxy-Authorization": self.proxy.authorization}
                        if self.proxy.authorization
                        else None
                    )
                    self._conn.set_tunnel(self.host, self.port, headers=tunnel)
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        return self._conn

    def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Response:
        """One request; `Retry` on transport errors. Status codes are left to the caller."""
        import http.client
        import ssl

        for attempt in (1, 2):
            conn = self._connection()
            headers = {"User-Agent": USER_AGENT, **headers}
            if self.proxy is not None and self.scheme == "http":
                path = f"http://{self.host}:{self.port}{path}"  # absolute form for the proxy
                if self.proxy.authorization:
                    headers["Proxy-Authorization"] = self.proxy.authorization
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


def compress(body: bytes, headers: dict[str, str], enabled: bool) -> bytes:
    """gzip (level 1: most of the saving for little CPU) with its Content-Encoding header."""
    if not enabled:
        return body
    headers["Content-Encoding"] = "gzip"
    return gzip.compress(body, compresslevel=1, mtime=0)


def check_status(resp: Response, what: str) -> None:
    """Raise Retry/Rejected for anything but 2xx, with the receiver's own words."""
    if 200 <= resp.status < 300:
        return
    detail = resp.body[:300].decode("utf-8", "replace").strip()
    message = f"{what}: HTTP {resp.status}" + (f": {detail}" if detail else "")
    if resp.status in REJECT_STATUS:
        raise Rejected(message)
    raise Retry(message)

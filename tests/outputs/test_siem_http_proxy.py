"""HEC and Elasticsearch through an HTTP proxy (a real CONNECT proxy on loopback, written here),
NO_PROXY, the User-Agent, and gzip bodies."""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import __version__
from agent.outputs.delivery import Outputs
from agent.outputs.http import bypass
from tests.outputs.receivers import Elasticsearch, Splunk
from tests.outputs.siem_support import FakeCollector, make_alert, make_pki, write_alerts
from tests.outputs.test_siem_http import wait_until

FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "timeout": 5.0}


class ConnectProxy:
    """A minimal forward proxy: `CONNECT host:port`, then bytes both ways. Records each
    request head so the test can see what went through it."""

    def __init__(self) -> None:
        self.heads: list[str] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                head = b""
                while not head.endswith(b"\r\n\r\n") and len(head) < 16384:
                    byte = self.rfile.read(1)
                    if not byte:
                        return
                    head += byte
                text = head.decode("latin-1")
                proxy.heads.append(text)
                method, target, _ = text.split("\r\n", 1)[0].split(" ", 2)
                if method != "CONNECT":
                    self.wfile.write(
                        b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n"
                    )
                    return
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)), timeout=10)
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()
                pump = threading.Thread(target=_pipe, args=(upstream, self.connection), daemon=True)
                pump.start()
                _pipe(self.connection, upstream)
                pump.join(10)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ConnectProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Outputs]]:
    started: list[Outputs] = []

    def run(raw: dict[str, Any]) -> Outputs:
        outs = Outputs.from_config([raw], tmp_path, lambda _doc: None)
        outs.start()
        started.append(outs)
        return outs

    yield run
    for o in started:
        assert o.stop(10)


def alerts(n: int) -> list[dict[str, Any]]:
    return [make_alert(f"/var/www/p{i}.php", n=i) for i in range(n)]


def test_https_proxy_from_the_environment_tunnels_with_connect(
    tmp_path: Path, start: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pki = make_pki(tmp_path)
    docs = alerts(7)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    splunk = Splunk()
    with ConnectProxy() as proxy, FakeCollector(splunk, tls=pki) as col:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "localhost,.internal.example")
        outs = start(
            {"type": "hec", "url": col.url, "token": "s3cret", "ca_file": str(pki["ca"]), **FAST}
        )
        assert wait_until(lambda: outs.stats()["hec"]["backlog_bytes"] == 0)
    assert sorted(splunk.ids()) == sorted(d["event"]["id"] for d in docs)
    port = col.url.rsplit(":", 1)[1]
    assert proxy.heads and proxy.heads[0].startswith(f"CONNECT 127.0.0.1:{port} HTTP/1.")
    assert col.requests[0]["headers"]["User-Agent"] == f"webshell-agent/{__version__}"


def test_proxy_key_with_credentials_and_no_proxy_bypass(
    tmp_path: Path, start: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pki = make_pki(tmp_path)
    write_alerts(tmp_path / "alerts.jsonl", alerts(3))
    es = Elasticsearch()
    with ConnectProxy() as proxy, FakeCollector(es, tls=pki) as col:
        monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # would fail: must be bypassed
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        bypassed = start(
            {
                "type": "elasticsearch",
                "url": col.url,
                "ca_file": str(pki["ca"]),
                "name": "direct",
                **FAST,
            }
        )
        assert wait_until(lambda: bypassed.stats()["direct"]["backlog_bytes"] == 0)
        assert proxy.heads == []
        host, port = proxy.url.removeprefix("http://").split(":")
        through = start(
            {
                "type": "elasticsearch",
                "url": col.url,
                "ca_file": str(pki["ca"]),
                "name": "proxied",
                "proxy": f"http://agent:p%40ss@{host}:{port}",
                **FAST,
            }
        )
        assert wait_until(lambda: through.stats()["proxied"]["backlog_bytes"] == 0)
    assert len(proxy.heads) == 1
    assert "Proxy-Authorization: Basic YWdlbnQ6cEBzcw==" in proxy.heads[0]  # agent:p@ss
    assert len(es.docs) == 3


@pytest.mark.parametrize("kind", ["hec", "elasticsearch"])
def test_gzip_bodies(tmp_path: Path, start: Any, kind: str) -> None:
    docs = alerts(20)
    write_alerts(tmp_path / "alerts.jsonl", docs)
    receiver: Splunk | Elasticsearch = Splunk() if kind == "hec" else Elasticsearch()
    with FakeCollector(receiver) as col:
        outs = start(
            {"type": kind, "url": col.url, "token": "s3cret", "compress": True, **FAST}
            if kind == "hec"
            else {"type": kind, "url": col.url, "compress": True, **FAST}
        )
        assert wait_until(lambda: outs.stats()[kind]["backlog_bytes"] == 0)
    (req,) = col.requests
    assert req["headers"]["Content-Encoding"] == "gzip"
    plain = gzip.decompress(req["body"])
    assert len(req["body"]) * 4 < len(plain)
    got = receiver.ids() if isinstance(receiver, Splunk) else list(receiver.docs)
    assert sorted(got) == sorted(d["event"]["id"] for d in docs)


@pytest.mark.parametrize(
    ("host", "no_proxy", "skip"),
    [
        ("siem.corp.example", "corp.example", True),
        ("siem.corp.example", ".corp.example", True),
        ("corp.example", "corp.example:8088", True),
        ("notcorp.example", "corp.example", False),
        ("10.0.0.5", "10.0.0.5", True),
        ("::1", "[::1]:8088", True),
        ("anything", "*", True),
        ("anything", "", False),
    ],
)
def test_no_proxy_matching(host: str, no_proxy: str, skip: bool) -> None:
    assert bypass(host, no_proxy) is skip

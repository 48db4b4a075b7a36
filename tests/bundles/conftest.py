"""Signed rule bundles with real parts: our keys and the minisign CLI's, real tar.gz archives,
a real HTTPS server on loopback with a CA made here (openssl CLI), a folder as the share."""

from __future__ import annotations

import atexit
import functools
import gzip
import hashlib
import http.server
import io
import os
import shutil
import ssl
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent.rules import bundle, minisign, samples
from agent.rules.bundle_manifest import Manifest

RULE = """
rule B_Eval_Request_v{n}
{{
    meta:
        description = "eval of request data (bundle {n})"
        severity = "critical"
    strings:
        $a = "eval(Request" nocase
    condition:
        $a
}}
"""
SHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>'
BENIGN = b"<html><body><% Response.Write(DateTime.Now) %></body></html>"


def need_minisign() -> str:
    found = shutil.which("minisign")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("minisign is not installed but CI needs it: run `make deps-system`")
    pytest.skip("minisign not installed (make deps-system)")


def rule_folder(root: Path, n: int, *, rule: str | None = None, expect: str | None = None) -> Path:
    """A folder laid out like signatures/: one rule and its own test cases."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "aspx").mkdir(exist_ok=True)
    (root / "aspx" / "eval.yar").write_text(rule or RULE.format(n=n), encoding="utf-8")
    samples_dir = root / "tests" / "samples" / "aspx"
    samples_dir.mkdir(parents=True, exist_ok=True)
    (samples_dir / "shell.aspx.b64x").write_bytes(samples.encode(SHELL))
    (samples_dir / "page.aspx.b64x").write_bytes(samples.encode(BENIGN))
    (root / "tests" / "aspx.toml").write_text(
        '[[case]]\nsample = "shell.aspx"\n'
        f'match = ["{expect or f"B_Eval_Request_v{n}"}"]\n\n'
        '[[case]]\nsample = "page.aspx"\n',
        encoding="utf-8",
    )
    return root


@dataclass
class Keys:
    secret: minisign.SecretKey
    public: minisign.PublicKey
    secret_file: Path
    public_file: Path


def make_keys(folder: Path) -> Keys:
    folder.mkdir(parents=True, exist_ok=True)
    key = minisign.generate()
    (folder / "k.key").write_text(key.file_text())
    (folder / "k.pub").write_text(key.public().file_text())
    return Keys(key, key.public(), folder / "k.key", folder / "k.pub")


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return make_keys(tmp_path / "keys")


def publish(src: Path, version: int, keys: Keys, out_dir: Path) -> Path:
    """Build a bundle with our code into out_dir/webshell-rules.tar.gz (+ .minisig)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / bundle.BUNDLE_NAME
    bundle.build(src, version, keys.secret, out, min_agent_version="0.1.0")
    return out


def forge(
    members: list[tuple[tarfile.TarInfo, bytes]],
    version: int,
    keys: Keys,
    *,
    listed: dict[str, bytes] | None = None,
) -> tuple[bytes, str]:
    """A properly signed archive whose content is whatever the test says (an insider, or a
    stolen key: the member checks must stand on their own)."""
    files = listed if listed is not None else {i.name: d for i, d in members if i.isreg()}
    manifest = Manifest(
        version, "2026-01-01T00:00:00Z", "0.1.0",
        {n: hashlib.sha256(d).hexdigest() for n, d in files.items()},
    )  # fmt: skip
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = manifest.to_bytes()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    archive = gzip.compress(raw.getvalue())
    sig = minisign.sign(keys.secret, archive, f"version:{version}").file_text()
    return archive, sig


def member(
    name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = ""
) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


# -- HTTPS on loopback -------------------------------------------------------------------------


@functools.cache
def _session_pki() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="wsa-bundle-pki-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    key = "-newkey rsa:2048 -nodes -days 2"
    for cmd in (
        f"req -x509 {key} -keyout ca.key -out ca.pem -subj /CN=bundle-test-ca",
        f"req {key} -keyout server.key -out server.csr -subj /CN=localhost",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
        " -days 2 -extfile ext.cnf",
        f"req -x509 {key} -keyout other.key -out other-ca.pem -subj /CN=wrong-ca",
    ):
        subprocess.run(["openssl", *cmd.split()], cwd=folder, check=True, capture_output=True)
    return folder


@dataclass
class Server:
    root: Path
    url: str
    ca: Path
    wrong_ca: Path
    requests: list[tuple[str, dict[str, str], int]] = field(default_factory=list)
    mode: str = "normal"  # normal | slow | truncate | error
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)

    def count(self, suffix: str, status: int | None = None) -> int:
        with self.lock:
            return sum(1 for p, _, s in self.requests if p.endswith(suffix) and status in (None, s))


def _handler(server: Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _record(self, status: int) -> None:
            with server.lock:
                server.requests.append((self.path, dict(self.headers), status))

        def do_GET(self) -> None:
            path = server.root / self.path.lstrip("/").split("?")[0]
            if server.mode == "error":
                self._record(503)
                self.send_error(503)
                return
            try:
                data = path.read_bytes()
            except OSError:
                self._record(404)
                self.send_error(404)
                return
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._record(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._record(200)
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if server.mode == "truncate" and path.suffix == ".gz":
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                return
            if server.mode == "slow" and path.suffix == ".gz":
                for i in range(0, len(data), 64):  # a server that trickles: 64 bytes a second
                    if server.closing.is_set():
                        return
                    self.wfile.write(data[i : i + 64])
                    self.wfile.flush()
                    time.sleep(1.0)
                return
            self.wfile.write(data)

    return Handler


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[Server]:
    pki = _session_pki()
    root = tmp_path / "www"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server = Server(root, "", pki / "ca.pem", pki / "other-ca.pem")
    httpd.RequestHandlerClass = _handler(server)
    httpd.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    server.url = f"https://127.0.0.1:{httpd.server_address[1]}/{bundle.BUNDLE_NAME}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.closing.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def wait_for(pred: Callable[[], bool], timeout: float = 120.0, what: str = "condition") -> None:
    """Poll until pred() holds; the timeout only stops a hung test (no speed is asserted)."""
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)

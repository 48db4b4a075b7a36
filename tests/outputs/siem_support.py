"""Helpers for the SIEM output tests: real alert documents, parsers of each wire format, a
real rsyslog on loopback, and fake HEC / Elasticsearch receivers (stdlib http.server)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.alerts import build_alert
from agent.identity import Identity
from agent.scanner import FileInfo, Hashes, RuleMatch, ScanResult, StringHit, Verdict

IDENTITY = Identity("web01.example.test", "5b1c2f9e-0000-4000-8000-000000000001")


def make_alert(
    path: str = "/var/www/html/shell.php",
    rules: tuple[str, ...] = ("PHP_Webshell_Eval",),
    n: int = 0,
) -> dict[str, Any]:
    """A real alert document from build_alert(); `n` varies the content hash (and so event.id)."""
    matches = tuple(
        RuleMatch(
            rule=r,
            namespace="php",
            tags=("webshell", "php"),
            meta={
                "severity": "critical" if i == 0 else "high",
                "family": "China Chopper",
                "author": "test",
            },
            strings=(StringHit("$eval", 10, 12, b"eval($_POST["),),
        )
        for i, r in enumerate(rules)
    )
    digest = f"{n:064x}"
    result = ScanResult(
        path=path,
        verdict=Verdict.MATCHED,
        info=FileInfo(
            size=120 + n,
            mtime=1.7e9,
            ctime=1.7e9,
            mode=0o100644,
            uid=33,
            owner="www-data",
            inode=1000 + n,
            device=2049,
        ),
        hashes=Hashes(sha256=digest, sha1=digest[:40], md5=digest[:32]),
        matches=matches,
        duration=0.002,
        filetype="php",
    )
    return build_alert(result, IDENTITY, "r" * 64, trigger="created")


def write_alerts(path: Path, docs: list[dict[str, Any]]) -> None:
    """Append documents the way the agent's writer does: one flushed line each."""
    with open(path, "ab") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            fh.flush()


# -- wire-format parsers (the receiver's view) ----------------------------------------------
def parse_cef(line: str) -> tuple[list[str], dict[str, str]]:
    """Split a CEF line the way ArcSight does: 7 unescaped pipes, then key=value pairs whose
    boundaries are an unescaped '=' preceded by a key and a space."""
    assert "\n" not in line and "\r" not in line
    header: list[str] = []
    cur, i = "", 0
    while len(header) < 7:
        c = line[i]
        if c == "\\" and line[i + 1] in "\\|":
            cur += line[i + 1]
            i += 2
        elif c == "|":
            header.append(cur)
            cur = ""
            i += 1
        else:
            cur += c
            i += 1
    ext = line[i:]
    # positions of unescaped '='
    keys = [
        m for m in re.finditer(r"(?:^| )([A-Za-z0-9_]+)=", ext) if not _escaped(ext, m.end() - 1)
    ]
    out: dict[str, str] = {}
    for j, m in enumerate(keys):
        end = keys[j + 1].start() if j + 1 < len(keys) else len(ext)
        raw = ext[m.end() : end]
        out[m.group(1)] = re.sub(
            r"\\(.)", lambda e: {"n": "\n", "r": "\r"}.get(e.group(1), e.group(1)), raw
        )
    return header, out


def _escaped(s: str, pos: int) -> bool:
    n = 0
    while pos - 1 - n >= 0 and s[pos - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def parse_leef(line: str) -> tuple[list[str], dict[str, str]]:
    assert "\n" not in line and "\r" not in line
    parts = line.split("|", 6)
    assert parts[0] == "LEEF:2.0", parts[0]
    delim = "\t" if parts[5] == "x09" else parts[5]
    attrs: dict[str, str] = {}
    for item in parts[6].split(delim):
        key, _, value = item.partition("=")
        assert key not in attrs, f"duplicate key {key!r}"
        attrs[key] = value
    return parts[:6], attrs


SYSLOG_RE = re.compile(
    rb"<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(.*)", re.S
)


def parse_syslog(msg: bytes) -> dict[str, Any]:
    m = SYSLOG_RE.fullmatch(msg)
    assert m, msg[:200]
    return {
        "pri": int(m.group(1)),
        "timestamp": m.group(2).decode(),
        "hostname": m.group(3).decode(),
        "app": m.group(4).decode(),
        "procid": m.group(5).decode(),
        "msgid": m.group(6).decode(),
        "sd": parse_sd(m.group(7).decode()),
        "msg": m.group(8).decode("utf-8"),
    }


def parse_sd(sd: str) -> dict[str, dict[str, str]]:
    if sd == "-":
        return {}
    out: dict[str, dict[str, str]] = {}
    for elem in re.finditer(r'\[([^ \]]+)((?: [^= \]"]+="(?:[^"\\]|\\.)*")*)\]', sd):
        params = {
            k: re.sub(r"\\(.)", r"\1", v)
            for k, v in re.findall(r' ([^= \]"]+)="((?:[^"\\]|\\.)*)"', elem.group(2))
        }
        out[elem.group(1)] = params
    return out


def unframe(stream: bytes) -> list[bytes]:
    """Octet-counted frames back into messages."""
    out = []
    while stream:
        length, _, rest = stream.partition(b" ")
        n = int(length)
        out.append(rest[:n])
        stream = rest[n:]
    return out


# -- rsyslog ---------------------------------------------------------------------------------
def rsyslog_available() -> bool:
    return shutil.which("rsyslogd") is not None or Path("/usr/sbin/rsyslogd").exists()


def require_rsyslog() -> None:
    """Skip without rsyslog locally; under CI (CI=true) its absence is a failure."""
    if rsyslog_available():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("rsyslogd is not installed but CI needs it: run `make deps-system`")
    pytest.skip("rsyslogd not installed (make deps-system)")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_pki(folder: Path) -> dict[str, Path]:
    """A throw-away CA and a server certificate for 127.0.0.1/localhost, made once per test
    session with the openssl CLI and copied into `folder`."""
    names = {"ca": "ca.pem", "cert": "server.pem", "key": "server.key", "wrong_ca": "other-ca.pem"}
    src = _session_pki()
    for name in names.values():
        shutil.copyfile(src / name, folder / name)
        (folder / name).chmod(0o644)
    return {k: folder / v for k, v in names.items()}


@functools.cache
def _session_pki() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="wsa-pki-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    key = "-newkey rsa:2048 -nodes -days 2"
    for cmd in (
        f"req -x509 {key} -keyout ca.key -out ca.pem -subj /CN=siem-test-ca",
        f"req {key} -keyout server.key -out server.csr -subj /CN=localhost",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem"
        " -days 2 -extfile ext.cnf",
        f"req -x509 {key} -keyout other.key -out other-ca.pem -subj /CN=wrong-ca",
    ):
        subprocess.run(["openssl", *cmd.split()], cwd=folder, check=True, capture_output=True)
    return folder


_CONF = """\
global(workDirectory="{dir}" {max_size}parser.escapeControlCharactersOnReceive="off"
       defaultNetstreamDriverCAFile="{ca}" defaultNetstreamDriverCertFile="{cert}"
       defaultNetstreamDriverKeyFile="{key}")
module(load="imtcp" maxSessions="200")
module(load="imudp")
template(name="j" type="list" option.jsonf="on") {{
  property(outname="input" name="inputname" format="jsonf")
  property(outname="pri" name="pri" format="jsonf")
  property(outname="timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="received" name="timegenerated" dateFormat="rfc3339" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}}
ruleset(name="r") {{ action(type="omfile" file="{dir}/received.jsonl" template="j") }}
input(type="imtcp" address="127.0.0.1" port="{tcp}" ruleset="r" name="tcp")
input(type="imtcp" address="127.0.0.1" port="{tls}" ruleset="r" name="tls"
      streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imudp" address="127.0.0.1" port="{udp}" ruleset="r" name="udp")
"""


class Rsyslog:
    """rsyslogd on 127.0.0.1 high ports with a private config; as `nobody` when we are root."""

    def __init__(self, folder: Path, max_message_size: str | None = "256k") -> None:
        """`max_message_size` None: rsyslog's own default (8k)."""
        self.dir = folder
        self.pki = make_pki(folder)
        self.ports = {"tcp": free_port(), "tls": free_port(), "udp": free_port(socket.SOCK_DGRAM)}
        conf = _CONF.format(
            dir=folder,
            ca=self.pki["ca"],
            cert=self.pki["cert"],
            key=self.pki["key"],
            max_size=f'maxMessageSize="{max_message_size}" ' if max_message_size else "",
            **self.ports,
        )
        self.conf = folder / "rsyslog.conf"
        self.conf.write_text(conf)
        self.out = folder / "received.jsonl"
        self.proc: subprocess.Popen[bytes] | None = None

    def address(self, transport: str) -> str:
        return f"127.0.0.1:{self.ports[transport]}"

    def start(self) -> None:
        exe = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        cmd = [exe, "-n", "-f", str(self.conf), "-i", str(self.dir / "rsyslogd.pid")]
        if os.geteuid() == 0:  # never run the receiver as root
            nobody = pwd.getpwnam("nobody")
            os.chown(self.dir, nobody.pw_uid, nobody.pw_gid)
            cmd = [
                "setpriv",
                f"--reuid={nobody.pw_uid}",
                f"--regid={nobody.pw_gid}",
                "--clear-groups",
                *cmd,
            ]
        self.log = open(self.dir / "rsyslogd.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited: {(self.dir / 'rsyslogd.log').read_text()}")
            if all(_listening(self.ports[t]) for t in ("tcp", "tls")):
                return
            time.sleep(0.05)
        raise RuntimeError("rsyslogd did not start listening within 15 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()

    def freeze(self) -> None:
        """SIGSTOP: the kernel still accepts bytes into its socket buffers; nobody reads them."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL (also when frozen): whatever sat in its buffers and memory queue is gone."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None
        self.log.close()

    def received(self) -> list[dict[str, Any]]:
        try:
            text = self.out.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        # rsyslog may be mid-write: a last line without its newline is not complete yet.
        text = text[: text.rfind("\n") + 1]
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def wait_for(
        self,
        count: int,
        timeout: float = 30.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Messages once at least `count` arrived (bounded wait; the caller asserts)."""
        deadline = time.monotonic() + timeout
        while True:
            got = [r for r in self.received() if where is None or where(r)]
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


@contextlib.contextmanager
def rsyslog_server(max_message_size: str | None = "256k") -> Iterator[Rsyslog]:
    require_rsyslog()
    folder = Path(tempfile.mkdtemp(prefix="wsa-rsyslog-"))
    server = Rsyslog(folder, max_message_size)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


# -- fake HTTP collectors ----------------------------------------------------------------------
class FakeCollector:
    """A stdlib HTTP server on loopback that records requests (with the status it answered);
    `plan` holds responses to give
    before normal service: each item is an int status, or "timeout" (stall past the client's
    timeout) or a callable(request) -> (status, body)."""

    def __init__(
        self,
        handler: Callable[[FakeCollector, dict[str, Any]], tuple[int, bytes]],
        tls: dict[str, Path] | None = None,
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        self.plan: list[Any] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._handler = handler
        collector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                req = {"path": self.path, "headers": dict(self.headers.items()), "body": body}
                with collector.lock:
                    step = collector.plan.pop(0) if collector.plan else None
                if step == "timeout":
                    collector.release.wait(5)
                    return
                if isinstance(step, tuple):
                    status, payload = step
                elif isinstance(step, int):
                    status, payload = step, b'{"text":"planned failure"}'
                else:
                    with collector.lock:
                        status, payload = collector._handler(collector, req)
                req["status"] = status
                with collector.lock:
                    collector.requests.append(req)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:  # make_pki() files: serve https with a certificate for 127.0.0.1
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(tls["cert"], tls["key"])
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeCollector:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

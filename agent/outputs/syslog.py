"""RFC 5424 syslog: a message formatter and a TCP / TLS (RFC 5425) / UDP sender.

Written here because the stdlib SysLogHandler cannot do it: it has no RFC 5424 header, frames
TCP with a NUL that rsyslog does not split on, has no TLS and never reconnects a dead TCP
socket (research siem.md 4.2). The formatter is a pure function of the document; the sender
only moves bytes and raises on failure -- retrying is the delivery loop's job.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import socket
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.outputs.fields import SYSLOG_SEVERITY, get, severity_name, text, timestamp
from agent.outputs.options import Framing, Transport
from agent.timefmt import utc_text

if TYPE_CHECKING:
    import ssl

# ssl (libssl and libcrypto, ~4 MB resident) is imported by the functions that use it: an agent
# without a TLS output never loads it.

FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
    "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14,
    "solaris-cron": 15, "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20,
    "local5": 21, "local6": 22, "local7": 23,
}  # fmt: skip
NILVALUE = "-"
BOM = b"\xef\xbb\xbf"
# 32473 is IANA's documentation enterprise number (RFC 5612); sites may set their own.
DEFAULT_SD_ID = "webshell@32473"
UDP_MAX = 65_000  # stay under the IPv4 datagram limit (65,507 payload bytes)
_PRINTUSASCII = re.compile(r"[\x21-\x7e]+")
_SD_NAME = re.compile(r"[\x21-\x7e]{1,32}")
_SD_NAME_BAD = re.compile(r'[= \]"]')


def header_field(value: str, limit: int) -> str:
    """HOSTNAME/APP-NAME/PROCID/MSGID: 1..limit printable US-ASCII characters, else "-"."""
    kept = "".join(_PRINTUSASCII.findall(value))[:limit]
    return kept or NILVALUE


def sd_name(value: str) -> str:
    if not _SD_NAME.fullmatch(value) or _SD_NAME_BAD.search(value):
        raise ValueError(
            f'{value!r} is not a valid SD-ID or PARAM-NAME (1-32 printable, no = ] " or space)'
        )
    return value


def sd_escape(value: str) -> str:
    """PARAM-VALUE escaping of RFC 5424 6.3.3: backslash, double quote and ] get a backslash."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def structured_data(sd_id: str, params: Sequence[tuple[str, str]]) -> str:
    if not params:
        return NILVALUE
    body = " ".join(f'{sd_name(k)}="{sd_escape(v)}"' for k, v in params)
    return f"[{sd_name(sd_id)} {body}]"


def rfc3339(doc: dict[str, Any]) -> str:
    """TIMESTAMP in UTC: upper-case T and Z, milliseconds (RFC 5424 allows up to 6 digits)."""
    return utc_text(timestamp(doc))


def sd_params(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """A few fields for receivers that route on structured data without parsing MSG."""
    pairs = [
        ("eventId", get(doc, "event.id")),
        ("kind", get(doc, "event.kind")),
        ("severity", severity_name(doc)),
        ("rule", get(doc, "rule.name")),
        ("sha256", get(doc, "file.hash.sha256")),
    ]
    return [(k, text(v)) for k, v in pairs if text(v) != ""]


@dataclass(frozen=True)
class SyslogFormat:
    """The header choices of one syslog output."""

    facility: int = FACILITIES["local3"]
    app_name: str = "webshell-agent"
    hostname: str | None = None  # None: the document's host.hostname
    sd_id: str = DEFAULT_SD_ID
    bom: bool = False  # RFC 5424 allows a BOM before UTF-8 MSG; many JSON parsers choke on it

    def message(self, doc: dict[str, Any], msg: str) -> bytes:
        """`<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG` as UTF-8 bytes."""
        pri = self.facility * 8 + SYSLOG_SEVERITY[severity_name(doc)]
        host = self.hostname or text(get(doc, "host.hostname") or get(doc, "host.name"))
        msgid = "alert" if get(doc, "event.kind") == "alert" else "event"
        head = " ".join(
            [
                f"<{pri}>1",
                rfc3339(doc),
                header_field(host, 255),
                header_field(self.app_name, 48),
                header_field(str(os.getpid()), 128),
                header_field(msgid, 32),
                structured_data(self.sd_id, sd_params(doc)),
            ]
        )
        body = msg.encode("utf-8", "backslashreplace")
        return head.encode("ascii") + b" " + (BOM if self.bom else b"") + body


def frame(message: bytes, framing: Framing) -> bytes:
    """RFC 5425/6587 octet counting (`LEN SP MSG`) or non-transparent LF framing.

    With LF framing a newline inside MSG would split the event, so it is replaced by a space
    (our JSON/CEF/LEEF payloads never contain one; this guards any other payload)."""
    if framing == "octet-counting":
        return str(len(message)).encode("ascii") + b" " + message
    return message.replace(b"\r\n", b" ").replace(b"\n", b" ") + b"\n"


class SyslogError(OSError):
    """The receiver could not be reached or the connection broke."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    transport: Transport = "tcp"
    framing: Framing = "octet-counting"
    timeout: float = 10.0
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify: bool = True
    resend_window: int = 1 << 20  # bytes of the latest frames re-sent after a reconnect


def tls_context(ep: Endpoint) -> ssl.SSLContext:
    import ssl

    ctx = ssl.create_default_context(cafile=ep.ca_file)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if not ep.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if ep.cert_file:
        ctx.load_cert_chain(ep.cert_file, ep.key_file)
    return ctx


class SyslogSender:
    """One connection to one receiver, opened lazily and re-opened after any failure.

    `send(messages)` returns once every frame was written (TCP: sendall returned, i.e. the
    kernel took the bytes; TLS: the records were written). That is not "received": a receiver
    that is frozen and then killed loses what sat in its socket buffer and its memory queue.
    So the sender keeps the latest frames it wrote, up to `resend_window` bytes, and writes them
    again first whenever it has to open a new connection after losing one (at-least-once
    within that window; the receiver sees duplicates with the same event.id). UDP has no
    window: a datagram is fire-and-forget. Not thread-safe: one delivery thread owns it."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._sock: socket.socket | None = None
        self._ctx = tls_context(endpoint) if endpoint.transport == "tls" else None
        self._window: deque[bytes] = deque()
        self._window_bytes = 0
        self._resend = False  # a connection was lost since the window was last written
        self.resent = 0  # frames written again after reconnects (for the output-up event)

    def _connect(self) -> socket.socket:
        ep = self.endpoint
        if ep.transport == "udp":
            info = socket.getaddrinfo(ep.host, ep.port, type=socket.SOCK_DGRAM)[0]
            sock = socket.socket(info[0], socket.SOCK_DGRAM)
            sock.connect(info[4])
            return sock
        sock = socket.create_connection((ep.host, ep.port), timeout=ep.timeout)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if self._ctx is not None:
                sock = self._ctx.wrap_socket(sock, server_hostname=ep.host)
        except BaseException:
            sock.close()
            raise
        return sock

    def _peer_closed(self, sock: socket.socket) -> bool:
        """True if the receiver closed the connection (EOF or reset pending).

        Catches the common loss case: writing into a socket whose peer has gone succeeds once
        (the bytes vanish with the following RST), so check before writing."""
        import ssl

        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable:
            return False
        try:
            sock.setblocking(False)
            try:
                data = (
                    sock.recv(1)
                    if isinstance(sock, ssl.SSLSocket)
                    else sock.recv(1, socket.MSG_PEEK)
                )
            finally:
                sock.settimeout(self.endpoint.timeout)
        except (ssl.SSLWantReadError, BlockingIOError):
            return False  # e.g. a TLS 1.3 session ticket, no application data
        except OSError:
            return True
        return data == b""

    def send(self, messages: Sequence[bytes]) -> None:
        import ssl

        ep = self.endpoint
        self.check()
        try:
            if self._sock is None:
                self._sock = self._connect()
            if ep.transport == "udp":
                for m in messages:
                    self._sock.send(m[:UDP_MAX])
                return
            frames = [frame(m, ep.framing) for m in messages]
            again = list(self._window) if self._resend else []
            self._sock.sendall(b"".join(again + frames))
        except ssl.SSLCertVerificationError as e:
            self._lost()
            raise SyslogError(
                f"TLS certificate verification failed for {ep.host}:{ep.port}: {e.verify_message}"
            ) from e
        except ssl.SSLError as e:
            self._lost()
            raise SyslogError(f"TLS error with {ep.host}:{ep.port}: {e.reason or e}") from e
        except OSError as e:
            self._lost()
            raise SyslogError(
                f"cannot send to {ep.host}:{ep.port} over {ep.transport}: {e.strerror or e}"
            ) from e
        self.resent += len(again)
        self._resend = False
        self._remember(frames)

    def check(self) -> None:
        """Notice a receiver that went away (EOF or reset pending) and drop the connection,
        so the next write re-sends the window on a fresh one. Cheap: one select()."""
        if (
            self._sock is not None
            and self.endpoint.transport != "udp"
            and self._peer_closed(self._sock)
        ):
            self._lost()

    def keepalive(self) -> None:
        """Called when idle: if the connection was lost, reconnect now and re-send the window
        rather than waiting for the next alert (raises SyslogError while unreachable)."""
        self.check()
        if self._resend and self._window:
            self.send([])

    def _remember(self, frames: list[bytes]) -> None:
        limit = self.endpoint.resend_window
        for f in frames:
            self._window.append(f)
            self._window_bytes += len(f)
        while self._window and self._window_bytes > limit:
            self._window_bytes -= len(self._window.popleft())

    def _lost(self) -> None:
        self.close()
        self._resend = bool(self._window)

    def close(self) -> None:
        import ssl

        if self._sock is not None:
            with contextlib.suppress(OSError, ValueError):
                if isinstance(self._sock, ssl.SSLSocket):
                    self._sock.settimeout(1.0)
                    self._sock.unwrap()  # close_notify, so the receiver sees a clean end
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

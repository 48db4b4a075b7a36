"""Linux proc connector: the kernel tells us about every exec as it happens.

Polling misses children that live shorter than the interval; the netlink proc connector
(NETLINK_CONNECTOR / CN_IDX_PROC) sends an event for each exec, so the new image can be read
from /proc while it still runs. It needs CAP_NET_ADMIN (root, or the capability on the unit) and
a kernel with CONFIG_PROC_EVENTS; without them `open_connector` raises OSError and the watcher
stays with polling. Events can be lost when the socket buffer overflows (ENOBUFS): polling
keeps running underneath as the backstop.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys

NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_CN_MCAST_IGNORE = 2
PROC_EVENT_EXEC = 0x00000002
NLMSG_DONE = 3
_NLMSG = struct.Struct("=IHHII")  # len, type, flags, seq, pid
_CN_MSG = struct.Struct("=IIIIHH")  # idx, val, seq, ack, len, flags
_EVENT = struct.Struct("=IIQ")  # what, cpu, timestamp_ns
_EXEC = struct.Struct("=II")  # process_pid (thread), process_tgid (process)


def _control(op: int) -> bytes:
    payload = struct.pack("=I", op)
    cn = _CN_MSG.pack(CN_IDX_PROC, CN_VAL_PROC, 0, 0, len(payload), 0) + payload
    return _NLMSG.pack(_NLMSG.size + len(cn), NLMSG_DONE, 0, 0, 0) + cn


def parse_exec_events(data: bytes) -> list[int]:
    """The process ids (tgid) of the exec events in one datagram; anything else is skipped."""
    pids: list[int] = []
    off = 0
    while off + _NLMSG.size <= len(data):
        length = _NLMSG.unpack_from(data, off)[0]
        if length < _NLMSG.size or off + length > len(data):
            break  # truncated or garbage: stop rather than misread
        ev = off + _NLMSG.size + _CN_MSG.size
        if ev + _EVENT.size + _EXEC.size <= off + length:
            what = _EVENT.unpack_from(data, ev)[0]
            if what == PROC_EVENT_EXEC:
                pids.append(_EXEC.unpack_from(data, ev + _EVENT.size)[1])
        off += (length + 3) & ~3  # NLMSG_ALIGN
    return pids


class Connector:
    """A subscribed proc-connector socket; `read()` returns the pids that exec'd."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.overruns = 0

    def fileno(self) -> int:
        return self.sock.fileno()

    def read(self) -> list[int]:
        pids: list[int] = []
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return pids
            except OSError as e:
                if e.errno == 105:  # ENOBUFS: the kernel dropped events; polling catches up
                    self.overruns += 1
                    continue
                raise
            pids.extend(parse_exec_events(data))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.send(_control(PROC_CN_MCAST_IGNORE))
        self.sock.close()


CAP_NET_ADMIN = 12


def has_net_admin(status: str = "/proc/self/status") -> bool:
    """Whether our effective capabilities include CAP_NET_ADMIN (the subscribe needs it)."""
    try:
        with open(status, encoding="ascii") as fh:
            for line in fh:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> CAP_NET_ADMIN & 1)
    except (OSError, ValueError, IndexError):
        pass
    return False


if sys.platform == "linux":

    def open_connector() -> Connector:
        """Subscribe to process events; OSError when this system or our rights do not allow it."""
        if not has_net_admin():
            raise OSError(
                "the proc connector needs CAP_NET_ADMIN (the kernel ignores us without it)"
            )
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_CONNECTOR)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
            sock.bind((0, CN_IDX_PROC))  # port 0: the kernel picks a unique one
            sock.send(_control(PROC_CN_MCAST_LISTEN))
            sock.setblocking(False)  # read() drains what is there, never waits
        except OSError:
            sock.close()
            raise
        return Connector(sock)

else:

    def open_connector() -> Connector:
        raise OSError("the proc connector exists on Linux only")

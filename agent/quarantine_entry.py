"""What a quarantine entry records, and the small helpers both platforms share."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

from agent.errors import AgentError

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


class QuarantineError(AgentError):
    """A file was not quarantined or restored; `reason` is a short machine-readable word."""

    def __init__(self, message: str, *, reason: str, location: str | None = None) -> None:
        super().__init__(message, location=location)
        self.reason = reason


@dataclass
class Entry:
    id: str
    original_path: str
    size: int
    sha256: str
    sha1: str
    md5: str
    mode: int
    uid: int | None
    gid: int | None
    owner: str | None
    group: str | None
    mtime_ns: int
    atime_ns: int
    quarantined_at: str
    key: str  # hex XOR key
    alert_id: str | None = None
    acl: str | None = None  # Windows: SDDL of the file's security descriptor
    path_bytes_b64: str | None = None  # the exact path bytes when they are not UTF-8
    root: str | None = None  # the root it was taken under: a restore may go back below it
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        if self.path_bytes_b64:
            return os.fsdecode(base64.b64decode(self.path_bytes_b64))
        return self.original_path

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "original_path": self.original_path,
            "size": self.size,
            "sha256": self.sha256,
            "mode": f"{stat.S_IMODE(self.mode):04o}",
            "owner": self.owner,
            "quarantined_at": self.quarantined_at,
            "alert_id": self.alert_id,
        }


def xor(data: bytes, key: bytes) -> bytes:
    """Symmetric: xor(xor(d, k), k) == d. Done on big integers: fast for megabytes."""
    if not data:
        return b""
    stream = (key * (len(data) // len(key) + 1))[: len(data)]
    n = int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")
    return n.to_bytes(len(data), "little")


def _hashes(data: bytes) -> tuple[str, str, str]:
    return (
        hashlib.sha256(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.md5(data).hexdigest(),
    )


if sys.platform == "win32":

    def _names(st: os.stat_result) -> tuple[str | None, str | None]:
        return None, None  # the owner lives in the ACL (Entry.acl)

    def _get_acl(path: str) -> str | None:
        from agent import quarantine_windows

        return quarantine_windows.get_sddl(path)

    def _set_acl(path: str, sddl: str) -> None:
        from agent import quarantine_windows

        quarantine_windows.set_sddl(path, sddl)

else:
    import grp
    import pwd

    def _names(st: os.stat_result) -> tuple[str | None, str | None]:
        try:
            owner: str | None = pwd.getpwuid(st.st_uid).pw_name
        except KeyError:
            owner = None
        try:
            group: str | None = grp.getgrgid(st.st_gid).gr_name
        except KeyError:
            group = None
        return owner, group

    def _get_acl(path: str) -> str | None:
        return None  # mode, uid and gid say it all

    def _set_acl(path: str, sddl: str) -> None:
        pass


def _write_new(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)

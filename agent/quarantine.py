"""Reversible quarantine: move a matched file out of the web root, keep everything to put it back.

<data_dir>/quarantine/<id>/
    metadata.json   original path, owner, group, mode (Windows: the ACL as SDDL), times, hashes,
                    the alert id, the XOR key
    content.xor     the bytes XOR'd with a random 16-byte key, mode 0400: nothing a web server,
                    an interpreter or a careless double-click can run

Safety: a symlink is never followed nor moved; only files inside the given roots are taken; a file
whose sha256 no longer matches the one the scan saw is left in place. The file is first renamed
inside its own folder to a hidden, non-executable name (atomic), hashed again, stored, and only
then removed; on any failure it is renamed back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import AgentError

CONTENT = "content.xor"
METADATA = "metadata.json"
RESTORED = "restored.json"  # (path, sha256) an operator put back: never taken again
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


def _under(path: str, root: str) -> bool:
    p, r = os.path.normcase(path), os.path.normcase(root)
    return p == r or p.startswith(r.rstrip(os.sep) + os.sep)


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


def _read_nofollow(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, refusing a symlink at the last component."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY)
    except OSError as e:
        if os.path.islink(path):
            raise QuarantineError(
                "is a symlink: not followed", reason="symlink", location=path
            ) from None
        raise QuarantineError(
            f"cannot open: {e.strerror}", reason="unreadable", location=path
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise QuarantineError("not a regular file", reason="not_regular", location=path)
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _write_new(path: str, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


class Quarantine:
    """The quarantine folder of one data directory."""

    def __init__(self, data_dir: Path, roots: Sequence[Path | str] = ()) -> None:
        self.dir = Path(data_dir) / "quarantine"
        self.roots = [os.path.realpath(str(r)) for r in roots]

    # ---- taking a file -------------------------------------------------------------------
    def _check_place(self, path: str) -> str:
        """The absolute path (last component unresolved) if it lies inside a root."""
        absolute = os.path.abspath(path)
        if os.path.islink(absolute):
            raise QuarantineError("is a symlink: not followed", reason="symlink", location=path)
        # The folder may be reached through links; the file itself may not be one.
        real = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
        if not self.roots or not any(_under(real, r) for r in self.roots):
            raise QuarantineError(
                "outside the watched roots: not moved", reason="outside_roots", location=path
            )
        return real

    def take(self, path: str, expected_sha256: str, alert_id: str | None = None) -> Entry:
        """Move one file into quarantine if its bytes are still those that were scanned."""
        real = self._check_place(path)
        if (real, expected_sha256) in self._restored():
            raise QuarantineError(
                "restored by an operator: left in place", reason="restored", location=path
            )
        data, st = _read_nofollow(real)
        if _hashes(data)[0] != expected_sha256:
            raise QuarantineError(
                "changed since it was scanned: not moved", reason="changed", location=path
            )
        qid = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4)
        hidden = os.path.join(os.path.dirname(real), f".webshell-agent-quarantine-{qid}")
        try:
            os.rename(real, hidden)  # atomic; the name no longer executes
        except FileNotFoundError:
            raise QuarantineError(
                "vanished before the move", reason="vanished", location=path
            ) from None
        try:
            data2, st2 = _read_nofollow(hidden)
            if st2.st_ino != st.st_ino or _hashes(data2)[0] != expected_sha256:
                raise QuarantineError(
                    "changed while being moved: left in place", reason="changed", location=path
                )
            entry = self._store(qid, real, data2, st2, alert_id)
        except BaseException as e:
            self._put_back(hidden, real, qid, e)
            raise
        os.unlink(hidden)
        return entry

    def _put_back(self, hidden: str, real: str, qid: str, error: BaseException) -> None:
        try:
            os.link(hidden, real)  # never over a file written at the old path meanwhile
            os.unlink(hidden)
            return
        except FileExistsError:
            pass
        except OSError:
            if not os.path.lexists(real):
                os.rename(hidden, real)
                return
        # Someone wrote a new file at the path while ours was renamed away. Ours is not the
        # scanned version, but neither deleted nor left lying in the web root: it is kept in
        # the store (restorable with --to) and the error says so.
        try:
            data, st = _read_nofollow(hidden)
            self._store(qid, real, data, st, None, displaced=True)
            os.unlink(hidden)
            if isinstance(error, AgentError):
                error.message += f"; the displaced older copy is kept as quarantine entry {qid}"
        except (OSError, AgentError):
            if isinstance(error, AgentError):
                error.message += f"; an older copy is left at {hidden}"

    def _store(
        self,
        qid: str,
        real: str,
        data: bytes,
        st: os.stat_result,
        alert_id: str | None,
        displaced: bool = False,
    ) -> Entry:
        sha256, sha1, md5 = _hashes(data)
        owner, group = _names(st)
        key = secrets.token_bytes(16)
        text = real
        try:
            text.encode("utf-8")
            raw = None
        except UnicodeEncodeError:
            text = os.fsencode(real).decode("utf-8", "backslashreplace")
            raw = base64.b64encode(os.fsencode(real)).decode("ascii")
        entry = Entry(
            id=qid,
            original_path=text,
            path_bytes_b64=raw,
            size=len(data),
            sha256=sha256,
            sha1=sha1,
            md5=md5,
            mode=st.st_mode,
            uid=None if sys.platform == "win32" else st.st_uid,
            gid=None if sys.platform == "win32" else st.st_gid,
            owner=owner,
            group=group,
            mtime_ns=st.st_mtime_ns,
            atime_ns=st.st_atime_ns,
            quarantined_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            key=key.hex(),
            alert_id=alert_id,
            acl=_get_acl(real),
            extra={"displaced": True} if displaced else {},
        )
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        store = self.dir / qid
        store.mkdir(mode=0o700)
        try:
            _write_new(str(store / CONTENT), xor(data, key), 0o400)
            tmp = store / (METADATA + ".tmp")
            _write_new(str(tmp), json.dumps(asdict(entry), indent=2).encode("utf-8"), 0o600)
            os.replace(tmp, store / METADATA)
        except BaseException:
            shutil.rmtree(store, ignore_errors=True)
            raise
        return entry

    # ---- the store -----------------------------------------------------------------------
    def get(self, qid: str) -> Entry:
        if not qid or "/" in qid or "\\" in qid or qid in {".", ".."}:
            raise QuarantineError("not a quarantine id", reason="unknown_id", location=qid)
        try:
            raw = json.loads((self.dir / qid / METADATA).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise QuarantineError(
                "no such quarantine entry", reason="unknown_id", location=qid
            ) from None
        except (OSError, ValueError) as e:
            raise QuarantineError(
                f"unreadable metadata: {e}", reason="corrupt", location=qid
            ) from None
        return Entry(**raw)

    def entries(self) -> list[Entry]:
        if not self.dir.is_dir():
            return []
        out = []
        for d in sorted(self.dir.iterdir()):
            if (d / METADATA).is_file():
                out.append(self.get(d.name))
        return out

    def content(self, entry: Entry) -> bytes:
        data = xor((self.dir / entry.id / CONTENT).read_bytes(), bytes.fromhex(entry.key))
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise QuarantineError(
                "stored bytes do not match their sha256", reason="corrupt", location=entry.id
            )
        return data

    def restore(self, qid: str, to: str | None = None) -> str:
        """Put the exact bytes back with owner, mode and times; never over an existing file."""
        entry = self.get(qid)
        data = self.content(entry)
        dest = to or entry.path
        if os.path.lexists(dest):
            raise QuarantineError(
                "a file already exists there: not overwritten", reason="exists", location=dest
            )
        folder = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(folder):
            raise QuarantineError("its folder no longer exists", reason="no_folder", location=dest)
        tmp = os.path.join(folder, f".webshell-agent-restore-{entry.id}")
        _write_new(tmp, data, 0o600)
        try:
            if entry.uid is not None and entry.gid is not None and hasattr(os, "chown"):
                try:
                    os.chown(tmp, entry.uid, entry.gid)
                except PermissionError:
                    st = os.stat(tmp)
                    if (st.st_uid, st.st_gid) != (entry.uid, entry.gid):
                        raise QuarantineError(
                            f"cannot give the file back to uid {entry.uid} gid {entry.gid} "
                            "(run as root or as that user)",
                            reason="owner",
                            location=dest,
                        ) from None
            os.chmod(tmp, stat.S_IMODE(entry.mode))
            if entry.acl:
                _set_acl(tmp, entry.acl)
            os.utime(tmp, ns=(entry.atime_ns, entry.mtime_ns))
            os.link(tmp, dest)  # fails rather than overwrite a file that appeared meanwhile
        except FileExistsError:
            raise QuarantineError(
                "a file already exists there: not overwritten", reason="exists", location=dest
            ) from None
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
        self._remember_restored(os.path.abspath(dest), entry.sha256)
        shutil.rmtree(self.dir / entry.id)
        return dest

    # A restored file is the operator's decision: the running agent must not take it again
    # (it would, at once, when it scans the restored file). Keyed by path and sha256, so a
    # later change to the file is judged afresh.
    def _restored(self) -> set[tuple[str, str]]:
        try:
            rows = json.loads((self.dir / RESTORED).read_text(encoding="utf-8"))
            return {(str(r["path"]), str(r["sha256"])) for r in rows}
        except (OSError, ValueError, KeyError, TypeError):
            return set()

    def _remember_restored(self, path: str, sha256: str) -> None:
        real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        rows = [{"path": p, "sha256": h} for p, h in sorted(self._restored())]
        rows.append({"path": real, "sha256": sha256})
        tmp = self.dir / (RESTORED + ".tmp")
        tmp.write_text(json.dumps(rows[-1000:], indent=1), encoding="utf-8")
        os.replace(tmp, self.dir / RESTORED)

    def purge(self, qid: str) -> Entry:
        entry = self.get(qid)
        shutil.rmtree(self.dir / entry.id)
        return entry


def respond(q: Quarantine, alert: dict[str, Any], path: str, sha256: str) -> dict[str, Any]:
    """Quarantine the file of an alert and record the outcome in `webshell.response`."""
    eid = alert.get("event", {}).get("id")
    if alert.get("rule", {}).get("name") == ["WSA_Scan_Timeout"]:
        # Only the scanner gave up: suspicious, but no rule saw a web shell; leave it in place.
        outcome_: dict[str, Any] = {
            "action": "none",
            "outcome": "skipped",
            "reason": "scan-timeout",
        }
        alert.setdefault("webshell", {})["response"] = outcome_
        return outcome_
    try:
        entry = q.take(path, sha256, eid if isinstance(eid, str) else None)
        outcome: dict[str, Any] = {"action": "quarantine", "outcome": "success", "id": entry.id}
    except QuarantineError as e:
        outcome = {
            "action": "quarantine",
            "outcome": "failure",
            "reason": e.reason,
            "message": e.message,
        }
    except OSError as e:
        outcome = {
            "action": "quarantine",
            "outcome": "failure",
            "reason": "os_error",
            "message": str(e),
        }
    alert.setdefault("webshell", {})["response"] = outcome
    return outcome

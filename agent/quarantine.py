"""Reversible quarantine: move a matched file out of the web root, keep everything to put it back.

<data_dir>/quarantine/<id>/
    metadata.json   original path, owner, group, mode (Windows: the ACL as SDDL), times, hashes,
                    the alert id, the XOR key
    content.xor     the bytes XOR'd with a random 16-byte key, mode 0400: nothing a web server,
                    an interpreter or a careless double-click can run

Safety (the web root belongs to the attacker; see docs/security.md): every step goes through
descriptors. The file's folder is reached from its root with O_DIRECTORY|O_NOFOLLOW descriptors
(a symlink anywhere below the root is refused), the file is opened O_NOFOLLOW and its device and
inode are compared before each step; renames, links and unlinks are relative to the folder's
descriptor. A file whose sha256 no longer matches the one the scan saw is left in place. The
file is first renamed inside its own folder to a hidden, non-executable name (atomic), read
again from the same descriptor, stored, and only then removed; on any failure it is put back.
A restore writes a new temp file (O_CREAT|O_EXCL|O_NOFOLLOW in the folder's descriptor), sets
owner, mode and times on that descriptor, and links it into place only under a root.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agent import quarantine_fd as fdops
from agent.confine import Escape, Roots, absolute, lstat_at
from agent.errors import AgentError
from agent.quarantine_entry import (
    Entry,
    QuarantineError,
    _get_acl,
    _hashes,
    _names,
    _write_new,
    xor,
)

__all__ = ["Entry", "Quarantine", "QuarantineError", "respond", "xor"]

CONTENT = "content.xor"
METADATA = "metadata.json"
RESTORED = "restored.json"  # (path, sha256) an operator put back: never taken again


class Quarantine:
    """The quarantine folder of one data directory."""

    def __init__(self, data_dir: Path, roots: Sequence[Path | str] = ()) -> None:
        self.dir = Path(data_dir) / "quarantine"
        self.roots = [absolute(str(r)) for r in roots]

    # ---- taking a file -------------------------------------------------------------------
    def _folder(self, path: str, roots: Sequence[str], verb: str) -> tuple[int, str, str]:
        """(descriptor of the file's folder, its name, its root): QuarantineError if unsafe."""
        confined = Roots(roots)
        found = confined.locate(path)
        if found is not None and not found[1] and verb == "moved":
            # `scan --quarantine FILE`: the operator named the file itself; its folder is the root.
            confined = Roots([os.path.dirname(found[0])])
            found = confined.locate(path)
        where = (
            " (a restore goes only below watch.roots, a --root DIR or the root it was taken from)"
            if verb == "restored"
            else ""
        )
        if not roots or found is None or not found[1]:
            raise QuarantineError(
                f"refused: outside the roots, not {verb}{where}",
                reason="outside_roots",
                location=path,
            )
        try:
            folder, name = confined.open_parent(path)
        except Escape as e:
            raise QuarantineError(
                f"refused: {e.why}, not {verb}", reason="symlink", location=path
            ) from None
        except FileNotFoundError:
            raise QuarantineError(
                "its folder no longer exists", reason="no_folder", location=path
            ) from None
        except OSError as e:
            raise QuarantineError(
                f"cannot open its folder: {e.strerror}", reason="unreadable", location=path
            ) from None
        return folder, name, found[0]

    def take(self, path: str, expected_sha256: str, alert_id: str | None = None) -> Entry:
        """Move one file into quarantine if its bytes are still those that were scanned."""
        real = absolute(path)
        if (real, expected_sha256) in self._restored():
            raise QuarantineError(
                "restored by an operator: left in place", reason="restored", location=path
            )
        if sys.platform == "win32":
            from agent import quarantine_windows

            entry: Entry = quarantine_windows.take(self, path, expected_sha256, alert_id)
        else:
            folder, name, root = self._folder(real, self.roots, "moved")
            try:
                entry = self._take_at(folder, name, real, root, expected_sha256, alert_id)
            finally:
                os.close(folder)
        return entry

    def _take_at(
        self, folder: int, name: str, real: str, root: str, expected: str, alert_id: str | None
    ) -> Entry:
        try:
            fd, st = fdops.open_file(folder, name)
        except fdops.Changed as e:
            reason = {"symlink": "symlink", "swapped": "changed"}.get(e.why, "not_regular")
            raise QuarantineError(f"{e.why}: not moved", reason=reason, location=real) from None
        except FileNotFoundError:
            raise QuarantineError(
                "vanished before the move", reason="vanished", location=real
            ) from None
        except OSError as e:
            raise QuarantineError(
                f"cannot open: {e.strerror}", reason="unreadable", location=real
            ) from None
        try:
            if _hashes(fdops.read_all(fd))[0] != expected:
                raise QuarantineError(
                    "changed since it was scanned: not moved", reason="changed", location=real
                )
            qid = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4)
            hidden = f".webshell-agent-quarantine-{qid}"
            if not fdops.is_ours(folder, name, st):
                raise QuarantineError(
                    "replaced before the move: left in place", reason="changed", location=real
                )
            try:
                fdops.rename_in(folder, name, hidden)  # atomic; the name no longer executes
            except FileNotFoundError:
                raise QuarantineError(
                    "vanished before the move", reason="vanished", location=real
                ) from None
            if not fdops.is_ours(folder, hidden, st):
                # Swapped between the check and the rename: whatever we renamed is not the
                # file we read; give its name back and leave it alone.
                self._put_back(folder, hidden, name, None, qid, real, root, None)
                raise QuarantineError(
                    "replaced while being moved: left in place", reason="changed", location=real
                )
            try:
                data = fdops.read_all(fd)  # the same inode, read after it left the served name
                if _hashes(data)[0] != expected:
                    raise QuarantineError(
                        "changed while being moved: left in place", reason="changed", location=real
                    )
                entry = self._store(qid, real, root, data, os.fstat(fd), alert_id)
            except BaseException as e:
                self._put_back(folder, hidden, name, fd, qid, real, root, e)
                raise
            fdops.drop(folder, hidden, st)
            return entry
        finally:
            os.close(fd)

    def _put_back(
        self,
        folder: int,
        hidden: str,
        name: str,
        fd: int | None,
        qid: str,
        real: str,
        root: str,
        error: BaseException | None,
    ) -> None:
        try:
            fdops.link_in(folder, hidden, name)  # never over a file written at the old name
            os.unlink(hidden, dir_fd=folder)
            return
        except FileExistsError:
            pass
        except OSError:
            with contextlib.suppress(OSError):
                fdops.rename_in(folder, hidden, name)
                return
        own = fd is None
        if fd is None:  # what we renamed was swapped in: keep it like any displaced copy
            try:
                fd, _ = fdops.open_file(folder, hidden)
            except (OSError, fdops.Changed):
                return
        # Someone wrote a new file at the path while ours was renamed away. Ours is not the
        # scanned version, but neither deleted nor left lying in the web root: it is kept in
        # the store (restorable with --to) and the error says so.
        try:
            st = os.fstat(fd)
            self._store(qid, real, root, fdops.read_all(fd), st, None, displaced=True)
            fdops.drop(folder, hidden, st)
            if isinstance(error, AgentError):
                error.message += f"; the displaced older copy is kept as quarantine entry {qid}"
        except (OSError, AgentError):
            if isinstance(error, AgentError):
                error.message += f"; an older copy is left as {hidden} in its folder"
        finally:
            if own:
                os.close(fd)

    def _store(
        self,
        qid: str,
        real: str,
        root: str,
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
            root=root,
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
        """Put the exact bytes back with owner, mode and times; never over an existing file.

        Only below a root (the configured ones, or the one it was taken from), reached again
        without a symlink; anything else is refused."""
        entry = self.get(qid)
        data = self.content(entry)
        dest = absolute(to or entry.path)
        if sys.platform == "win32":
            from agent import quarantine_windows

            quarantine_windows.restore(self, entry, data, dest)
        else:
            roots = [r for r in (*self.roots, entry.root or "") if r and absolute(r) != dest]
            folder, name, _ = self._folder(dest, roots, "restored")
            try:
                self._restore_at(folder, name, entry, data, dest)
            finally:
                os.close(folder)
        self._remember_restored(dest, entry.sha256)
        shutil.rmtree(self.dir / entry.id)
        return dest

    def _restore_at(self, folder: int, name: str, entry: Entry, data: bytes, dest: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            lstat_at(folder, name)
            raise QuarantineError(
                "a file already exists there: not overwritten", reason="exists", location=dest
            )
        tmp = f".webshell-agent-restore-{entry.id}-{secrets.token_hex(4)}"
        try:
            fd = fdops.create_new(folder, tmp)
        except OSError as e:
            raise QuarantineError(
                f"cannot create a file there: {e.strerror}", reason="unwritable", location=dest
            ) from None
        st = os.fstat(fd)
        try:
            fdops.write_all(fd, data)
            try:
                fdops.finish(fd, entry.uid, entry.gid, entry.mode, (entry.atime_ns, entry.mtime_ns))
            except PermissionError:
                raise QuarantineError(
                    f"cannot give the file back to uid {entry.uid} gid {entry.gid} "
                    "(run as root or as that user)",
                    reason="owner",
                    location=dest,
                ) from None
            if not fdops.is_ours(folder, tmp, st):
                raise QuarantineError(
                    "the temp file was replaced: not restored", reason="changed", location=dest
                )
            try:
                fdops.link_in(folder, tmp, name)  # fails rather than overwrite a newcomer
            except FileExistsError:
                raise QuarantineError(
                    "a file already exists there: not overwritten", reason="exists", location=dest
                ) from None
            except FileNotFoundError:  # the temp name was taken away after the check
                raise QuarantineError(
                    "the temp file was replaced: not restored", reason="changed", location=dest
                ) from None
            if not fdops.is_ours(folder, name, st):
                # The temp name was swapped between the check and the link: what got linked is
                # not ours. Take that name away again (it is in the web root folder) and refuse.
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=folder)
                raise QuarantineError(
                    "the temp file was replaced: not restored", reason="changed", location=dest
                )
        finally:
            os.close(fd)
            fdops.drop(folder, tmp, st)

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
        real = absolute(path)
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

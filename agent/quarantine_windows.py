"""Windows ACLs for quarantine: the file's security descriptor as SDDL, and back.

Kept thin (pywin32's win32security); the rest of agent.quarantine is tested on Linux, this part
is only type-checked with `mypy --platform win32`. Owner, group and DACL are kept; the SACL
needs SeSecurityPrivilege and is left alone.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

_INFO_NAMES = (
    "OWNER_SECURITY_INFORMATION",
    "GROUP_SECURITY_INFORMATION",
    "DACL_SECURITY_INFORMATION",
)


def _ws() -> Any:
    # Imported by name: pywin32 ships no type stubs, and this module only runs on Windows.
    return importlib.import_module("win32security")


def _info(ws: Any) -> int:
    flags = 0
    for name in _INFO_NAMES:
        flags |= int(getattr(ws, name))
    return flags


def get_sddl(path: str) -> str | None:
    try:
        ws = _ws()
        sd = ws.GetFileSecurity(path, _info(ws))
        return str(
            ws.ConvertSecurityDescriptorToStringSecurityDescriptor(
                sd, ws.SDDL_REVISION_1, _info(ws)
            )
        )
    except Exception:  # no pywin32 or no right to read the descriptor: mode bits only
        return None


def set_sddl(path: str, sddl: str) -> None:
    ws = _ws()
    sd = ws.ConvertStringSecurityDescriptorToSecurityDescriptor(sddl, ws.SDDL_REVISION_1)
    ws.SetFileSecurity(path, _info(ws), sd)


if sys.platform == "win32":
    # ---- take and restore with handles (the POSIX version works on folder descriptors) --------
    # Windows has no dir_fd: the file is opened with FILE_FLAG_OPEN_REPARSE_POINT and its final
    # path (every junction resolved) must lie under the root's; its file ID is compared before and
    # after the rename, and the hidden copy is only removed while it still is that file.

    def _same(a: Any, b: Any) -> bool:
        return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)

    def take(q: Any, path: str, expected: str, alert_id: str | None) -> Any:
        import os
        import secrets
        import time

        from agent.confine import Escape, Roots, absolute
        from agent.fileio import NotRegularFile
        from agent.fileio_windows import open_shared
        from agent.quarantine_entry import QuarantineError, _hashes
        from agent.quarantine_fd import read_all

        real = absolute(path)
        roots = Roots(q.roots)
        found = roots.locate(real)
        if found is None or not found[1]:
            raise QuarantineError(
                "outside the roots: not moved", reason="outside_roots", location=path
            )

        def open_checked(p: str) -> tuple[int, os.stat_result]:
            try:
                return open_shared(p, roots)
            except Escape as e:
                raise QuarantineError(
                    f"{e.why}: not moved", reason="symlink", location=path
                ) from None
            except NotRegularFile as e:
                raise QuarantineError(
                    f"{e.kind}: not moved", reason="not_regular", location=path
                ) from None

        fd, st = open_checked(real)
        try:
            if _hashes(read_all(fd))[0] != expected:
                raise QuarantineError(
                    "changed since it was scanned: not moved", reason="changed", location=path
                )
            qid = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(4)
            hidden = os.path.join(os.path.dirname(real), f".webshell-agent-quarantine-{qid}")
            os.rename(real, hidden)  # our handle shares delete: the open file may be renamed
            hfd, hst = open_checked(hidden)
            os.close(hfd)
            if not _same(hst, st):
                os.rename(hidden, real)
                raise QuarantineError(
                    "replaced while being moved: left in place", reason="changed", location=path
                )
            data = read_all(fd)
            if _hashes(data)[0] != expected:
                os.rename(hidden, real)
                raise QuarantineError(
                    "changed while being moved: left in place", reason="changed", location=path
                )
            entry = q._store(qid, real, found[0], data, st, alert_id)
            os.unlink(hidden)
            return entry
        finally:
            os.close(fd)

    def restore(q: Any, entry: Any, data: bytes, dest: str) -> None:
        import os
        import secrets

        from agent.confine import Escape, Roots
        from agent.fileio_windows import check_folder
        from agent.quarantine_entry import QuarantineError

        roots = Roots([*q.roots, *([entry.root] if entry.root else [])])
        found = roots.locate(dest)
        if found is None or not found[1]:
            raise QuarantineError(
                "outside the roots: not restored", reason="outside_roots", location=dest
            )
        folder = os.path.dirname(dest)
        try:
            check_folder(folder, roots)
        except Escape as e:
            raise QuarantineError(
                f"{e.why}: not restored", reason="symlink", location=dest
            ) from None
        if os.path.lexists(dest):
            raise QuarantineError(
                "a file already exists there: not overwritten", reason="exists", location=dest
            )
        tmp = os.path.join(folder, f".webshell-agent-restore-{entry.id}-{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        try:
            os.chmod(tmp, entry.mode & 0o777)
            if entry.acl:
                set_sddl(tmp, entry.acl)
            os.utime(tmp, ns=(entry.atime_ns, entry.mtime_ns))
            os.link(tmp, dest)
        except FileExistsError:
            raise QuarantineError(
                "a file already exists there: not overwritten", reason="exists", location=dest
            ) from None
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)

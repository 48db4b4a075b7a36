"""Windows ACLs for quarantine: the file's security descriptor as SDDL, and back.

Kept thin (pywin32's win32security); the rest of agent.quarantine is tested on Linux, this part
is only type-checked with `mypy --platform win32`. Owner, group and DACL are kept; the SACL
needs SeSecurityPrivilege and is left alone.
"""

from __future__ import annotations

import importlib
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

"""Windows file opening with FILE_SHARE_READ | WRITE | DELETE (Python's open() omits DELETE).

The same guarantees as the POSIX path, with handles: the file is opened with
FILE_FLAG_OPEN_REPARSE_POINT (a symlink or junction is opened as itself and refused, never
followed), its attributes and type are checked on the handle, and under `Roots` the handle's
final path (GetFinalPathNameByHandleW, which resolves every junction on the way) must lie under
the root's own final path. Kept thin: CreateFileW through ctypes. Type-checked with
`mypy --platform win32`; the logic around it is tested on Linux.
"""

from __future__ import annotations

import os
import sys

from agent.confine import Escape, Roots
from agent.fileio import NotRegularFile

if sys.platform == "win32":
    import ctypes
    import msvcrt
    import stat
    from ctypes import wintypes

    _GENERIC_READ = 0x80000000
    _SHARE_ALL = 0x1 | 0x2 | 0x4  # read, write, delete
    _OPEN_EXISTING = 3
    _FILE_FLAG_SEQUENTIAL_SCAN = 0x08000000
    _FILE_FLAG_BACKUP_SEMANTICS = 0x02000000  # needed to open a folder
    _FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000
    _FILE_ATTRIBUTE_DIRECTORY = 0x10
    _FILE_ATTRIBUTE_REPARSE_POINT = 0x400
    _FILE_TYPE_DISK = 0x1
    _INVALID = wintypes.HANDLE(-1).value

    class _Info(ctypes.Structure):  # BY_HANDLE_FILE_INFORMATION
        _fields_ = [
            ("attributes", wintypes.DWORD), ("created", wintypes.FILETIME),
            ("accessed", wintypes.FILETIME), ("written", wintypes.FILETIME),
            ("volume", wintypes.DWORD), ("size_high", wintypes.DWORD),
            ("size_low", wintypes.DWORD), ("links", wintypes.DWORD),
            ("index_high", wintypes.DWORD), ("index_low", wintypes.DWORD),
        ]  # fmt: skip

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _CreateFileW = _kernel32.CreateFileW
    _CreateFileW.restype = wintypes.HANDLE
    _CreateFileW.argtypes = [
        wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
        wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE,
    ]  # fmt: skip
    _GetInfo = _kernel32.GetFileInformationByHandle
    _GetInfo.argtypes = [wintypes.HANDLE, ctypes.POINTER(_Info)]
    _GetInfo.restype = wintypes.BOOL
    _GetFileType = _kernel32.GetFileType
    _GetFileType.argtypes = [wintypes.HANDLE]
    _GetFileType.restype = wintypes.DWORD
    _FinalPath = _kernel32.GetFinalPathNameByHandleW
    _FinalPath.argtypes = [wintypes.HANDLE, wintypes.LPWSTR, wintypes.DWORD, wintypes.DWORD]
    _FinalPath.restype = wintypes.DWORD
    _CloseHandle = _kernel32.CloseHandle
    _CloseHandle.argtypes = [wintypes.HANDLE]
    _CloseHandle.restype = wintypes.BOOL

    def _long(path: str) -> str:
        # \\?\ lifts MAX_PATH; it needs an absolute, backslashed path.
        full = os.path.abspath(path)
        if full.startswith("\\\\?\\"):
            return full
        if full.startswith("\\\\"):
            return "\\\\?\\UNC\\" + full[2:]
        return "\\\\?\\" + full

    def _fail(path: str) -> OSError:
        err = ctypes.get_last_error()
        return OSError(None, ctypes.FormatError(err), path, err)

    def _open(path: str, flags: int) -> int:
        handle = _CreateFileW(
            _long(path), _GENERIC_READ, _SHARE_ALL, None, _OPEN_EXISTING, flags, None
        )
        if handle == _INVALID or handle is None:
            raise _fail(path)
        return int(handle)

    def _final(handle: int, path: str) -> str:
        buf = ctypes.create_unicode_buffer(32768)
        n = _FinalPath(handle, buf, len(buf), 0)
        if n == 0 or n >= len(buf):
            raise _fail(path)
        return os.path.normcase(buf.value)

    def file_id(handle: int, path: str) -> tuple[int, int, int]:
        """(attributes, volume serial, file index): the identity to compare between opens."""
        info = _Info()
        if not _GetInfo(handle, ctypes.byref(info)):
            raise _fail(path)
        return info.attributes, info.volume, (info.index_high << 32) | info.index_low

    def _check_under(handle: int, path: str, roots: Roots) -> None:
        found = roots.locate(path)
        if found is None:
            raise Escape(path, "outside the roots")
        root_handle = _open(found[0], _FILE_FLAG_BACKUP_SEMANTICS)
        try:
            root = _final(root_handle, found[0]).rstrip("\\") + "\\"
        finally:
            _CloseHandle(root_handle)
        if not _final(handle, path).startswith(root):
            raise Escape(path, "reached through a junction or symlink: not followed")

    def check_folder(path: str, roots: Roots) -> None:
        """Escape unless the folder `path`, every junction resolved, lies under its root."""
        handle = _open(path, _FILE_FLAG_BACKUP_SEMANTICS | _FILE_FLAG_OPEN_REPARSE_POINT)
        try:
            attributes, _, _ = file_id(handle, path)
            if attributes & _FILE_ATTRIBUTE_REPARSE_POINT:
                raise Escape(path, "a junction or symlink: not followed")
            found = roots.locate(path)
            if found is not None and found[1]:
                _check_under(handle, path, roots)
        finally:
            _CloseHandle(handle)

    def open_shared(path: str, roots: Roots | None) -> tuple[int, os.stat_result]:
        flags = _FILE_FLAG_SEQUENTIAL_SCAN | _FILE_FLAG_OPEN_REPARSE_POINT
        handle = _open(path, flags)
        try:
            if _GetFileType(handle) != _FILE_TYPE_DISK:
                raise NotRegularFile(path, "device")
            attributes, _, _ = file_id(handle, path)
            if attributes & _FILE_ATTRIBUTE_REPARSE_POINT:
                raise NotRegularFile(path, "symlink")
            if attributes & _FILE_ATTRIBUTE_DIRECTORY:
                raise NotRegularFile(path, "directory")
            found = roots.locate(path) if roots is not None else None
            if roots is not None and found is not None and found[1]:
                _check_under(handle, path, roots)
        except BaseException:
            _CloseHandle(handle)
            raise
        fd = msvcrt.open_osfhandle(handle, os.O_RDONLY | os.O_BINARY)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise NotRegularFile(path, "other")
        return fd, st

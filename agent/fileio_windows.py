"""Windows file reading with FILE_SHARE_READ | WRITE | DELETE (Python's open() omits DELETE).

Kept thin: CreateFileW through ctypes, then the same sized read as on POSIX. Type-checked with
`mypy --platform win32`; the logic around it is tested on Linux.
"""

from __future__ import annotations

import os
import stat
import sys

from agent.fileio import NotRegularFile, TooLarge

if sys.platform == "win32":
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _GENERIC_READ = 0x80000000
    _SHARE_ALL = 0x1 | 0x2 | 0x4  # read, write, delete
    _OPEN_EXISTING = 3
    _FILE_FLAG_SEQUENTIAL_SCAN = 0x08000000
    _INVALID = wintypes.HANDLE(-1).value

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _CreateFileW = _kernel32.CreateFileW
    _CreateFileW.restype = wintypes.HANDLE
    _CreateFileW.argtypes = [
        wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
        wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE,
    ]  # fmt: skip

    def _long(path: str) -> str:
        # \\?\ lifts MAX_PATH; it needs an absolute, backslashed path.
        full = os.path.abspath(path)
        if full.startswith("\\\\?\\"):
            return full
        if full.startswith("\\\\"):
            return "\\\\?\\UNC\\" + full[2:]
        return "\\\\?\\" + full

    def read_shared(path: str, limit: int) -> tuple[bytes, os.stat_result]:
        handle = _CreateFileW(
            _long(path), _GENERIC_READ, _SHARE_ALL, None, _OPEN_EXISTING,
            _FILE_FLAG_SEQUENTIAL_SCAN, None,
        )  # fmt: skip
        if handle == _INVALID:
            err = ctypes.get_last_error()
            raise OSError(None, ctypes.FormatError(err), path, err)
        fd = msvcrt.open_osfhandle(handle, os.O_RDONLY | os.O_BINARY)
        with os.fdopen(fd, "rb", buffering=0) as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise NotRegularFile(path)
            if st.st_size > limit:
                raise TooLarge(st.st_size)
            data = f.read(st.st_size + 1)
            if len(data) > limit:
                raise TooLarge(len(data))
            return data, st

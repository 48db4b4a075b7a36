"""Walking directory trees for files to scan: no directory symlinks, no special files."""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from agent.filetypes import WEB_EXTENSIONS, extension_of

_CASE_FOLD = sys.platform == "win32"


@dataclass(frozen=True)
class Found:
    """A file to scan, or a path the walk could not enter (error set)."""

    path: str
    error: OSError | None = None


class Filter:
    """Which paths a scan or watch takes: extensions (case-insensitive) and exclusion globs."""

    def __init__(
        self,
        extensions: Iterable[str] = WEB_EXTENSIONS,
        exclude: Iterable[str] = (),
        *,
        all_files: bool = False,
    ) -> None:
        self.extensions = frozenset(
            e.lower() if e.startswith(".") else "." + e.lower() for e in extensions
        )
        self.exclude = tuple(self._norm(p) for p in exclude)
        self.all_files = all_files

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

    def wants(self, path: str) -> bool:
        if not self.all_files and extension_of(path) not in self.extensions:
            return False
        return not self.excluded(path)


def walk(paths: Iterable[str], flt: Filter) -> Iterator[Found]:
    """Files under each path, depth first. A file given directly is taken whatever its extension.

    Directory symlinks are not followed (loops, and trees outside the root); file symlinks are
    yielded and the scanner reads their target only if it is a regular file.
    """
    for top in paths:
        try:
            st = os.stat(top)
        except OSError as e:
            yield Found(top, e)
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield Found(top)  # the scanner decides about FIFOs and devices
            continue
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                yield Found(folder, e)
                continue
            subdirs = []
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if not flt.excluded(entry.path):
                            subdirs.append(entry.path)
                        continue
                    if not entry.is_file(follow_symlinks=True):
                        continue  # FIFO, socket, device, dangling or looping link
                except OSError:
                    continue
                if flt.wants(entry.path):
                    yield Found(entry.path)
            stack.extend(reversed(subdirs))

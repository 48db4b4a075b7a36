"""Tail the agent's rotated alert file with a saved position: the spool of the network outputs.

The writer (`jsonfile.JsonLinesFile`) appends whole lines to `alerts.jsonl` and rotates by
renaming it to `.1`, `.2`, ... (the oldest is deleted). Like Filebeat's registry, the reader
remembers (device, inode, offset) of the file it is in, so it finds that file again after any
number of renames, finishes it, and moves on to the next newer one. The position is saved
atomically (temp file, fsync, rename) only when the caller commits a delivered batch, so a
restart resumes after the last batch a receiver took: at-least-once.

Files are opened only for the moment of a read, so the writer can always rename them (on
Windows an open handle without delete sharing would block rotation).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Position:
    dev: int
    inode: int
    offset: int
    size_seen: int = 0  # file size at the last read: a lower bound of what is lost if it vanishes
    head: str = ""  # digest of the file's first line: tells a reused inode from our file

    @property
    def key(self) -> tuple[int, int]:
        return (self.dev, self.inode)


@dataclass
class Batch:
    lines: list[bytes]
    end: Position
    lost_bytes: int = 0  # unread bytes known lost (a lower bound) of vanished/truncated files
    torn: int = 0  # a final line without newline in a finished file (writer killed mid-line)
    gaps: int = 0  # files that vanished (rotated away) before we had read them to the end
    moved: bool = field(default=False)


@dataclass(frozen=True)
class _File:
    index: int  # 0 = live file, n = `<name>.n`
    path: Path
    dev: int
    inode: int
    size: int


class FileTail:
    def __init__(self, path: Path, registry: Path, *, start_at: str = "beginning") -> None:
        self.path = path
        self.registry = registry
        self.start_at = start_at
        self.position: Position | None = self._load()

    # -- registry -------------------------------------------------------------------------
    def _load(self) -> Position | None:
        try:
            data = json.loads(self.registry.read_text(encoding="utf-8"))
            return Position(
                int(data["dev"]),
                int(data["inode"]),
                int(data["offset"]),
                int(data.get("size_seen", 0)),
                str(data.get("head", "")),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged registry: start over rather than stop shipping (duplicates, not loss).
            return None

    def commit(self, position: Position) -> None:
        """Remember `position` durably; called after the receiver took everything before it."""
        self.position = position
        self.registry.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.registry.with_name(self.registry.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(asdict(position), fh)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.registry)

    # -- files ----------------------------------------------------------------------------
    def files(self) -> list[_File]:
        """The live file and its rotated siblings, newest first."""
        pattern = re.compile(re.escape(self.path.name) + r"(?:\.(\d+))?")
        found: list[_File] = []
        try:
            entries = list(os.scandir(self.path.parent))
        except FileNotFoundError:
            return []
        for entry in entries:
            m = pattern.fullmatch(entry.name)
            if not m:
                continue
            try:
                st = os.stat(entry.path)  # DirEntry.stat() has no inode on Windows
            except OSError:
                continue  # rotated or deleted between listing and stat
            found.append(
                _File(int(m.group(1) or 0), Path(entry.path), st.st_dev, st.st_ino, st.st_size)
            )
        return sorted(found, key=lambda f: f.index)

    @staticmethod
    def _head(f: _File) -> str:
        """Digest of the first line (or first 1 KiB); "" while that line is incomplete."""
        try:
            with open(f.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if (st.st_dev, st.st_ino) != (f.dev, f.inode):
                    return "?"  # replaced since listing: matches no saved head
                data = fh.read(1024)
        except OSError:
            return "?"
        cut = data.find(b"\n")
        if cut < 0 and len(data) < 1024:
            return ""
        return hashlib.sha256(data[: cut + 1] if cut >= 0 else data).hexdigest()[:16]

    def _find(self, files: list[_File], pos: Position) -> _File | None:
        """Our file among `files`: same device and inode and, once known, same first line."""
        mine = next((f for f in files if (f.dev, f.inode) == pos.key), None)
        if mine is not None and pos.head and self._head(mine) != pos.head:
            return None  # the inode was reused by a newer file: ours is gone
        return mine

    def _start(self, files: list[_File]) -> Position | None:
        if not files:
            return None
        if self.start_at == "end":
            live = files[0]
            return Position(live.dev, live.inode, live.size, live.size)
        oldest = files[-1]
        return Position(oldest.dev, oldest.inode, 0, oldest.size)

    def backlog_bytes(self) -> int:
        """Bytes written but not yet committed (across the live and rotated files)."""
        files = self.files()
        pos = self.position or self._start(files)
        if pos is None:
            return 0
        mine = self._find(files, pos)
        if mine is None:
            return sum(f.size for f in files)
        return max(0, mine.size - pos.offset) + sum(f.size for f in files if f.index < mine.index)

    # -- reading --------------------------------------------------------------------------
    def read(self, max_lines: int, max_bytes: int) -> Batch:
        """Up to `max_lines` whole lines (about `max_bytes`) after the saved position.

        Never crosses a file boundary, so a batch's end is one (file, offset). An empty batch
        with `moved` set only advanced past finished or vanished files; commit its end too."""
        lost = torn = gaps = 0
        moved = False
        pos = self.position
        for _ in range(10_000):  # bounded: each turn moves to a newer file or returns
            files = self.files()
            if pos is None:
                pos = self._start(files)
                if pos is None:
                    return Batch([], Position(0, 0, 0), lost, torn, gaps, moved)
                moved = True
            mine = self._find(files, pos)
            if mine is None:  # rotated away (or deleted) before we finished it
                lost += max(0, pos.size_seen - pos.offset)
                gaps += 1
                moved = True
                if not files:
                    return Batch([], Position(0, 0, 0), lost, torn, gaps, moved)
                oldest = files[-1]
                pos = Position(oldest.dev, oldest.inode, 0, oldest.size)
                continue
            if mine.size < pos.offset:  # truncated or replaced in place
                lost += max(0, pos.size_seen - pos.offset)
                pos = Position(mine.dev, mine.inode, 0, mine.size)
                moved = True
            lines, consumed, eof_partial = self._read_lines(mine, pos.offset, max_lines, max_bytes)
            if lines is None:  # the file changed identity between listing and opening
                continue
            if lines:
                end = Position(
                    mine.dev,
                    mine.inode,
                    pos.offset + consumed,
                    max(mine.size, pos.offset + consumed),
                    pos.head or self._head(mine),
                )
                return Batch(lines, end, lost, torn, gaps, moved)
            if mine.index == 0:  # caught up with the live file
                head = pos.head or self._head(mine)
                end = Position(pos.dev, pos.inode, pos.offset, mine.size, head)
                return Batch([], end, lost, torn, gaps, moved)
            # a rotated file is final: skip a torn tail and go on with the next newer file
            if eof_partial:
                torn += 1
            newer = [f for f in files if f.index < mine.index]
            if not newer:
                return Batch([], pos, lost, torn, gaps, moved)
            nxt = newer[-1]
            pos = Position(nxt.dev, nxt.inode, 0, nxt.size)
            moved = True
        raise RuntimeError(f"{self.path}: rotation is moving faster than it can be followed")

    def _read_lines(
        self, f: _File, offset: int, max_lines: int, max_bytes: int
    ) -> tuple[list[bytes] | None, int, bool]:
        try:
            fh = open(f.path, "rb")  # noqa: SIM115 - closed by the `with` below
        except FileNotFoundError:
            return None, 0, False
        with fh:
            st = os.fstat(fh.fileno())
            if (st.st_dev, st.st_ino) != (f.dev, f.inode):
                return None, 0, False
            fh.seek(offset)
            chunk = fh.read(max_bytes)
            while chunk and b"\n" not in chunk:  # one line longer than max_bytes: take it whole
                more = fh.read(max_bytes)
                if not more:
                    break
                chunk += more
        cut = chunk.rfind(b"\n")
        if cut < 0:
            return [], 0, bool(chunk)
        lines = chunk[: cut + 1].split(b"\n")[:-1][:max_lines]
        consumed = sum(len(line) + 1 for line in lines)
        return lines, consumed, False

    def drop_to(self, limit: int) -> tuple[int, int]:
        """Skip the oldest unsent lines until at most `limit` bytes are pending.

        Returns (lines dropped, bytes dropped) and commits the new position."""
        lines = nbytes = 0
        for _ in range(1_000_000):
            excess = self.backlog_bytes() - limit
            if excess <= 0:
                break
            batch = self.read(1_000_000, max(1, min(excess, 1 << 20)))
            if not batch.end.inode or (not batch.lines and not batch.moved):
                break
            lines += len(batch.lines) + batch.torn
            nbytes += sum(len(line) + 1 for line in batch.lines) + batch.lost_bytes
            self.commit(batch.end)
        return lines, nbytes

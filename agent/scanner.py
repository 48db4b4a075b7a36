"""One file in, one `ScanResult` out: stat, size gate, read once, hash, match.

The scanner never raises for a file's sake: every way a file can fail (vanished, unreadable,
locked, too large, a yara timeout) becomes a typed result, so one bad file never stops a scan.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import logging
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yara

from agent.confine import Escape, HeldFolder, Roots
from agent.decode import Limits, explore, first_hits, is_trigger
from agent.fileio import NotRegularFile, TooLarge, open_regular, read_edges, read_fd
from agent.filetypes import (
    SNIFF_EDGE,
    Lang,
    extension_of,
    languages,
    server_code,
    sniff,
    tagged_languages,
)
from agent.matchproc import BATCH_BYTES, BATCH_FILES, MatchPool, Sent, WorkerLost, interpreter
from agent.rules.compiler import RuleSet
from agent.severity import SEVERITY, severity_of
from agent.walk import Filter

_log = logging.getLogger(__name__)

# What is kept of a matched string: enough to recognise it, never the file.
EXCERPT_BYTES = 64
INSTANCES_PER_STRING = 3
STRINGS_PER_RULE = 10

# After a timeout the head and tail of the file are scanned on their own: a shell padded with
# megabytes of one repeated atom is still named, and the cost stays bounded.
TIMEOUT_WINDOW = 64 * 1024
TIMEOUT_WINDOW_SECONDS = 2
DECODE_LIMITS = Limits()
SETTLED = SEVERITY["high"]  # a file matched at this severity or above is not decoded
FINAL = SEVERITY["critical"]  # a layer matched at this severity ends the decoding
CONCEALS = "conceals"  # tag of rules about how code is hidden, not what it does
TIMEOUT_RULE = "WSA_Scan_Timeout"
TIMEOUT_META: dict[str, Any] = {
    "id": "WSA-SCAN-TIMEOUT",
    "description": "yara gave up on this file: a file built to exhaust the scanner is suspect",
    "family": "Scan evasion",
    "severity": "medium",
    "mitre_attack": "T1505.003",
}


TOO_DEEP_RULE = "WSA_Decode_PackedTooDeep"
TOO_DEEP_META: dict[str, Any] = {
    "id": "WSA-DECODE-DEPTH",
    "description": "code packed in literal payloads nested deeper than the decode stage unwraps "
    "(each layer decodes a literal that holds another): no page packs its own code so",
    "family": "Obfuscation",
    "severity": "medium",
    "mitre_attack": "T1505.003",
}


class Verdict(StrEnum):
    CLEAN = "clean"
    MATCHED = "matched"
    SKIPPED = "skipped"
    ERROR = "error"


class Reason(StrEnum):
    TOO_LARGE = "too_large"
    NOT_REGULAR = "not_regular"
    SYMLINK = "symlink"
    NO_SERVER_CODE = "no_server_code"  # sniffed: no server-side code marker, not scanned
    EXCLUDED = "excluded"
    VANISHED = "vanished"
    PERMISSION_DENIED = "permission_denied"
    LOCKED = "locked"
    TIMEOUT = "timeout"
    YARA_ERROR = "yara_error"
    INTERNAL = "internal_error"
    IO_ERROR = "io_error"


@dataclass(frozen=True, slots=True)
class FileInfo:
    size: int
    mtime: float
    ctime: float
    mode: int
    uid: int
    owner: str
    inode: int
    device: int


@dataclass(frozen=True, slots=True)
class Hashes:
    sha256: str
    sha1: str
    md5: str


@dataclass(frozen=True, slots=True)
class StringHit:
    identifier: str
    offset: int
    length: int
    data: bytes  # at most EXCERPT_BYTES of the matched bytes


@dataclass(frozen=True, slots=True)
class RuleMatch:
    rule: str
    namespace: str
    tags: tuple[str, ...]
    meta: dict[str, Any]
    strings: tuple[StringHit, ...]
    layer: str = ""  # "" = the file's bytes; else the decode path, e.g. "script-encoder > base64"


@dataclass(frozen=True, slots=True)
class Judged:
    """What the rules made of one buffer. `timed_out`: yara gave up on the whole file (the matches
    are then those of its head and tail); `why` says so in words when the cause was not yara."""

    matches: tuple[RuleMatch, ...]
    timed_out: bool = False
    why: str = ""


@dataclass(frozen=True, slots=True)
class _Read:
    """A file read once by descriptor, waiting to be matched."""

    data: bytes
    st: os.stat_result
    sniffed: str  # the language found by sniffing a file not taken by its name, else ""
    started: float


@dataclass(frozen=True, slots=True)
class _Prepared:
    info: FileInfo
    md5: str
    filetype: str
    externals: dict[str, str]


@dataclass(slots=True)
class Batch:
    """Files of one `Scanner.scan_many`, from reading to results (`read_batch`, `send_batch`,
    `finish_batch`). `folder`: the folder of the last file read, held open (agent.confine)."""

    paths: list[str]
    out: list[ScanResult | None]
    ready: list[tuple[int, _Read, _Prepared]] = field(default_factory=list)
    held: int = 0  # bytes in `ready`
    next: int = 0  # the first path not read yet
    folder: HeldFolder | None = None
    sent: Sent | None = None

    def full(self) -> bool:
        return self.held >= BATCH_BYTES or len(self.ready) >= BATCH_FILES

    def close(self) -> None:
        if self.folder is not None:
            self.folder.close()


def _items(ready: list[tuple[int, _Read, _Prepared]]) -> list[tuple[bytes, dict[str, str]]]:
    return [(read.data, prep.externals) for _, read, prep in ready]


@dataclass(frozen=True, slots=True)
class ScanResult:
    path: str
    verdict: Verdict
    reason: Reason | None = None
    detail: str = ""
    info: FileInfo | None = None
    hashes: Hashes | None = None
    matches: tuple[RuleMatch, ...] = ()
    duration: float = 0.0
    filetype: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return self.verdict is Verdict.MATCHED


if sys.platform == "win32":

    def owner_name(uid: int) -> str:
        return ""  # st_uid is always 0 there; the owner SID needs win32security

else:
    import pwd

    @functools.lru_cache(maxsize=256)
    def owner_name(uid: int) -> str:
        try:
            return pwd.getpwuid(uid).pw_name
        except KeyError:
            return str(uid)


def _info(st: os.stat_result) -> FileInfo:
    return FileInfo(
        size=st.st_size, mtime=st.st_mtime, ctime=st.st_ctime, mode=st.st_mode, uid=st.st_uid,
        owner=owner_name(st.st_uid), inode=st.st_ino, device=st.st_dev,
    )  # fmt: skip


def _os_error(path: str, e: OSError, started: float) -> ScanResult:
    if e.errno in (errno.ENOENT, errno.ENOTDIR):
        reason = Reason.VANISHED
    elif getattr(e, "winerror", None) in (32, 33):  # sharing / lock violation
        reason = Reason.LOCKED
    elif e.errno in (errno.EACCES, errno.EPERM):
        reason = Reason.PERMISSION_DENIED
    elif e.errno == errno.ELOOP:
        reason = Reason.NOT_REGULAR
        return ScanResult(
            path, Verdict.SKIPPED, reason, "symlink loop", duration=time.perf_counter() - started
        )
    else:
        reason = Reason.IO_ERROR
    return ScanResult(
        path, Verdict.ERROR, reason, e.strerror or str(e), duration=time.perf_counter() - started
    )


def _matches(found: list[yara.Match], shift: int = 0, layer: str = "") -> tuple[RuleMatch, ...]:
    out = []
    for m in found:
        if is_trigger(m):  # decode triggers steer the decode stage; they are never findings
            continue
        hits: list[StringHit] = []
        for s in m.strings[:STRINGS_PER_RULE]:
            for inst in s.instances[:INSTANCES_PER_STRING]:
                hits.append(
                    StringHit(
                        s.identifier,
                        inst.offset + shift,
                        inst.matched_length,
                        inst.matched_data[:EXCERPT_BYTES],
                    )
                )
        out.append(RuleMatch(m.rule, m.namespace, tuple(m.tags), dict(m.meta), tuple(hits), layer))
    return tuple(out)


def _judged_at(matches: Iterable[RuleMatch] | list[yara.Match], severity: int) -> bool:
    """Whether a rule judged the code at `severity` or above for what it does (a `conceals` rule
    says only that code is hidden). Takes our matches or yara's: both carry meta and tags."""
    return any(
        SEVERITY[severity_of(m.meta)] >= severity and CONCEALS not in m.tags for m in matches
    )


def _settles(found: list[yara.Match]) -> bool:
    return _judged_at(found, FINAL)  # on yara's own matches: no excerpts built to be dropped


TIMEOUT_MATCH = RuleMatch(TIMEOUT_RULE, "webshell-agent", ("scan_timeout",), TIMEOUT_META, ())
TOO_DEEP_MATCH = RuleMatch(TOO_DEEP_RULE, "webshell-agent", ("decode_depth",), TOO_DEEP_META, ())


def _utf8_ok(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escaped(path: str) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _pool(
    ruleset: RuleSet, processes: int, timeout: int, decode: Limits | None
) -> MatchPool | None:
    python = interpreter() if processes > 0 else None
    if python is None:
        return None
    return MatchPool(ruleset, size=processes, timeout=timeout, limits=decode, python=python)


class Scanner:
    """Thread-safe: yara-python releases the GIL in match(), so share one Scanner among workers."""

    def __init__(
        self,
        ruleset: RuleSet,
        *,
        max_size: int = 20 * 1024 * 1024,
        timeout: float = 10.0,
        hash_clean: bool = True,
        decode: Limits | None = DECODE_LIMITS,
        roots: Roots | None = None,
        select: Filter | None = None,
        processes: int = 0,
    ) -> None:
        self.ruleset = ruleset
        # Files under these roots are reached by descriptor, never through a symlink.
        self.roots = roots
        # Files the filter takes by name are scanned; any other file is sniffed first.
        self.select = select
        self.max_size = max_size
        self.timeout = max(1, round(timeout))  # yara takes whole seconds
        # The one-off scan needs no hashes of clean files; the agent keeps sha256 in its state.
        self.hash_clean = hash_clean
        self._md5_first = ruleset.uses_md5
        self.decode = decode  # None: no decode stage (the rules see the file's bytes only)
        # processes > 0: the rules and the decode stage run in that many children
        # (agent.matchproc); this process still does every file-system access.
        self.pool = _pool(ruleset, processes, self.timeout, decode)

    def close(self) -> None:
        """Stop the matching children (jobs in flight finish first); idempotent."""
        if self.pool is not None:
            self.pool.close()

    def scan(self, path: str) -> ScanResult:
        read = self._read(path)
        if isinstance(read, ScanResult):
            return read
        return self._scanned(read, self.scan_bytes(path, read.data, read.st, read.started))

    def scan_many(self, paths: list[str]) -> list[ScanResult]:
        """`scan` of each path, in order. With matching children, the files read go to a child
        in batches (agent.matchproc: one pipe round trip for up to BATCH_FILES files), at most
        BATCH_BYTES of them held at once beyond the last one read."""
        batch = self.read_batch(paths)
        self.send_batch(batch)
        return self.finish_batch(batch)

    # `scan_many` in three steps, so that a scan thread reads its next files while a child
    # matches the last ones (agent.pipeline.workers): read, then send, then finish.

    def read_batch(self, paths: list[str]) -> Batch:
        """Read the first files of `paths`, up to a child's batch; nothing is matched yet."""
        batch = Batch(paths, [None] * len(paths))
        if self.pool is None:
            return batch  # matched in this process, one by one, at `finish_batch`
        if self.roots is not None:
            batch.folder = HeldFolder(self.roots)
        try:
            self._read_into(batch)
        except BaseException:
            batch.close()
            raise
        return batch

    def send_batch(self, batch: Batch) -> None:
        """Hand the files read to a matching child (which keeps them until `finish_batch`)."""
        if self.pool is not None and batch.ready and batch.sent is None:
            batch.sent = self.pool.send(_items(batch.ready))

    def finish_batch(self, batch: Batch) -> list[ScanResult]:
        """Every path's result, in order: the files sent, then the rest read and matched."""
        if self.pool is None:
            return [self.scan(p) for p in batch.paths]
        try:
            while batch.ready:
                if batch.sent is not None:
                    judged = self.pool.receive(batch.sent)
                else:
                    judged = self.pool.judge_many(_items(batch.ready))
                for (i, read, prep), outcome in zip(batch.ready, judged, strict=True):
                    result = self._result(batch.paths[i], read.data, prep, outcome, read.started)
                    batch.out[i] = self._scanned(read, result)
                batch.ready, batch.sent, batch.held = [], None, 0
                self._read_into(batch)
        finally:
            batch.close()
        results = [r for r in batch.out if r is not None]
        assert len(results) == len(batch.paths)  # every path has its result: none is dropped
        return results

    def _read_into(self, batch: Batch) -> None:
        """Read on from `batch.next` until a child's batch is full or the paths run out."""
        while batch.next < len(batch.paths) and not batch.full():
            i = batch.next
            batch.next += 1
            read = self._read(batch.paths[i], batch.folder)
            if isinstance(read, ScanResult):
                batch.out[i] = read
                continue
            batch.ready.append((i, read, self._prepare(batch.paths[i], read.data, read.st)))
            batch.held += len(read.data)

    def _read(self, path: str, folder: HeldFolder | None = None) -> _Read | ScanResult:
        """The file's bytes, read once by descriptor; or the result that ends its scan.
        `folder`: the folder of the batch's previous file, held open (agent.confine)."""
        started = time.perf_counter()
        sniffing = self.select is not None and not self.select.direct(path)
        lang = ""
        try:
            fd, st = open_regular(path, self.roots, folder)
            try:
                if sniffing:
                    # A bounded look at both ends decides whether a non-web file is read.
                    lang = server_code(read_edges(fd, st.st_size, SNIFF_EDGE))
                    if not lang:
                        return ScanResult(
                            path, Verdict.SKIPPED, Reason.NO_SERVER_CODE, "", _info(st),
                            duration=time.perf_counter() - started,
                        )  # fmt: skip
                data = read_fd(fd, st.st_size, self.max_size)
            finally:
                os.close(fd)
        except TooLarge as e:
            return ScanResult(
                path, Verdict.SKIPPED, Reason.TOO_LARGE, f"{e.size} bytes > limit {self.max_size}",
                duration=time.perf_counter() - started,
            )  # fmt: skip
        except NotRegularFile as e:
            # FIFOs, sockets, devices and symlinks: looked at, never opened; counted as skipped.
            reason = Reason.SYMLINK if e.kind == "symlink" else Reason.NOT_REGULAR
            return ScanResult(path, Verdict.SKIPPED, reason, e.kind)
        except Escape as e:
            return ScanResult(path, Verdict.SKIPPED, Reason.SYMLINK, e.why)
        except OSError as e:
            return _os_error(path, e, started)
        return _Read(data, st, lang, started)

    @staticmethod
    def _scanned(read: _Read, result: ScanResult) -> ScanResult:
        if read.sniffed:  # scanned because of what it holds, not its name: say so
            return dataclasses.replace(result, extra={**result.extra, "sniffed": read.sniffed})
        return result

    def scan_bytes(
        self, path: str, data: bytes, st: os.stat_result, started: float | None = None
    ) -> ScanResult:
        started = time.perf_counter() if started is None else started
        prep = self._prepare(path, data, st)
        outcome: Judged | Exception
        if self.pool is not None:  # a child's failure comes back as the outcome, as in a batch
            (outcome,) = self.pool.judge_many([(data, prep.externals)])
        else:
            try:
                outcome = self.judge(data, prep.externals)
            except yara.Error as e:
                outcome = e
        return self._result(path, data, prep, outcome, started)

    def _prepare(self, path: str, data: bytes, st: os.stat_result) -> _Prepared:
        info = _info(st)
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest() if self._md5_first else ""
        filetype = sniff(data[:16])
        # yara takes UTF-8: a name that is not (a lone surrogate here) is passed with \xNN escapes.
        text_path = path if _utf8_ok(path) else _escaped(path)
        externals = {
            "filename": os.path.basename(text_path),
            "filepath": text_path,
            "extension": extension_of(path),
            "filetype": filetype,
            "owner": info.owner,
            "md5": md5,
        }
        return _Prepared(info, md5, filetype, externals)

    def _result(
        self, path: str, data: bytes, prep: _Prepared, outcome: Judged | Exception, started: float
    ) -> ScanResult:
        info, md5, filetype = prep.info, prep.md5, prep.filetype
        if isinstance(outcome, Exception):
            # A yara failure, a child that died on this file twice, or a bug in a child: an
            # error result that says so, never a lost file.
            reason = Reason.YARA_ERROR if isinstance(outcome, yara.Error) else Reason.INTERNAL
            known = isinstance(outcome, (yara.Error, WorkerLost))
            detail = str(outcome) if known else f"{type(outcome).__name__}: {outcome}"
            return ScanResult(
                path, Verdict.ERROR, reason, detail, info, duration=time.perf_counter() - started
            )
        judged = outcome
        matches = judged.matches
        if judged.timed_out:
            # Never just an error: a file that exhausts the scanner is an alert of its own, with
            # whatever the head and tail of the file show on their own.
            return ScanResult(
                path, Verdict.MATCHED, Reason.TIMEOUT,
                judged.why or f"yara gave up after {self.timeout}s", info,
                self._hashes(data, md5), (*matches, TIMEOUT_MATCH),
                time.perf_counter() - started, filetype,
            )  # fmt: skip
        if not matches:
            hashes = Hashes(hashlib.sha256(data).hexdigest(), "", md5) if self.hash_clean else None
            return ScanResult(
                path, Verdict.CLEAN, info=info, hashes=hashes,
                duration=time.perf_counter() - started, filetype=filetype,
            )  # fmt: skip
        return ScanResult(
            path, Verdict.MATCHED, info=info, hashes=self._hashes(data, md5), matches=matches,
            duration=time.perf_counter() - started, filetype=filetype,
        )  # fmt: skip

    def judge(self, data: bytes, externals: dict[str, str]) -> Judged:
        """The rules (and decoded layers) on a buffer; after a yara timeout, its head and tail.
        Raises yara.Error for any other yara failure."""
        try:
            return Judged(self.match_bytes(data, externals))
        except yara.TimeoutError:
            return Judged(self._windows(data, externals), True)

    def match_bytes(self, data: bytes, externals: dict[str, str]) -> tuple[RuleMatch, ...]:
        """The rules on the bytes and, when a decode trigger fired, on the decoded layers.
        Raises yara.Error (yara.TimeoutError when the file itself takes too long)."""
        lang = languages(data, externals["extension"])
        rules = self.ruleset.rules_for(len(data), lang)
        found = rules.match(data=data, externals=externals, timeout=self.timeout)
        matches = _matches(found)
        # A file a rule already judged high or critical for what its code does is an alert
        # whatever its layers say: they could add rule names and at most a step of severity.
        # A rule tagged `conceals` says only that code is hidden: the layers then say what it
        # does (docs/scanning.md). Every other file with a trigger is decoded.
        settled = _judged_at(matches, SETTLED)
        if self.decode is not None and not settled:
            matches += self._decoded(data, found, externals, {m.rule for m in matches}, lang)
        return matches

    def _decoded(
        self,
        data: bytes,
        found: list[yara.Match],
        externals: dict[str, str],
        known: set[str],
        lang: Lang,
    ) -> tuple[RuleMatch, ...]:
        """Rules that match only on a decoded layer, each with its layer path (first wins);
        nothing when no trigger or cue gives the decode stage work."""
        limits = self.decode
        if limits is None:
            return ()

        def scan(layer: bytes, seconds: float) -> list[yara.Match]:
            timeout = max(1, min(self.timeout, round(seconds)))
            # A layer is code of the file's languages, or of another whose tags it carries (a
            # PHP dropper's payload may be an ASPX page).
            rules = self.ruleset.rules_for(len(layer), lang | tagged_languages(layer))
            return list(rules.match(data=layer, externals=externals, timeout=timeout))

        try:
            # the cues are looked for once: they decide whether to decode and where
            hits = first_hits(data, found, limits.regions)
            if not hits:
                return ()
            # A layer judged critical for what its code does leaves nothing for the next layers
            # to change but rule names: a packed shell stops there (a quarter of the stage's
            # time on the dev corpus went to layers below a critical one).
            outcome = explore(data, found, scan, limits, hits, _settles)
        except Exception:  # a decoder bug must not cost the file's own findings
            _log.exception("decode stage failed; the file's own matches stand")
            return ()
        out: list[RuleMatch] = []
        for layer in outcome.layers:
            for m in _matches(layer.found, layer=layer.path):
                if m.rule not in known:
                    known.add(m.rule)
                    out.append(m)
        if outcome.too_deep and not known:
            # packed deeper than the stage unwraps, and nothing found on the way down: the
            # nesting is the finding (as a file that exhausts yara is, WSA_Scan_Timeout)
            out.append(dataclasses.replace(TOO_DEEP_MATCH, layer=outcome.too_deep))
        return tuple(out)

    @staticmethod
    def _hashes(data: bytes, md5: str) -> Hashes:
        """Only alerts carry sha1 (and md5, when no rule needed it before the match)."""
        sha256 = hashlib.sha256(data).hexdigest()
        sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        return Hashes(sha256, sha1, md5 or hashlib.md5(data, usedforsecurity=False).hexdigest())

    def _windows(self, data: bytes, externals: dict[str, str]) -> tuple[RuleMatch, ...]:
        """The file's rules on its first and last TIMEOUT_WINDOW bytes, each with a short timeout."""
        spans = [(0, data[:TIMEOUT_WINDOW])]
        if len(data) > TIMEOUT_WINDOW:
            tail = max(TIMEOUT_WINDOW, len(data) - TIMEOUT_WINDOW)
            spans.append((tail, data[tail:]))
        seen: dict[str, RuleMatch] = {}
        lang = languages(data, externals["extension"])
        for shift, chunk in spans:
            try:
                found = self.ruleset.rules_for(len(chunk), lang).match(
                    data=chunk, externals=externals, timeout=TIMEOUT_WINDOW_SECONDS
                )
            except yara.Error:
                continue  # the timeout alert stands on its own
            for m in _matches(found, shift):
                seen.setdefault(m.rule, m)
        return tuple(seen.values())

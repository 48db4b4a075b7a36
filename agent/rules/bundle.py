"""Signed rule bundles: build one from a folder, and check one completely before it touches disk.

A bundle is `NAME.tar.gz` (a manifest, rule files, optional test cases) and `NAME.tar.gz.minisig`
whose trusted comment carries `version:N`. `open_bundle` checks, in this order and all in memory:
the signature over the exact archive bytes, the signed version against the highest one this host
has installed (no downgrade, no replay), then every tar member (regular files with allowed names
only, size and count caps) and the manifest's sha256 for each. Only a `Bundle` that passed all of
that can be written out, into a fresh folder, file by file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import agent
from agent.errors import AgentError
from agent.rules import minisign
from agent.rules.bundle_manifest import (
    MANIFEST,
    Manifest,
    ManifestError,
    agent_version_tuple,
    member_kind,
    parse_manifest,
)
from agent.rules.sources import RULE_SUFFIXES, SKIPPED_DIRS

MAX_ARCHIVE = 32 << 20  # bytes downloaded or read for one bundle
MAX_SIGNATURE = 4096
MAX_MEMBER = 16 << 20
MAX_TOTAL = 64 << 20  # unpacked
MAX_MEMBERS = 5000
BUNDLE_NAME = "webshell-rules.tar.gz"
_VERSION = re.compile(r"(?:^|\s)version:(\d{1,19})(?=\s|$)")

# Why an update was refused; each becomes `reason` in a rules-update-failed event.
Reason = str  # network signature downgrade archive incompatible compile tests install


class BundleError(AgentError):
    """A bundle refused (or an update that failed); `reason` says at which step."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Bundle:
    version: int
    comment: str
    manifest: Manifest
    files: dict[str, bytes]  # every listed file, hash-checked
    archive: bytes
    signature: str

    def write_to(self, folder: Path) -> None:
        """Write every file into `folder` (new, empty, ours): names are already checked."""
        for name, data in sorted(self.files.items()):
            target = folder.joinpath(*name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            fd = os.open(target, flags | getattr(os, "O_BINARY", 0), 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        (folder / MANIFEST).write_bytes(self.manifest.to_bytes())


def signed_version(comment: str) -> int:
    m = _VERSION.search(comment)
    if m is None or not 1 <= int(m.group(1)) < 1 << 63:
        raise BundleError(
            "signature", f"the trusted comment carries no version:N ({comment[:80]!r})"
        )
    return int(m.group(1))


def check_signature(
    key: minisign.PublicKey, signature: str, archive: bytes | None, highest: int
) -> tuple[int, str]:
    """(version, trusted comment) if the signature verifies and the version is new here.

    With `archive=None` only the trusted comment is checked (cheap: before a download)."""
    try:
        sig = minisign.parse_signature(signature)
        comment = (
            minisign.verify_comment(key, sig)
            if archive is None
            else minisign.verify(key, sig, archive)
        )
    except minisign.MinisignError as e:
        raise BundleError("signature", str(e)) from None
    version = signed_version(comment)
    if version <= highest:
        raise BundleError(
            "downgrade",
            f"bundle version {version} is not newer than {highest}, the highest installed here",
        )
    return version, comment


def _members(archive: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            for count, member in enumerate(tar, 1):
                if count > MAX_MEMBERS:
                    raise BundleError("archive", f"more than {MAX_MEMBERS} members")
                name = member.name.removesuffix("/") if member.isdir() else member.name
                try:
                    # a folder entry (`tar czf` writes them) must have a name a file could use
                    kind = member_kind(f"{name}/x.yar" if member.isdir() else name)
                except ManifestError as e:
                    raise BundleError("archive", str(e)) from None
                if member.isdir():
                    continue  # folders come from the file names; never from the archive
                if not member.isreg():
                    raise BundleError("archive", f"{name!r} is a link or special file")
                if member.size > MAX_MEMBER or total + member.size > MAX_TOTAL:
                    raise BundleError("archive", f"{name!r} exceeds the size caps")
                if name in files:
                    raise BundleError("archive", f"{name!r} appears twice")
                stream = tar.extractfile(member)
                if stream is None:  # cannot happen for a regular file; refuse, never guess
                    raise BundleError("archive", f"{name!r} ({kind}) cannot be read")
                data = stream.read(member.size + 1)
                if len(data) != member.size:
                    raise BundleError("archive", f"{name!r} is truncated")
                total += member.size
                files[name] = data
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as e:
        raise BundleError("archive", f"not a readable tar.gz: {e}") from None
    return files


def open_bundle(
    archive: bytes,
    signature: str,
    key: minisign.PublicKey,
    *,
    highest: int = 0,
    for_this_agent: bool = True,
) -> Bundle:
    """Everything checked, nothing written; a BundleError says which check failed."""
    if len(archive) > MAX_ARCHIVE:
        raise BundleError("archive", f"archive larger than {MAX_ARCHIVE} bytes")
    version, comment = check_signature(key, signature, archive, highest)
    files = _members(archive)
    if MANIFEST not in files:
        raise BundleError("archive", "no manifest.json in the bundle")
    try:
        manifest = parse_manifest(files.pop(MANIFEST))
    except ManifestError as e:
        raise BundleError("archive", f"manifest: {e}") from None
    if manifest.version != version:
        raise BundleError(
            "archive", f"manifest version {manifest.version} but the signature says {version}"
        )
    if set(files) != set(manifest.files):
        extra = sorted(set(files) ^ set(manifest.files))
        raise BundleError("archive", f"archive and manifest differ: {', '.join(extra[:5])}")
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != manifest.files[name]:
            raise BundleError("archive", f"{name}: sha256 does not match the manifest")
    newer = agent_version_tuple(manifest.min_agent_version) > agent_version_tuple(agent.__version__)
    if for_this_agent and newer:
        raise BundleError(
            "incompatible",
            f"bundle needs agent {manifest.min_agent_version}, this is {agent.__version__}",
        )
    return Bundle(version, comment, manifest, files, archive, signature)


# -- building -------------------------------------------------------------------------------


def bundle_files(src: Path) -> dict[str, bytes]:
    """The files of a rule folder laid out like signatures/: rules (not nursery/), test cases."""
    found: dict[str, bytes] = {}
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        parts = rel.split("/")
        if not path.is_file():
            continue
        if parts[0] == "tests":
            wanted = (len(parts) == 2 and rel.endswith(".toml")) or (
                len(parts) == 4 and parts[1] == "samples" and rel.endswith(".b64x")
            )
        else:
            wanted = path.suffix.lower() in RULE_SUFFIXES and not SKIPPED_DIRS & set(parts[:-1])
        if wanted:
            try:
                member_kind(rel)
            except ManifestError as e:
                raise BundleError("archive", f"cannot bundle {path}: {e}") from None
            found[rel] = path.read_bytes()
    if not any(member_kind(n) == "rule" for n in found):
        raise BundleError("archive", f"no rule files (.yar, .yara) under {src}")
    return found


def build_archive(files: dict[str, bytes], manifest: Manifest) -> bytes:
    """A reproducible tar.gz: sorted names, fixed owner, mode and times."""
    mtime = int(time.time())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [(MANIFEST, manifest.to_bytes()), *sorted(files.items())]:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, mtime
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def build(
    src: Path, version: int, key: minisign.SecretKey, out: Path, *, min_agent_version: str
) -> Bundle:
    """Write `out` and `out.minisig`; return the bundle as a verifier will see it."""
    files = bundle_files(src)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest = Manifest(
        version,
        created,
        min_agent_version,
        {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    )
    parse_manifest(manifest.to_bytes())  # never publish what a verifier would refuse
    archive = build_archive(files, manifest)
    comment = f"webshell-agent rules version:{version} created:{created} file:{out.name}"
    sig = minisign.sign(key, archive, comment).file_text()
    for path, data in ((out, archive), (Path(f"{out}.minisig"), sig.encode("ascii"))):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return open_bundle(archive, sig, key.public(), for_this_agent=False)

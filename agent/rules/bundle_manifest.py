"""The manifest inside a rule bundle and the names a bundle may hold.

`manifest.json` at the top of the archive:
    {"format": 1, "version": 7, "created": "2026-12-03T19:00:00Z",
     "min_agent_version": "0.1.0", "files": {"php/eval.yar": "<sha256 hex>", ...}}

Every other member must be listed with its sha256, and only rule files (.yar/.yara), test case
files (tests/<language>.toml) and encoded test samples (tests/samples/<language>/<name>.b64x)
may be listed: a bundle can never carry a program, a link or a path outside its folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1
MAX_MANIFEST_BYTES = 1 << 20
MAX_FILES = 4000
MAX_DEPTH = 8
MAX_NAME = 240
MAX_VERSION = (1 << 63) - 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")
_AGENT_VERSION = re.compile(r"\d{1,6}(?:\.\d{1,6}){0,3}")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)]
)


class ManifestError(ValueError):
    """A manifest or member name a bundle may not have."""


def member_kind(name: str) -> str:
    """'manifest', 'rule', 'cases' or 'sample' for an allowed archive path, else ManifestError.

    Plain relative names only: no absolute path, no `..` or `.`, no backslash or drive, no
    empty part, no Windows device name, ASCII letters, digits and `._+-`."""
    if not name or len(name) > MAX_NAME:
        raise ManifestError(f"member name empty or longer than {MAX_NAME}: {name[:80]!r}")
    parts = name.split("/")
    if len(parts) > MAX_DEPTH:
        raise ManifestError(f"member nested deeper than {MAX_DEPTH}: {name!r}")
    for part in parts:
        if not _PART.fullmatch(part) or part.split(".")[0].upper() in _WINDOWS_RESERVED:
            raise ManifestError(f"member name not allowed: {name!r}")
    lower = name.lower()
    if name == MANIFEST:
        return "manifest"
    if parts[0].lower() == MANIFEST:
        raise ManifestError(f"member name not allowed: {name!r}")
    if parts[0] == "tests":
        if len(parts) == 2 and lower.endswith(".toml"):
            return "cases"
        if len(parts) == 4 and parts[1] == "samples" and lower.endswith(".b64x"):
            return "sample"
        raise ManifestError(f"only test cases and encoded samples may be under tests/: {name!r}")
    if lower.endswith((".yar", ".yara")):
        return "rule"
    raise ManifestError(f"not a rule file, test case or the manifest: {name!r}")


def agent_version_tuple(text: str) -> tuple[int, ...]:
    if not _AGENT_VERSION.fullmatch(text):
        raise ManifestError(f"not a version like 0.1.0: {text[:40]!r}")
    return tuple(int(x) for x in text.split("."))


@dataclass(frozen=True)
class Manifest:
    version: int
    created: str
    min_agent_version: str
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256 hex

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": self.version,
            "created": self.created,
            "min_agent_version": self.min_agent_version,
            "files": dict(sorted(self.files.items())),
        }
        return (json.dumps(doc, indent=1, ensure_ascii=True) + "\n").encode("ascii")

    def rules(self) -> list[str]:
        return [n for n in self.files if member_kind(n) == "rule"]


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_VERSION:
        raise ManifestError(f"{what} must be a whole number from 1 to 2^63-1")
    return value


def parse_manifest(data: bytes) -> Manifest:
    """Parse and check a manifest; any problem is a ManifestError (never another exception)."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError("manifest larger than 1 MiB")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ManifestError(f"manifest is not JSON: {e}") from None
    if not isinstance(doc, dict):
        raise ManifestError("manifest is not a JSON object")
    if doc.get("format") != FORMAT:
        raise ManifestError(f"manifest format {doc.get('format')!r} is not {FORMAT}")
    version = _int(doc.get("version"), "version")
    created = doc.get("created")
    if not isinstance(created, str) or len(created) > 64:
        raise ManifestError("created must be a timestamp text")
    minimum = doc.get("min_agent_version", "0")
    if not isinstance(minimum, str):
        raise ManifestError("min_agent_version must be a text like 0.1.0")
    agent_version_tuple(minimum)
    files = doc.get("files")
    if not isinstance(files, dict) or len(files) > MAX_FILES:
        raise ManifestError(f"files must be an object of at most {MAX_FILES} names")
    for name, digest in files.items():
        if member_kind(name) == "manifest":
            raise ManifestError("the manifest cannot list itself")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ManifestError(f"{name!r}: sha256 must be 64 lowercase hex digits")
    if not any(member_kind(n) == "rule" for n in files):
        raise ManifestError("the bundle lists no rule file")
    return Manifest(version, created, minimum, dict(files))

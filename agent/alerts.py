"""The alert document: one ECS-aligned JSON object per matched file.

Built once per detection; every output format (JSON lines, console, SARIF, CEF, LEEF, syslog)
is a pure function of this dict. Fields ECS has no name for live under `webshell.*`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from typing import Any

import yara

from agent.document import (
    ECS_VERSION,
    SCHEMA_VERSION,
    Document,
    EventFields,
    FileAlertNamespace,
    MatchDoc,
    ScanDoc,
    StringExcerpt,
    WebshellFile,
    envelope,
)
from agent.filetypes import extension_of
from agent.identity import Identity
from agent.scanner import Reason, ScanResult
from agent.severity import SEVERITY, SEVERITY_NAMES, severity_of
from agent.timefmt import iso, utc_text

Alert = Document
__all__ = ["ECS_VERSION", "SCHEMA_VERSION", "Alert", "build_alert", "iso", "utc_text"]

TRIGGERS = ("oneoff", "created", "modified", "moved", "rescan", "catchup", "reverify", "baseline")


def display_path(path: str) -> str:
    """A path as readable text: bytes that are not UTF-8 become \\xNN (never a lone surrogate)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


# What each byte becomes in an excerpt: printable ASCII as is, the backslash doubled, the rest \xNN.
_EXCERPT = tuple(
    "\\\\" if b == 0x5C else chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}" for b in range(256)
)


_AS_IS = bytes(b for b in range(0x20, 0x7F) if b != 0x5C)


def excerpt(data: bytes) -> str:
    """Matched bytes as printable ASCII; everything else (and the backslash) escaped."""
    if not data.translate(None, _AS_IS):  # nothing to escape: most matches are code as text
        return data.decode("ascii")
    return "".join(map(_EXCERPT.__getitem__, data))


def event_id(hostname: str, path: str, sha256: str, ruleset: str) -> str:
    """Stable across re-sends and restarts, so a SIEM can de-duplicate."""
    return hashlib.sha256(
        f"{hostname}\0{path}\0{sha256}\0{ruleset}".encode("utf-8", "surrogateescape")
    ).hexdigest()[:32]


Technique = tuple[str, str, str | None, str | None]  # id, name, sub-technique id, its name


def _attack_ref(tid: str) -> str:
    kind = "tactics" if tid.startswith("TA") else "techniques"
    return f"https://attack.mitre.org/{kind}/{tid.replace('.', '/')}/"


WEB_SHELL: Technique = ("T1505", "Server Software Component", "T1505.003", "Web Shell")


def threat(
    software: list[str],
    extra: tuple[Technique, ...] = (),
    tactics: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """The ECS threat block every detection carries (T1505.003), plus any further techniques
    (a process alert adds e.g. T1059 or T1003.001)."""
    techniques = (WEB_SHELL, *extra)
    subs = [(sid, sname) for _, _, sid, sname in techniques if sid and sname]
    tacts = (("TA0003", "Persistence"), *tactics)
    return {
        "framework": "MITRE ATT&CK",
        "tactic": {
            "id": [t[0] for t in tacts],
            "name": [t[1] for t in tacts],
            "reference": [_attack_ref(t[0]) for t in tacts],
        },
        "technique": {
            "id": [t[0] for t in techniques],
            "name": [t[1] for t in techniques],
            "reference": [_attack_ref(t[0]) for t in techniques],
            "subtechnique": {
                "id": [s[0] for s in subs],
                "name": [s[1] for s in subs],
                "reference": [_attack_ref(s[0]) for s in subs],
            },
        },
        "software": {"name": software, "type": "Malware"},
    }


def _meta(value: Any) -> str:
    """Rule meta values as strings: third-party rules mix numbers, booleans and text under one
    key (`score = 70` here, `score = "high"` there), and a typed value that clashes with an
    index's mapping would make Elasticsearch refuse the whole alert."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parallel(values: list[str]) -> list[str] | None:
    """A rule.* array parallel to rule.name, or None (left out) when every entry is empty."""
    return values if any(values) else None


def build_alert(
    result: ScanResult,
    identity: Identity,
    ruleset: str,
    trigger: str = "oneoff",
    *,
    rules_version: str | None = None,  # the signed rule bundle's version, if one is active
) -> Alert:
    assert result.hashes is not None and result.info is not None and result.matches
    path = display_path(result.path)
    name = os.path.basename(path)
    info, hashes = result.info, result.hashes
    severities = [severity_of(m.meta) for m in result.matches]
    severity = max(SEVERITY[s] for s in severities)
    families = sorted({str(m.meta["family"]) for m in result.matches if m.meta.get("family")})
    rules = [m.rule for m in result.matches]
    timed_out = result.reason is Reason.TIMEOUT
    title = "Scan timed out (possible evasion)" if timed_out else "Web shell detected"
    eid = event_id(identity.hostname, result.path, hashes.sha256, ruleset)
    doc = envelope(
        EventFields(
            kind="alert",
            category=("malware", "intrusion_detection", "file"),
            type=("info",),
            id=eid,
            severity=severity,
            risk_score=float(severity),
            dataset="webshell_agent.alerts",
            action="webshell-detected",
        ),
        f"{title}: {path} ({', '.join(rules)})",
    )
    doc["file"] = {
        "path": path,
        "name": name,
        "directory": os.path.dirname(path),
        "extension": extension_of(name).lstrip("."),
        "size": info.size,
        "mtime": iso(info.mtime),
        "ctime": iso(info.ctime),
        "owner": info.owner,
        "uid": str(info.uid),
        "mode": f"{stat.S_IMODE(info.mode):04o}",
        "inode": str(info.inode),
        "hash": {"sha256": hashes.sha256, "sha1": hashes.sha1, "md5": hashes.md5},
    }
    rule: dict[str, Any] = {
        "name": rules,
        "id": _parallel([str(m.meta.get("id", "")) for m in result.matches]),
        "description": _parallel([str(m.meta.get("description", "")) for m in result.matches]),
        "author": _parallel([str(m.meta.get("author", "")) for m in result.matches]),
        "reference": _parallel([str(m.meta.get("reference", "")) for m in result.matches]),
        "ruleset": sorted({m.namespace for m in result.matches}),
        # the signed bundle's version when one is active, else the rule set's hash
        "version": rules_version or ruleset[:16],
    }
    doc["rule"] = {k: v for k, v in rule.items() if v is not None}
    doc["threat"] = threat(families)
    doc["host"] = identity.host()
    doc["agent"] = identity.agent()
    doc["related"] = {"hash": [hashes.sha256, hashes.sha1, hashes.md5]}
    exact = None
    if path != result.path:  # not valid UTF-8: keep the exact bytes too
        exact = base64.b64encode(os.fsencode(result.path)).decode("ascii")
    doc["webshell"] = FileAlertNamespace(
        severity=SEVERITY_NAMES[severity],
        correlation_id=eid,
        trigger=trigger,
        reason="scan-timeout" if timed_out else None,
        file=WebshellFile(result.filetype, exact),
        scan=ScanDoc(
            duration_ms=round(result.duration * 1000, 3),
            engine=f"yara-python {yara.__version__} (libyara {yara.YARA_VERSION})",
            ruleset=ruleset,
        ),
        matches=tuple(
            MatchDoc(
                rule=m.rule,
                namespace=m.namespace,
                tags=tuple(m.tags),
                severity=sev,
                meta={k: _meta(v) for k, v in m.meta.items()},
                layer=m.layer,
                strings=tuple(
                    StringExcerpt(s.identifier, s.offset, s.length, excerpt(s.data))
                    for s in m.strings
                ),
            )
            for m, sev in zip(result.matches, severities, strict=True)
        ),
    ).render()
    return doc

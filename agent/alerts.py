"""The alert document: one ECS-aligned JSON object per matched file.

Built once per detection; every output format (JSON lines, console, SARIF, CEF, LEEF, syslog)
is a pure function of this dict. Fields ECS has no name for live under `webshell.*`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from datetime import UTC, datetime
from typing import Any

import yara

from agent.filetypes import extension_of
from agent.identity import Identity
from agent.scanner import ScanResult

Alert = dict[str, Any]

SCHEMA_VERSION = 1
ECS_VERSION = "8.11.0"
SEVERITY = {"low": 21, "medium": 47, "high": 73, "critical": 99}
SEVERITY_NAMES = {v: k for k, v in SEVERITY.items()}
DEFAULT_SEVERITY = "high"  # third-party rules without our metadata
TRIGGERS = ("oneoff", "created", "modified", "moved", "rescan", "catchup", "reverify", "baseline")


def utc_text(when: datetime) -> str:
    """ISO 8601 / RFC 3339 in UTC with milliseconds and `Z`: the one timestamp format we emit."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso(ts: float | None = None) -> str:
    return utc_text(datetime.now(UTC) if ts is None else datetime.fromtimestamp(ts, UTC))


def display_path(path: str) -> str:
    """A path as readable text: bytes that are not UTF-8 become \\xNN (never a lone surrogate)."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def excerpt(data: bytes) -> str:
    """Matched bytes as printable ASCII; everything else (and the backslash) escaped."""
    out = []
    for b in data:
        if b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def severity_of(meta: dict[str, Any]) -> str:
    """Our `severity` meta, else a signature-base style numeric `score`, else the default."""
    sev = str(meta.get("severity", "")).lower()
    if sev in SEVERITY:
        return sev
    score = meta.get("score")
    if isinstance(score, int) and not isinstance(score, bool):
        return (
            "critical"
            if score >= 90
            else "high"
            if score >= 70
            else "medium"
            if score >= 40
            else "low"
        )
    return DEFAULT_SEVERITY


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


def build_alert(
    result: ScanResult, identity: Identity, ruleset: str, trigger: str = "oneoff"
) -> Alert:
    assert result.hashes is not None and result.info is not None and result.matches
    path = display_path(result.path)
    name = os.path.basename(path)
    info, hashes = result.info, result.hashes
    severities = [severity_of(m.meta) for m in result.matches]
    severity = max(SEVERITY[s] for s in severities)
    families = sorted({str(m.meta["family"]) for m in result.matches if m.meta.get("family")})
    rules = [m.rule for m in result.matches]
    now = iso()
    eid = event_id(identity.hostname, result.path, hashes.sha256, ruleset)
    file_doc: dict[str, Any] = {
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
    webshell_file: dict[str, Any] = {"filetype": result.filetype}
    if path != result.path:  # not valid UTF-8: keep the exact bytes too
        webshell_file["path_bytes_b64"] = base64.b64encode(os.fsencode(result.path)).decode("ascii")
    return {
        "@timestamp": now,
        "message": f"Web shell detected: {path} ({', '.join(rules)})",
        "ecs": {"version": ECS_VERSION},
        "event": {
            "kind": "alert",
            "category": ["malware", "intrusion_detection", "file"],
            "type": ["info"],
            "id": eid,
            "created": now,
            "severity": severity,
            "risk_score": float(severity),
            "module": "webshell_agent",
            "dataset": "webshell_agent.alerts",
            "action": "webshell-detected",
            "outcome": "success",
        },
        "file": file_doc,
        "rule": {
            "name": rules,
            "id": [str(m.meta.get("id", "")) for m in result.matches],
            "description": [str(m.meta.get("description", "")) for m in result.matches],
            "author": [str(m.meta.get("author", "")) for m in result.matches],
            "reference": [str(m.meta.get("reference", "")) for m in result.matches],
            "ruleset": sorted({m.namespace for m in result.matches}),
            "version": ruleset[:16],
        },
        "threat": threat(families),
        "host": identity.host(),
        "agent": identity.agent(),
        "related": {"hash": [hashes.sha256, hashes.sha1, hashes.md5]},
        "webshell": {
            "schema_version": SCHEMA_VERSION,
            "severity": SEVERITY_NAMES[severity],
            # A process alert that follows this file (agent.process) carries the same value.
            "correlation_id": eid,
            "trigger": trigger,
            "file": webshell_file,
            "scan": {
                "duration_ms": round(result.duration * 1000, 3),
                "engine": f"yara-python {yara.__version__} (libyara {yara.YARA_VERSION})",
                "ruleset": ruleset,
            },
            "matches": [
                {
                    "rule": m.rule,
                    "namespace": m.namespace,
                    "tags": list(m.tags),
                    "severity": sev,
                    "meta": {k: _meta(v) for k, v in m.meta.items()},
                    "strings": [
                        {
                            "identifier": s.identifier,
                            "offset": s.offset,
                            "length": s.length,
                            "excerpt": excerpt(s.data),
                        }
                        for s in m.strings
                    ],
                }
                for m, sev in zip(result.matches, severities, strict=True)
            ],
        },
    }

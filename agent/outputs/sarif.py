"""SARIF 2.1.0 for code-scanning tools: one result per rule match, rules described once."""

from __future__ import annotations

import base64
import ntpath
import os
import posixpath
import urllib.parse
from typing import Any

import agent
from agent.summary import Summary

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def file_uri(path: str, windows: bool = os.name == "nt") -> str:
    """A file: URI from the exact path bytes (non-UTF-8 names survive as %XX).

    `\\` is the separator only on Windows; on POSIX it is an ordinary character of a name
    (`na\\me.php`), kept as %5C so the URI names that file and no other."""
    raw = os.fsencode((ntpath if windows else posixpath).abspath(path))
    if windows:
        raw = raw.replace(b"\\", b"/")
    if not raw.startswith(b"/"):
        raw = b"/" + raw  # C:/x -> /C:/x
    return "file://" + urllib.parse.quote(raw, safe="/:")


def render(
    alerts: list[dict[str, Any]], summary: Summary, notifications: list[str] | None = None
) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for alert in alerts:
        ws = alert["webshell"]
        path_bytes = ws["file"].get("path_bytes_b64")
        uri = file_uri(
            os.fsdecode(base64.b64decode(path_bytes)) if path_bytes else alert["file"]["path"]
        )
        for m in ws["matches"]:
            rid = m["rule"]
            if rid not in rules:
                meta = m["meta"]
                rules[rid] = {
                    "id": rid,
                    "name": rid,
                    "shortDescription": {"text": str(meta.get("description") or rid)},
                    "properties": {
                        "tags": list(
                            dict.fromkeys(["security", "web-shell", *m["tags"]])
                        ),  # a set in SARIF
                        "security-severity": _SECURITY_SEVERITY[m["severity"]],
                        "family": str(meta.get("family", "")),
                        "namespace": m["namespace"],
                    },
                }
                if meta.get("reference"):
                    rules[rid]["helpUri"] = str(meta["reference"])
            region = (
                {"byteOffset": m["strings"][0]["offset"], "byteLength": m["strings"][0]["length"]}
                if m["strings"]
                else None
            )
            location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
            if region:
                location["physicalLocation"]["region"] = region
            results.append(
                {
                    "ruleId": rid,
                    "ruleIndex": list(rules).index(rid),
                    "level": _LEVEL[m["severity"]],
                    "message": {"text": f"{alert['message']} [rule {rid}]"},
                    "locations": [location],
                    "partialFingerprints": {"sha256/v1": alert["file"]["hash"]["sha256"]},
                    "properties": {
                        "event.id": alert["event"]["id"],
                        "sha256": alert["file"]["hash"]["sha256"],
                    },
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "webshell-agent",
                        "version": agent.__version__,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": summary.error_count == 0,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": n}}
                            for n in (notifications or [])
                        ],
                    }
                ],
                "properties": {"summary": summary.as_dict()},
            }
        ],
    }

"""The process alert: a web-server worker started a shell or a recon tool.

Same envelope as the file alert (agent.alerts): ECS `process.*` for the process, `process.parent.*`
for its direct parent, and the whole chain up to the worker under `webshell.process.chain`
(ECS has no field for more than one ancestor). When a file alert in the same web root came
shortly before, `webshell.correlation_id` is that file alert's `event.id` (which the file alert
also carries as its own `webshell.correlation_id`), so one search shows both.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from agent.alerts import Alert, Technique, threat
from agent.document import SCHEMA_VERSION, EventFields, envelope
from agent.identity import Identity
from agent.process.lineage import Finding, ProcInfo
from agent.severity import SEVERITY
from agent.timefmt import iso

EXECUTION: Technique = ("T1059", "Command and Scripting Interpreter", None, None)
LSASS_DUMP: Technique = ("T1003", "OS Credential Dumping", "T1003.001", "LSASS Memory")


@dataclass(frozen=True)
class Correlation:
    """A file alert this process alert is linked to."""

    correlation_id: str
    file_path: str
    hashes: tuple[str, ...]
    seconds_before: float  # how long before the process started the file alert was noted
    basis: str  # "cwd" (the process ran inside that web root) or "roots" (configured roots)
    root: str


def process_event_id(hostname: str, info: ProcInfo) -> str:
    """Stable for one process image: a re-sent alert keeps its id (the name is in it because a
    process seen between fork and exec is reported again once it has its own name)."""
    text = f"{hostname}\0process\0{info.pid}\0{info.create_time:.3f}\0{info.name}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _proc(info: ProcInfo, hostname: str) -> dict[str, Any]:
    """ECS process fields; what could not be read is left out, not guessed."""
    doc: dict[str, Any] = {
        "pid": info.pid,
        "name": info.name,
        "start": iso(info.create_time),
        "entity_id": process_event_id(hostname, info),
    }
    if info.cmdline is not None:
        doc["command_line"] = info.command_line
        doc["args"] = list(info.cmdline)
        doc["args_count"] = len(info.cmdline)
    if info.exe:
        doc["executable"] = info.exe
    if info.cwd:
        doc["working_directory"] = info.cwd
    if info.username:
        doc["user"] = {"name": info.username}
    return doc


def app_pool(info: ProcInfo) -> str | None:
    """IIS: `w3wp.exe -ap "MSExchangeOWAAppPool" ...` names the application pool."""
    args = info.cmdline or []
    for i, a in enumerate(args[:-1]):
        if a.lower() == "-ap":
            return args[i + 1].strip('"')
    return None


def _describe(info: ProcInfo) -> str:
    return info.command_line or info.name


def build_process_alert(
    finding: Finding, identity: Identity, correlation: Correlation | None = None
) -> Alert:
    p, worker = finding.process, finding.worker
    severity = SEVERITY["critical" if finding.critical else "high"]
    process = _proc(p, identity.hostname)
    # ECS 8 has no process.ppid: the parent is process.parent.pid
    process["parent"] = _proc(finding.parent, identity.hostname)
    chain = [_proc(c, identity.hostname) for c in finding.chain]
    extra = (EXECUTION, LSASS_DUMP) if finding.critical else (EXECUTION,)
    tactics: tuple[tuple[str, str], ...] = (("TA0002", "Execution"),)
    if finding.critical:
        tactics += (("TA0006", "Credential Access"),)
    users = sorted({u for u in (p.username, worker.username) if u})
    related: dict[str, Any] = {"user": users} if users else {}
    what = "dumped LSASS memory" if finding.critical else "started"
    pool_name = app_pool(worker)
    pool = {"app_pool": pool_name} if pool_name else {}
    where = f"{worker.name} (pid {worker.pid}" + (f", {pool_name})" if pool_name else ")")
    message = f"Web server worker {where} {what}: {_describe(p)}"
    webshell: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "severity": "critical" if finding.critical else "high",
        "trigger": "process",
        "process": {
            "chain": chain,
            "depth": len(finding.chain),
            "worker": _proc(worker, identity.hostname) | pool,
            "credential_theft": finding.critical,
        },
    }
    if correlation is not None:
        webshell["correlation_id"] = correlation.correlation_id
        webshell["correlation"] = {
            "file_path": correlation.file_path,
            "seconds_before": round(correlation.seconds_before, 3),
            "basis": correlation.basis,
            "root": correlation.root,
        }
        related["hash"] = list(correlation.hashes)
        message += f" (after web shell {os.path.basename(correlation.file_path)})"
    doc = envelope(
        EventFields(
            kind="alert",
            category=("process", "intrusion_detection", "malware"),
            type=("start",),
            id=process_event_id(identity.hostname, p),
            start=iso(p.create_time),
            severity=severity,
            risk_score=float(severity),
            dataset="webshell_agent.process",
            action="webshell-process-started",
            outcome="success",  # the process did start
        ),
        message,
    )
    doc["process"] = process
    doc["threat"] = threat([], extra, tactics)
    doc["host"] = identity.host()
    doc["agent"] = identity.agent()
    doc["related"] = related
    doc["webshell"] = webshell
    return doc

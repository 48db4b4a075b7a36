"""`webshell-agent service install|uninstall|status|start|stop`: the agent as a system service."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from agent.service import install as inst
from agent.service.unit import DEFAULT_USER, SERVICE_NAME

# What `service status` reads from systemd.
STATUS_PROPERTIES = (
    "LoadState", "UnitFileState", "ActiveState", "SubState", "MainPID", "NRestarts",
    "ExecMainStartTimestamp", "StatusText", "Result", "ExecMainStatus",
)  # fmt: skip


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "service", help="install, remove and control the agent as a system service",
        description="Install the agent as a systemd service (Linux) or a Windows service. "
        "Needs root / Administrator; --dry-run shows every step and file first.",
    )  # fmt: skip
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    i = sub.add_parser("install", help="install, enable at boot and start the service")
    i.add_argument("--config", type=Path, metavar="FILE",
                   help="configuration file to use (a default is written if missing)")  # fmt: skip
    i.add_argument("--user", metavar="NAME",
                   help=f"account the service runs as (Linux default: {DEFAULT_USER}, created; "
                   "Windows default: LocalSystem)")  # fmt: skip
    i.add_argument("--no-start", action="store_true", help="enable at boot but do not start now")
    i.add_argument(
        "--dry-run", action="store_true", help="print what would be done, change nothing"
    )
    i.set_defaults(func=cmd_install)
    u = sub.add_parser("uninstall", help="stop and remove the service (keeps config and alerts)")
    u.add_argument("--purge", action="store_true",
                   help="also remove config, state, alerts and the service user")  # fmt: skip
    u.add_argument("--user", metavar="NAME", help="service user to remove with --purge")
    u.add_argument(
        "--dry-run", action="store_true", help="print what would be done, change nothing"
    )
    u.set_defaults(func=cmd_uninstall)
    s = sub.add_parser("status", help="is the service installed, running, healthy")
    s.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: the status as one JSON object",
    )
    s.add_argument(
        "--json", action="store_const", dest="format", const="json", help=argparse.SUPPRESS
    )  # the old spelling
    s.set_defaults(func=cmd_status)
    for name in ("start", "stop"):
        c = sub.add_parser(name, help=f"{name} the installed service")
        c.set_defaults(func=cmd_control, control=name)


def _windows_calls() -> Mapping[str, Callable[..., None]] | None:
    if sys.platform == "win32":
        from agent.service.windows import CALLS

        return CALLS
    else:
        return None


def cmd_install(args: argparse.Namespace) -> int:
    config = str(args.config.resolve()) if args.config else None
    p = inst.probe(args.user or DEFAULT_USER, extra=(config,) if config else ())
    plan = inst.install_plan(p, config=config, user=args.user, start=not args.no_start)
    if args.dry_run:
        print(inst.render(plan, dry_run=True), end="")
    else:
        inst.execute(plan, calls=_windows_calls())
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    p = inst.probe(args.user or DEFAULT_USER)
    plan = inst.uninstall_plan(p, purge=args.purge, user=args.user)
    if args.dry_run:
        print(inst.render(plan, dry_run=True), end="")
    else:
        inst.execute(plan, calls=_windows_calls())
    return 0


def parse_show(text: str) -> dict[str, str]:
    """`systemctl show -p A,B` output (A=1 lines) as a dict."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def status_summary(props: Mapping[str, str]) -> tuple[str, int]:
    """One line for people and an exit code (LSB: 0 running, 3 not running, 4 unknown)."""
    if props.get("LoadState") == "not-found":
        return f"{SERVICE_NAME}: not installed", 4
    active, sub = props.get("ActiveState", "?"), props.get("SubState", "?")
    line = f"{SERVICE_NAME}: {active} ({sub}), {props.get('UnitFileState', '?')} at boot"
    if props.get("MainPID", "0") != "0":
        line += f", pid {props['MainPID']}"
    if props.get("NRestarts", "0") not in ("", "0"):
        line += f", restarted {props['NRestarts']} times"
    if active == "failed" or props.get("Result", "success") not in ("", "success"):
        line += f", last result {props.get('Result', '?')}"
        if props.get("ExecMainStatus", "0") not in ("", "0"):
            line += f" (exit status {props['ExecMainStatus']})"
    # STATUS= is the agent's own word on itself: stale once it is gone ("stopping: ...")
    if props.get("StatusText") and active in ("active", "activating", "reloading"):
        line += f"; {props['StatusText']}"
    return line, 0 if active == "active" else 3


def cmd_status(args: argparse.Namespace) -> int:
    if sys.platform == "win32":
        from agent.service.windows import status

        state = status()
        props = {"ActiveState": state}
        line, code = f"{SERVICE_NAME}: {state}", 0 if state == "running" else 3
    else:
        if shutil.which("systemctl") is None:
            raise inst.ServiceError("systemctl not found: is this a systemd machine?")
        done = subprocess.run(
            ["systemctl", "show", "-p", ",".join(STATUS_PROPERTIES), f"{SERVICE_NAME}.service"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise inst.ServiceError(f"systemctl show failed: {done.stderr.strip()}")
        props = parse_show(done.stdout)
        line, code = status_summary(props)
    print(json.dumps(props, sort_keys=True) if args.format == "json" else line)
    return code


def cmd_control(args: argparse.Namespace) -> int:
    needs = "Administrator" if sys.platform == "win32" else "root (run it with sudo)"
    if not inst.is_admin():
        raise inst.ServiceError(f"service {args.control} needs {needs}")
    if sys.platform == "win32":
        call = inst.Call(f"{args.control}_service", (("name", SERVICE_NAME),))
        inst.apply(call, calls=_windows_calls())
    else:
        inst.run_command(("systemctl", args.control, f"{SERVICE_NAME}.service"))
    print(f"{SERVICE_NAME}: {args.control} requested")
    return 0

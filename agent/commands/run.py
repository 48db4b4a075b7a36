"""`webshell-agent run`: watch web roots in the foreground until SIGINT / SIGTERM (Ctrl-C,
Ctrl-Break on Windows), then drain and exit 0. SIGHUP reloads the rules.

Alerts go to <data-dir>/alerts.jsonl, operational events to <data-dir>/events.jsonl; on a
terminal, alerts are also printed readably and the main events as one line each on stderr.
Exit codes: 0 stopped on request; 2 could not start (configuration, rules, data folder).
"""

from __future__ import annotations

import argparse
import signal
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from agent import config as cfgmod
from agent.commands.common import add_config_arg, add_rule_args, config_from
from agent.config import PRESETS, Config
from agent.errors import ConfigError, UsageError
from agent.logging import Event
from agent.outputs import console
from agent.presets import discover
from agent.runtime import Runtime
from agent.service.startup_checks import cannot_start
from agent.service.systemd import SystemdNotifier

STOP_TIMEOUT = 10.0
# Events worth a line on a terminal (the rest, e.g. heartbeats, stay in events.jsonl).
_SHOWN = {
    "started", "ready", "rules-loaded", "rules-reloaded", "rules-reload-failed", "rule-error",
    "watch-lost", "watch-restored", "overflow-suspected", "rescan-finished", "scan-error",
    "stopping", "stopped", "internal-error", "alert-write-failed", "alert-write-recovered",
    "state-write-failed", "state-write-recovered", "disk-full", "disk-full-cleared",
    "state-corrupt", "watch-limit", "watch-limit-cleared", "rescan-error",
}  # fmt: skip


def register(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="watch web roots and scan new or changed files (foreground)",
        description=__doc__,
    )
    add_config_arg(p)
    p.add_argument(
        "--watch", type=Path, action="append", default=[], metavar="DIR",
        help="a web root to watch; repeatable",
    )  # fmt: skip
    p.add_argument(
        "--preset", action="append", default=[], choices=PRESETS,
        help="watch the usual roots of a server product; repeatable",
    )  # fmt: skip
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="alerts, events and state")
    add_rule_args(p)
    p.add_argument("--threads", type=int, metavar="N", help="scan threads (default 2)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing on the terminal")
    p.set_defaults(func=run)


def config_for_run(args: argparse.Namespace) -> Config:
    cfg = config_from(args)
    watch: dict[str, object] = {}
    if args.watch:
        watch["roots"] = (*cfg.watch.roots, *(p.expanduser() for p in args.watch))
    if args.preset:
        watch["presets"] = (*cfg.watch.presets, *args.preset)
    agent_cfg: dict[str, object] = {}
    if args.data_dir is not None:
        agent_cfg["data_dir"] = args.data_dir.expanduser()
    scan: dict[str, object] = {}
    if args.threads is not None:
        scan["threads"] = args.threads
    cfg = cfgmod.replace(cfg, watch=watch, agent=agent_cfg, scan=scan)
    fatal = [p for p in cfgmod.check(cfg) if not p.startswith("watch.roots")]
    fatal += cannot_start(cfg)
    if fatal:
        raise ConfigError("; ".join(fatal))
    # Before anything exists in the data folder: a run with nothing to watch leaves no trace.
    if not cfg.watch.roots and not cfg.watch.polling and not discover(cfg.watch.presets).roots():
        raise UsageError("nothing to watch: give --watch DIR, watch.roots or a preset")
    return cfg


def _print_alert(alert: dict[str, Any]) -> None:
    console.TERMINAL.write(console.render_alert(alert))


def _print_event(doc: Event) -> None:
    if doc["event"]["action"] in _SHOWN:
        level = doc["log"]["level"]
        tag = "" if level == "info" else f"{level}: "
        console.TERMINAL.write(f"webshell-agent: {tag}{console.safe(doc['message'])}", sys.stderr)


def run(args: argparse.Namespace) -> int:
    # Under systemd (Type=notify): READY/STOPPING/WATCHDOG; elsewhere no change.
    cfg, notify = SystemdNotifier().bind(config_for_run(args))
    core = Runtime(
        cfg,
        echo_alert=None if args.quiet or not sys.stdout.isatty() else _print_alert,
        echo_event=None if args.quiet or not sys.stderr.isatty() else _print_event,
        rules_cache=not args.no_cache,
        **notify,
    )
    return run_in_foreground(core)


def run_demo(base: Path, plant: Callable[[Path], list[Path]]) -> int:
    """`demo --run`: plant the demo web root under base/www and watch it until Ctrl-C."""
    web, data = base / "www", base / "data"
    shells = plant(web)
    cfg = cfgmod.load(None)
    cfg = cfgmod.replace(
        cfg,
        watch={"roots": (web,), "presets": ()},
        agent={"data_dir": data, "heartbeat_interval": 0.0},
    )
    print(
        f"Demo web root: {web} ({len(shells)} test shells among ordinary pages).\n"
        "Starting the agent on it; the initial scan reports the planted shells:\n",
        file=sys.stderr,
        flush=True,
    )
    example = shells[0] if shells else None

    def ready() -> None:
        drop = f"  cp '{example}' '{web}/dropped{example.suffix}'\n" if example is not None else ""
        print(
            f"\nReady. Watching {web} live. Drop a file in to see an alert, e.g.\n{drop}"
            f"Alerts: {data / 'alerts.jsonl'}  events: {data / 'events.jsonl'}\n"
            "Stop with Ctrl-C.",
            file=sys.stderr,
            flush=True,
        )

    core = Runtime(cfg, echo_alert=_print_alert, echo_event=_print_event, on_ready=ready)
    return run_in_foreground(core)


def run_in_foreground(core: Runtime) -> int:
    """Start, wait for a signal, drain and stop. SIGHUP reloads the rules."""

    def on_stop(signum: int, frame: FrameType | None) -> None:
        core.request_stop()

    def on_reload(signum: int, frame: FrameType | None) -> None:
        core.request_reload()

    # watchdog warns when a re-added inotify watch replaces its own callback (a directory
    # created, removed and created again); harmless, and noise on a terminal.
    warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning, "watchdog")
    previous: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        if hasattr(signal, name):
            previous[getattr(signal, name)] = signal.signal(getattr(signal, name), on_stop)
    if hasattr(signal, "SIGHUP"):
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_reload)
    try:
        core.start()
        core.wait()
    finally:
        core.stop(STOP_TIMEOUT)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0

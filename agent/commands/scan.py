"""`webshell-agent scan PATH...`: a one-off scan with a report and a ClamAV-style exit code."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from agent import config as cfgmod
from agent.commands.common import add_config_arg, add_rule_args, config_from, rules_from, size_arg
from agent.confine import Roots
from agent.identity import Identity, load_identity
from agent.outputs import console, jsonl, sarif
from agent.pipeline import Job, Pipeline
from agent.pipeline.sink import AlertSink
from agent.quarantine import Quarantine
from agent.scanner import Scanner, ScanResult, Verdict
from agent.summary import Summary
from agent.walk import Filter, walk

FORMATS = ("text", "json", "jsonl", "sarif")
# The report's reader closed its end: the status a shell shows for a command stopped by SIGPIPE
# (128 + 13), as `find /var/www | head` gives.
EXIT_READER_GONE = 141


def register(sub: Any) -> None:
    p = sub.add_parser("scan", help="scan files and folders once", description=__doc__)
    p.add_argument("paths", nargs="+", metavar="PATH", help="files and folders to scan")
    add_config_arg(p)
    add_rule_args(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default): findings and a summary; jsonl: one alert per line; json: one"
        " document; sarif: SARIF 2.1.0",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="print only findings (errors still go to stderr)"
    )
    p.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report here instead of stdout"
    )
    p.add_argument(
        "--threads", type=int, metavar="N", help="scan threads (default: scan.threads, 2)"
    )
    p.add_argument(
        "--max-size", type=size_arg, metavar="SIZE", help="skip larger files (default 20MiB)"
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip matching paths; repeatable",
    )
    p.add_argument(
        "--all-files",
        action="store_true",
        help="scan every file, not only web-executable extensions",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress line on a terminal")
    p.add_argument(
        "--quarantine", action="store_true",
        help="move matched files into the data folder's quarantine (see `quarantine list`)",
    )  # fmt: skip
    p.set_defaults(func=run)


class _Progress:
    """One self-rewriting stderr line, only on a terminal. Once the walk has counted every
    file (`total`), it shows done/total and an estimate of the time left."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.total: int | None = None
        self._last = 0.0
        self._t0 = time.perf_counter()

    def update(self, s: Summary, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last < 0.2):
            return
        self._last = now
        sys.stderr.write("\r" + progress_line(s, now - self._t0, self.total) + "  ")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 78 + "\r")
            sys.stderr.flush()


def progress_line(s: Summary, elapsed: float, total: int | None) -> str:
    rate = s.files / max(elapsed, 1e-9)
    done = f"{s.files:>9,} files" if total is None else f"{s.files:,}/{total:,} files"
    eta = ""
    if total is not None and rate > 0:
        left = max(total - s.files, 0) / rate
        eta = f"  ETA {int(left // 60)}:{int(left % 60):02d}"
    return f"  {done}  {rate:>8,.0f} files/s  matched {s.matched}  errors {s.error_count}{eta}"


class _Report:
    """Accounting and streaming output for results, called from the scan workers."""

    def __init__(
        self,
        fmt: str,
        out: IO[str],
        summary: Summary,
        progress: _Progress,
        identity: Identity,
        ruleset: str,
        rules_version: str | None = None,
    ) -> None:
        self.fmt, self.out, self.summary, self.progress = fmt, out, summary, progress
        self.identity, self.ruleset = identity, ruleset
        self.rules_version = rules_version  # the signed bundle's version, if one is active
        self.alerts: list[dict[str, Any]] = []
        self.notifications: list[str] = []
        self.handled = 0
        self._lock = threading.Lock()
        # Findings come out in walk order (sorted names), whatever thread finished first: each
        # walked path gets a number, and a finding waits until every earlier path is done.
        self._seq: dict[str, int] = {}
        self._submitted = 0
        self._emitted = 0
        self._ready: dict[int, dict[str, Any] | None] = {}
        # the same de-duplicate/respond path as the running agent; the alert it returns is
        # written below, in walk order
        self.sink = AlertSink(identity, lambda alert: None)
        # The reader of the report went away (`scan /var/www | head`): nobody reads what
        # follows, so the scan stops, as `find` does when its pipe closes.
        self.reader_gone = threading.Event()

    @property
    def quarantine(self) -> Quarantine | None:  # scan --quarantine
        return self.sink.quarantine

    @quarantine.setter
    def quarantine(self, q: Quarantine | None) -> None:
        self.sink.quarantine = q

    def expect(self, path: str) -> None:
        with self._lock:
            self._seq[path] = self._submitted
            self._submitted += 1

    def error(self, path: str, reason: str, detail: str) -> None:
        line = _error_line(path, reason, detail)
        with self._lock:
            if reason == "cannot read":
                self.summary.add_walk_error()
            self.notifications.append(line)
            self.progress.done()
            print(line, file=sys.stderr)

    def handle(self, job: Job, result: ScanResult) -> None:
        alert = None
        try:
            if result.verdict is Verdict.ERROR:
                self.error(result.path, str(result.reason), result.detail)
            elif result.verdict is Verdict.MATCHED:
                alert = self.sink.file_alert(result, self.ruleset, "oneoff", self.rules_version)
        finally:
            with self._lock:
                self.summary.add(result)
                self.handled += 1
                seq = self._seq.pop(job.path, None)
                if seq is None:
                    self._emit(alert)
                else:
                    self._ready[seq] = alert
                    while self._emitted in self._ready:
                        self._emit(self._ready.pop(self._emitted))
                        self._emitted += 1

    def _emit(self, alert: dict[str, Any] | None) -> None:
        """Under the lock: one finding to the report, whole."""
        if alert is None or self.reader_gone.is_set():
            return
        try:
            self._write(alert)
        except BrokenPipeError:
            self.reader_gone.set()

    def _write(self, alert: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(jsonl.render_line(alert) + "\n")
            self.out.flush()
        elif self.fmt == "text":
            self.progress.done()
            self.out.write(console.render_alert(alert) + "\n")
            self.out.flush()
        else:
            self.alerts.append(alert)


def _error_line(path: str, reason: str, detail: str) -> str:
    return f"webshell-agent: error: {console.safe(path)}: {reason.replace('_', ' ')}" + (
        f" ({detail})" if detail else ""
    )


def run(args: argparse.Namespace) -> int:
    cfg = config_from(args)
    scan_changes: dict[str, object] = {}
    if args.threads is not None:
        scan_changes["threads"] = max(1, args.threads)
    if args.max_size is not None:
        scan_changes["max_size"] = args.max_size
    if args.exclude:
        scan_changes["exclude"] = (*cfg.scan.exclude, *args.exclude)
    if args.all_files:
        scan_changes["all_files"] = True
    cfg = cfgmod.replace(cfg, scan=scan_changes)

    summary = Summary()
    ruleset = rules_from(cfg, args)
    summary.rules = ruleset.count
    summary.rule_problems = len(ruleset.broken)
    identity = load_identity(cfg.agent.data_dir)
    # The PATHs are the roots: below them files are reached by descriptor, never via a symlink.
    roots = Roots(str(p) for p in args.paths)
    flt = Filter(
        cfg.scan.extensions, cfg.scan.exclude, all_files=cfg.scan.all_files, sniff=cfg.scan.sniff
    )
    scanner = Scanner(
        ruleset, max_size=cfg.scan.max_size, timeout=cfg.scan.timeout, hash_clean=False,
        roots=roots, select=flt, processes=cfg.scan.threads if cfg.scan.processes else 0,
    )  # fmt: skip
    quarantine = None
    if args.quarantine or cfg.response.quarantine:  # only inside the PATHs given
        quarantine = Quarantine(cfg.agent.data_dir, [str(p) for p in args.paths])

    out: IO[str] = (
        args.output.open("w", encoding="utf-8", newline="\n") if args.output else sys.stdout
    )
    progress = _Progress(
        args.format == "text" and sys.stderr.isatty() and not args.no_progress and not args.quiet
    )
    report = _Report(args.format, out, summary, progress, identity, ruleset.digest, ruleset.version)
    report.notifications += [str(p) for p in ruleset.broken]
    report.quarantine = quarantine
    # Results are handled on the worker threads: a hand-off to this thread per file cost more
    # than the bookkeeping itself (GIL ping-pong), so this thread only walks and waits.
    pipeline = Pipeline(scanner, report.handle, threads=cfg.scan.threads, queue_size=1024).start()
    submitted = 0
    try:
        for found in walk([str(p) for p in args.paths], flt, roots):
            if report.reader_gone.is_set():
                break
            if found.error is not None:
                err = found.error
                report.error(found.path, "cannot read", getattr(err, "strerror", None) or str(err))
                continue
            report.expect(found.path)
            pipeline.submit(Job(found.path, "oneoff"))
            submitted += 1
            progress.update(summary)
        progress.total = submitted  # the walk is counted: done/total and an ETA from now on
        while report.handled < submitted and not report.reader_gone.is_set():
            time.sleep(0.05)
            progress.update(summary)
    finally:
        pipeline.close()
        progress.done()
    if report.reader_gone.is_set():
        if out is sys.stdout:  # Python would report the closed pipe again at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            with contextlib.suppress(OSError):
                out.close()
        return EXIT_READER_GONE
    alerts, notifications = report.alerts, report.notifications
    summary.finish()
    if args.format == "text":
        if not args.quiet:  # -q: findings only
            out.write(console.render_summary(summary) + "\n")
    elif args.format == "json":
        json.dump(
            {"alerts": alerts, "summary": summary.as_dict(), "errors": notifications},
            out,
            ensure_ascii=False,
        )
        out.write("\n")
    elif args.format == "sarif":
        json.dump(sarif.render(alerts, summary, notifications), out, ensure_ascii=False)
        out.write("\n")
    elif not args.quiet:
        print(console.render_summary(summary), file=sys.stderr)
    out.flush()
    if out is not sys.stdout:
        out.close()
    return summary.exit_code()


def build_parser_namespace(argv: list[str]) -> argparse.Namespace:
    """Scan arguments as the command line would give them (for `demo` and tests)."""
    parser = argparse.ArgumentParser(prog="webshell-agent")
    parser.add_argument("--debug", action="store_true")
    sub = parser.add_subparsers()
    register(sub)
    return parser.parse_args(["scan", *argv])

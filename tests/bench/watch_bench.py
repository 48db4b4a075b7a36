"""The watching agent, measured as a real process (`webshell-agent run`) on real files.

    make bench-watch
    python -m tests.bench.watch_bench --rate 500 --seconds 20 --burst 100000 --idle 60

1. latency from close() to the alert line being visible in alerts.jsonl (a tail polling every
   ~2 ms) at a steady write rate, every 5th file a shell;
2. a burst of N files written as fast as possible (1 % shells): files missed (not in the state
   after the drain), shells not alerted, duplicates, time from the end of the burst to the
   drain, overflow events seen;
3. idle after the baseline: RSS, and CPU over a window;
4. start-up to `ready` with the rules already cached (empty root).

Default rules (signatures/), default configuration apart from the data folder. Figures on a
shared 2-core VM are noisy: run it more than once before believing a difference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

SHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>'
BENIGN = b"<html><body><% Response.Write(DateTime.Now) %></body></html>"


def ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Agent:
    def __init__(self, base: Path, root: Path) -> None:
        self.data = base / "data"
        self.root = root
        self.env = os.environ | {"WEBSHELL_AGENT_RULES_CACHE_DIR": str(base / "cache")}
        self.proc: subprocess.Popen[bytes] | None = None

    def lines(self, name: str) -> list[dict[str, Any]]:
        p = self.data / name
        if not p.exists():
            return []
        return [json.loads(x) for x in p.read_bytes().split(b"\n") if x.strip()]

    def events(self, action: str) -> list[dict[str, Any]]:
        return [d for d in self.lines("events.jsonl") if d["event"]["action"] == action]

    def start(self) -> float:
        """Start; returns seconds from spawn to the ready event."""
        before = len(self.events("ready"))
        t0 = time.time()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agent", "run", "--watch", str(self.root), "--data-dir",
             str(self.data), "--quiet"],
            env=self.env,
        )  # fmt: skip
        while len(self.events("ready")) == before:
            if self.proc.poll() is not None:
                raise SystemExit("the agent exited during start-up")
            time.sleep(0.01)
        return ts(self.events("ready")[-1]["@timestamp"]) - t0

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(60)

    def known(self, under: Path | None = None) -> int:
        """Files in the agent's state (all, or those below a folder)."""
        db = sqlite3.connect(f"file:{self.data / 'state.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            if under is None:
                return int(db.execute("SELECT count(*) FROM files").fetchone()[0])
            lo = os.fsencode(os.path.join(under, ""))
            hi = lo[:-1] + bytes([lo[-1] + 1])
            row = db.execute("SELECT count(*) FROM files WHERE path >= ? AND path < ?", (lo, hi))
            return int(row.fetchone()[0])
        finally:
            db.close()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Tail(threading.Thread):
    """Notes when each alert line becomes visible in alerts.jsonl (polled every ~2 ms)."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.seen: dict[str, float] = {}
        self.done = threading.Event()
        self.offset = path.stat().st_size if path.exists() else 0

    def run(self) -> None:
        buf = b""
        while not self.done.is_set():
            try:
                with open(self.path, "rb") as f:
                    f.seek(self.offset)
                    chunk = f.read()
            except FileNotFoundError:
                chunk = b""
            now = time.time()
            if chunk:
                self.offset += len(chunk)
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if line.strip():
                        self.seen.setdefault(json.loads(line)["file"]["path"], now)
            time.sleep(0.002)


def bench_latency(agent: Agent, rate: int, seconds: float) -> dict[str, Any]:
    closed: dict[str, float] = {}
    d = agent.root / "latency"
    d.mkdir()
    tail = Tail(agent.data / "alerts.jsonl")
    tail.start()
    n = int(rate * seconds)
    start = time.monotonic()
    for i in range(n):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        p = d / f"l{i}.aspx"
        shell = i % 5 == 0
        with open(p, "wb") as f:
            f.write((SHELL if shell else BENIGN) + str(i).encode())
        if shell:
            closed[str(p)] = time.time()
    achieved = n / (time.monotonic() - start)
    deadline = time.monotonic() + 60
    while len(set(closed) & set(tail.seen)) < len(closed) and time.monotonic() < deadline:
        time.sleep(0.1)
    tail.done.set()
    tail.join()
    ms = [(tail.seen[p] - t) * 1000 for p, t in closed.items() if p in tail.seen]
    return {
        "rate_target": rate,
        "rate_achieved": round(achieved),
        "shells": len(closed),
        "alerted": len(ms),
        "p50_ms": round(pct(ms, 0.50), 1) if ms else None,
        "p99_ms": round(pct(ms, 0.99), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "note": "close() to the line visible in alerts.jsonl; includes the ~2 ms tail poll",
    }


def bench_burst(agent: Agent, files: int) -> dict[str, Any]:
    burst = agent.root / "burst"
    alerts_before = len(agent.lines("alerts.jsonl"))
    overflow_before = len(agent.events("overflow-suspected"))
    shells = set()
    dirs = max(1, files // 1000)
    for k in range(dirs):
        (agent.root / "burst" / f"d{k}").mkdir(parents=True)
    t0 = time.monotonic()
    for i in range(files):
        p = agent.root / "burst" / f"d{i % dirs}" / f"b{i}.aspx"
        shell = i % 100 == 0
        p.write_bytes((SHELL if shell else BENIGN) + str(i).encode())
        if shell:
            shells.add(str(p))
    written = time.monotonic()
    last, last_change = -1, time.monotonic()
    while (now := agent.known(burst)) < files and time.monotonic() - last_change < 60:
        if now != last:  # give up only after a minute without progress: then count the missed
            last, last_change = now, time.monotonic()
        time.sleep(0.2)
    drained = time.monotonic()
    time.sleep(1.0)
    alerts = agent.lines("alerts.jsonl")[alerts_before:]
    alerted = [a["file"]["path"] for a in alerts if a["file"]["path"] in shells]
    return {
        "files": files,
        "write_seconds": round(written - t0, 2),
        "write_rate": round(files / (written - t0)),
        "drain_after_burst_seconds": round(drained - written, 2),
        "missed": files - agent.known(burst),
        "shells": len(shells),
        "shells_not_alerted": len(shells - set(alerted)),
        "duplicate_alerts": len(alerted) - len(set(alerted)),
        "overflow_events": len(agent.events("overflow-suspected")) - overflow_before,
    }


def bench_idle(agent: Agent, seconds: float) -> dict[str, Any]:
    assert agent.proc is not None
    proc = psutil.Process(agent.proc.pid)
    time.sleep(2.0)  # let the last scans finish
    c0, t0 = proc.cpu_times(), time.monotonic()
    time.sleep(seconds)
    c1, t1 = proc.cpu_times(), time.monotonic()
    cpu = (c1.user + c1.system - c0.user - c0.system) / (t1 - t0) * 100
    return {
        "window_seconds": seconds,
        "rss_mb": round(proc.memory_info().rss / 1024 / 1024, 1),
        "cpu_percent": round(cpu, 3),
        "threads": proc.num_threads(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rate", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--burst", type=int, default=100_000)
    ap.add_argument("--idle", type=float, default=60.0)
    ap.add_argument("--baseline-files", type=int, default=2000, help="files present before start")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="wsa-watch-bench-"))
    root = base / "www"
    (root / "existing").mkdir(parents=True)
    for i in range(args.baseline_files):
        (root / "existing" / f"e{i}.aspx").write_bytes(BENIGN + str(i).encode())
    agent = Agent(base, root)
    results: dict[str, Any] = {}
    try:
        results["first_start_seconds_incl_compile_and_baseline"] = round(agent.start(), 3)
        assert agent.proc is not None
        results["rss_mb_after_first_start_with_compile"] = round(
            psutil.Process(agent.proc.pid).memory_info().rss / 1024 / 1024, 1
        )
        agent.stop()
        results["restart_seconds_cached_rules_catchup"] = round(agent.start(), 3)
        results["idle_after_restart"] = bench_idle(agent, args.idle)
        results["latency"] = bench_latency(agent, args.rate, args.seconds)
        results["burst"] = bench_burst(agent, args.burst)
        agent.stop()
        empty = base / "empty"
        empty.mkdir()
        probe = Agent(base / "probe", empty)
        probe.env = agent.env
        probe.start()
        probe.stop()
        results["startup_to_ready_cached_rules_empty_root_seconds"] = round(probe.start(), 3)
        probe.stop()
    finally:
        agent.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

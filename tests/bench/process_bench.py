"""Process-watch benchmark: CPU cost at the default interval, catch rate of short-lived shells.

    make bench-process                         # defaults: ~500 processes, 30 s of CPU sampling
    .venv/bin/python tests/bench/process_bench.py --interval 0.25 --seconds 20 --trials 40

1. Tops the process table up to --processes with idle `sleep` processes, runs the
   ProcessWatcher for --seconds and reports the agent's CPU time over that span (the main
   thread only sleeps, so it is the watcher's), plus the median cost of one pass and, for
   comparison, of one full psutil.process_iter pass.
2. A copy of /bin/sh named `httpd` reads lifetimes from a pipe and starts `sh -c 'sleep L;
   true'` for each; the lines arrive at random moments. Reports the share of those shells
   that raised an alert, per lifetime.

Figures depend on the machine and its load (a shared 2-core box is noisy): quote them with
the command line and the process count printed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from agent.config import Config, ProcessConfig
from agent.identity import Identity
from agent.process.lineage import Lineage
from agent.process.watcher import ProcessWatcher, names_from

IDENTITY = Identity("bench-host", "bench")


def top_up(target: int) -> list[subprocess.Popen[bytes]]:
    extra = max(0, target - len(psutil.pids()))
    return [
        subprocess.Popen(["sleep", "3600"], start_new_session=True, stdin=subprocess.DEVNULL)
        for _ in range(extra)
    ]


def cpu_cost(interval: float, seconds: float, source: Any) -> dict[str, Any]:
    cfg = Config(process=ProcessConfig(interval=interval, source=source))
    watcher = ProcessWatcher(cfg, IDENTITY, lambda a: None, roots=[])
    watcher.start()  # baseline taken before we start counting
    cpu0, wall0 = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    passes = watcher.health()["passes"]
    execs = int(watcher.health()["exec_events"])
    print("source:", watcher.source, watcher.source_problem, flush=True)
    watcher.stop(5)

    lin = Lineage(names_from(cfg))
    lin.baseline()
    poll_ms = []
    for _ in range(200):
        t = time.perf_counter()
        lin.poll()
        poll_ms.append((time.perf_counter() - t) * 1000)
    full_ms = []
    for _ in range(20):
        t = time.perf_counter()
        for p in psutil.process_iter(["pid", "ppid", "name"]):
            p.info  # noqa: B018  # the read is the point
        full_ms.append((time.perf_counter() - t) * 1000)
    return {
        "processes": len(psutil.pids()),
        "interval_s": interval,
        "seconds": round(wall1 - wall0, 2),
        "passes": passes,
        "source": watcher.source,
        "exec_events_per_s": round(execs / (wall1 - wall0), 1),
        "cpu_percent_of_one_core": round(100 * (cpu1 - cpu0) / (wall1 - wall0), 3),
        "poll_median_ms": round(statistics.median(poll_ms), 3),
        "poll_p95_ms": round(sorted(poll_ms)[int(len(poll_ms) * 0.95)], 3),
        "full_process_iter_median_ms": round(statistics.median(full_ms), 2),
    }


def catch_rate(
    interval: float, lifetimes: list[float], trials: int, bindir: Path, source: Any
) -> dict[str, Any]:
    httpd = bindir / "httpd"
    shutil.copy2(shutil.which("sh") or "/bin/sh", httpd)
    script = 'while read l; do sh -c "sleep $l; true"; done'
    worker = subprocess.Popen(
        [str(httpd), "-c", script], stdin=subprocess.PIPE, start_new_session=True
    )
    caught: set[int] = set()
    lock = threading.Lock()

    def on_alert(alert: dict[str, Any]) -> None:
        if alert["process"]["parent"]["pid"] == worker.pid:
            with lock:
                caught.add(alert["process"]["pid"])

    cfg = Config(process=ProcessConfig(interval=interval, source=source))
    watcher = ProcessWatcher(cfg, IDENTITY, on_alert, roots=[])
    watcher.start()
    out: dict[str, Any] = {}
    rng = random.Random(7)
    assert worker.stdin is not None
    wproc = psutil.Process(worker.pid)
    try:
        for life in lifetimes:
            started: set[int] = set()
            for _ in range(trials):
                time.sleep(rng.uniform(0, interval))  # random phase against the polling
                worker.stdin.write(f"{life}\n".encode())
                worker.stdin.flush()
                # wait for this child to start and end, recording its pid
                end = time.monotonic() + life + 10
                pid = None
                while time.monotonic() < end:
                    kids = [c.pid for c in wproc.children() if c.pid not in started]
                    if pid is None and kids:
                        pid = kids[0]
                        started.add(pid)
                    if pid is not None and not psutil.pid_exists(pid):
                        break
                    time.sleep(0.005)
            time.sleep(interval * 2)  # let the last pass happen
            with lock:
                hit = len(started & caught)
            out[f"{life}s"] = {
                "caught": hit,
                "of": len(started),
                "rate": round(hit / max(1, len(started)), 3),
            }
    finally:
        watcher.stop(5)
        worker.stdin.close()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--interval", type=float, default=ProcessConfig().interval)
    ap.add_argument("--processes", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--lifetimes", default="0.1,0.5,2")
    ap.add_argument("--source", choices=("auto", "poll", "netlink"), default="auto")
    args = ap.parse_args()
    fillers = top_up(args.processes)
    try:
        cost = cpu_cost(args.interval, args.seconds, args.source)
        print("cpu:", cost, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            lifetimes = [float(x) for x in args.lifetimes.split(",")]
            rates = catch_rate(args.interval, lifetimes, args.trials, Path(tmp), args.source)
        print("catch:", rates, flush=True)
    finally:
        for p in fillers:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()

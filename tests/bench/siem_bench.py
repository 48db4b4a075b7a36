"""SIEM delivery benchmark: `make bench-siem` (python -m tests.bench.siem_bench [--alerts N]).

Measures, on loopback, with the real delivery code (alerts.jsonl -> tail -> batch -> send ->
ack -> saved position):
- throughput: alerts/s draining a backlog of N alerts through syslog over TLS into a real
  rsyslog (octet counting, JSON payload) and through HEC (batches of 100) into a local stdlib
  HTTP collector (so the HEC figure is bounded by that Python receiver, not by Splunk);
- latency: time from the alert's creation to its receipt (rsyslog's timegenerated; the HEC
  collector's clock), p50/p99, with alerts written one by one at a steady rate;
- drain after an outage: the receiver is down while N alerts are written, then comes back;
  alerts/s from its return until the last one is received.
Figures are noisy on a shared 2-core machine; run a few times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.outputs.delivery import Outputs
from agent.outputs.jsonfile import JsonLinesFile
from tests.outputs.siem_support import FakeCollector, Rsyslog, make_alert, rsyslog_server


class LineCounter:
    """Counts lines appended to a file without re-reading it."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.count = path, 0, 0
        self.lines: list[bytes] = []

    def poll(self, keep: bool = False) -> int:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except FileNotFoundError:
            return 0
        cut = data.rfind(b"\n") + 1
        self.offset += cut
        chunk = data[:cut]
        self.count += chunk.count(b"\n")
        if keep:
            self.lines += chunk.splitlines()
        return self.count


def wait_count(poll: Any, n: int, timeout: float = 300.0) -> float:
    end = time.monotonic() + timeout
    while poll() < n:
        if time.monotonic() > end:
            raise SystemExit(f"timed out: {poll()} of {n} received")
        time.sleep(0.005)
    return time.monotonic()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def alerts(n: int, start: int = 0) -> list[dict[str, Any]]:
    return [make_alert(f"/var/www/html/b{i}.php", n=i) for i in range(start, start + n)]


def write(data: Path, docs: list[dict[str, Any]]) -> None:
    with JsonLinesFile(data / "alerts.jsonl", 50 * 1024 * 1024, 10) as w:
        for d in docs:
            w.write(d)


def syslog_cfg(rs: Rsyslog) -> dict[str, Any]:
    return {"type": "syslog", "address": rs.address("tls"), "transport": "tls", "ca_file": str(rs.pki["ca"]),
            "backoff_initial": 0.05, "backoff_max": 0.2}  # fmt: skip


def hec_cfg(col: FakeCollector) -> dict[str, Any]:
    return {"type": "hec", "url": col.url, "token": "t", "batch_size": 100,
            "backoff_initial": 0.05, "backoff_max": 0.2}  # fmt: skip


def hec_collector() -> FakeCollector:
    def handle(col: FakeCollector, req: dict[str, Any]) -> tuple[int, bytes]:
        now = time.time()
        col.__dict__.setdefault("received", []).append((now, req["body"]))
        col.count = col.__dict__.get("count", 0) + req["body"].count(b"\n")
        req["body"] = b""  # keep memory flat
        return 200, b'{"text":"Success","code":0}'

    return FakeCollector(handle)


def throughput(n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d, rsyslog_server() as rs:
        data = Path(d)
        write(data, alerts(n))
        counter = LineCounter(rs.out)
        outs = Outputs.from_config([syslog_cfg(rs)], data, lambda doc: None)
        t0 = time.monotonic()
        outs.start()
        out["syslog_tls_alerts_per_s"] = n / (wait_count(counter.poll, n) - t0)
        outs.stop(10)
    with tempfile.TemporaryDirectory() as d, hec_collector() as col:
        data = Path(d)
        write(data, alerts(n))
        outs = Outputs.from_config([hec_cfg(col)], data, lambda doc: None)
        t0 = time.monotonic()
        outs.start()
        out["hec_alerts_per_s"] = n / (wait_count(lambda: col.__dict__.get("count", 0), n) - t0)
        outs.stop(10)
    return out


def _created(doc: dict[str, Any]) -> float:
    return datetime.fromisoformat(doc["event"]["created"].replace("Z", "+00:00")).timestamp()


def latency(n: int, rate: float) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind in ("syslog_tls", "hec"):
        with tempfile.TemporaryDirectory() as d:
            data = Path(d)
            ctx: Any = rsyslog_server() if kind == "syslog_tls" else hec_collector()
            with ctx as receiver:
                cfg = syslog_cfg(receiver) if kind == "syslog_tls" else hec_cfg(receiver)
                outs = Outputs.from_config([cfg], data, lambda doc: None)
                outs.start()
                w = JsonLinesFile(data / "alerts.jsonl", 50 * 1024 * 1024, 10)
                docs = alerts(n)
                t0 = time.monotonic()
                for i, doc in enumerate(docs):
                    doc["event"]["created"] = datetime.now().astimezone().isoformat()
                    w.write(doc)
                    outs.notify()
                    time.sleep(max(0.0, t0 + (i + 1) / rate - time.monotonic()))
                lat: list[float] = []
                if kind == "syslog_tls":
                    lines = LineCounter(receiver.out)
                    wait_count(lambda c=lines: c.poll(keep=True), n)
                    for line in lines.lines:
                        rec = json.loads(line)
                        got = datetime.fromisoformat(rec["received"]).timestamp()
                        lat.append(got - _created(json.loads(rec["msg"])))
                else:
                    wait_count(lambda: receiver.__dict__.get("count", 0), n)
                    for when, body in receiver.received:
                        for line in body.splitlines():
                            lat.append(when - _created(json.loads(line)["event"]))
                outs.stop(10)
                w.close()
            out[f"{kind}_latency_p50_ms"] = statistics.median(lat) * 1000
            out[f"{kind}_latency_p99_ms"] = pct(lat, 99) * 1000
    return out


def drain(n: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as d, rsyslog_server() as rs:
        data = Path(d)
        rs.stop()
        outs = Outputs.from_config([syslog_cfg(rs)], data, lambda doc: None)
        outs.start()
        write(data, alerts(n))
        time.sleep(1.0)  # the output notices the outage and backs off
        counter = LineCounter(rs.out)
        rs.start()
        t0 = time.monotonic()
        out["syslog_tls_drain_alerts_per_s"] = n / (wait_count(counter.poll, n) - t0)
        outs.stop(10)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alerts", type=int, default=5000, help="alerts per throughput/drain run")
    ap.add_argument("--latency-alerts", type=int, default=500)
    ap.add_argument("--rate", type=float, default=100.0, help="alerts/s during the latency run")
    args = ap.parse_args()
    size = len(json.dumps(make_alert()).encode())
    print(f"alert document: {size} bytes as JSON; {args.alerts} alerts per run")
    results = {
        **throughput(args.alerts),
        **latency(args.latency_alerts, args.rate),
        **drain(args.alerts),
    }
    for k, v in results.items():
        print(f"{k:34} {v:10.1f}")


if __name__ == "__main__":
    main()

"""At-least-once delivery of the alert file to network outputs.

One thread per output tails `<data-dir>/alerts.jsonl` (following rotation, see `spool`),
sends batches, and saves its position only after the receiver took the batch: a TCP/TLS write
that returned for syslog, HTTP 2xx (and the indexer ack where enabled) for HEC, a `_bulk`
answer whose items are 2xx/409 for Elasticsearch. Failures back off exponentially with full
jitter (`backoff.Backoff`, the one schedule); a receiver that refuses a request as a whole is a
configuration problem and is retried the same way. Only documents refused one by one leave the
stream, into the output's dead-letter file. The backlog is the alert file itself, bounded by
`max_backlog` (oldest dropped first, counted). Every change of state is a health event: an
output going down, coming back, dropping or having documents refused. Scanning never waits.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agent.document import MalformedDocument, parse_document
from agent.outputs.backoff import Backoff
from agent.outputs.deadletter import DEAD_LETTER_DIR, DeadLetter
from agent.outputs.fields import get, text
from agent.outputs.health import OutputStats, health_event
from agent.outputs.http import Rejected, Retry
from agent.outputs.settings import OutputSpec, parse
from agent.outputs.spool import Batch, FileTail
from agent.outputs.transports import Transport, build_transport

HealthCallback = Callable[[dict[str, Any]], None]
ALERTS_FILE = "alerts.jsonl"
EVENTS_FILE = "events.jsonl"
REGISTRY_DIR = "outputs"
POLL_INTERVAL = 0.5  # seconds between looks at the alert file when nobody calls notify()


class OutputWorker:
    """The delivery thread of one output."""

    def __init__(
        self,
        spec: OutputSpec,
        alerts: Path,
        registry: Path,
        on_health: HealthCallback,
        sender: Transport | None = None,
        dead_letter_dir: Path | None = None,
    ) -> None:
        self.spec = spec
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.tail = FileTail(alerts, registry, start_at=spec.start_at)
        self.sender = sender if sender is not None else build_transport(spec, self.stop_event)
        self.on_health = on_health
        warning_sink = getattr(self.sender, "set_warning_sink", None)
        if callable(warning_sink):  # a configuration the receiver works around (HEC ack off)
            warning_sink(
                lambda m: self._health("output-warning", f"output {spec.name}: {m}", error=m)
            )
        self.stats = OutputStats()
        self.label = spec.name if alerts.name != EVENTS_FILE else f"{spec.name}.events"
        self.dead_letter = DeadLetter(
            (dead_letter_dir or alerts.parent / DEAD_LETTER_DIR) / f"{self.label}.jsonl",
            spec.name,
            spec.dead_letter_max,
        )
        self.thread = threading.Thread(target=self._run, name=f"output-{self.label}", daemon=True)

    @property
    def describe(self) -> str:
        return str(getattr(self.sender, "describe", self.spec.type))

    def _info(self, **extra: Any) -> dict[str, Any]:
        return {
            "name": self.spec.name,
            "type": self.spec.type,
            "target": self.describe,
            "file": self.tail.path.name,
            **extra,
        }

    def _health(
        self,
        action: str,
        message: str,
        level: str = "warning",
        error: str | None = None,
        **extra: Any,
    ) -> None:
        # A broken health sink must not stop delivery.
        with contextlib.suppress(Exception):
            self.on_health(
                health_event(action, message, self._info(**extra), level=level, error=error)
            )

    # -- loop ------------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = Backoff(self.spec.backoff_initial, self.spec.backoff_max)
        try:
            while not self.stop_event.is_set():
                try:
                    busy = self._step()
                    backoff.reset()
                except Exception as e:  # the thread must outlive any surprise
                    self._down(f"internal error reading or sending alerts: {type(e).__name__}: {e}")
                    self.stop_event.wait(backoff.next_delay())
                    continue
                if not busy:
                    self.wake.wait(POLL_INTERVAL)
                    self.wake.clear()
        finally:
            self.sender.close()

    def _step(self) -> bool:
        """One batch; False when there was nothing to send."""
        dropped, dropped_bytes = self.tail.drop_to(self.spec.max_backlog)
        if dropped:
            self.stats.dropped += dropped
            self._health(
                "output-dropped",
                f"output {self.spec.name}: backlog over {self.spec.max_backlog} bytes, dropped the"
                f" {dropped} oldest undelivered alerts",
                dropped=dropped,
                dropped_bytes=dropped_bytes,
            )
        batch = self.tail.read(self.spec.batch_size, self.spec.batch_bytes)
        self._report_gaps(batch)
        if not batch.lines:
            if batch.moved and batch.end.inode:
                self.tail.commit(batch.end)
            self._keepalive()
            return False
        docs = self._parse(batch)
        if docs:
            outcome = self._deliver(docs)
            if outcome == "stopped":
                return True
            if outcome == "overflow":
                return True  # the next step drops the oldest (this batch first)
        self.tail.commit(batch.end)
        self.stats.batches += 1
        return True

    def _report_gaps(self, batch: Batch) -> None:
        if batch.gaps or batch.lost_bytes:
            self._health(
                "output-dropped",
                f"output {self.spec.name}: undelivered alerts (at least {batch.lost_bytes} bytes)"
                " were rotated away or truncated before they could be sent"
                " (raise agent.rotate_keep or lower max_backlog)",
                dropped_bytes=batch.lost_bytes,
                files=batch.gaps,
            )
        if batch.torn:
            self._health(
                "output-dropped",
                f"output {self.spec.name}: skipped {batch.torn} incomplete line(s) at the end of a"
                " rotated alert file",
                dropped=batch.torn,
            )

    def _parse(self, batch: Batch) -> list[dict[str, Any]]:
        docs: list[dict[str, Any]] = []
        bad: list[str] = []
        for line in batch.lines:
            try:
                docs.append(parse_document(line))
            except MalformedDocument as e:
                bad.append(str(e))
        if bad:
            self.stats.dropped += len(bad)
            self._health(
                "output-dropped",
                f"output {self.spec.name}: skipped {len(bad)} malformed line(s) of the alert file"
                f" ({bad[0]}; a line torn by a crash?)",
                dropped=len(bad),
                reasons=sorted(set(bad))[:5],
            )
        return docs

    def _deliver(self, docs: list[dict[str, Any]]) -> str:
        """Send until taken; 'delivered', 'stopped' or 'overflow' (backlog limit hit while down).

        Nothing leaves the stream except documents refused one by one, and those only once
        they are durable in the dead-letter file."""
        backoff = Backoff(self.spec.backoff_initial, self.spec.backoff_max)
        while not self.stop_event.is_set():
            try:
                try:
                    result = self.sender.send(docs)
                    refused = list(result.rejected) if result is not None else []
                except Rejected as e:
                    if len(docs) > 1:  # find the refused documents; deliver the rest
                        return self._split(docs)
                    refused = [(0, str(e))]
                except (Retry, OSError):
                    raise
                except Exception as e:
                    # a document this output cannot format (a bug, not an outage): park just it
                    if len(docs) > 1:
                        return self._split(docs)
                    refused = [(0, f"cannot format: {type(e).__name__}: {e}")]
                if refused:
                    self._dead_letter(docs, refused)  # OSError: a full disk, retried below
            except (Retry, OSError) as e:
                self._down(str(e))
                if self.tail.backlog_bytes() > self.spec.max_backlog:
                    return "overflow"
                if self.stop_event.wait(backoff.next_delay()):
                    return "stopped"
                continue
            self._up()
            self.stats.delivered += len(docs) - len(refused)
            return "delivered"
        return "stopped"

    def _keepalive(self) -> None:
        """Idle: let the transport notice a lost connection and re-send what the receiver may
        not have kept (syslog's resend window) without waiting for the next alert."""
        keepalive = getattr(self.sender, "keepalive", None)
        if keepalive is None:
            return
        backoff = Backoff(self.spec.backoff_initial, self.spec.backoff_max)
        while not self.stop_event.is_set():
            try:
                keepalive()
            except (Retry, OSError) as e:
                self._down(str(e))
                if self.stop_event.wait(backoff.next_delay()):
                    return
                continue
            self._up()
            return

    def _split(self, docs: list[dict[str, Any]]) -> str:
        mid = len(docs) // 2
        first = self._deliver(docs[:mid])
        return first if first != "delivered" else self._deliver(docs[mid:])

    def _down(self, error: str) -> None:
        self.stats.failures += 1
        if self.stats.down_since is None or error != self.stats.last_error:
            first = self.stats.down_since is None
            if first:
                self.stats.down_since = time.monotonic()
            self.stats.last_error = error
            self._health(
                "output-down",
                f"output {self.spec.name} ({self.describe}) is unreachable, retrying with backoff;"
                f" alerts are kept until it is back: {error}",
                level="error",
                error=error,
                backlog_bytes=self.tail.backlog_bytes(),
            )

    def _up(self) -> None:
        if self.stats.down_since is None:
            return
        down_for = time.monotonic() - self.stats.down_since
        self.stats.down_since = None
        self.stats.last_error = ""
        resent = getattr(self.sender, "resent", None)  # syslog: frames written again
        extra: dict[str, Any] = {"resent": resent} if isinstance(resent, int) else {}
        self._health(
            "output-up",
            f"output {self.spec.name} ({self.describe}) is delivering again after {down_for:.1f} s",
            level="info",
            down_seconds=round(down_for, 3),
            failures=self.stats.failures,
            **extra,
        )

    def _dead_letter(self, docs: list[dict[str, Any]], refused: Sequence[tuple[int, str]]) -> None:
        self.dead_letter.write([(docs[pos], reason) for pos, reason in refused if pos < len(docs)])
        self.stats.rejected += len(refused)
        ids = [text(get(docs[pos], "event.id")) for pos, _ in refused if pos < len(docs)]
        self._health(
            "output-rejected",
            f"output {self.spec.name} refused {len(refused)} alert(s), kept in"
            f" {self.dead_letter.path}: {refused[0][1]}",
            error=refused[0][1],
            rejected=len(refused),
            event_ids=ids[:20],
            dead_letter_file=str(self.dead_letter.path),
        )

    # -- control ---------------------------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()


class Outputs:
    """Every configured network output; what Runtime starts and stops."""

    def __init__(self, workers: list[OutputWorker]) -> None:
        self.workers = workers

    @classmethod
    def from_config(
        cls,
        outputs: Sequence[Mapping[str, Any]],
        data_dir: Path,
        on_health: HealthCallback,
        *,
        alerts_file: Path | None = None,
    ) -> Outputs:
        """Validate every [[outputs]] table (ConfigError naming output and key) and set up a
        worker for each network output. Nothing runs until start()."""
        specs = [s for s in parse(outputs) if s.type != "jsonl"]
        alerts = alerts_file or Path(data_dir) / ALERTS_FILE
        registry = Path(data_dir) / REGISTRY_DIR
        dead = Path(data_dir) / DEAD_LETTER_DIR
        workers = [
            OutputWorker(s, alerts, registry / f"{s.name}.json", on_health, dead_letter_dir=dead)
            for s in specs
        ]
        # `events = true`: a second worker (own connection, own position) for events.jsonl
        workers += [
            OutputWorker(
                s,
                alerts.with_name(EVENTS_FILE),
                registry / f"{s.name}.events.json",
                on_health,
                dead_letter_dir=dead,
            )
            for s in specs
            if s.events
        ]
        return cls(workers)

    def start(self) -> None:
        for w in self.workers:
            w.start()

    def notify(self) -> None:
        """New alerts were written: look now instead of at the next poll."""
        for w in self.workers:
            w.wake.set()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop every worker; True if all threads ended within `timeout` seconds.

        A batch in flight is either taken by the receiver (and committed) or sent again at the
        next start."""
        for w in self.workers:
            w.stop()
        deadline = time.monotonic() + timeout
        for w in self.workers:
            if w.thread.is_alive() or w.thread.ident is not None:
                w.thread.join(max(0.0, deadline - time.monotonic()))
        return not any(w.thread.is_alive() for w in self.workers)

    def stats(self) -> dict[str, dict[str, Any]]:
        return {
            w.label: {
                "delivered": w.stats.delivered,
                "dropped": w.stats.dropped,
                "rejected": w.stats.rejected,
                "failures": w.stats.failures,
                "down": w.stats.down_since is not None,
                "backlog_bytes": w.tail.backlog_bytes(),
            }
            for w in self.workers
        }

"""The running agent's rule updates: poll a source, install what is new, ask for a hot reload.

Narrow on purpose: it needs the config, the data folder, a way to emit an event and a way to
ask the agent to reload its rules, and it owns one thread. It also follows the `current`
pointer, so a `rules update` or `rules rollback` run by hand reaches the running agent.

Timing: the first poll comes a short random time after start; the next ones every
`interval` x U(0.8, 1.0) (jitter below the interval, so a published bundle is picked up
within one interval, and a fleet does not poll in step). After a network failure the wait is
30 s, doubling per further failure, never above the interval.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config import Config
from agent.rules import bundle_store

if TYPE_CHECKING:
    from agent.rules.bundle import BundleError
    from agent.rules.update_fetch import Validators

# The fetch / verify / install machinery (urllib, tarfile, the test runner) is imported by the
# first poll: an agent without a `[rules.update]` URL only ever follows the pointer.

Emit = Callable[..., None]  # EventLog.emit(action, message, *, level=..., **fields)
FOLLOW_EVERY = 2.0  # seconds between looks at the pointer
FIRST_POLL_MAX = 30.0
RETRY_FIRST = 30.0


class UpdatePoller:
    def __init__(
        self,
        config: Config,
        data_dir: Path,
        emit_event: Emit,
        request_reload: Callable[[], None],
        current_rules: Callable[[], int] | None = None,
    ) -> None:
        self.config = config
        self.update = config.rules.update
        self.data_dir = data_dir
        self.emit = emit_event
        self.request_reload = request_reload
        self.current_rules = current_rules
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._validators: Validators | None = None
        self._failures = 0
        self._problem: str | None = None
        self._active = bundle_store.read_pointer(data_dir).version
        self.version: int | None = self._active  # the bundle the agent was last told to load

    def start(self) -> UpdatePoller:
        self._thread = threading.Thread(target=self._run, name="wsa-rules-update", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        interval = self.update.interval
        next_poll = time.monotonic() + random.uniform(0, min(FIRST_POLL_MAX, interval / 10))
        while not self._stop.wait(self._pause(next_poll)):
            try:
                self._follow_pointer()
                if self.update.url and time.monotonic() >= next_poll:
                    wait = self.poll()
                    next_poll = time.monotonic() + wait
            except Exception as e:  # the poller must outlive any one failure
                self.emit("internal-error", f"rules update: {e}", level="error", error=str(e))
                next_poll = time.monotonic() + interval

    def _pause(self, next_poll: float) -> float:
        """Until the next look at the pointer, or sooner when a poll of the URL is due. Without
        a URL no poll is ever due: a past `next_poll` must not turn this into a busy loop."""
        if not self.update.url:
            return FOLLOW_EVERY
        return min(FOLLOW_EVERY, max(0.05, next_poll - time.monotonic()))

    def _follow_pointer(self) -> None:
        problem = bundle_store.pointer_problem(self.data_dir)
        if problem != self._problem:  # once per new problem, not every look
            self._problem = problem
            if problem is not None:
                self.emit(
                    "rules-bundle-unusable",
                    f"rule bundle pointer: {problem}; using the newest readable bundle, "
                    "else the bundled signatures",
                    level="error",
                    error=problem,
                )
        active = bundle_store.read_pointer(self.data_dir).version
        if active != self._active:
            self.emit(
                "rules-bundle-switched",
                f"rule bundle switched from {self._active or 'signatures'} to "
                f"{active or 'signatures'}: reloading",
                previous=self._active,
                version=active,
            )
            self._active = self.version = active
            self.request_reload()

    def poll(self) -> float:
        """One poll; returns the seconds to wait before the next."""
        from agent.rules.bundle import BundleError
        from agent.rules.update import load_public_key, source_for, update_once

        interval = self.update.interval
        try:
            source = source_for(self.update.url, self.update)
            key = load_public_key(self.update)
            outcome = update_once(
                source,
                key,
                self.config,
                validators=self._validators,
                on_available=self._available,
            )
        except BundleError as e:
            self._failed(e)
            if e.reason != "network":
                return interval * random.uniform(0.8, 1.0)
            self._failures += 1
            backoff = RETRY_FIRST * 2.0 ** min(self._failures - 1, 20)
            return min(interval, backoff) * random.uniform(0.8, 1.0)
        self._failures = 0
        self._validators = outcome.validators
        if outcome.status == "installed":
            before = self.current_rules() if self.current_rules is not None else None
            self._active = self.version = outcome.version
            self.emit(
                "rules-updated",
                f"rules updated from {outcome.previous or 'signatures'} to bundle "
                f"{outcome.version}: {outcome.rules} rules"
                + (f" (were {before})" if before is not None else "")
                + f", {outcome.tests} test cases passed",
                previous=outcome.previous,
                version=outcome.version,
                rules=outcome.rules,
                previous_rules=before,
                files=outcome.files,
                tests=outcome.tests,
            )
            self.request_reload()
        return interval * random.uniform(0.8, 1.0)

    def _available(self, version: int) -> None:
        from agent.rules.update import source_for

        self.emit(
            "rules-update-available",
            f"rule bundle {version} available (installed: {self._active or 'signatures'})",
            version=version,
            installed=self._active,
            source=source_for(self.update.url, self.update).describe(),
        )

    def _failed(self, e: BundleError) -> None:
        fields: dict[str, Any] = {"reason": e.reason, "error": str(e), "installed": self._active}
        self.emit(
            "rules-update-failed",
            f"rule update refused ({e.reason}): {e}; keeping "
            f"{'bundle ' + str(self._active) if self._active else 'the bundled signatures'}",
            level="warning" if e.reason == "network" else "error",
            **fields,
        )
        self._validators = None  # a refused bundle is tried again (it may have been half uploaded)

"""Rules reload while running: SIGHUP, an edit in a rule folder, or `request_reload()` from
whoever installed new rules (e.g. a rule bundle update).

The compile runs in a child process when the cache misses (agent.rules.child), off the scan
path: the stage only asks for it, and the runtime's monitor calls `poll()` each tick. A new set
replaces the old one only if it is at least as sound (no rule file newly broken); then every
known file is re-verified with it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers.api import BaseObserver

from agent.config import RulesConfig
from agent.errors import RuleError
from agent.logging import Emit
from agent.rules import RuleSet
from agent.rules.child import load_rules_lean
from agent.rules.sources import RULE_SUFFIXES
from agent.watcher.observers import make_observer, schedule

QUIET = 1.0  # seconds of quiet in a rule folder before recompiling


def load(rc: RulesConfig, cache: bool, data_dir: Path | None = None) -> RuleSet:
    """`data_dir`: where an installed signed rule bundle may stand in for the bundled rules."""
    return load_rules_lean(
        rc.paths,
        default_rules=rc.default_rules,
        cache_dir=rc.cache_dir if cache else None,
        data_dir=data_dir,
    )


class _FolderHandler(FileSystemEventHandler):
    def __init__(self, reload: RulesReload) -> None:
        self.reload = reload

    def dispatch(self, event: FileSystemEvent) -> None:
        paths = [os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")]
        if event.is_directory or any(p.lower().endswith(RULE_SUFFIXES) for p in paths if p):
            self.reload.request_reload(delay=QUIET)


class RulesReload:
    def __init__(
        self,
        rc: RulesConfig,
        rules: RuleSet,
        emit: Emit,
        on_swap: Callable[[RuleSet, RuleSet], None],
        *,
        cache: bool = True,
        data_dir: Path | None = None,
    ) -> None:
        self.rc = rc
        self.data_dir = data_dir
        self.rules = rules
        self.emit = emit
        self.on_swap = on_swap  # (old, new): the runtime swaps scanners and re-verifies
        self.cache = cache
        self._at: float | None = None
        self._lock = threading.Lock()
        self._observers: list[BaseObserver] = []

    def request_reload(self, delay: float = 0.0) -> None:
        """Recompile soon (at the monitor's next tick after `delay`). Safe from a signal handler."""
        self._at = time.monotonic() + delay

    def poll(self) -> None:
        at = self._at
        if at is not None and time.monotonic() >= at:
            self._at = None
            self.reload()

    def reload(self) -> bool:
        """Recompile now; swap if the new set is at least as sound. False if not swapped."""
        with self._lock:
            return self._reload()

    def _reload(self) -> bool:
        try:
            new = load(self.rc, self.cache, self.data_dir)
        except RuleError as e:
            self.emit(
                "rules-reload-failed", f"rules not reloaded, keeping the old ones: {e}",
                level="error", error=e, ruleset=self.rules.digest,
            )  # fmt: skip
            return False
        old_broken = {p.path for p in self.rules.broken}
        newly = [p for p in new.broken if p.path not in old_broken]
        if newly:
            self.emit(
                "rules-reload-failed",
                "rules not reloaded, keeping the old ones: " + "; ".join(map(str, newly)),
                level="error", error="; ".join(map(str, newly)), ruleset=self.rules.digest,
                problems=[str(p) for p in newly],
            )  # fmt: skip
            return False
        # A bundle with the same rules as before still switches (alerts name its version).
        if new.digest == self.rules.digest and new.version == self.rules.version:
            return True
        old, self.rules = self.rules, new
        self.on_swap(old, new)
        self.emit(
            "rules-reloaded",
            f"rules reloaded: {new.count} rules (were {old.count})"
            + (
                "; re-verifying known files"
                if new.digest != old.digest
                else "; the same rules, nothing to re-verify"
            ),
            rules=new.count, ruleset=new.digest, previous=old.digest, version=new.version,
        )  # fmt: skip
        return True

    def watch_folders(self) -> None:
        """Reload on an edit in a rule folder (rules.reload = true)."""
        for path in self.rc.paths if self.rc.reload else ():
            folder = path if path.is_dir() else Path(path).parent
            if not folder.is_dir():
                continue
            observer, flt = make_observer("native")
            try:
                schedule(observer, _FolderHandler(self), str(folder), flt)
                observer.start()
                self._observers.append(observer)
            except OSError as e:
                self.emit(
                    "watch-failed", f"cannot watch rule folder {folder}: {e}", level="warning",
                    path=str(folder), error=e,
                )  # fmt: skip

    def stop(self, deadline: float) -> None:
        for o in self._observers:
            with contextlib.suppress(Exception):
                o.stop()
        for o in self._observers:
            if o.is_alive():
                o.join(max(0.1, deadline - time.monotonic()))
        self._observers.clear()


def first_load(rc: RulesConfig, emit: Emit, cache: bool, data_dir: Path | None = None) -> RuleSet:
    """The rules at start, with their events (rules-loaded, one rule-error per broken file)."""
    try:
        rules = load(rc, cache, data_dir)
    except RuleError as e:
        emit("rules-failed", f"no usable rules: {e}", level="error", error=e)
        raise
    for problem in rules.broken:
        emit("rule-error", f"rule file skipped: {problem}", level="error", error=problem)
    emit(
        "rules-loaded",
        f"{rules.count} rules loaded" + (" (cached)" if rules.from_cache else ""),
        rules=rules.count,
        files=rules.files,
        ruleset=rules.digest,
        version=rules.version,
        cached=rules.from_cache,
        seconds=round(rules.compile_seconds, 3),
    )
    return rules

"""Counting what a scan did, for the closing summary of every output format."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from agent.scanner import ScanResult, Verdict


@dataclass
class Summary:
    started: float = field(default_factory=time.time)
    _t0: float = field(default_factory=time.perf_counter)
    files: int = 0
    bytes: int = 0
    matched: int = 0
    clean: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    rules: int = 0
    rule_problems: int = 0

    def add(self, r: ScanResult) -> None:
        self.files += 1
        if r.info is not None and r.verdict in (Verdict.CLEAN, Verdict.MATCHED):
            self.bytes += r.info.size
        if r.verdict is Verdict.MATCHED:
            self.matched += 1
        elif r.verdict is Verdict.CLEAN:
            self.clean += 1
        elif r.verdict is Verdict.SKIPPED:
            self.skipped[str(r.reason)] += 1
        else:
            self.errors[str(r.reason)] += 1

    def add_walk_error(self) -> None:
        self.errors["unreadable_path"] += 1

    def finish(self) -> Summary:
        self.seconds = time.perf_counter() - self._t0
        return self

    @property
    def error_count(self) -> int:
        return sum(self.errors.values()) + self.rule_problems

    def exit_code(self) -> int:
        """ClamAV's convention: 1 found, else 2 errors, else 0."""
        return 1 if self.matched else 2 if self.error_count else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "matched": self.matched,
            "clean": self.clean,
            "skipped": dict(sorted(self.skipped.items())),
            "errors": dict(sorted(self.errors.items())),
            "rule_problems": self.rule_problems,
            "rules": self.rules,
            "seconds": round(self.seconds, 3),
            "files_per_second": round(self.files / self.seconds, 1) if self.seconds > 0 else None,
        }

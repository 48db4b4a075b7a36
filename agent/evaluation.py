"""Tallying an evaluation: detection and false-positive rates by language, by source and by group.

A corpus holds `malicious/` and `benign/`; the first folder below each is the file's *source*
(`<owner+repo>` in the shared corpus layout), files directly inside have the source `-`. Sources
named in `hold_out` are reported apart from the rest ("tuned"), so rules tuned on some
collections can be judged on the others.
"""

from __future__ import annotations

import functools
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.filetypes import extension_of

LABELS = ("malicious", "benign")
LANGUAGES: dict[str, tuple[str, ...]] = {
    "ASP": (".asp", ".asa", ".cer", ".cdx"),
    "ASPX family": (".aspx", ".ashx", ".asmx", ".asax", ".ascx", ".svc", ".soap", ".rem", ".cshtml",
                    ".vbhtml", ".config", ".master"),
    "JSP": (".jsp", ".jspx", ".jspf"),
    "PHP": (".php", ".phtml", ".php3", ".php4", ".php5", ".php6", ".php7", ".pht", ".phar", ".inc"),
}  # fmt: skip
_BY_EXT = {e: lang for lang, exts in LANGUAGES.items() for e in exts}
NO_SOURCE = "-"


def language_of(path: str) -> str:
    return _BY_EXT.get(extension_of(path), "other")


def source_of(corpus: str, label: str, path: str) -> str:
    """The first folder below `<corpus>/<label>/`, or `-` for a file directly inside it."""
    rel = os.path.relpath(path, os.path.join(corpus, label))
    parts = rel.replace(os.sep, "/").split("/")
    return parts[0] if len(parts) > 1 else NO_SOURCE


def normalise_source(name: str) -> str:
    """`owner/repo` (as GitHub spells it) and `owner+repo` (the folder) name the same source."""
    return name.strip().strip("/").replace("/", "+")


def _rate(hit: int, total: int, digits: int) -> float | None:
    return round(hit / total, digits) if total else None


@dataclass
class Tally:
    """Counts per (label, source, language); thread-unsafe, the caller holds a lock."""

    hold_out: frozenset[str] = frozenset()
    counts: dict[tuple[str, str, str], Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    benign_rules: Counter[str] = field(default_factory=Counter)
    flagged: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def add(
        self, label: str, source: str, path: str, outcome: str, rules: tuple[str, ...] = ()
    ) -> None:
        """`outcome`: "matched", "clean", or "not scanned: <reason>"."""
        c = self.counts[(label, source, language_of(path))]
        c["files"] += 1
        if outcome == "matched":
            c["matched"] += 1
            if label == "benign":
                self.flagged.append(path)
                self.benign_rules.update(rules)
        elif outcome != "clean":
            c[outcome] += 1
        if label == "malicious" and outcome != "matched":
            self.missed.append(path)

    def _sum(self, keep: Callable[[str, str], bool]) -> dict[tuple[str, str], Counter[str]]:
        out: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for (label, source, lang), c in self.counts.items():
            if keep(label, source):
                out[(label, lang)].update(c)
        return out

    @staticmethod
    def _table(by: dict[tuple[str, str], Counter[str]]) -> dict[str, Any]:
        languages: dict[str, Any] = {}
        for lang in (*LANGUAGES, "other"):
            mal, ben = by.get(("malicious", lang), Counter()), by.get(("benign", lang), Counter())
            if mal["files"] or ben["files"]:
                languages[lang] = _row(mal, ben)
        mal_all: Counter[str] = Counter()
        ben_all: Counter[str] = Counter()
        for (label, _), c in by.items():
            (mal_all if label == "malicious" else ben_all).update(c)
        return {"languages": languages, "all": _row(mal_all, ben_all)}

    def sources(self) -> list[tuple[str, str]]:
        return sorted({(label, source) for label, source, _ in self.counts})

    def report(self) -> dict[str, Any]:
        whole = self._table(self._sum(lambda _l, _s: True))
        out: dict[str, Any] = {"languages": whole["languages"], "all": whole["all"]}
        per_source: dict[str, dict[str, Any]] = {label: {} for label in LABELS}
        for label, source in self.sources():
            table = self._table(self._sum(functools.partial(_is, (label, source))))
            per_source[label][source] = {
                "held_out": source in self.hold_out,
                "languages": {lang: _side(row, label) for lang, row in table["languages"].items()},
                "all": _side(table["all"], label),
            }
        out["sources"] = per_source
        if self.hold_out:
            out["hold_out"] = sorted(self.hold_out)
            out["groups"] = {
                "tuned": self._table(self._sum(lambda _l, s: s not in self.hold_out)),
                "held_out": self._table(self._sum(lambda _l, s: s in self.hold_out)),
            }
        return out


def _is(key: tuple[str, str], label: str, source: str) -> bool:
    return (label, source) == key


def _row(mal: Counter[str], ben: Counter[str]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "malicious": mal["files"],
        "detected": mal["matched"],
        "detection_rate": _rate(mal["matched"], mal["files"], 4),
        "benign": ben["files"],
        "flagged": ben["matched"],
        "false_positive_rate": _rate(ben["matched"], ben["files"], 5),
    }
    not_scanned = {k: v for k, v in (mal + ben).items() if k.startswith("not scanned")}
    if not_scanned:
        row["not_scanned"] = dict(sorted(not_scanned.items()))
    return row


def _side(row: dict[str, Any], label: str) -> dict[str, Any]:
    """A source holds one label: keep only its half of a row."""
    if label == "malicious":
        keys = ("malicious", "detected", "detection_rate")
    else:
        keys = ("benign", "flagged", "false_positive_rate")
    side = {k: row[k] for k in keys}
    if "not_scanned" in row:
        side["not_scanned"] = row["not_scanned"]
    return side

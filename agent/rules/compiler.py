"""Compile rule files into one `RuleSet`, isolating broken files, with an on-disk cache.

The cache key covers every rule file's bytes, the libyara version and our version: compiled
rules from one libyara do not load in another.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import yara

import agent
from agent.errors import RuleError
from agent.filetypes import Lang
from agent.rules.sources import RuleSource, bundle_version, collect_sources
from agent.rules.tiers import save_rules
from agent.rules.views import Views

# Defined for every scan (the set Loki and signature-base use); values are per file.
EXTERNALS: dict[str, str] = {
    "filename": "",
    "filepath": "",
    "extension": "",
    "filetype": "",
    "owner": "",
    "md5": "",
}

_LINE = re.compile(r"\((\d+)\)")
# `md5` as an identifier: not `hash.md5(`, not `$md5`, not part of a longer name.
_MD5_EXTERNAL = re.compile(rb"(?<![\w.$#@!])md5(?![\w(])")
_CONDITION = re.compile(rb"\bcondition\s*:(.*?)(?=\n\s*(?:(?:private|global)\s+)*rule\s|\Z)", re.S)


def _reads_md5(text: bytes) -> bool:
    """Only conditions can read an external (strings may well mention md5 in a regex)."""
    return any(_MD5_EXTERNAL.search(m.group(1)) for m in _CONDITION.finditer(text))


@dataclass(frozen=True)
class RuleProblem:
    """A rule file that did not compile (skipped) or a warning yara gave for it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


@dataclass(frozen=True)
class RuleSet:
    compiled: yara.Rules | None  # the whole set; None: loaded from the cache on first use
    digest: str  # identifies exactly these sources under this engine
    count: int
    files: int
    broken: tuple[RuleProblem, ...] = ()
    from_cache: bool = False
    compile_seconds: float = 0.0
    sources: tuple[RuleSource, ...] = field(default=(), repr=False)
    cache_dir: Path | None = field(default=None, repr=False)  # where its views are kept
    reads_md5: bool | None = field(default=None, repr=False)  # None: ask the sources

    @functools.cached_property
    def views(self) -> Views:
        broken = {p.path for p in self.broken}
        good = tuple(s for s in self.sources if str(s.path) not in broken)
        return Views(self.compiled, self.count, good, EXTERNALS, self.cache_dir, self.digest)

    @property
    def rules(self) -> yara.Rules:
        """The whole set."""
        return self.views.whole()

    def rules_for(self, size: int, lang: Lang = Lang.ALL) -> yara.Rules:
        """The rules to scan `size` bytes that may hold the languages `lang` with: without those
        that cannot match such a buffer (agent.rules.views)."""
        return self.views.rules_for(size, lang)

    @functools.cached_property
    def version(self) -> str | None:
        """The signed bundle's version when the default rules came from one."""
        return bundle_version(self.sources)

    @property
    def uses_md5(self) -> bool:
        """Whether any rule reads the `md5` external; if none does, clean files skip hashing it."""
        if self.reads_md5 is not None:
            return self.reads_md5
        return any(_reads_md5(s.text) for s in self.sources)

    def lean(self) -> RuleSet:
        """The same rule set keeping digests, not texts, of its sources (tiers re-read a file
        whose digest still matches)."""
        return dataclasses.replace(
            self, sources=tuple(s.lean() for s in self.sources), reads_md5=self.uses_md5
        )


def ruleset_digest(sources: list[RuleSource]) -> str:
    h = hashlib.sha256()
    h.update(f"wsa {agent.__version__} yara {yara.YARA_VERSION}\n".encode())
    h.update(",".join(sorted(EXTERNALS)).encode() + b"\n")
    for s in sorted(sources, key=lambda s: s.namespace):
        h.update(f"{s.namespace}\0{s.digest}\n".encode())
    return h.hexdigest()


def _problem(source: RuleSource, error: Exception) -> RuleProblem:
    text = str(error)
    m = _LINE.search(text)
    message = text.split(": ", 1)[1] if ": " in text and m else text
    message = message.removeprefix("error: ")
    return RuleProblem(str(source.path), int(m.group(1)) if m else None, message)


def _compile(sources: list[RuleSource]) -> yara.Rules:
    return yara.compile(
        filepaths={s.namespace: str(s.path) for s in sources},
        externals=EXTERNALS,
    )


def compile_rules(sources: list[RuleSource]) -> tuple[yara.Rules, list[RuleProblem]]:
    """Compile everything; if that fails, find the broken files one by one and leave them out."""
    try:
        return _compile(sources), []
    except yara.SyntaxError:
        pass
    good: list[RuleSource] = []
    broken: list[RuleProblem] = []
    for s in sources:
        try:
            _compile([s])
            good.append(s)
        except yara.Error as e:
            broken.append(_problem(s, e))
    if not good:
        raise RuleError("no rule file compiled: " + "; ".join(map(str, broken[:3])), location=None)
    try:
        return _compile(good), broken
    except yara.Error as e:  # files fine alone but clashing together (e.g. duplicate globals)
        raise RuleError(f"rules do not compile together: {e}") from None


def _count(rules: yara.Rules) -> int:
    return sum(1 for _ in rules)


def _save(cache: Path, key: str, ruleset: RuleSet) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    save_rules(ruleset.rules, cache / f"rules-{key[:32]}.yarc")
    meta = {
        "count": ruleset.count,
        "files": ruleset.files,
        "broken": [[p.path, p.line, p.message] for p in ruleset.broken],
    }
    (cache / f"rules-{key[:32]}.json").write_text(json.dumps(meta), encoding="utf-8")


def _load_cached(cache: Path, key: str, sources: list[RuleSource]) -> RuleSet | None:
    compiled, meta_file = cache / f"rules-{key[:32]}.yarc", cache / f"rules-{key[:32]}.json"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        yara.load(str(compiled))  # a corrupt file is a miss; the set is loaded again when used
        broken = tuple(RuleProblem(p, ln, m) for p, ln, m in meta["broken"])
        return RuleSet(
            None, key, int(meta["count"]), int(meta["files"]), broken, True, 0.0, tuple(sources),
            cache,
        ).lean()  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, yara.Error):
        return None  # missing or stale cache: compile again


def load_rules(
    extra: tuple[Path, ...] = (),
    *,
    default_rules: bool = True,
    cache_dir: Path | None = None,
    data_dir: Path | None = None,
    default_dir: Path | None = None,
    prepare_views: bool = False,
) -> RuleSet:
    """The rules to scan with: from the cache when the sources are unchanged, else compiled.

    `data_dir`: where an installed bundle may stand in for the default rules. `prepare_views`:
    after a compile, also compile the views into the cache (the compiling child does)."""
    sources = collect_sources(
        extra, default_rules=default_rules, data_dir=data_dir, default_dir=default_dir
    )
    if not sources:
        raise RuleError("no rule files found (add --rules DIR, or keep the default rules on)")
    key = ruleset_digest(sources)
    if cache_dir is not None:
        cached = _load_cached(cache_dir, key, sources)
        if cached is not None:
            return cached
    start = time.perf_counter()
    rules, broken = compile_rules(sources)
    ruleset = RuleSet(
        rules, key, _count(rules), len(sources) - len(broken), tuple(broken), False,
        time.perf_counter() - start, tuple(sources), cache_dir,
    )  # fmt: skip
    if cache_dir is not None:
        # A read-only cache folder costs only start-up time.
        with contextlib.suppress(OSError, yara.Error):
            _save(cache_dir, key, ruleset)
        if prepare_views:
            ruleset.views.prepare()
    return ruleset.lean()

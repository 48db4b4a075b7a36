"""Views: the part of a rule set a buffer is scanned with, by its languages and its size.

yara searches every rule's strings in every buffer before it evaluates a condition, so a rule
pays for its atoms in every file it is given, whether or not it could ever match there. Two
things we know before scanning say which rules cannot:
- the buffer's languages (agent.filetypes.languages): the bundled rules are kept in one folder
  per language, and a `.php` page holding no `<%` tag is not judged by the ASP and JSP rules;
- its size (agent.rules.tiers): a rule capped at `filesize < 300KB` is left out of larger ones.
A view is compiled from the same sources with those rules left out, so the results are those of
the whole set on that buffer (the ClamAV idea of a signature's target type, kept exact).

Only the bundled rules (namespace `wsa/`) have a language: rules a user adds run on everything.
Views are compiled into the rule cache by the compiling child (`prepare`) and loaded on first
use; a view that cannot be made is the whole set, so a scan never fails for it. The whole set
itself is loaded on first use too: an IIS host that only ever scans `.aspx` pages keeps the
ASP view in memory, not all of the rules.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import yara

from agent.filetypes import Lang
from agent.rules.sources import RuleSource
from agent.rules.tiers import BOUNDARIES, count_rules, cut, save_rules, tier_of

# The bundled rule folders that hold one language's rules; every other folder (config files,
# decode triggers) runs on everything.
FOLDER_LANG: dict[str, Lang] = {
    "php": Lang.PHP,
    "asp": Lang.ASP,
    "aspx": Lang.ASP,
    "exchange": Lang.ASP,
    "jsp": Lang.JSP,
}
# The language sets that get a view of their own; a rarer mix (PHP and JSP tags in one file)
# is scanned with the whole set.
VIEWS: dict[Lang, str] = {
    Lang.PHP: "php",
    Lang.ASP: "asp",
    Lang.JSP: "jsp",
    Lang.ASP | Lang.JSP: "asp+jsp",
    Lang.ALL: "all",
}


def source_languages(namespace: str) -> Lang:
    """The languages a rule file's rules judge: its folder's for a bundled file, else all."""
    parts = namespace.split("/")
    if parts[0] != "wsa" or len(parts) < 3:
        return Lang.ALL
    return FOLDER_LANG.get(parts[1], Lang.ALL)


def view_of(lang: Lang) -> Lang:
    return lang if lang in VIEWS else Lang.ALL


def _texts(sources: tuple[RuleSource, ...]) -> dict[RuleSource, bytes] | None:
    """Each source's text as compiled, or None when a file changed since (a changed file is the
    reloader's to pick up)."""
    texts = {}
    for s in sources:
        text = s.read_again()
        if text is None:
            return None
        texts[s] = text
    return texts


def compile_view(
    sources: tuple[RuleSource, ...],
    lang: Lang,
    boundary: int,
    externals: dict[str, str],
    whole: int,
) -> yara.Rules | None:
    """The rules for buffers of languages `lang` and at least `boundary` bytes, out of a set of
    `whole` rules; None when nothing can be left out, when a file changed since the whole set
    was compiled, or when the view is not exactly the whole set minus the rules left out."""
    originals = _texts(sources)
    if originals is None:
        return None
    texts: dict[str, str] = {}
    expected = whole
    for s, original in originals.items():
        if not source_languages(s.namespace) & lang:
            expected -= count_rules(original)
            continue
        text, dropped = cut(original, boundary) if boundary else (original, 0)
        expected -= dropped
        texts[s.namespace] = text.decode("utf-8", "replace")
    if expected == whole:
        return None
    try:
        rules = yara.compile(sources=texts, externals=externals)
    except yara.Error:
        return None  # the whole set stands in: the same results, at the full cost
    return rules if sum(1 for _ in rules) == expected else None


class Views:
    """The views of one RuleSet, each loaded (from the cache) or compiled on first use.

    Thread-safe; a view that cannot be made is the whole set."""

    def __init__(
        self,
        whole: yara.Rules | None,
        count: int,
        sources: tuple[RuleSource, ...],
        externals: dict[str, str],
        cache: Path | None,
        key: str,
    ) -> None:
        self._count = count
        self._sources = sources
        self._externals = externals
        self._cache = cache
        self._key = key
        self._scoped = any(source_languages(s.namespace) != Lang.ALL for s in sources)
        self._made: dict[tuple[Lang, int], yara.Rules] = {}
        if whole is not None:
            self._made[Lang.ALL, 0] = whole
        self._lock = threading.RLock()  # a view that stands in for the whole set loads it inside

    def path(self, lang: Lang, tier: int) -> Path | None:
        if self._cache is None:
            return None
        if tier == 0 and lang == Lang.ALL:
            return self._cache / f"rules-{self._key[:32]}.yarc"  # the whole set's own file
        name = "" if lang == Lang.ALL else f"-{VIEWS[lang]}"
        boundary = BOUNDARIES[tier - 1] if tier else 0
        return self._cache / f"rules-{self._key[:32]}{name}-t{boundary}.yarc"

    def whole(self) -> yara.Rules:
        return self.rules_for(0)

    def rules_for(self, size: int, lang: Lang = Lang.ALL) -> yara.Rules:
        """The rules for a buffer of `size` bytes that may hold the languages `lang`."""
        key = (view_of(lang) if self._scoped else Lang.ALL, tier_of(size) if self._sources else 0)
        made = self._made.get(key)
        if made is not None:
            return made
        with self._lock:
            made = self._made.get(key)
            if made is None:
                made = self._made[key] = self._make(*key)
        return made

    def _make(self, lang: Lang, tier: int) -> yara.Rules:
        path = self.path(lang, tier)
        if path is not None:
            with contextlib.suppress(OSError, yara.Error):
                return yara.load(str(path))
        if (lang, tier) == (Lang.ALL, 0):
            return self._compile_whole()
        return self._compile(lang, tier, path) or self.whole()

    def _compile(self, lang: Lang, tier: int, path: Path | None) -> yara.Rules | None:
        """The view compiled from the sources and kept in the cache (a read-only cache costs
        only compile time); None when the whole set has to stand in."""
        boundary = BOUNDARIES[tier - 1] if tier else 0
        rules = compile_view(self._sources, lang, boundary, self._externals, self._count)
        if rules is not None and path is not None:
            with contextlib.suppress(OSError, yara.Error):
                save_rules(rules, path)
        return rules

    def _compile_whole(self) -> yara.Rules:
        """The whole set again when its cached file went missing: from the sources, if none
        changed since."""
        texts = _texts(self._sources)
        if texts is None:
            raise yara.Error("compiled rules left the cache and a rule file changed since")
        sources = {s.namespace: t.decode("utf-8", "replace") for s, t in texts.items()}
        rules = yara.compile(sources=sources, externals=self._externals)
        path = self.path(Lang.ALL, 0)
        if path is not None:
            with contextlib.suppress(OSError, yara.Error):
                save_rules(rules, path)
        return rules

    def prepare(self) -> None:
        """Compile every view into the cache now (the child that compiles the whole set does
        this, so a long-running agent later only loads them)."""
        for lang in VIEWS if self._scoped else (Lang.ALL,):
            for tier in range(len(BOUNDARIES) + 1):
                path = self.path(lang, tier)
                if path is not None and (lang, tier) != (Lang.ALL, 0) and not path.exists():
                    self._compile(lang, tier, path)

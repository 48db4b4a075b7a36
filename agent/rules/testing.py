"""`rules test`: every rule against its own samples (must match) and look-alikes (must not).

Cases live in `signatures/tests/<language>.toml`; samples are decoded into a temporary folder
only for the length of the test.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yara

from agent.decode import TRIGGER_TAG
from agent.errors import RuleError
from agent.filetypes import extension_of, sniff
from agent.rules import samples
from agent.rules.compiler import RuleSet


@dataclass(frozen=True)
class Case:
    toml: Path
    language: str
    sample: str
    match: tuple[str, ...]
    path: str | None = None

    @property
    def encoded(self) -> Path:
        return self.toml.parent / "samples" / self.language / (self.sample + samples.SUFFIX)


@dataclass(frozen=True)
class Outcome:
    case: Case
    fired: tuple[str, ...]
    problem: str | None  # None: passed


def load_cases(tests_dir: Path) -> list[Case]:
    cases: list[Case] = []
    for toml in sorted(tests_dir.glob("*.toml")):
        try:
            data = tomllib.loads(toml.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise RuleError(f"cannot read test cases: {e}", location=str(toml)) from None
        for i, raw in enumerate(data.get("case", [])):
            where = f"{toml}: case {i + 1}"
            if not isinstance(raw, dict) or not isinstance(raw.get("sample"), str):
                raise RuleError('each [[case]] needs sample = "name.ext"', location=where)
            unknown = set(raw) - {"sample", "match", "path"}
            if unknown:
                raise RuleError(f"unknown key {sorted(unknown)[0]!r}", location=where)
            match = raw.get("match", [])
            if not isinstance(match, list) or not all(isinstance(m, str) for m in match):
                raise RuleError("match must be a list of rule names", location=where)
            cases.append(Case(toml, toml.stem, raw["sample"], tuple(match), raw.get("path")))
    return cases


def externals_for(path: str, data: bytes) -> dict[str, str]:
    """The externals the scanner gives a file at `path` holding `data`."""
    import hashlib

    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return {
        "filename": name,
        "filepath": path,
        "extension": extension_of(name),
        "filetype": sniff(data[:16]),
        "owner": "",
        "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
    }


def run_cases(ruleset: RuleSet, cases: list[Case]) -> list[Outcome]:
    from agent.scanner import Scanner

    scanner = Scanner(ruleset, timeout=30)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="wsa-samples-") as tmp:
        for case in cases:
            try:
                data = samples.decode(case.encoded.read_bytes())
            except (OSError, ValueError) as e:
                outcomes.append(Outcome(case, (), f"cannot decode sample: {e}"))
                continue
            # Decoded bytes exist only here, and only while the test runs.
            decoded = Path(tmp) / case.language / case.sample
            decoded.parent.mkdir(parents=True, exist_ok=True)
            decoded.write_bytes(data)
            pretend = case.path or str(decoded)
            # The scanner's own matching: decoded layers count, decode triggers do not.
            try:
                matches = scanner.match_bytes(data, externals_for(pretend, data))
            except yara.Error as e:
                outcomes.append(Outcome(case, (), f"yara error: {e}"))
                continue
            fired = tuple(sorted(m.rule for m in matches))
            if not case.match and fired:
                problem = f"benign look-alike matched {', '.join(fired)}"
            elif missing := [r for r in case.match if r not in fired]:
                problem = f"expected {', '.join(missing)} to match; fired: {', '.join(fired) or 'nothing'}"
            else:
                problem = None
            outcomes.append(Outcome(case, fired, problem))
            os.unlink(decoded)
    return outcomes


def untested_rules(ruleset: RuleSet, cases: list[Case]) -> list[str]:
    """Rules that no case expects to match (load only our own signatures into `ruleset`)."""
    expected = {r for c in cases for r in c.match}
    return sorted(
        r.identifier
        for r in ruleset.rules
        if r.identifier not in expected and TRIGGER_TAG not in r.tags
    )

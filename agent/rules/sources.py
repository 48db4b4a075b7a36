"""Finding rule files: our shipped signatures plus any folders the user adds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from agent.errors import RuleError

RULE_SUFFIXES = (".yar", ".yara")
# Rules in these folders are not ready to ship enabled.
SKIPPED_DIRS = frozenset({"nursery", "tests"})


def default_rules_dir(data_dir: Path | None = None) -> Path:
    """The active signed bundle under `data_dir` (`rules update`), else `signatures/` in a source
    checkout or the copy packaged inside the wheel: the bundled set is the floor.

    The one place that picks the default rule folder; everything that loads rules asks here."""
    if data_dir is not None:
        from agent.rules.bundle_store import active_dir  # here: bundle_store imports sources

        active = active_dir(data_dir)
        if active is not None:
            return active
    here = Path(__file__).resolve().parent
    checkout = here.parents[1] / "signatures"
    if (checkout / "README.md").is_file():
        return checkout
    return here.parent / "signatures"


@dataclass(frozen=True)
class RuleSource:
    """One rule file: where it is, the namespace it compiles into, and its bytes (empty once
    compiled, when only its digest is kept: `lean`)."""

    path: Path
    namespace: str
    text: bytes
    sha256: str = field(default="", compare=False)

    @property
    def digest(self) -> str:
        return self.sha256 or hashlib.sha256(self.text).hexdigest()

    def lean(self) -> RuleSource:
        """The same source without its text: a long-running agent keeps 250 KB less."""
        return RuleSource(self.path, self.namespace, b"", self.digest)

    def read_again(self) -> bytes | None:
        """The text, from memory or from the file if it still has the same digest."""
        if self.text or not self.sha256:
            return self.text
        try:
            text = self.path.read_bytes()
        except OSError:
            return None
        return text if hashlib.sha256(text).hexdigest() == self.sha256 else None


def _files_under(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    found = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).parts
        if p.suffix.lower() in RULE_SUFFIXES and p.is_file() and not SKIPPED_DIRS & set(rel[:-1]):
            found.append(p)
    return found


def collect_sources(
    extra: tuple[Path, ...] = (),
    *,
    default_rules: bool = True,
    data_dir: Path | None = None,
    default_dir: Path | None = None,
) -> list[RuleSource]:
    """All rule files, each in a namespace named after the folder it came from and its path.

    The default set (namespace `wsa/`) is `default_dir` if given (a bundle being checked), else
    whatever `default_rules_dir(data_dir)` picks."""
    roots: list[tuple[str, Path]] = []
    if default_rules:
        roots.append(("wsa", default_dir or default_rules_dir(data_dir)))
    roots += [(p.name or str(p), p) for p in extra]
    sources: list[RuleSource] = []
    seen: set[str] = set()
    for prefix, root in roots:
        if not root.exists():
            raise RuleError("rule folder does not exist", location=str(root))
        for path in _files_under(root):
            rel = path.name if root.is_file() else path.relative_to(root).as_posix()
            namespace = f"{prefix}/{rel}"
            while namespace in seen:  # two folders with the same name
                namespace += "'"
            seen.add(namespace)
            try:
                text = path.read_bytes()
            except OSError as e:
                raise RuleError(
                    f"cannot read rule file: {e.strerror}", location=str(path)
                ) from None
            sources.append(RuleSource(path, namespace, text))
    return sources


def bundle_version(sources: list[RuleSource] | tuple[RuleSource, ...]) -> str | None:
    """The version of the installed bundle the default rules came from, if they did."""
    from agent.rules.bundle_store import version_of

    for s in sources:
        if s.namespace.startswith("wsa/"):
            rel = s.namespace.removeprefix("wsa/").rstrip("'")
            depth = len(rel.split("/"))
            return version_of(s.path.parents[depth - 1]) if depth <= len(s.path.parents) else None
    return None

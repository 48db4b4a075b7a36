"""Add one repository (a git clone, bare or not) to an evaluation set outside the project.

    python -m tests.bench.eval_set SETDIR malicious|benign OWNER/REPO GITDIR \
        [--under FOLDER ...] [--skip REGEX] [--cap N] [--seen MANIFEST ...] [--rev COMMIT]

Writes `SETDIR/<label>/<owner+repo>/<sha16>.<ext>` (the layout `webshell-agent eval` reads) and
appends `SETDIR/manifest.tsv` (label, source_repo, commit, original_path, sha256, size,
language), so a set lost with a machine is rebuilt from its manifest's repositories and
commits. Files are read from the commit's tree (`git cat-file`), never checked out: a
collection's shells never land in a web root or a checkout.

What the evaluation protocol needs (docs/evaluation.md): web-language files only; one copy of
each sha256 across the set and every manifest named by `--seen` (a held-out file that a tuning
set holds is no held-out file); a "shell" without any server-side code is the rendered output
of a shell or a note, not a shell, and is left out; `--cap` takes an even spread of an
application's files so one large project does not make a benign set alone.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from agent.evaluation import LANGUAGES, language_of

HEADER = "label\tsource_repo\tcommit\toriginal_path\tsha256\tsize\tlanguage\n"
WEB_EXTS = frozenset(e for exts in LANGUAGES.values() for e in exts)
# Collections store shells defanged (`x.php.txt`, `x.aspx.png`): the inner extension is the real one.
_DEFANGED = re.compile(
    r"(\.(?:php\d?|phtml|pht|inc|asp|asa|cer|aspx|ashx|asmx|jsp|jspx|cshtml))"
    r"(?:\.(?:txt|bak|old|orig|src|png|jpe?g|gif|ico|zip|html?|mal|malware|sample|vir))+$",
    re.IGNORECASE,
)
# Server-side code of each language; a labelled shell without any is not a shell.
_SERVER_CODE = {
    "PHP": re.compile(rb"<\?"),
    "ASP": re.compile(rb"<%|runat\s*=\s*[\"']?server", re.IGNORECASE),
    "ASPX family": re.compile(
        rb"<%|runat\s*=\s*[\"']?server|<\?xml|<configuration|@\w+|\bclass\b", re.IGNORECASE
    ),
    "JSP": re.compile(rb"<%|<jsp:|<\?xml", re.IGNORECASE),
}
MAX_SIZE = 4 << 20


def real_extension(name: str, label: str) -> str:
    """The extension the file would be served with; a shell's defanged suffix is dropped."""
    ext = os.path.splitext(name)[1].lower()
    if ext not in WEB_EXTS and label == "malicious":
        m = _DEFANGED.search(name)
        if m:
            return m.group(1).lower()
    return ext


def is_code(data: bytes, ext: str) -> bool:
    """Whether a file holds server-side code of the language its extension names."""
    pattern = _SERVER_CODE.get(language_of("x" + ext))
    return pattern is None or pattern.search(data[: 1 << 20]) is not None


def spread(items: list[str], cap: int) -> list[str]:
    """At most `cap` items, evenly spaced over the sorted list (deterministic)."""
    items = sorted(items)
    if cap <= 0 or len(items) <= cap:
        return items
    step = len(items) / cap
    return [items[int(i * step)] for i in range(cap)]


def read_hashes(manifest: Path) -> set[str]:
    if not manifest.exists():
        return set()
    with manifest.open(encoding="utf-8", errors="replace") as f:
        return {p[4] for line in f if len(p := line.rstrip("\n").split("\t")) > 4}


def _git(gitdir: str, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", gitdir, *args], check=True, capture_output=True
    ).stdout


def tree(gitdir: str, rev: str = "HEAD") -> tuple[str, dict[str, tuple[str, int]]]:
    """The commit `rev` names and its blobs: path -> (object id, size)."""
    commit = _git(gitdir, "rev-parse", "--verify", rev + "^{commit}").decode().strip()
    blobs: dict[str, tuple[str, int]] = {}
    for entry in _git(gitdir, "ls-tree", "-r", "-z", "--long", commit).split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        _mode, kind, oid, size = meta.split()
        if kind == b"blob" and size.isdigit():  # a blob missing from a shallow copy: "BAD"
            blobs[path.decode("utf-8", "replace")] = (oid.decode(), int(size))
    return commit, blobs


def add(
    setdir: Path,
    label: str,
    repo: str,
    gitdir: str,
    *,
    under: tuple[str, ...] = (),
    skip: str = "",
    cap: int = 0,
    seen: set[str] | None = None,
    rev: str = "HEAD",
) -> Counter[str]:
    """Add the repository's web-language files; returns counts (added, duplicate, not-code)."""
    commit, blobs = tree(gitdir, rev)
    wanted: dict[str, str] = {}
    for path, (_oid, size) in blobs.items():
        if under and not any(path.startswith(u.rstrip("/") + "/") for u in under):
            continue
        if (skip and re.search(skip, path, re.IGNORECASE)) or not 0 < size <= MAX_SIZE:
            continue
        ext = real_extension(path.rsplit("/", 1)[-1], label)
        if ext in WEB_EXTS:
            wanted[path] = ext
    manifest = setdir / "manifest.tsv"
    known = read_hashes(manifest) | (seen or set())
    stats: Counter[str] = Counter()
    folder = setdir / label / repo.replace("/", "+")
    setdir.mkdir(parents=True, exist_ok=True)
    with manifest.open("a", encoding="utf-8") as out:
        if out.tell() == 0:
            out.write(HEADER)
        for path in spread(list(wanted), cap):
            ext = wanted[path]
            data = _git(gitdir, "cat-file", "blob", blobs[path][0])
            digest = hashlib.sha256(data).hexdigest()
            if digest in known:
                stats["duplicate"] += 1
                continue
            if label == "malicious" and not is_code(data, ext):
                stats["not-code"] += 1
                continue
            known.add(digest)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / (digest[:16] + ext)).write_bytes(data)
            lang = language_of("x" + ext)
            out.write(f"{label}\t{repo}\t{commit}\t{path}\t{digest}\t{len(data)}\t{lang}\n")
            stats["added"] += 1
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.bench.eval_set", description=__doc__)
    ap.add_argument("setdir", type=Path)
    ap.add_argument("label", choices=("malicious", "benign"))
    ap.add_argument("repo", help="owner/name")
    ap.add_argument("gitdir", help="the clone's git directory")
    ap.add_argument("--under", action="append", default=[], help="only files below this folder")
    ap.add_argument("--skip", default="", help="leave out paths matching this regex")
    ap.add_argument("--cap", type=int, default=0, help="at most N files (an even spread)")
    ap.add_argument("--seen", action="append", default=[], type=Path, help="manifest to dedupe on")
    ap.add_argument("--rev", default="HEAD", help="the commit to read (a set rebuilt as recorded)")
    a = ap.parse_args(argv)
    seen: set[str] = set()
    for m in a.seen:
        seen |= read_hashes(m)
    stats = add(
        a.setdir,
        a.label,
        a.repo,
        a.gitdir,
        under=tuple(a.under),
        skip=a.skip,
        cap=a.cap,
        seen=seen,
        rev=a.rev,
    )
    print(a.repo, dict(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How well detection survives meaning-preserving rewrites of the shells it finds.

    python -m tests.bench.mutate CORPUS OUT [--only NAME ...] [--benign-cap N] [--hosts DIR ...]

CORPUS has the layout `webshell-agent eval` reads (`malicious/<source>/..`, `benign/<source>/..`).
Every mutation of tests.bench.mutations is applied to the pages of its language (the benign
pages too, capped per language: a rewrite must not make an application page a finding), plus
`inject`: each shell appended to an application page of its language between 32 KiB and
512 KiB (from `--hosts`, default CORPUS/benign), as a shell planted in an existing file is.
Each mutated tree is written to OUT/<name>/ and run through `webshell-agent eval`; the report
gives, per mutation and language, the shells found before that are still found after
("kept"), those lost, and benign pages flagged before and after. OUT/<name>/lost.txt lists the
lost shells with the original's path, to read them side by side.

Nothing here decides a verdict: it measures the rules (docs/evaluation.md, "Mutations").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from agent.evaluation import language_of
from tests.bench.mutations import MUTATIONS

HOST_MIN, HOST_MAX = 32 * 1024, 512 * 1024


def _files(root: Path, label: str) -> list[Path]:
    base = root / label
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []


def _sample_benign(files: list[Path], cap: int, seed: int) -> list[Path]:
    by_lang: dict[str, list[Path]] = defaultdict(list)
    for p in files:
        by_lang[language_of(str(p))].append(p)
    out: list[Path] = []
    for lang, ps in sorted(by_lang.items()):
        if lang == "other":
            continue
        out += ps if len(ps) <= cap else random.Random(seed).sample(ps, cap)
    return sorted(out)


def _in_php_mode(text: str) -> bool:
    return text.rfind("<?") > text.rfind("?>")


def _inject(shell: str, host: str, lang: str) -> str:
    if lang == "PHP" and _in_php_mode(host):
        host += "\n?>\n"
    return host.rstrip("\n") + "\n" + shell


def _eval(tree: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "agent", "eval", str(tree), "--format", "json", "--list-missed",
         "--threads", "2"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(out.stdout)
    return result


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("latin-1"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("corpus", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument(
        "--only", nargs="+", default=None, help="mutation names (default: all, and inject)"
    )
    ap.add_argument("--benign-cap", type=int, default=1500, help="benign pages per language")
    ap.add_argument(
        "--hosts", type=Path, nargs="+", default=None, help="folders of pages to inject into"
    )
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args(argv)

    names = args.only or [*MUTATIONS, "inject"]
    unknown = [n for n in names if n not in MUTATIONS and n != "inject"]
    if unknown:
        ap.error(f"unknown mutation: {', '.join(unknown)} (known: {', '.join(MUTATIONS)}, inject)")
    pages = {
        "malicious": _files(args.corpus, "malicious"),
        "benign": _sample_benign(_files(args.corpus, "benign"), args.benign_cap, args.seed),
    }
    texts = {p: p.read_bytes().decode("latin-1") for ps in pages.values() for p in ps}

    base = args.out / "base"
    for ps in pages.values():
        for p in ps:
            _write(base / p.relative_to(args.corpus), texts[p])
    print(f"base: {sum(map(len, pages.values()))} pages", file=sys.stderr)
    before = _eval(base)
    missed_before = {os.path.relpath(str(p), base) for p in before.get("missed", [])}  # type: ignore[union-attr]
    flagged_before = {os.path.relpath(str(p), base) for p in before.get("benign_flagged", [])}  # type: ignore[union-attr]

    hosts: dict[str, list[Path]] = defaultdict(list)
    if "inject" in names:
        for root in args.hosts or [args.corpus / "benign"]:
            for p in sorted(q for q in root.rglob("*") if q.is_file()):
                if HOST_MIN <= p.stat().st_size <= HOST_MAX:
                    hosts[language_of(str(p))].append(p)

    report: dict[str, dict[str, dict[str, int]]] = {}
    for name in names:
        tree = args.out / name
        rng = random.Random(args.seed)
        applied: dict[str, str] = {}  # relative path -> language
        for label, ps in pages.items():
            for p in ps:
                lang = language_of(str(p))
                rel = str(p.relative_to(args.corpus))
                if name == "inject":
                    if label != "malicious" or not hosts.get(lang):
                        continue
                    host = rng.choice(hosts[lang])
                    new: str | None = _inject(texts[p], host.read_bytes().decode("latin-1"), lang)
                else:
                    want, mutate = MUTATIONS[name]
                    if want not in ("*", lang):
                        continue
                    new = mutate(texts[p], rng)
                if new is None:
                    continue
                _write(tree / rel, new)
                applied[rel] = lang
        if not applied:
            print(f"{name}: applies to no page", file=sys.stderr)
            continue
        after = _eval(tree)
        missed_after = {os.path.relpath(str(p), tree) for p in after.get("missed", [])}  # type: ignore[union-attr]
        flagged_after = {os.path.relpath(str(p), tree) for p in after.get("benign_flagged", [])}  # type: ignore[union-attr]
        rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        lost = []
        for rel, lang in sorted(applied.items()):
            row = rows[lang]
            if rel.startswith("malicious" + os.sep):
                found_before, found_after = rel not in missed_before, rel not in missed_after
                row["shells"] += 1
                row["found_before"] += found_before
                row["kept"] += found_before and found_after
                row["gained"] += found_after and not found_before
                if found_before and not found_after:
                    lost.append(rel)
            else:
                row["benign"] += 1
                row["flagged_before"] += rel in flagged_before
                row["flagged_after"] += rel in flagged_after
        (tree / "lost.txt").write_text("".join(f"{tree / r}\t{args.corpus / r}\n" for r in lost))
        report[name] = {k: dict(v) for k, v in rows.items()}
        for lang, row in sorted(report[name].items()):
            fb = row.get("found_before", 0)
            pct = f"{100 * row.get('kept', 0) / fb:.1f} %" if fb else "-"
            print(
                f"{name:13} {lang:12} shells {row.get('shells', 0):5}  kept {row.get('kept', 0):5}/{fb:<5}"
                f" {pct:>8}  gained {row.get('gained', 0):3}  benign flagged "
                f"{row.get('flagged_before', 0)}->{row.get('flagged_after', 0)} of {row.get('benign', 0)}",
                flush=True,
            )
    (args.out / "report.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

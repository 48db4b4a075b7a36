"""Throughput of `webshell-agent scan` against the `yara` CLI on the same rules and files.

    make bench                      # generated tree (+ ../shared/corpus when present)
    python -m tests.bench.scan_bench --files 20000 --runs 5

Both sides scan every file (the agent with --all-files) with 2 threads, the agent reading bytes
itself and the CLI mapping files. The CLI cannot give per-file externals, so it gets empty ones;
rules that look at file names or paths can fire only in the agent: those pairs are reported
apart. The agent does not run a bundled language's rules on a file that cannot hold that
language (agent.rules.views), which the CLI cannot know: those pairs are reported apart too.
The remaining (file, rule) pairs must be identical.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from agent.rules import collect_sources
from agent.rules.compiler import EXTERNALS
from agent.rules.samples import decode
from agent.rules.sources import default_rules_dir
from agent.rules.testing import load_cases

EXTS = [".php", ".php", ".php", ".aspx", ".asp", ".jsp", ".ashx", ".inc", ".config", ".cshtml"]
WORDS = [
    "function",
    "return",
    "array",
    "string",
    "echo",
    "print",
    "if",
    "else",
    "foreach",
    "while",
    "class",
    "public",
    "private",
    "static",
    "new",
    "this",
    "self",
    "parent",
    "null",
    "true",
    "false",
    "include",
    "require_once",
    "namespace",
    "use",
    "try",
    "catch",
    "throw",
    "html",
    "div",
    "span",
    "table",
    "tr",
    "td",
    "form",
    "input",
    "value",
    "name",
    "id",
    "type",
    "submit",
    "post",
    "get",
    "session",
    "cookie",
    "user",
    "admin",
    "config",
    "database",
    "query",
    "select",
    "from",
    "where",
    "insert",
    "update",
    "delete",
    "order",
    "by",
    "limit",
    "offset",
    "json",
    "encode",
    "decode",
    "format",
    "date",
    "time",
    "string",
    "length",
    "substr",
    "replace",
    "explode",
    "implode",
    "trim",
    "lower",
    "upper",
    "count",
    "sort",
    "merge",
    "keys",
    "values",
]


def generate(root: Path, files: int, seed: int = 7) -> int:
    """A web-root-like tree of text files with some of our test shells planted among them."""
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        d = root / f"site{i % 7}" / f"mod{i % 53}" / f"part{i % 11}"
        d.mkdir(parents=True, exist_ok=True)
        size = int(rng.lognormvariate(8.6, 0.9))  # median ~5.4 KB, long tail
        words = []
        n = 0
        while n < size:
            w = rng.choice(WORDS)
            words.append(w)
            n += len(w) + 1
            if rng.random() < 0.08:
                words.append(";\n")
        data = (" ".join(words)).encode()[:size]
        (d / f"f{i}{rng.choice(EXTS)}").write_bytes(data)
        total += len(data)
    sig = default_rules_dir()
    if (sig / "tests").is_dir():
        for j, case in enumerate(c for c in load_cases(sig / "tests") if c.match):
            (root / f"site{j % 7}" / f"planted_{j}_{case.sample}").write_bytes(
                decode(case.encoded.read_bytes())
            )
    return total


def count_files(root: Path) -> int:
    return sum(len(fs) for _, _, fs in os.walk(root))


AGENT_SRC: Path | None = None  # --agent-src: run another checkout's agent (a baseline)
DECODED: set[tuple[str, str]] = set()  # pairs the agent found on decoded layers only


def _children_cpu() -> float:
    """User + system CPU seconds of the finished children: a figure a busy machine disturbs
    far less than wall time."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_agent(root: Path, threads: int) -> tuple[float, float, set[tuple[str, str]]]:
    import json

    env = dict(os.environ)
    if AGENT_SRC is not None:
        env["PYTHONPATH"] = str(AGENT_SRC)
    t0, c0 = time.perf_counter(), _children_cpu()
    p = subprocess.run(
        [sys.executable, "-m", "agent", "scan", "--format", "jsonl", "--all-files", "--no-progress",
         "--threads", str(threads), "--max-size", "100MiB", str(root)],
        capture_output=True, text=True, check=False, env=env,
        cwd=str(AGENT_SRC) if AGENT_SRC is not None else None,
    )  # fmt: skip
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if p.returncode not in (0, 1):
        raise SystemExit(f"agent failed: {p.stderr[-2000:]}")
    pairs = set()
    for line in p.stdout.splitlines():
        doc = json.loads(line)
        for m in doc["webshell"]["matches"]:
            pair = (os.path.realpath(doc["file"]["path"]), m["rule"])
            pairs.add(pair)
            if m.get("layer") or m["rule"] == "WSA_Scan_Timeout":
                DECODED.add(pair)
    return wall, cpu, pairs


def run_yara(yara: str, root: Path, threads: int) -> tuple[float, float, set[tuple[str, str]]]:
    if AGENT_SRC is not None:  # the baseline's own rules
        sources = collect_sources((AGENT_SRC / "signatures",), default_rules=False)
    else:
        sources = collect_sources(default_rules=True)
    defines = [a for k in EXTERNALS for a in ("-d", f"{k}=")]
    args = [
        yara,
        "-r",
        "-N",
        "-w",
        "-p",
        str(threads),
        *defines,
        *[f"{s.namespace.replace('/', '_').replace('.', '_')}:{s.path}" for s in sources],
        str(root),
    ]
    t0, c0 = time.perf_counter(), _children_cpu()
    p = subprocess.run(args, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if p.returncode != 0:
        raise SystemExit(f"yara failed: {p.stderr[-2000:]}")
    import re

    triggers = {  # decode triggers steer the agent's decode stage; they are never findings
        m.group(1).decode()
        for s in sources
        for m in re.finditer(rb"rule\s+(\w+)\s*:[^{]*\bdecode_trigger\b", s.text)
    }
    pairs = set()
    for line in p.stdout.splitlines():
        rule, _, path = line.partition(" ")
        if rule not in triggers:
            pairs.add((os.path.realpath(path), rule))
    return wall, cpu, pairs


def externals_rules() -> set[str]:
    """Rules whose condition reads a per-file external: the CLI cannot run them faithfully."""
    import re

    names = set()
    for s in collect_sources(default_rules=True):
        text = s.text.decode("utf-8", "replace")
        for m in re.finditer(
            r"^(?:(?:private|global)\s+)*rule\s+(\w+)[^{]*\{(.*?)\n\}", text, re.S | re.M
        ):
            cond = m.group(2).split("condition:")[-1]
            if re.search(r"\b(" + "|".join(EXTERNALS) + r")\b", cond):
                names.add(m.group(1))
    return names


def scoped_out(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Pairs the agent does not look for by design: the rule judges a language the file cannot
    hold (agent.rules.views), which the CLI cannot know."""
    import re

    from agent.filetypes import extension_of, languages
    from agent.rules.views import source_languages

    rule_lang = {
        m.group(1).decode(): source_languages(s.namespace)
        for s in collect_sources(default_rules=True)
        for m in re.finditer(rb"^(?:(?:private|global)\s+)*rule\s+(\w+)", s.text, re.M)
    }
    out = set()
    for path, rule in pairs:
        with open(path, "rb") as f:
            lang = languages(f.read(), extension_of(path))
        if rule in rule_lang and not rule_lang[rule] & lang:
            out.add((path, rule))
    return out


def bench(name: str, root: Path, yara: str, runs: int, threads: int) -> None:
    files = count_files(root)
    run_agent(root, threads)  # warm the page cache and the compiled-rule cache
    run_yara(yara, root, threads)
    agent_times, yara_times, agent_cpu, yara_cpu = [], [], [], []
    a_pairs: set[tuple[str, str]] = set()
    y_pairs: set[tuple[str, str]] = set()
    for _ in range(runs):
        t, c, a_pairs = run_agent(root, threads)
        agent_times.append(t)
        agent_cpu.append(c)
        t, c, y_pairs = run_yara(yara, root, threads)
        yara_times.append(t)
        yara_cpu.append(c)
    a, y = statistics.median(agent_times), statistics.median(yara_times)
    ac, yc = statistics.median(agent_cpu), statistics.median(yara_cpu)
    ext = externals_rules()
    only_agent = a_pairs - y_pairs
    explained = {p for p in only_agent if p[1] in ext or p in DECODED}
    print(
        f"\n== {name}: {files:,} files, {runs} runs, {threads} threads (median wall time, start-up included)"
    )
    print(f"  webshell-agent scan : {a:7.2f} s  {files / a:9,.0f} files/s")
    print(f"  yara -r -p {threads}       : {y:7.2f} s  {files / y:9,.0f} files/s")
    print(f"  ratio agent/yara    : {y / a:.2f}x throughput")
    print(f"  CPU (user+sys)      : agent {ac:.2f} s, yara {yc:.2f} s, ratio {yc / ac:.2f}x")
    print(
        f"  load average        : {os.getloadavg()[0]:.2f} (other work on the machine skews wall time)"
    )
    print(
        f"  matched files       : agent {len({p for p, _ in a_pairs}):,}, yara {len({p for p, _ in y_pairs}):,}"
    )
    print(f"  (file, rule) pairs  : agent {len(a_pairs):,}, yara {len(y_pairs):,}, "
          f"only agent {len(only_agent)} ({len(explained)} from rules that read externals or from decoded layers), only yara {len(y_pairs - a_pairs)}")  # fmt: skip
    only_yara = y_pairs - a_pairs
    # The CLI's empty externals can also fire a rule the agent's real ones keep quiet.
    yara_ext = {p for p in only_yara if p[1] in ext}
    out_of_scope = scoped_out(only_yara - yara_ext)
    print(f"  only yara, by design: {len(out_of_scope)} (the rule's language is not the file's), "
          f"{len(yara_ext)} (a rule reading externals, which the CLI leaves empty)")  # fmt: skip
    unexplained = (only_agent - explained) | (only_yara - yara_ext - out_of_scope)
    print(
        "  identical matches   : "
        + ("yes" if not unexplained else f"NO: {sorted(unexplained)[:5]}")
    )


STATIC = [".jpg", ".png", ".gif", ".css", ".js", ".txt", ".html", ".svg", ".woff2", ".pdf"]
MAGIC = {".jpg": b"\xff\xd8\xff\xe0", ".png": b"\x89PNG\r\n\x1a\n", ".gif": b"GIF89a"}


def generate_static(root: Path, files: int, seed: int = 11) -> int:
    """Images, styles, scripts and documents as a web root holds them: what sniffing reads."""
    rng = random.Random(seed)
    total = 0
    for i in range(files):
        d = root / f"assets{i % 5}" / f"dir{i % 41}"
        d.mkdir(parents=True, exist_ok=True)
        ext = rng.choice(STATIC)
        size = int(rng.lognormvariate(9.5, 1.2))  # median ~13 KB, some files of megabytes
        head = MAGIC.get(ext, b"")
        body = rng.randbytes(size) if head else " ".join(rng.choices(WORDS, k=size // 6)).encode()
        data = head + body
        (d / f"s{i}{ext}").write_bytes(data)
        total += len(data)
    for i in range(20):  # a few web pages among them
        (root / f"assets{i % 5}" / f"page{i}.php").write_text("<?php echo 'hello'; ?>\n")
    return total


def run_scan(root: Path, threads: int, sniff: bool) -> tuple[float, dict[str, object]]:
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as cfg:
        cfg.write(f"[scan]\nsniff = {str(sniff).lower()}\n")
    try:
        t0 = time.perf_counter()
        p = subprocess.run(
            [sys.executable, "-m", "agent", "scan", "--format", "json", "--no-progress",
             "--config", cfg.name, "--threads", str(threads), "--max-size", "100MiB", str(root)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - t0
    finally:
        os.unlink(cfg.name)
    if p.returncode not in (0, 1):
        raise SystemExit(f"agent failed: {p.stderr[-2000:]}")
    return wall, json.loads(p.stdout)["summary"]


def bench_sniff(root: Path, files: int, runs: int, threads: int) -> None:
    """The cost of content sniffing: the same scan of a static-heavy tree with and without."""
    from agent.filetypes import SNIFF_EDGE, server_code

    size = generate_static(root, files)
    print(f"\n== content sniffing: {files:,} static files ({size / 1e6:.0f} MB) + 20 .php ==")
    off = min(run_scan(root, threads, False)[0] for _ in range(runs))
    on_runs = [run_scan(root, threads, True) for _ in range(runs)]
    on = min(w for w, _ in on_runs)
    summary = on_runs[0][1]
    print(f"  sniff = false       : {off:7.2f} s  (web extensions only)")
    print(f"  sniff = true        : {on:7.2f} s  {summary['skipped']}")
    print(
        f"  sniffing cost       : {(on - off) / files * 1e6:7.0f} us per static file (wall, {threads} threads)"
    )
    buf = random.Random(3).randbytes(2 * SNIFF_EDGE)
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        server_code(buf)
    per = (time.perf_counter() - t0) / n
    print(
        f"  marker pass         : {per * 1e6:7.0f} us per {2 * SNIFF_EDGE // 1024} KiB (in process)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sniff-files", type=int, default=5_000, help="static files for the sniff run")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=Path(__file__).resolve().parents[3] / "shared" / "corpus",
        help="../shared/corpus (dev-*.tar.xz, extracted here) or a folder holding malicious/ benign/",
    )
    ap.add_argument(
        "--agent-src",
        type=Path,
        default=None,
        help="scan with the agent of another source tree (e.g. a baseline export)",
    )
    ap.add_argument("--skip-generated", action="store_true", help="only the corpus benchmark")
    args = ap.parse_args()
    global AGENT_SRC
    AGENT_SRC = args.agent_src
    yara = shutil.which("yara")
    if yara is None:
        raise SystemExit("the yara CLI is missing: `make deps-system` installs Debian's package")
    print(
        subprocess.run([yara, "--version"], capture_output=True, text=True).stdout.strip(),
        "(yara CLI)",
    )
    with tempfile.TemporaryDirectory(prefix="wsa-bench-") as tmp:
        if not args.skip_generated:
            gen = Path(tmp) / "generated"
            size = generate(gen, args.files)
            print(f"generated {args.files:,} files, {size / 1e6:.1f} MB")
            bench("generated tree", gen, yara, args.runs, args.threads)
            bench_sniff(Path(tmp) / "static", args.sniff_files, args.runs, args.threads)
        tars = sorted(args.corpus.glob("dev-*.tar.xz")) if args.corpus.is_dir() else []
        if not tars and any((args.corpus / d).is_dir() for d in ("malicious", "benign")):
            bench("corpus (extracted)", args.corpus, yara, args.runs, args.threads)
        elif tars:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            for t in tars:
                with tarfile.open(t) as tf:
                    tf.extractall(corpus, filter="data")
            bench("shared corpus (dev)", corpus, yara, args.runs, args.threads)
        else:
            print("\n(no ../shared/corpus here: corpus benchmark skipped)")


if __name__ == "__main__":
    main()

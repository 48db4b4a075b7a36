"""`rules lint`: every file compiles alone and together, metadata is complete, names and ids
are unique, and yara gives no performance warnings."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import yara

from agent.rules.compiler import EXTERNALS
from agent.rules.sources import RuleSource

REQUIRED_META = (
    "id",
    "description",
    "family",
    "severity",
    "author",
    "date",
    "reference",
    "mitre_attack",
)
SEVERITIES = ("low", "medium", "high", "critical")
_ID = re.compile(r"WSA-(ASPX|ASP|PHP|JSP|EXCH|GEN)-\d{3}")
_NAME = re.compile(r"WSA_[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Finding:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _meta_findings(where: str, meta: dict[str, object]) -> list[Finding]:
    out = [Finding(where, f"missing meta {k!r}") for k in REQUIRED_META if k not in meta]
    if "severity" in meta and meta["severity"] not in SEVERITIES:
        out.append(Finding(where, f"severity must be one of {', '.join(SEVERITIES)}"))
    if "mitre_attack" in meta and meta["mitre_attack"] != "T1505.003":
        out.append(Finding(where, "mitre_attack must be T1505.003"))
    if "id" in meta and not _ID.fullmatch(str(meta["id"])):
        out.append(Finding(where, "id must look like WSA-<ASPX|ASP|PHP|JSP|EXCH|GEN>-NNN"))
    if "date" in meta:
        try:
            date.fromisoformat(str(meta["date"]))
        except ValueError:
            out.append(Finding(where, "date must be YYYY-MM-DD"))
    if "reference" in meta and not str(meta["reference"]).startswith(("http://", "https://")):
        out.append(Finding(where, "reference must be a URL"))
    return out


_RULE = re.compile(r"^\s*(?:private\s+|global\s+)*rule\s+(\w+)[^{]*\{(.*?)^\}", re.M | re.S)
_STRING = re.compile(r"^\s*\$(\w+)\s*=", re.M)
_WILDCARD = re.compile(r"\$(\w*)\*")


def wildcard_findings(path: str, text: str) -> list[Finding]:
    """`any of ($c*)` takes every string whose name starts with `c`: `$cd` and `$php` too. A
    set whose prefix ends in a letter must not take a name that goes on with a letter (`$c1`,
    `$c_x` are its own; `$cd` joined it by accident and made the set always true)."""
    out = []
    for m in _RULE.finditer(text):
        body = m[2]
        cut = body.find("condition:")
        if cut < 0:
            continue
        names = _STRING.findall(body[:cut])
        for prefix in sorted(set(_WILDCARD.findall(body[cut:]))):
            if not prefix or not prefix[-1].isalpha():
                continue
            strays = [n for n in names if n.startswith(prefix) and n[len(prefix) :][:1].isalpha()]
            if strays:
                where = f"{path}: {m[1]}"
                taken = ", ".join("$" + n for n in strays)
                out.append(Finding(where, f"(${prefix}*) also takes {taken}: rename it"))
    return out


# PHP calls functions whatever their case (`SyStEm(..)` is `system(..)`): a PHP rule string that
# names one must be `nocase`, or a shell that changes the case of a name walks past it.
_PHP_FUNCTIONS = (
    "fsockopen stream_socket_client stream_socket_server socket_create socket_connect proc_open "
    "popen shell_exec system passthru exec fgets fread socket_read fopen fwrite fputs symlink "
    "file_get_contents file_put_contents curl_exec curl_init eval assert base64_decode gzinflate "
    "gzuncompress str_rot13 create_function preg_replace move_uploaded_file copy unlink chmod mail "
    "readfile opendir scandir readdir glob getcwd phpinfo ini_get ini_set set_time_limit "
    "error_reporting ignore_user_abort posix_getpwuid disk_free_space php_uname call_user_func "
    "array_map array_filter usort hex2bin strrev pcntl_exec escapeshellarg mkdir rmdir rename "
    "touch is_writable"
)
_FUNCTION = re.compile(r"(?<![$\w>:\\])(?:" + "|".join(_PHP_FUNCTIONS.split()) + r")(?![a-z0-9])")
_DEFINITION = re.compile(
    r'^\s*\$(\w*)\s*=\s*(/(?:[^/\\\n]|\\.)+/[is]*|"(?:[^"\\\n]|\\.)*")([^\n]*)$', re.M
)


def case_findings(path: str, text: str) -> list[Finding]:
    """PHP rule strings that name a PHP function but are not `nocase`."""
    out = []
    for m in _RULE.finditer(text):
        for d in _DEFINITION.finditer(m[2]):
            mods = d[3].split("//")[0]
            if "nocase" in mods or "xor" in mods or "base64" in mods:
                continue
            if name := _FUNCTION.search(d[2]):
                where = f"{path}: {m[1]}"
                out.append(Finding(where, f"${d[1]} names {name[0]}() but is not nocase"))
    return out


def lint(sources: list[RuleSource], *, ours: set[str] | None = None) -> list[Finding]:
    """`ours`: namespaces held to our metadata standard (third-party files get compile checks only)."""
    findings: list[Finding] = []
    ids: dict[str, list[str]] = defaultdict(list)
    names: dict[str, list[str]] = defaultdict(list)
    good: list[RuleSource] = []
    for s in sources:
        try:
            rules = yara.compile(filepath=str(s.path), externals=EXTERNALS)
        except yara.Error as e:
            findings.append(Finding(str(s.path), f"does not compile: {e}"))
            continue
        good.append(s)
        for w in getattr(rules, "warnings", []):
            findings.append(Finding(str(s.path), f"yara warning: {w}"))
        if ours is not None and s.namespace not in ours:
            continue
        try:
            text = s.path.read_text(encoding="utf-8")
            findings += wildcard_findings(str(s.path), text)
            if s.namespace.startswith("wsa/php/"):
                findings += case_findings(str(s.path), text)
        except (OSError, UnicodeDecodeError) as e:
            findings.append(Finding(str(s.path), f"cannot read: {e}"))
        for r in rules:
            where = f"{s.path}: {r.identifier}"
            if not _NAME.fullmatch(r.identifier):
                findings.append(Finding(where, "rule name must be WSA_<Lang>_<Family>_<Trait>"))
            meta = dict(r.meta)
            findings += _meta_findings(where, meta)
            names[r.identifier].append(str(s.path))
            if "id" in meta:
                ids[str(meta["id"])].append(where)
    for rid, places in ids.items():
        if len(places) > 1:
            findings.append(Finding(places[1], f"duplicate id {rid} (also {places[0]})"))
    for name, files in names.items():
        if len(files) > 1:
            findings.append(Finding(files[1], f"duplicate rule name {name} (also in {files[0]})"))
    if good:
        try:
            yara.compile(filepaths={s.namespace: str(s.path) for s in good}, externals=EXTERNALS)
        except yara.Error as e:
            findings.append(Finding("(all files together)", f"does not compile: {e}"))
    return findings

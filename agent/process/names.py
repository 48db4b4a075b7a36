"""Which processes are web-server workers, which children are suspicious, which are known-good.

A pattern is a case-insensitive glob on the process name, with `.exe` optional on both sides
(`cmd` matches `cmd.exe`, `w3wp.exe` matches `w3wp`). `NAME@TEXT` also needs TEXT in the
command line (case-insensitive): `java@catalina` is Tomcat, not every JVM. In a configured list
the entry `default` stands for the built-in list, so `["default", "gunicorn"]` extends it.

Linux keeps only the first 15 bytes of a name (`comm`); psutil restores the full name from the
command line when it can, but a truncated 15-character name still matches a longer pattern.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

COMM_LEN = 15  # TASK_COMM_LEN - 1

# Parents: IIS and Exchange workers, Apache, nginx, PHP FastCGI (Debian names carry the
# version: php-fpm8.2), Tomcat and other Java servlet containers, a few app servers.
WORKERS: tuple[str, ...] = (
    "w3wp.exe",
    "umworkerprocess.exe",
    "umservice.exe",
    "msexchangemailboxreplication.exe",
    "httpd",
    "httpd2-*",
    "apache",
    "apache2",
    "lighttpd",
    "nginx",
    "caddy",
    "php-fpm*",
    "php-cgi*",
    "php*-cgi",
    "lsphp*",
    "tomcat*",
    "ws_tomcatservice.exe",
    "java@catalina",
    "java@tomcat",
    "java@jboss",
    "java@wildfly",
    "java@weblogic",
    "java@websphere",
    "java@jetty",
)

# Children: shells and script hosts, recon, credential theft, download and staging tools.
# `cat`, `ls`, `pwd` are left out: web applications run them often enough to be noise.
CHILDREN: tuple[str, ...] = (
    "cmd.exe",
    "powershell.exe",
    "powershell_ise.exe",
    "pwsh",
    "cscript.exe",
    "wscript.exe",
    "mshta.exe",
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "csh",
    "tcsh",
    "ash",
    "busybox",
    "whoami",
    "id",
    "uname",
    "hostname",
    "ipconfig",
    "ifconfig",
    "ip",
    "systeminfo",
    "tasklist",
    "quser",
    "qwinsta",
    "query.exe",
    "netstat",
    "nltest",
    "dsquery",
    "dsget",
    "nslookup",
    "arp",
    "route",
    "net.exe",
    "net1.exe",
    "net",
    "wmic.exe",
    "reg.exe",
    "sc.exe",
    "schtasks.exe",
    "crontab",
    "iptables",
    "certutil.exe",
    "bitsadmin.exe",
    "vssadmin.exe",
    "ntdsutil.exe",
    "fsutil.exe",
    "wevtutil.exe",
    "adfind.exe",
    "ldifde.exe",
    "rundll32.exe",
    "regsvr32.exe",
    "procdump*",
    "makecab.exe",
    "7z",
    "7za",
    "rar",
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "telnet",
)

# Known-good children: ASP.NET compiling pages, console hosts, crash reporting, PHP mail()
# (`sh -c /usr/sbin/sendmail -t -i`). An allowed process is not reported, but what it
# starts still is, so `sh -c "sendmail -t; whoami"` still raises an alert for whoami.
ALLOW: tuple[str, ...] = (
    "csc.exe",
    "vbc.exe",
    "cvtres.exe",
    "conhost.exe",
    "werfault.exe",
    "wermgr.exe",
    "sh@/usr/sbin/sendmail -t",
    "sh@/usr/lib/sendmail -t",
)

# Credential theft gets `critical`: LSASS dumps through comsvcs.dll MiniDump or procdump.
_COMSVCS = re.compile(
    r"comsvcs(\.dll)?\W.*(minidump|#\+?-?0*24\b|#65560)", re.IGNORECASE | re.DOTALL
)


def _base(name: str) -> str:
    name = name.lower()
    return name[:-4] if name.endswith(".exe") else name


@dataclass(frozen=True)
class Pattern:
    glob: str  # lower case, without .exe
    needs: str  # lower-case text the command line must contain; "" for none

    @classmethod
    def parse(cls, text: str) -> Pattern:
        name, _, needs = text.strip().partition("@")
        if not name:
            raise ValueError(f"empty process name in pattern {text!r}")
        return cls(_base(name), needs.strip().lower())

    def match_name(self, name: str, truncated: bool) -> bool:
        base = _base(name)
        if fnmatch.fnmatchcase(base, self.glob):
            return True
        # A 15-character Linux name may be the head of a longer one.
        return (
            truncated
            and len(name) == COMM_LEN
            and fnmatch.fnmatchcase(name.lower(), self.glob[:COMM_LEN] + "*")
        )

    @property
    def needs_cmdline(self) -> bool:
        return bool(self.needs)

    def match(self, name: str, cmdline: str, truncated: bool) -> bool:
        return self.match_name(name, truncated) and (
            not self.needs or self.needs in cmdline.lower()
        )


def expand(configured: Sequence[str], builtin: Sequence[str]) -> tuple[str, ...]:
    """An empty configured list is the built-in one; `default` inside it stands for it too."""
    if not configured:
        return tuple(builtin)
    out: list[str] = []
    for entry in configured:
        out.extend(builtin if entry.strip().lower() == "default" else [entry])
    return tuple(out)


class Table:
    """A list of patterns matched against (name, command line)."""

    def __init__(self, patterns: Iterable[str], truncated: bool | None = None) -> None:
        self.patterns = tuple(Pattern.parse(p) for p in patterns)
        self.truncated = sys.platform.startswith("linux") if truncated is None else truncated
        # One regex for all names: this runs for every new process (per exec event on Linux).
        globs = [p.glob for p in self.patterns] or ["\0"]
        self._any = re.compile("|".join(fnmatch.translate(g) for g in globs))
        self._cut = re.compile("|".join(fnmatch.translate(g[:COMM_LEN] + "*") for g in globs))

    def may_match(self, name: str) -> bool:
        """Whether the name alone could match (then the command line is worth reading)."""
        if self._any.match(_base(name)):
            return True
        return self.truncated and len(name) == COMM_LEN and bool(self._cut.match(name.lower()))

    def needs_cmdline(self, name: str) -> bool:
        return any(p.needs and p.match_name(name, self.truncated) for p in self.patterns)

    def match(self, name: str, cmdline: str = "") -> bool:
        return any(p.match(name, cmdline, self.truncated) for p in self.patterns)


@dataclass(frozen=True)
class Names:
    workers: Table
    children: Table
    allow: Table

    @classmethod
    def from_config(
        cls,
        workers: Sequence[str] = (),
        children: Sequence[str] = (),
        allow: Sequence[str] = (),
        truncated: bool | None = None,
    ) -> Names:
        return cls(
            Table(expand(workers, WORKERS), truncated),
            Table(expand(children, CHILDREN), truncated),
            Table(expand(allow, ALLOW), truncated),
        )


def credential_theft(name: str, cmdline: str, lsass_pid: int | None) -> bool:
    """rundll32 comsvcs.dll MiniDump (target given as a PID) or procdump aimed at lsass."""
    base = _base(name)
    text = cmdline.lower()
    if base == "rundll32" and _COMSVCS.search(text):
        return True
    if not base.startswith("procdump"):
        return False
    return "lsass" in text or (lsass_pid is not None and f" {lsass_pid}" in text)

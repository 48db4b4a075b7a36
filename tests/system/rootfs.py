"""A minimal Debian root file system for booting a real systemd, cached as a tarball.

Built once with debootstrap from the mirror this machine's own apt sources name (never a
hard-coded one) and kept in the user's cache folder; rebuilt when missing or when the package
list changes (it is part of the file name). Everything the tests install offline is included:
python3 + python3-venv for the venv route and the .deb's own dependencies.

    python -m tests.system.rootfs          # print the tarball path, building it if needed
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# systemd + dbus: PID 1 and systemctl/systemd-analyze; python3-venv, adduser: the .deb's Depends.
INCLUDE = ("systemd", "dbus", "python3", "python3-venv", "adduser", "procps")
VARIANT = "minbase"


def _os_release() -> dict[str, str]:
    text = Path("/etc/os-release").read_text(encoding="utf-8")
    return {
        k: v.strip().strip('"')
        for k, v in (line.split("=", 1) for line in text.splitlines() if "=" in line)
    }


def suite() -> str:
    """The release this machine runs (the rootfs matches its python3 and thus the .deb)."""
    codename = _os_release().get("VERSION_CODENAME", "")
    if not codename:
        raise RuntimeError("/etc/os-release names no VERSION_CODENAME: not a Debian machine?")
    return codename


def _stanzas(apt: Path) -> list[tuple[list[str], list[str], list[str]]]:
    """(types, uris, suites) of every source this machine's apt uses, deb822 and one-line."""
    found: list[tuple[list[str], list[str], list[str]]] = []
    parts = apt / "sources.list.d"
    for f in sorted(parts.glob("*.sources")) if parts.is_dir() else []:
        for block in re.split(r"\n\s*\n", f.read_text(encoding="utf-8")):
            fields: dict[str, list[str]] = {}
            for line in block.splitlines():
                if line.startswith("#") or ":" not in line or line[0].isspace():
                    continue
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.split()
            if fields.get("enabled", ["yes"])[0].lower() == "no":
                continue
            found.append(
                (fields.get("types", []), fields.get("uris", []), fields.get("suites", []))
            )
    lists = [apt / "sources.list", *(sorted(parts.glob("*.list")) if parts.is_dir() else [])]
    for f in lists:
        if not f.is_file():
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
            if len(words) >= 3:
                found.append(([words[0]], [words[1]], [words[2]]))
    return found


def mirror(codename: str, apt: Path = Path("/etc/apt")) -> str:
    """The first `deb` source of this machine that carries `codename` itself."""
    for types, uris, suites in _stanzas(apt):
        if "deb" in types and codename in suites and uris:
            return uris[0]
    raise RuntimeError(f"no apt source in {apt} carries {codename}: cannot pick a mirror")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "webshell-agent" / "system-tests"


def tarball_path(codename: str | None = None, base: Path | None = None) -> Path:
    codename = codename or suite()
    key = hashlib.sha256(f"{VARIANT} {' '.join(INCLUDE)}".encode()).hexdigest()[:10]
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return (base or cache_dir()) / f"debian-{codename}-{arch}-{key}.tar"


def build(target: Path, codename: str, url: str) -> None:
    """debootstrap into a temporary folder, tar it, move the tar into place atomically."""
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap not found (make deps-debootstrap installs it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wsa-rootfs-", dir=target.parent) as tmp:
        root = Path(tmp) / "root"
        subprocess.run(
            ["debootstrap", f"--variant={VARIANT}", f"--include={','.join(INCLUDE)}",
             codename, str(root), url],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        # Offline from here on: no apt lists, no archives (keeps the tarball small).
        shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
        (root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        subprocess.run(
            ["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", str(part), "."],
            check=True,
        )
        part.replace(target)


def ensure(base: Path | None = None) -> Path:
    codename = suite()
    target = tarball_path(codename, base)
    if not target.is_file():
        build(target, codename, mirror(codename))
    return target


if __name__ == "__main__":
    print(ensure(Path(sys.argv[1]) if len(sys.argv) > 1 else None))

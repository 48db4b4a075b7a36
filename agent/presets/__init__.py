"""Where web shells get written, per server product: roots to watch for each preset.

Linux roots are fixed lists (and globs for versioned Tomcat folders). Windows roots come from
the machine: the Exchange install root from the registry (`MsiInstallPath`) or
`%ExchangeInstallPath%`, IIS site roots from applicationHost.config. The parsing is plain
functions, tested on Linux with a sample config; only the registry read is Windows-only.

Exchange's antivirus exclusions cover exactly where shells were dropped: they are never turned
into watch exclusions here.
"""

from __future__ import annotations

import glob
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PureWindowsPath

LINUX_ROOTS: dict[str, tuple[str, ...]] = {
    "apache": ("/var/www", "/srv/www", "/srv/http"),
    "nginx": ("/usr/share/nginx/html", "/var/www"),
    "tomcat": (
        "/var/lib/tomcat*/webapps", "/var/lib/tomcat*/work", "/opt/tomcat*/webapps",
        "/opt/tomcat*/work", "/usr/share/tomcat*/webapps", "/var/cache/tomcat*",
    ),
}  # fmt: skip
EXCHANGE_SUBDIRS = (
    r"FrontEnd\HttpProxy\owa", r"FrontEnd\HttpProxy\ecp", r"FrontEnd\HttpProxy\OAB",
    r"ClientAccess\owa", r"ClientAccess\ecp", r"ClientAccess\OAB",
)  # fmt: skip
EXCHANGE_KEY = r"SOFTWARE\Microsoft\ExchangeServer\v15\Setup"
APPHOST = r"%windir%\System32\inetsrv\config\applicationHost.config"
IIS_EXTRA = (
    r"%SystemDrive%\inetpub\wwwroot",
    r"%SystemDrive%\inetpub\wwwroot\aspnet_client",
    r"%windir%\Microsoft.NET\Framework64\v4.0.30319\Temporary ASP.NET Files",
    r"%windir%\Microsoft.NET\Framework\v4.0.30319\Temporary ASP.NET Files",
)
WINDOWS_PRESETS = ("exchange", "iis")


@dataclass
class Discovery:
    """Roots found on this machine and those a preset expected but did not find (with why)."""

    found: list[tuple[str, str]] = field(default_factory=list)  # (preset, path)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (preset, path or reason)

    def roots(self) -> list[str]:
        out: list[str] = []
        for _, p in self.found:
            if p not in out:
                out.append(p)
        return out


def expand_env(text: str, environ: Mapping[str, str]) -> str:
    """Windows-style %VAR% expansion, case-insensitive; unknown variables are left as they are."""
    lower = {k.lower(): v for k, v in environ.items()}
    return re.sub(r"%([^%]+)%", lambda m: lower.get(m.group(1).lower(), m.group(0)), text)


def iis_site_roots(config_xml: str, environ: Mapping[str, str]) -> list[str]:
    """Every physicalPath of every virtual directory of every site in applicationHost.config."""
    import xml.etree.ElementTree as ET  # only on IIS hosts (half a MB of an idle agent)

    try:
        root = ET.fromstring(config_xml)
    except ET.ParseError as e:
        raise ValueError(f"applicationHost.config is not valid XML: {e}") from None
    paths: list[str] = []
    for vdir in root.iterfind("./system.applicationHost/sites/site/application/virtualDirectory"):
        phys = vdir.get("physicalPath")
        if phys:
            p = str(PureWindowsPath(expand_env(phys, environ)))
            if p not in paths:
                paths.append(p)
    return paths


def exchange_roots(install_root: str) -> list[str]:
    base = PureWindowsPath(install_root.rstrip("\\/") + "\\")
    return [str(base / sub) for sub in EXCHANGE_SUBDIRS]


if sys.platform == "win32":

    def exchange_install_root_from_registry() -> str | None:
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, EXCHANGE_KEY) as key:
                value, _ = winreg.QueryValueEx(key, "MsiInstallPath")
        except OSError:
            return None
        return str(value) if value else None

else:

    def exchange_install_root_from_registry() -> str | None:
        return None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read()
    except OSError:
        return None


def discover(
    presets: Iterable[str],
    *,
    environ: Mapping[str, str] | None = None,
    is_dir: Callable[[str], bool] = os.path.isdir,
    read_text: Callable[[str], str | None] = _read,
    registry: Callable[[], str | None] = exchange_install_root_from_registry,
    windows: bool = sys.platform == "win32",
) -> Discovery:
    env = os.environ if environ is None else environ
    wanted = list(dict.fromkeys(presets))
    if "auto" in wanted:
        auto = [*WINDOWS_PRESETS] if windows else [*LINUX_ROOTS]
        wanted = [p for p in wanted if p != "auto"] + [p for p in auto if p not in wanted]
    out = Discovery()

    def consider(preset: str, path: str) -> None:
        (out.found if is_dir(path) else out.missing).append((preset, path))

    for preset in wanted:
        if preset in LINUX_ROOTS:
            if windows:
                out.missing.append((preset, "not available on Windows: use watch.roots"))
                continue
            for pattern in LINUX_ROOTS[preset]:
                matches = sorted(glob.glob(pattern)) if "*" in pattern else [pattern]
                if not matches:
                    out.missing.append((preset, pattern))
                for m in matches:
                    consider(preset, m)
        elif preset == "exchange":
            install = registry() or env.get("ExchangeInstallPath") or env.get("EXCHANGEINSTALLPATH")
            if not install:
                out.missing.append((preset, "Exchange install root not found (registry, %ExchangeInstallPath%)"))  # fmt: skip
            else:
                for p in exchange_roots(install):
                    consider(preset, p)
            consider(preset, expand_env(IIS_EXTRA[1], env))
        elif preset == "iis":
            config_path = expand_env(APPHOST, env)
            text = read_text(config_path) if "%" not in config_path else None
            if text is None:
                out.missing.append((preset, f"{config_path} (cannot read)"))
            else:
                try:
                    for p in iis_site_roots(text, env):
                        consider(preset, p)
                except ValueError as e:
                    out.missing.append((preset, str(e)))
            for extra in IIS_EXTRA:
                consider(preset, expand_env(extra, env))
    return out

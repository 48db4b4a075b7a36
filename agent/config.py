"""One frozen `Config`: defaults < TOML file < WEBSHELL_AGENT_* environment < command-line flags.

Every section is a frozen dataclass; the TOML keys are the field names. Unknown keys and wrong
types are errors with the key's location, never silently ignored (a typo in `exclude` must not
quietly widen what is watched).
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs

from agent.errors import ConfigError
from agent.filetypes import WEB_EXTENSIONS

ENV_PREFIX = "WEBSHELL_AGENT_"
Preset = Literal["exchange", "iis", "apache", "nginx", "tomcat", "auto"]
PRESETS: tuple[str, ...] = typing.get_args(Preset)

_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
               "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}  # fmt: skip


def parse_size(text: str | int) -> int:
    """'20MiB' -> 20971520; plain integers are bytes."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError("a size cannot be negative")
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _SIZE_UNITS:
        raise ValueError(f"not a size: {text!r} (examples: 20MiB, 500KB, 1048576)")
    # Decimal, not float: 576460752305MB must be exact (float lost the low digits). Imported
    # here: most configs write whole bytes or none, and an idle agent need not carry it.
    import decimal

    return int(decimal.Decimal(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


def default_data_dir() -> Path:
    if os.name == "nt":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "webshell-agent"
    if os.environ.get("STATE_DIRECTORY"):  # systemd's StateDirectory= (a service user's home
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0])  # would be wrong, and hidden)
    if sys.platform != "win32" and os.geteuid() == 0:
        return Path("/var/lib/webshell-agent")
    return Path(platformdirs.user_data_dir("webshell-agent"))


def default_cache_dir() -> Path:
    if os.environ.get("CACHE_DIRECTORY"):  # systemd's CacheDirectory=
        return Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    if sys.platform != "win32" and os.geteuid() == 0:
        return Path("/var/cache/webshell-agent")
    return Path(platformdirs.user_cache_dir("webshell-agent"))


@dataclass(frozen=True)
class ScanConfig:
    max_size: int = 20 * 1024 * 1024
    timeout: float = 10.0  # seconds per file inside yara; then a scan-timeout alert
    threads: int = 2
    processes: bool = True  # match in one child process per thread (agent.matchproc)
    extensions: tuple[str, ...] = tuple(sorted(WEB_EXTENSIONS))
    all_files: bool = False
    exclude: tuple[str, ...] = ()
    sniff: bool = True  # other files are scanned when they carry server-side code


@dataclass(frozen=True)
class UpdateConfig:
    """[rules.update]: signed rule bundles polled from a URL or a folder (docs/rule-updates.md)."""

    url: str = ""  # empty: no updates (the bundled signatures, or the bundle installed by hand)
    public_key: str = ""  # the minisign public key, its base64 line
    public_key_file: str = ""  # or a minisign .pub file
    interval: float = 3600.0  # seconds between polls (jittered down to 80 %)
    ca_file: str = ""  # PEM bundle to trust instead of the system's
    proxy: str = ""  # http://host:port; empty: the environment's https_proxy, if any
    timeout: float = 60.0  # seconds for one whole download


@dataclass(frozen=True)
class RulesConfig:
    paths: tuple[Path, ...] = ()
    default_rules: bool = True
    cache_dir: Path = field(default_factory=default_cache_dir)
    reload: bool = True
    update: UpdateConfig = field(default_factory=UpdateConfig)


@dataclass(frozen=True)
class WatchConfig:
    roots: tuple[Path, ...] = ()
    presets: tuple[Preset, ...] = ()
    polling: tuple[Path, ...] = ()  # roots on network shares: polled, not notified
    settle: float = 0.5  # seconds a created/modified path must be quiet before a scan
    rescan_interval: float = 3600.0  # periodic reconcile walk; 0 disables
    queue_size: int = 100_000


@dataclass(frozen=True)
class AgentConfig:
    data_dir: Path = field(default_factory=default_data_dir)
    heartbeat_interval: float = 60.0
    cpu_budget: float = 0.5  # share of one core for bulk rescans
    low_priority: bool = True
    rotate_size: int = 50 * 1024 * 1024
    rotate_keep: int = 10


@dataclass(frozen=True)
class ProcessConfig:
    enabled: bool = True
    # 0.5 s: every 0.5 s child caught, idle CPU within the agent's 0.2 % budget (0.25 s was not)
    interval: float = 0.5
    workers: tuple[str, ...] = ()  # empty: the built-in list
    children: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    correlation_window: float = 600.0  # seconds a file alert may precede a linked process alert
    source: Literal["auto", "poll", "netlink"] = "auto"  # netlink: Linux exec events, if allowed


@dataclass(frozen=True)
class ResponseConfig:
    quarantine: bool = False


@dataclass(frozen=True)
class Config:
    agent: AgentConfig = field(default_factory=AgentConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    process: ProcessConfig = field(default_factory=ProcessConfig)
    response: ResponseConfig = field(default_factory=ResponseConfig)
    # Each output is validated by `agent.outputs` when it is built; kept raw here.
    outputs: tuple[Mapping[str, Any], ...] = ()


_SIZE_FIELDS = {"max_size", "rotate_size"}


def _coerce(value: Any, hint: Any, where: str, name: str) -> Any:
    """Check one TOML/env value against a field's type hint."""
    origin = typing.get_origin(hint)
    if name in _SIZE_FIELDS:
        try:
            return parse_size(value)
        except (ValueError, TypeError) as e:
            raise ConfigError(str(e), location=where) from None
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        }:
            return value.lower() in {"1", "true", "yes", "on"}
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif hint is str:
        if isinstance(value, str):
            return value
    elif hint is Path:
        if isinstance(value, str) and value:
            return Path(value).expanduser()
    elif origin is Literal:
        if value in typing.get_args(hint):
            return value
        choices = ", ".join(map(repr, typing.get_args(hint)))
        raise ConfigError(f"{value!r} is not one of {choices}", location=where)
    elif origin is tuple:
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        if isinstance(value, str) and item is not dict:
            value = [v for v in value.split(os.pathsep if item is Path else ",") if v]
        if isinstance(value, list):
            return tuple(_coerce(v, item, f"{where}[{i}]", name) for i, v in enumerate(value))
    elif (origin is Mapping or hint is dict) and isinstance(value, dict):
        return value
    tname = getattr(hint, "__name__", str(hint))
    raise ConfigError(f"expected {tname}, got {type(value).__name__} {value!r}", location=where)


def _section(cls: type[Any], data: Mapping[str, Any], where: str, base: Any) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})",
            location=f"{where}.{unknown[0]}" if where else unknown[0],
        )
    changes = {
        k: _section(hints[k], v, f"{where}.{k}", getattr(base, k))
        if dataclasses.is_dataclass(hints[k]) and isinstance(v, dict)  # a nested table
        else _coerce(v, hints[k], f"{where}.{k}" if where else k, k)
        for k, v in data.items()
    }
    return dataclasses.replace(base, **changes)


def merge(base: Config, data: Mapping[str, Any], source: str) -> Config:
    """Overlay a parsed TOML-shaped mapping onto a config."""
    hints = typing.get_type_hints(Config)
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in hints:
            raise ConfigError(
                f"unknown section {key!r} (known: {', '.join(sorted(hints))})",
                location=f"{source}: {key}",
            )
        if key == "outputs":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ConfigError(
                    "expected a list of [[outputs]] tables", location=f"{source}: outputs"
                )
            changes[key] = tuple(value)
        elif not isinstance(value, dict):
            raise ConfigError(f"expected a [{key}] table", location=f"{source}: {key}")
        else:
            changes[key] = _section(hints[key], value, f"{source}: {key}", getattr(base, key))
    return dataclasses.replace(base, **changes)


def load_file(path: Path, base: Config | None = None) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("configuration file not found", location=str(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read: {e}", location=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}", location=str(path)) from None
    return merge(base or Config(), data, str(path))


def from_env(base: Config, environ: Mapping[str, str]) -> Config:
    """WEBSHELL_AGENT_<SECTION>_<KEY>=value, e.g. WEBSHELL_AGENT_SCAN_MAX_SIZE=5MiB."""
    data: dict[str, dict[str, str]] = {}
    sections = {f.name for f in dataclasses.fields(Config)} - {"outputs"}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section = next((s for s in sections if rest.startswith(s + "_")), None)
        if section is None:
            continue  # e.g. WEBSHELL_AGENT_CONFIG names the file, handled by the caller
        data.setdefault(section, {})[rest[len(section) + 1 :]] = value
    return merge(base, data, "environment") if data else base


def load(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Defaults, then the file (if any), then the environment."""
    environ = os.environ if environ is None else environ
    if path is None and environ.get(ENV_PREFIX + "CONFIG"):
        path = Path(environ[ENV_PREFIX + "CONFIG"])
    cfg = load_file(path) if path is not None else Config()
    return from_env(cfg, environ)


def check_file(path: Path) -> tuple[Config, list[str]]:
    """Every problem of a configuration file in one pass (load_file stops at the first): each
    key is checked on its own, and the config built from the keys that are valid, so `check`
    and the [[outputs]] checks can report theirs too."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(), [f"{path}: configuration file not found"]
    except (OSError, UnicodeDecodeError) as e:
        return Config(), [f"{path}: cannot read: {e}"]
    except tomllib.TOMLDecodeError as e:
        return Config(), [f"{path}: not valid TOML: {e}"]
    base, source = Config(), str(path)
    problems: list[str] = []
    good: dict[str, Any] = {}
    for section, value in data.items():
        items = (
            value.items() if isinstance(value, dict) and section != "outputs" else [(None, value)]
        )
        for key, v in items:
            piece = {section: v if key is None else {key: v}}
            try:
                merge(base, piece, source)
            except ConfigError as e:
                problems.append(str(e))
                continue
            if key is None:
                good[section] = v
            else:
                good.setdefault(section, {})[key] = v
    return merge(base, good, source), problems


def check(cfg: Config) -> list[str]:
    """Problems a loaded config has beyond types: missing folders, impossible numbers."""
    problems: list[str] = []
    for root in (*cfg.watch.roots, *cfg.watch.polling):
        if not root.is_dir():
            problems.append(f"watch.roots: {root}: not a directory")
    for rules in cfg.rules.paths:
        if not rules.exists():
            problems.append(f"rules.paths: {rules}: does not exist")
    if cfg.scan.threads < 1:
        problems.append("scan.threads: must be at least 1")
    if cfg.scan.timeout <= 0:
        problems.append("scan.timeout: must be positive")
    if not 0 < cfg.agent.cpu_budget <= 64:
        problems.append("agent.cpu_budget: must be above 0 (1.0 = one full core)")
    if cfg.process.interval <= 0 or cfg.process.correlation_window < 0:
        problems.append("process: interval must be positive, correlation_window not negative")
    up = cfg.rules.update
    if up.url and not (up.public_key or up.public_key_file):
        problems.append("rules.update: url needs public_key or public_key_file")
    if up.public_key and up.public_key_file:
        problems.append("rules.update: give public_key or public_key_file, not both")
    if up.url and (up.interval < 1 or up.timeout <= 0):
        problems.append("rules.update: interval must be at least 1 s and timeout positive")
    if not cfg.rules.default_rules and not cfg.rules.paths:
        problems.append("rules: default_rules is off and no rules.paths are given: no rules")
    return problems


def replace(cfg: Config, **sections: Mapping[str, Any]) -> Config:
    """Overlay flag values (already typed) section by section: `replace(cfg, scan={...})`."""
    changes = {k: dataclasses.replace(getattr(cfg, k), **v) for k, v in sections.items() if v}
    return dataclasses.replace(cfg, **changes)


__all__ = ["PRESETS", "Config", "load", "load_file", "merge", "parse_size"]

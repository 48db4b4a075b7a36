"""What `service install|uninstall` will do, as a plan: built without side effects, printed by
--dry-run, carried out step by step otherwise.

The plan is plain data (files, directories, commands, Windows calls) built from a `Probe` of the
machine, so both platforms' plans are tested here on Linux. The executors are thin: write a file,
run a command, or (Windows) call one pywin32 function named in the step.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from agent.errors import AgentError
from agent.service import configfile
from agent.service.unit import (
    CACHE_DIR,
    CONFIG_PATH,
    DEFAULT_USER,
    PACKAGED_UNIT_PATHS,
    SERVICE_NAME,
    STATE_DIR,
    UNIT_PATH,
    render_unit,
)

WINDOWS_DISPLAY_NAME = "Web-shell detection agent"
WINDOWS_DESCRIPTION = "Watches web roots, scans new or changed files with YARA, ships alerts."
WINDOWS_CLASS = "agent.service.windows.AgentService"
# Restart after 10 s, 10 s, then 60 s; the failure count resets after a day without failures.
WINDOWS_FAILURE_ACTIONS = "restart/10000/restart/10000/restart/60000"
WINDOWS_FAILURE_RESET = 86400


SYSTEMD_PREFLIGHT = (
    ("/run/systemd/system", "systemd is not running on this machine (PID 1 is not systemd)"),
)


class ServiceError(AgentError):
    """A service install/uninstall/status step failed or cannot run here."""


@dataclass(frozen=True)
class MakeDir:
    path: str
    mode: int = 0o755


@dataclass(frozen=True)
class WriteFile:
    path: str
    text: str
    mode: int = 0o644
    group: str | None = None  # Linux: chgrp so the service user can read it


@dataclass(frozen=True)
class Remove:
    path: str
    recursive: bool = False


@dataclass(frozen=True)
class CopyTree:
    source: str
    dest: str


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    ok_codes: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class Call:
    """A Windows API call, executed by agent.service.windows (named, so it can be printed)."""

    function: str
    kwargs: tuple[tuple[str, str], ...] = ()


Action = MakeDir | WriteFile | CopyTree | Remove | Run | Call


@dataclass(frozen=True)
class Step:
    why: str
    action: Action


@dataclass(frozen=True)
class Plan:
    title: str
    needs: str  # "root" or "Administrator"
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()
    # (path that must exist, what it means when it does not): checked before any step runs
    preflight: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()  # said before anything is done


@dataclass(frozen=True)
class Probe:
    """What the plan depends on in the machine, gathered once (`probe()`), given in tests."""

    windows: bool
    command: tuple[str, ...]  # how to run our CLI: the script, or python -m agent
    frozen: bool = False
    user_exists: bool = False
    existing: frozenset[str] = field(default_factory=frozenset)  # which planned paths exist
    program_data: str = r"C:\ProgramData"
    prebuilt_cache: str | None = None  # frozen build: compiled rules made at build time
    packaged_unit: str | None = None  # the .deb's unit, when the package is installed


def cli_command() -> tuple[str, ...]:
    """An absolute command that runs this very installation of the agent."""
    if getattr(sys, "frozen", False):
        return (sys.executable,)
    return (sys.executable, "-m", "agent")


def probe(user: str = DEFAULT_USER, extra: tuple[str, ...] = ()) -> Probe:
    windows = os.name == "nt"
    program_data = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
    mine = windows_paths(program_data) if windows else linux_paths()
    paths = [*mine.values(), *extra]
    user_exists = False
    if sys.platform != "win32":
        import pwd

        try:
            pwd.getpwnam(user)
            user_exists = True
        except KeyError:
            pass
    bundle = Path(getattr(sys, "_MEIPASS", "/nonexistent")) / "rules-cache"
    packaged = None if windows else next((u for u in PACKAGED_UNIT_PATHS if _exists(u)), None)
    return Probe(
        packaged_unit=packaged,
        prebuilt_cache=str(bundle) if bundle.is_dir() else None,
        windows=windows,
        command=cli_command(),
        frozen=bool(getattr(sys, "frozen", False)),
        user_exists=user_exists,
        existing=frozenset(p for p in paths if _exists(p)),
        program_data=program_data,
    )


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except OSError:  # e.g. no permission to look: not ours to overwrite either way
        return True


def linux_paths() -> dict[str, str]:
    return {"config": CONFIG_PATH, "unit": UNIT_PATH, "state": STATE_DIR, "cache": CACHE_DIR}


def windows_paths(program_data: str) -> dict[str, str]:
    base = PureWindowsPath(program_data) / "webshell-agent"
    return {
        "base": str(base),
        "config": str(base / "agent.toml"),
        "state": str(base),
        "cache": str(base / "cache"),
    }


def config_path(p: Probe) -> str:
    return windows_paths(p.program_data)["config"] if p.windows else CONFIG_PATH


# ---------------------------------------------------------------- plans


def install_plan(
    p: Probe, *, config: str | None = None, user: str | None = None, start: bool = True
) -> Plan:
    return (
        _windows_install(p, config, user, start)
        if p.windows
        else _linux_install(p, config, user, start)
    )


def uninstall_plan(p: Probe, *, purge: bool = False, user: str | None = None) -> Plan:
    return _windows_uninstall(p, purge) if p.windows else _linux_uninstall(p, purge, user)


# Where the service cannot run from, or only through its capability (its sandbox hides them).
HIDDEN_PLACES = (
    ("/tmp/", "PrivateTmp=yes gives the service an empty /tmp of its own: it cannot start"),
    ("/var/tmp/", "PrivateTmp=yes gives the service an empty /var/tmp of its own: it cannot start"),
    ("/home/", "ProtectHome=read-only, and a home folder is not meant for system services"),
    ("/root/", "ProtectHome=read-only; the service user reads /root only through "
               "CAP_DAC_READ_SEARCH"),
)  # fmt: skip


class PackagedUnit(ServiceError):
    """The .deb provides the service: `service install|uninstall` would fight the package."""


def _refuse_if_packaged(p: Probe, doing: str) -> None:
    if p.packaged_unit:
        raise PackagedUnit(
            f"cannot {doing}: the webshell-agent package provides the service "
            f"({p.packaged_unit}). Configure {CONFIG_PATH}, then `systemctl restart "
            f"{SERVICE_NAME}`; settings of your own go in a drop-in (`systemctl edit "
            f"{SERVICE_NAME}`); `apt remove webshell-agent` removes it; nothing was changed"
        )


def place_warnings(command: Sequence[str]) -> tuple[str, ...]:
    """Warnings when the agent to be run lives where the unit's sandbox hides it."""
    where = str(command[0]) if command else ""
    return tuple(
        f"the agent runs from {where}: {why}; install it under /opt or /usr/local instead"
        for prefix, why in HIDDEN_PLACES
        if where.startswith(prefix)
    )


def _linux_install(p: Probe, config: str | None, user: str | None, start: bool) -> Plan:
    _refuse_if_packaged(p, "install the service")
    user = user or DEFAULT_USER
    cfg = config or CONFIG_PATH
    steps: list[Step] = []
    notes: list[str] = []
    if p.user_exists:
        notes.append(f"system user {user} exists: kept")
    else:
        steps.append(Step(
            f"create system user {user} (no login, no home of its own; reads web roots through "
            "CAP_DAC_READ_SEARCH only)",
            Run(("useradd", "--system", "--user-group", "--home-dir", STATE_DIR,
                 "--no-create-home", "--shell", "/usr/sbin/nologin",
                 "--comment", "webshell-agent service", user)),
        ))  # fmt: skip
    if cfg in p.existing:
        notes.append(f"configuration {cfg} exists: kept as it is")
    else:
        steps.append(Step("folder for the configuration", MakeDir(str(Path(cfg).parent))))
        steps.append(Step(
            f"write a default configuration (preset auto) readable by group {user}",
            WriteFile(cfg, configfile.shipped_example(), 0o640, user),
        ))  # fmt: skip
    steps.append(Step(
        f"write the systemd unit (runs {shlex.join(p.command)} as {user})",
        WriteFile(UNIT_PATH, render_unit(p.command, user, cfg)),
    ))  # fmt: skip
    steps.append(Step("reload systemd", Run(("systemctl", "daemon-reload"))))
    enable = ("systemctl", "enable", *(("--now",) if start else ()), f"{SERVICE_NAME}.service")
    steps.append(Step("start at boot" + (" and start now" if start else ""), Run(enable)))
    return Plan("install the webshell-agent systemd service", "root", tuple(steps), tuple(notes),
                SYSTEMD_PREFLIGHT, place_warnings(p.command))  # fmt: skip


def _linux_uninstall(p: Probe, purge: bool, user: str | None) -> Plan:
    _refuse_if_packaged(p, "uninstall the service")
    user = user or DEFAULT_USER
    steps = [
        Step("stop and disable the service",
             Run(("systemctl", "disable", "--now", f"{SERVICE_NAME}.service"), ok_codes=(0, 1, 5))),
        Step("remove the systemd unit", Remove(UNIT_PATH)),
        Step("reload systemd", Run(("systemctl", "daemon-reload"))),
    ]  # fmt: skip
    notes = []
    if purge:
        steps += [
            Step("remove the configuration", Remove(str(Path(CONFIG_PATH).parent), recursive=True)),
            Step("remove state, alert logs and the agent id", Remove(STATE_DIR, recursive=True)),
            Step("remove the compiled-rule cache", Remove(CACHE_DIR, recursive=True)),
        ]
        if p.user_exists:
            steps.append(Step(f"remove system user {user}", Run(("userdel", user))))
    else:
        notes.append(f"kept {Path(CONFIG_PATH).parent}, {STATE_DIR} (alerts) and user {user}; "
                     "--purge removes them")  # fmt: skip
    return Plan("uninstall the webshell-agent systemd service", "root", tuple(steps), tuple(notes),
                SYSTEMD_PREFLIGHT)  # fmt: skip


def _windows_install(p: Probe, config: str | None, user: str | None, start: bool) -> Plan:
    paths = windows_paths(p.program_data)
    cfg = config or paths["config"]
    steps: list[Step] = [
        Step("create the data folder (config, state, logs)", MakeDir(paths["base"]))
    ]
    notes: list[str] = []
    if cfg in p.existing:
        notes.append(f"configuration {cfg} exists: kept as it is")
    else:
        steps.append(Step(
            "write a default configuration (presets exchange, iis)",
            WriteFile(cfg, configfile.service_default(True, paths["state"], paths["cache"])),
        ))  # fmt: skip
    install_kwargs = [
        ("name", SERVICE_NAME),
        ("display_name", WINDOWS_DISPLAY_NAME),
        ("description", WINDOWS_DESCRIPTION),
        ("start_type", "auto"),
        ("account", user or "LocalSystem"),
    ]
    if p.frozen:
        install_kwargs.append(("exe", p.command[0]))
    else:
        install_kwargs.append(("class", WINDOWS_CLASS))
    if p.prebuilt_cache:
        steps.append(Step("seed the compiled-rule cache built with this release",
                          CopyTree(p.prebuilt_cache, paths["cache"])))  # fmt: skip
    steps += [
        Step("register the service (starts at boot)",
             Call("install_service", tuple(install_kwargs))),
        Step("tell the service where its configuration is",
             Call("set_option", (("name", SERVICE_NAME), ("option", "config"), ("value", cfg)))),
        Step("restart on failure (10 s, 10 s, then 60 s; reset after a day)",
             Run(("sc.exe", "failure", SERVICE_NAME, f"reset= {WINDOWS_FAILURE_RESET}",
                  f"actions= {WINDOWS_FAILURE_ACTIONS}"))),
        Step("count an exit with an error code as a failure too",
             Run(("sc.exe", "failureflag", SERVICE_NAME, "1"))),
        Step("register the Application event log source",
             Call("add_event_source", (("name", SERVICE_NAME),))),
    ]  # fmt: skip
    if start:
        steps.append(Step("start the service", Call("start_service", (("name", SERVICE_NAME),))))
    if user and not user.upper().startswith("NT SERVICE\\"):
        notes.append(f"account {user} must have 'Log on as a service' and read access to web roots")
    return Plan(
        "install the webshell-agent Windows service", "Administrator", tuple(steps), tuple(notes)
    )


def _windows_uninstall(p: Probe, purge: bool) -> Plan:
    paths = windows_paths(p.program_data)
    steps = [
        Step("stop the service", Call("stop_service", (("name", SERVICE_NAME),))),
        Step("unregister the service", Call("remove_service", (("name", SERVICE_NAME),))),
        Step("unregister the event log source",
             Call("remove_event_source", (("name", SERVICE_NAME),))),
    ]  # fmt: skip
    notes = []
    if purge:
        steps.append(
            Step("remove configuration, state and logs", Remove(paths["base"], recursive=True))
        )
    else:
        notes.append(f"kept {paths['base']} (configuration and alerts); --purge removes it")
    return Plan(
        "uninstall the webshell-agent Windows service", "Administrator", tuple(steps), tuple(notes)
    )


# ---------------------------------------------------------------- rendering


def describe(action: Action) -> str:
    match action:
        case MakeDir(path, mode):
            return f"create folder {path} (mode {mode:04o})"
        case WriteFile(path, text, mode, group):
            owner = f", group {group}" if group else ""
            return f"write {path} (mode {mode:04o}{owner}, {len(text.encode())} bytes)"
        case CopyTree(source, dest):
            return f"copy {source} into {dest}"
        case Remove(path, recursive):
            return f"remove {path}" + (" and everything in it" if recursive else "")
        case Run(argv):
            return "run: " + shlex.join(argv)
        case Call(function, kwargs):
            args = ", ".join(f"{k}={v!r}" for k, v in kwargs)
            return f"call: {function}({args})"
    raise AssertionError(action)


def render(plan: Plan, *, dry_run: bool) -> str:
    """The plan as text; with dry_run, every file's full content too."""
    head = f"{plan.title}{' (dry run: nothing is changed)' if dry_run else ''}; needs {plan.needs}"
    lines = [head, *(f"warning: {w}" for w in plan.warnings)]
    for i, step in enumerate(plan.steps, 1):
        lines.append(f"{i}. {step.why}: {describe(step.action)}")
        if dry_run and isinstance(step.action, WriteFile):
            lines.extend(
                f"   | {line}" if line else "   |" for line in step.action.text.splitlines()
            )
    lines.extend(f"note: {n}" for n in plan.notes)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- executing


def is_admin() -> bool:
    if sys.platform == "win32":
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    else:
        return os.geteuid() == 0


def run_command(argv: Sequence[str], ok_codes: Iterable[int] = (0,)) -> None:
    if shutil.which(argv[0]) is None:
        raise ServiceError(f"{argv[0]} not found: is this a systemd machine?", location=argv[0])
    done = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if done.returncode not in tuple(ok_codes):
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ServiceError(
            f"failed with exit code {done.returncode}" + (f": {detail[-1]}" if detail else ""),
            location=shlex.join(argv),
        )


def apply(
    action: Action,
    *,
    root: Path | None = None,
    calls: Mapping[str, Callable[..., None]] | None = None,
) -> None:
    """Carry out one action. `root` prefixes every path (a staging tree, like DESTDIR)."""

    def at(path: str) -> Path:
        if root is None:
            return Path(path)
        # Staging: C:\x\y -> root/C/x/y, /etc/x -> root/etc/x (Windows plans stage on Linux too)
        pure = PureWindowsPath(path) if "\\" in path else PurePosixPath(path)
        rel = pure.parts[1:] if pure.anchor else pure.parts
        drive = pure.drive.rstrip(":")
        return root.joinpath(drive, *rel) if drive else root.joinpath(*rel)

    try:
        match action:
            case MakeDir(path, mode):
                at(path).mkdir(mode=mode, parents=True, exist_ok=True)
            case WriteFile(path, text, mode, group):
                target = at(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.chmod(mode)
                if group and root is None and os.name != "nt":
                    shutil.chown(tmp, group=group)
                tmp.replace(target)
            case CopyTree(source, dest):
                shutil.copytree(source, at(dest), dirs_exist_ok=True)
            case Remove(path, recursive):
                target = at(path)
                if recursive and target.is_dir():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
            case Run(argv, ok_codes):
                run_command(argv, ok_codes)
            case Call(function, kwargs):
                if calls is None or function not in calls:
                    raise ServiceError(f"{function} is only available on Windows")
                calls[function](**dict(kwargs))
    except OSError as e:
        raise ServiceError(e.strerror or str(e), location=str(e.filename or "")) from None


def preflight(plan: Plan) -> None:
    """Refuse before the first step if the machine cannot carry the plan through."""
    for path, meaning in plan.preflight:
        if not Path(path).exists():
            raise ServiceError(f"cannot {plan.title}: {meaning}; nothing was changed")
    for step in plan.steps:
        if isinstance(step.action, Run) and shutil.which(step.action.argv[0]) is None:
            raise ServiceError(
                f"cannot {plan.title}: {step.action.argv[0]} not found; nothing was changed"
            )


def execute(
    plan: Plan,
    *,
    out: Callable[[str], None] = print,
    root: Path | None = None,
    calls: Mapping[str, Callable[..., None]] | None = None,
) -> None:
    """Run every step in order, saying what was done; stop at the first failure with its step."""
    if root is None:
        if not is_admin():
            raise ServiceError(
                f"{plan.title} needs {plan.needs} (run it with sudo / as Administrator)"
            )
        preflight(plan)
    for warning in plan.warnings:
        print(f"webshell-agent: warning: {warning}", file=sys.stderr, flush=True)
    for i, step in enumerate(plan.steps, 1):
        try:
            apply(step.action, root=root, calls=calls)
        except ServiceError as e:
            raise ServiceError(f"step {i} ({step.why}) failed: {e}") from None
        out(f"done: {step.why}: {describe(step.action)}")
    for note in plan.notes:
        out(f"note: {note}")

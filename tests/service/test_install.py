"""Install/uninstall plans on both platforms: what --dry-run prints is exactly what is written."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agent.service import install as inst
from agent.service.unit import render_unit

LINUX = inst.Probe(windows=False, command=("/opt/wsa/bin/python", "-m", "agent"))
WINDOWS = inst.Probe(
    windows=True,
    command=(r"C:\Program Files\Python311\python.exe", "-m", "agent"),
    program_data=r"D:\ProgramData",
)


def written_blocks(text: str) -> dict[str, str]:
    """Parse a dry run: each `write PATH (...)` step followed by its `   | ` content lines."""
    blocks: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"\d+\. .*: write (.+?) \(mode", line)
        if m:
            current = m.group(1)
            blocks[current] = ""
        elif line.startswith("   | ") or line == "   |":
            assert current is not None
            blocks[current] += line[5:] + "\n"
        else:
            current = None
    return blocks


def staged_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize("probe", [LINUX, WINDOWS], ids=["linux", "windows"])
def test_dry_run_shows_exactly_what_install_writes(probe: inst.Probe, tmp_path: Path) -> None:
    plan = inst.install_plan(probe)
    shown = written_blocks(inst.render(plan, dry_run=True))
    for step in plan.steps:  # carry out the file steps into a staging tree
        if isinstance(step.action, inst.MakeDir | inst.WriteFile):
            inst.apply(step.action, root=tmp_path)
    staged = staged_files(tmp_path)
    assert len(shown) == len(staged) == (1 if probe.windows else 2)  # config (+ Linux unit)
    for path, text in shown.items():
        key = path.lstrip("/").replace(":", "").replace("\\", "/")
        assert staged[key] == text


def test_linux_install_plan() -> None:
    plan = inst.install_plan(LINUX)
    assert plan.needs == "root"
    actions = [s.action for s in plan.steps]
    runs = [a.argv for a in actions if isinstance(a, inst.Run)]
    assert (
        runs[0][:3] == ("useradd", "--system", "--user-group") and runs[0][-1] == "webshell-agent"
    )
    assert runs[-2:] == [
        ("systemctl", "daemon-reload"),
        ("systemctl", "enable", "--now", "webshell-agent.service"),
    ]
    files = {a.path: a for a in actions if isinstance(a, inst.WriteFile)}
    cfg = files["/etc/webshell-agent/agent.toml"]
    assert (cfg.mode, cfg.group) == (0o640, "webshell-agent")
    assert tomllib.loads(cfg.text)["watch"]["presets"] == ["auto"]
    assert files["/etc/systemd/system/webshell-agent.service"].text == render_unit(LINUX.command)


def test_linux_install_keeps_what_exists_and_honours_options() -> None:
    probe = inst.Probe(
        windows=False, command=("/usr/bin/webshell-agent",), user_exists=True,
        existing=frozenset({"/srv/wsa.toml"}),
    )  # fmt: skip
    plan = inst.install_plan(probe, config="/srv/wsa.toml", user="scanner", start=False)
    actions = [s.action for s in plan.steps]
    assert not any(isinstance(a, inst.Run) and a.argv[0] == "useradd" for a in actions)
    (unit,) = [a for a in actions if isinstance(a, inst.WriteFile)]  # the config is kept
    assert "User=scanner" in unit.text and "--config /srv/wsa.toml" in unit.text
    assert actions[-1] == inst.Run(("systemctl", "enable", "webshell-agent.service"))
    assert any("/srv/wsa.toml exists" in n for n in plan.notes)


def test_linux_uninstall_keeps_data_unless_purged() -> None:
    keep = inst.uninstall_plan(LINUX)
    removed = [s.action.path for s in keep.steps if isinstance(s.action, inst.Remove)]
    assert removed == ["/etc/systemd/system/webshell-agent.service"]
    purge = inst.uninstall_plan(inst.Probe(False, ("x",), user_exists=True), purge=True)
    removed = [s.action.path for s in purge.steps if isinstance(s.action, inst.Remove)]
    assert "/var/lib/webshell-agent" in removed and "/etc/webshell-agent" in removed
    assert purge.steps[-1].action == inst.Run(("userdel", "webshell-agent"))


def test_windows_install_plan() -> None:
    plan = inst.install_plan(WINDOWS)
    assert plan.needs == "Administrator"
    calls = {s.action.function: dict(s.action.kwargs) for s in plan.steps
             if isinstance(s.action, inst.Call)}  # fmt: skip
    assert calls["install_service"]["class"] == "agent.service.windows.AgentService"
    assert calls["install_service"]["start_type"] == "auto"
    assert calls["set_option"]["value"] == r"D:\ProgramData\webshell-agent\agent.toml"
    assert "add_event_source" in calls and "start_service" in calls
    runs = [s.action.argv for s in plan.steps if isinstance(s.action, inst.Run)]
    assert ("sc.exe", "failureflag", "webshell-agent", "1") in runs
    assert any(r[1] == "failure" and "actions= restart/10000" in " ".join(r) for r in runs)
    (cfg,) = [s.action for s in plan.steps if isinstance(s.action, inst.WriteFile)]
    parsed = tomllib.loads(cfg.text)
    assert parsed["watch"]["presets"] == ["exchange", "iis"]
    assert parsed["agent"]["data_dir"] == r"D:\ProgramData\webshell-agent"


def test_windows_frozen_build_registers_its_own_exe() -> None:
    frozen = inst.Probe(windows=True, command=(r"C:\wsa\webshell-agent.exe",), frozen=True)
    plan = inst.install_plan(frozen, user=r"NT SERVICE\webshell-agent", start=False)
    calls = [s.action for s in plan.steps if isinstance(s.action, inst.Call)]
    (install,) = [dict(c.kwargs) for c in calls if c.function == "install_service"]
    assert install["exe"] == r"C:\wsa\webshell-agent.exe" and "class" not in install
    assert install["account"] == r"NT SERVICE\webshell-agent"
    assert not any(isinstance(s.action, inst.Call) and s.action.function == "start_service"
                   for s in plan.steps)  # fmt: skip


def test_frozen_build_seeds_the_rule_cache(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle" / "rules-cache"
    bundle.mkdir(parents=True)
    (bundle / "rules-abc.yarc").write_bytes(b"compiled")
    frozen = inst.Probe(True, (r"C:\wsa\webshell-agent.exe",), frozen=True,
                        prebuilt_cache=str(bundle))  # fmt: skip
    plan = inst.install_plan(frozen)
    (copy,) = [s.action for s in plan.steps if isinstance(s.action, inst.CopyTree)]
    assert copy.dest == r"C:\ProgramData\webshell-agent\cache"
    inst.apply(copy, root=tmp_path / "stage")
    assert (tmp_path / "stage/C/ProgramData/webshell-agent/cache/rules-abc.yarc").read_bytes() == (
        b"compiled"
    )


def test_calls_are_refused_off_windows() -> None:
    with pytest.raises(inst.ServiceError, match="only available on Windows"):
        inst.apply(inst.Call("start_service", (("name", "x"),)))


def test_failed_command_names_the_step(tmp_path: Path) -> None:
    step = inst.Step("list a missing folder", inst.Run(("ls", str(tmp_path / "nope"))))
    plan = inst.Plan("t", "root", (step,))
    with pytest.raises(
        inst.ServiceError, match=r"step 1 \(list a missing folder\) failed.*exit code"
    ):
        inst.execute(plan, root=tmp_path, out=lambda _: None)


def test_cli_dry_run_on_this_machine_changes_nothing(tmp_path: Path) -> None:
    cfg = tmp_path / "agent.toml"
    done = subprocess.run(
        [sys.executable, "-m", "agent", "service", "install", "--dry-run", "--config", str(cfg)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "dry run: nothing is changed" in done.stdout
    blocks = written_blocks(done.stdout)
    assert tomllib.loads(blocks[str(cfg)])["watch"]["presets"] == ["auto"]
    unit = blocks["/etc/systemd/system/webshell-agent.service"]
    assert f"ExecStart={sys.executable} -m agent run --config {cfg}" in unit
    assert not cfg.exists()


def test_install_without_privileges_says_what_it_needs(tmp_path: Path) -> None:
    if not Path("/usr/bin/setpriv").exists() or inst.os.geteuid() != 0:
        pytest.skip("needs root and setpriv to drop to an unprivileged user")
    done = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         sys.executable, "-m", "agent", "service", "install"],
        capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2
    assert "needs root" in done.stderr


def test_status_line_from_systemctl_show() -> None:
    from agent.commands.service import parse_show, status_summary

    shown = parse_show(
        "LoadState=loaded\nUnitFileState=enabled\nActiveState=active\nSubState=running\n"
        "MainPID=4242\nNRestarts=2\nStatusText=watching; 1 root(s) lost\nResult=success\n"
    )
    line, code = status_summary(shown)
    assert code == 0
    assert line == (
        "webshell-agent: active (running), enabled at boot, pid 4242, restarted 2 times; "
        "watching; 1 root(s) lost"
    )
    assert status_summary(parse_show("LoadState=not-found\nActiveState=inactive\n")) == (
        "webshell-agent: not installed",
        4,
    )
    line, code = status_summary(
        parse_show("LoadState=loaded\nActiveState=failed\nSubState=failed\nMainPID=0\n")
    )
    assert code == 3 and line.startswith("webshell-agent: failed (failed)")


def test_install_on_a_machine_without_systemd_changes_nothing(tmp_path: Path) -> None:
    if Path("/run/systemd/system").exists() or inst.os.geteuid() != 0:
        pytest.skip("would really install: only run as root where systemd is not running")
    plan = inst.install_plan(
        inst.probe(user="wsa-test-never-created"), user="wsa-test-never-created"
    )
    out: list[str] = []
    with pytest.raises(inst.ServiceError, match=r"systemd is not running.*nothing was changed"):
        inst.execute(plan, out=out.append)
    assert out == []
    import pwd

    with pytest.raises(KeyError):
        pwd.getpwnam("wsa-test-never-created")


def test_preflight_names_a_missing_command() -> None:
    step = inst.Step("x", inst.Run(("no-such-command-wsa", "--help")))
    with pytest.raises(
        inst.ServiceError, match="no-such-command-wsa not found; nothing was changed"
    ):
        inst.preflight(inst.Plan("do x", "root", (step,)))


def test_status_of_a_dead_unit_drops_its_stale_status_text() -> None:
    from agent.commands.service import parse_show, status_summary

    line, code = status_summary(parse_show(
        "LoadState=loaded\nUnitFileState=enabled\nActiveState=inactive\nSubState=dead\n"
        "MainPID=0\nStatusText=stopping: draining the scan queue\nResult=success\n"
        "ExecMainStatus=0\n"
    ))  # fmt: skip
    assert code == 3
    assert line == "webshell-agent: inactive (dead), enabled at boot"
    line, code = status_summary(parse_show(
        "LoadState=loaded\nActiveState=failed\nSubState=failed\nMainPID=0\nResult=exit-code\n"
        "ExecMainStatus=2\nStatusText=starting\n"
    ))  # fmt: skip
    assert code == 3
    assert line.endswith("last result exit-code (exit status 2)")


def test_install_and_uninstall_refuse_next_to_the_packaged_unit() -> None:
    packaged = inst.Probe(
        windows=False,
        command=LINUX.command,
        packaged_unit="/lib/systemd/system/webshell-agent.service",
    )
    for build in (inst.install_plan, inst.uninstall_plan):
        with pytest.raises(inst.PackagedUnit, match=r"package provides the service.*drop-in"):
            build(packaged)


@pytest.mark.parametrize(
    "exe, hidden",
    [("/tmp/v/bin/python", "PrivateTmp"), ("/var/tmp/v/bin/python", "PrivateTmp"),
     ("/home/ann/v/bin/python", "ProtectHome"), ("/root/v/bin/python", "ProtectHome"),
     ("/opt/wsa/bin/python", None), ("/usr/local/bin/python3", None)],
)  # fmt: skip
def test_install_warns_when_the_sandbox_hides_the_agent(exe: str, hidden: str | None) -> None:
    plan = inst.install_plan(inst.Probe(windows=False, command=(exe, "-m", "agent")))
    text = inst.render(plan, dry_run=True)
    if hidden is None:
        assert plan.warnings == () and "warning:" not in text
    else:
        assert len(plan.warnings) == 1 and hidden in plan.warnings[0]
        assert f"warning: the agent runs from {exe}" in text.splitlines()[1]


def test_linux_install_writes_the_one_shipped_example() -> None:
    from agent.service import configfile

    plan = inst.install_plan(LINUX)
    written = {s.action.path: s.action.text for s in plan.steps
               if isinstance(s.action, inst.WriteFile)}  # fmt: skip
    assert written["/etc/webshell-agent/agent.toml"] == configfile.shipped_example()

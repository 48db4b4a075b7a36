"""The .deb under a real systemd: install offline, start, detect, reload, restart, stop, crash,
hang, sandbox score, then remove and purge. One booted machine; the tests run in file order and
each leaves the service as the next one expects it."""

from __future__ import annotations

import os
import re
import shutil
import signal

import pytest

from tests.system.conftest import (
    UNIT,
    Packages,
    exposure,
    journal,
    journal_records,
    jsonl,
    main_pid,
    probe_file,
    probe_rule,
    show,
    timed,
    wait_alert,
    wait_event,
    wait_state,
)
from tests.system.machine import Machine, wait_for

pytestmark = [pytest.mark.system, pytest.mark.timeout(600)]

DATA = "/var/lib/webshell-agent"
CONFIG = "/etc/webshell-agent/agent.toml"
WEB = "/var/www/html"
RULES = "/etc/webshell-agent/rules"


def test_installs_offline_and_quietly_and_says_why_it_is_not_started(
    machine: Machine, packages: Packages
) -> None:
    shutil.copy(packages.deb, machine.path("/root"))
    done = machine.run(["apt-get", "install", "-y", f"/root/{packages.deb.name}"], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    noise = [
        line for line in (done.stdout + done.stderr).splitlines()
        if re.search(r"adduser|addgroup|Adding (system )?user|Warning", line)
    ]  # fmt: skip
    assert noise == []
    # No web server here, so preset auto finds nothing: not started, and it says why.
    assert "webshell-agent: not started: watch: nothing to watch" in done.stdout + done.stderr
    assert show(machine, "UnitFileState")["UnitFileState"] == "enabled"
    assert show(machine, "ActiveState")["ActiveState"] == "inactive"
    st = os.stat(machine.path(CONFIG))
    assert oct(st.st_mode & 0o777) == "0o640"
    assert machine.run(["getent", "group", "webshell-agent"]).stdout.split(":")[2] == str(st.st_gid)


def test_config_that_cannot_start_fails_the_check_and_does_not_restart(machine: Machine) -> None:
    check = machine.run(["webshell-agent", "config", "check", CONFIG], check=False)
    assert check.returncode == 2 and "nothing to watch" in check.stderr
    start = machine.run(["systemctl", "start", UNIT], check=False)
    assert start.returncode != 0
    # exit 2 = RestartPreventExitStatus: failed for good, not "activating (auto-restart)"
    props = wait_state(machine, "failed", 10)
    assert show(machine, "ExecMainStatus")["ExecMainStatus"] == "2"
    assert props["NRestarts"] == "0"
    errors = [r for r in journal_records(machine) if r.get("PRIORITY") == "3"]
    assert any("nothing to watch" in r.get("MESSAGE", "") for r in errors), journal(machine)
    status = machine.run(["webshell-agent", "service", "status"], check=False)
    assert status.returncode == 3
    assert "failed" in status.stdout and "exit status 2" in status.stdout
    assert "stopping" not in status.stdout


def test_works_out_of_the_box_once_a_web_root_exists(machine: Machine) -> None:
    # a root-only web root: the service user reads it through CAP_DAC_READ_SEARCH alone
    machine.sh(f"mkdir -p {WEB} && chmod 0700 /var/www {WEB} && mkdir -p {RULES}")
    machine.path(f"{RULES}/probe-a.yar").write_text(probe_rule("A"))
    config = machine.path(CONFIG)
    text = config.read_text()
    for old, new in ((f'# paths = ["{RULES}"]', f'paths = ["{RULES}"]'),
                     ("# reload = true", "reload = false")):  # only SIGHUP reloads  # fmt: skip
        assert old in text
        text = text.replace(old, new)
    config.write_text(text)
    check = machine.run(["webshell-agent", "config", "check", CONFIG], check=False)
    assert check.returncode == 0, check.stderr
    machine.run(["systemctl", "reset-failed", UNIT])
    done, seconds = timed(machine, ["systemctl", "start", UNIT])  # Type=notify: returns at READY
    assert done.returncode == 0, journal(machine)[-3000:]
    assert seconds < 5.0, f"READY after {seconds:.1f} s"
    props = show(machine, "ActiveState", "SubState", "StatusText", "MemoryDenyWriteExecute")
    assert props["SubState"] == "running" and props["MemoryDenyWriteExecute"] == "yes"
    # where docs/service.md tells shippers to look, not the service user's home
    assert machine.path(f"{DATA}/events.jsonl").is_file()
    assert not machine.path(f"{DATA}/.local").exists()
    assert any(r.get("PRIORITY") == "6" and r.get("MESSAGE", "").startswith("watching")
               for r in journal_records(machine)), journal(machine)  # fmt: skip


def test_a_shell_in_a_root_only_web_root_alerts_within_2_s(machine: Machine) -> None:
    shell = f"{WEB}/probe-a.php"
    machine.path(shell).write_text(probe_file("A"))
    alert = wait_alert(machine, DATA, shell, 2.0)
    assert "WSA_System_Probe_A" in str(alert)
    assert machine.path(shell).exists()  # read-only: detected, never touched


def test_reload_recompiles_the_rules(machine: Machine) -> None:
    machine.path(f"{RULES}/probe-b.yar").write_text(probe_rule("B"))
    before = len(jsonl(machine, f"{DATA}/events.jsonl"))
    pid = main_pid(machine)
    machine.run(["systemctl", "reload", UNIT])
    wait_event(machine, DATA, "rules-reloaded", before, 30)
    assert main_pid(machine) == pid  # reloaded in place, not restarted
    shell = f"{WEB}/probe-b.php"
    machine.path(shell).write_text(probe_file("B"))
    assert "WSA_System_Probe_B" in str(wait_alert(machine, DATA, shell, 2.0))


def test_restart_and_stop(machine: Machine) -> None:
    pid = main_pid(machine)
    machine.run(["systemctl", "restart", UNIT])
    assert main_pid(machine) not in (0, pid)
    done, seconds = timed(machine, ["systemctl", "stop", UNIT])
    assert done.returncode == 0
    assert seconds < 2.0, f"stop took {seconds:.1f} s"
    props = show(machine, "ActiveState", "Result", "ExecMainStatus")
    assert props == {"ActiveState": "inactive", "Result": "success", "ExecMainStatus": "0"}
    status = machine.run(["webshell-agent", "service", "status"], check=False)
    assert status.returncode == 3 and "stopping" not in status.stdout, status.stdout
    machine.run(["systemctl", "start", UNIT])


def test_killed_agent_is_restarted(machine: Machine) -> None:
    pid = main_pid(machine)
    restarts = int(show(machine, "NRestarts")["NRestarts"])
    os.kill(machine.host_pid(pid), signal.SIGKILL)
    wait_for("a restart after kill -9", lambda: main_pid(machine) not in (0, pid), 40, every=0.2)
    props = wait_state(machine, "active", 30)
    assert int(props["NRestarts"]) == restarts + 1


def test_hung_agent_is_restarted_by_the_watchdog(machine: Machine) -> None:
    dropin = machine.path(f"/etc/systemd/system/{UNIT}.d/watchdog.conf")
    dropin.parent.mkdir(parents=True, exist_ok=True)
    dropin.write_text("[Service]\nWatchdogSec=10\n")
    machine.run(["systemctl", "daemon-reload"])
    machine.run(["systemctl", "restart", UNIT])
    pid = main_pid(machine)
    os.kill(machine.host_pid(pid), signal.SIGSTOP)
    wait_for("a watchdog restart", lambda: main_pid(machine) not in (0, pid), 45, every=0.2)
    wait_state(machine, "active", 30)
    assert "Watchdog timeout" in journal(machine)
    dropin.unlink()
    machine.run(["systemctl", "daemon-reload"])
    machine.run(["systemctl", "restart", UNIT])


def test_live_exposure_score(machine: Machine) -> None:
    score = exposure(machine)
    assert score <= 2.0, f"systemd-analyze security: {score}"


def test_netlink_exec_events_need_the_documented_drop_in(machine: Machine) -> None:
    def source_after_restart() -> dict[str, object]:
        before = len(jsonl(machine, f"{DATA}/events.jsonl"))
        machine.run(["systemctl", "restart", UNIT])
        return wait_event(machine, DATA, "process-watch-started", before, 30)["webshell"]

    plain = source_after_restart()
    assert plain["source"] == "poll" and plain["problem"]  # says why: no CAP_NET_ADMIN
    dropin = machine.path(f"/etc/systemd/system/{UNIT}.d/netlink.conf")
    dropin.parent.mkdir(parents=True, exist_ok=True)
    shipped = machine.path("/usr/share/doc/webshell-agent/examples/netlink.conf")
    dropin.write_text(shipped.read_text())
    machine.run(["systemctl", "daemon-reload"])
    assert source_after_restart()["source"] == "netlink"
    netlink_score = exposure(machine)
    dropin.unlink()
    machine.run(["systemctl", "daemon-reload"])
    machine.run(["systemctl", "restart", UNIT])
    assert netlink_score <= 2.5, f"with the netlink drop-in: {netlink_score}"


def test_quarantine_that_cannot_write_warns_at_start(machine: Machine) -> None:
    dropin = machine.path(f"/etc/systemd/system/{UNIT}.d/quarantine.conf")
    dropin.parent.mkdir(parents=True, exist_ok=True)
    dropin.write_text("[Service]\nEnvironment=WEBSHELL_AGENT_RESPONSE_QUARANTINE=true\n")
    machine.run(["systemctl", "daemon-reload"])
    machine.run(["systemctl", "restart", UNIT])
    warnings = [r.get("MESSAGE", "") for r in journal_records(machine) if r.get("PRIORITY") == "4"]
    assert any("quarantine is on but web root" in w and "read-only file system" in w
               for w in warnings), journal(machine)[-3000:]  # fmt: skip
    dropin.unlink()
    machine.run(["systemctl", "daemon-reload"])


def test_service_install_refuses_next_to_the_package(machine: Machine) -> None:
    done = machine.run(["webshell-agent", "service", "install"], check=False)
    assert done.returncode == 2
    assert "package provides the service" in done.stderr
    assert not machine.path(f"/etc/systemd/system/{UNIT}").exists()


def test_remove_then_purge_leave_nothing_behind(machine: Machine) -> None:
    # what an older `service install` after the .deb left behind: ours, so removed with it
    machine.run(["systemctl", "cat", UNIT])
    unit_text = machine.path(f"/lib/systemd/system/{UNIT}").read_text()
    machine.path(f"/etc/systemd/system/{UNIT}").write_text(unit_text)
    done = machine.run(["apt-get", "remove", "-y", "webshell-agent"], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"deluser|delgroup|Removing user", done.stdout + done.stderr) is None
    assert show(machine, "LoadState")["LoadState"] == "not-found"
    for gone in (f"/lib/systemd/system/{UNIT}", f"/etc/systemd/system/{UNIT}",
                 "/usr/lib/webshell-agent", "/usr/bin/webshell-agent"):  # fmt: skip
        assert not machine.path(gone).exists() and not machine.path(gone).is_symlink(), gone
    assert machine.path(CONFIG).exists()  # remove keeps configuration (Debian convention)
    assert machine.run(["pgrep", "-f", "webshell-agent"], check=False).returncode == 1
    done = machine.run(["apt-get", "purge", "-y", "webshell-agent"], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert machine.run(["getent", "passwd", "webshell-agent"], check=False).returncode == 2
    assert machine.run(["getent", "group", "webshell-agent"], check=False).returncode == 2
    left = machine.sh(
        "find / -xdev \\( -path /proc -o -path /sys -o -path /var/log -o -path /root \\) -prune "
        "-o -name '*webshell*' -print",
        check=False,
    ).stdout.split()
    assert left == []

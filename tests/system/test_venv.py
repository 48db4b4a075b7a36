"""A venv + `webshell-agent service install` under a real systemd: the unit it writes starts,
detects, reloads, stops, restarts after a crash, scores the same, and `service uninstall --purge`
leaves nothing behind."""

from __future__ import annotations

import os
import re
import shutil
import signal

import pytest

from tests.conftest import SHELL
from tests.system.conftest import (
    UNIT,
    Packages,
    exposure,
    journal,
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

VENV = "/opt/webshell-agent"
AGENT = f"{VENV}/bin/webshell-agent"
DATA = "/var/lib/webshell-agent"
WEB = "/var/www/html"
RULES = "/etc/webshell-agent/rules"


def test_service_install_from_a_venv(machine: Machine, packages: Packages) -> None:
    shutil.copytree(packages.wheels, machine.path("/root/wheels"))
    machine.run(["python3", "-m", "venv", VENV])
    machine.run([f"{VENV}/bin/pip", "install", "--quiet", "--no-index", "--find-links",
                 "/root/wheels", "webshell-agent"])  # fmt: skip
    machine.sh(f"mkdir -p {WEB} && chmod 0700 /var/www {WEB}")
    done = machine.run([AGENT, "service", "install"], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stderr  # /opt: nothing the sandbox hides
    unit = machine.path(f"/etc/systemd/system/{UNIT}").read_text()
    assert re.search(rf"^ExecStart={VENV}/bin/python[0-9.]* -m agent run", unit, re.M), unit
    assert machine.path("/etc/webshell-agent/agent.toml").read_text().count("presets = [") == 1
    wait_state(machine, "active", 30)
    done, seconds = timed(machine, ["systemctl", "restart", UNIT])  # returns at READY=1
    assert done.returncode == 0 and seconds < 5.0, f"READY after {seconds:.1f} s"
    status = machine.run([AGENT, "service", "status"], check=False)
    assert status.returncode == 0 and "active (running), enabled at boot" in status.stdout


def test_defaults_under_systemd_are_the_service_folders(machine: Machine) -> None:
    """With data_dir/cache_dir left out, a service user gets $STATE_DIRECTORY/$CACHE_DIRECTORY,
    not its home's per-user folders."""
    code = (
        "from agent.config import Config; c = Config(); print(c.agent.data_dir, c.rules.cache_dir)"
    )
    done = machine.run(["systemd-run", "--quiet", "--pipe", "--wait", "-p", "User=webshell-agent",
                        "-p", "StateDirectory=wsa-probe", "-p", "CacheDirectory=wsa-probe",
                        f"{VENV}/bin/python", "-c", code])  # fmt: skip
    assert done.stdout.split() == ["/var/lib/wsa-probe", "/var/cache/wsa-probe"]
    machine.run(["rm", "-rf", "/var/lib/wsa-probe", "/var/cache/wsa-probe"])


def test_detects_reloads_and_scores_the_same(machine: Machine) -> None:
    shell = f"{WEB}/chopper.aspx"
    machine.path(shell).write_bytes(SHELL)
    wait_alert(machine, DATA, shell, 2.0)
    # a rule folder that only SIGHUP reloads (reload = false: no inotify on it)
    config = machine.path("/etc/webshell-agent/agent.toml")
    text = config.read_text()
    text = text.replace(f'# paths = ["{RULES}"]', f'paths = ["{RULES}"]')
    config.write_text(text.replace("# reload = true", "reload = false"))
    machine.path(RULES).mkdir()
    machine.run(["systemctl", "restart", UNIT])
    machine.path(f"{RULES}/probe-v.yar").write_text(probe_rule("V"))
    before = len(jsonl(machine, f"{DATA}/events.jsonl"))
    pid = main_pid(machine)
    machine.run(["systemctl", "reload", UNIT])
    wait_event(machine, DATA, "rules-reloaded", before, 30)
    assert main_pid(machine) == pid
    probe = f"{WEB}/probe-v.php"
    machine.path(probe).write_text(probe_file("V"))
    assert "WSA_System_Probe_V" in str(wait_alert(machine, DATA, probe, 2.0))
    assert exposure(machine) <= 2.0


def test_stop_and_crash_restart(machine: Machine) -> None:
    done, seconds = timed(machine, ["systemctl", "stop", UNIT])
    assert done.returncode == 0 and seconds < 2.0, f"stop: {seconds:.1f} s"
    assert show(machine, "Result", "ExecMainStatus") == {"Result": "success", "ExecMainStatus": "0"}
    machine.run(["systemctl", "start", UNIT])
    pid = main_pid(machine)
    os.kill(machine.host_pid(pid), signal.SIGKILL)
    wait_for("a restart after kill -9", lambda: main_pid(machine) not in (0, pid), 40, every=0.2)
    wait_state(machine, "active", 30)
    assert show(machine, "NRestarts")["NRestarts"] == "1", journal(machine)


def test_uninstall_purge_leaves_nothing_behind(machine: Machine) -> None:
    done = machine.run([AGENT, "service", "uninstall", "--purge"], check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert show(machine, "LoadState")["LoadState"] == "not-found"
    assert machine.run(["getent", "passwd", "webshell-agent"], check=False).returncode == 2
    assert machine.run(["getent", "group", "webshell-agent"], check=False).returncode == 2
    left = machine.sh(
        "find / -xdev \\( -path /proc -o -path /sys -o -path /var/log -o -path /root "
        f"-o -path {VENV} \\) -prune -o -name '*webshell*' -print",
        check=False,
    ).stdout.split()
    assert left == []

"""ServiceHost around the real Runtime: start/stop cycles, stop before or during start, and
the Windows service class driven through stub pywin32 modules (the only thing mocked)."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import config as cfgmod
from agent.service.host import ServiceHost

core_mod = pytest.importorskip("agent.runtime")


def make_config(tmp_path: Path) -> cfgmod.Config:
    root = tmp_path / "www"
    root.mkdir(exist_ok=True)
    (root / "index.php").write_text("<?php echo 'hello'; ?>\n")
    text = f"""
[agent]
data_dir = '{tmp_path / "data"}'
heartbeat_interval = 0.2
low_priority = false
[rules]
cache_dir = '{tmp_path / "cache"}'
[watch]
roots = ['{root}']
rescan_interval = 0
[process]
enabled = false
"""
    path = tmp_path / "agent.toml"
    path.write_text(text)
    return cfgmod.load_file(path)


def files_under(path: Path) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob("*")}


def run_in_thread(host: ServiceHost) -> threading.Thread:
    t = threading.Thread(target=host.run, name="test-host")
    t.start()
    return t


def test_start_stop_cycles_leave_no_threads_or_stray_files(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    threads_before = {t.name for t in threading.enumerate()}
    listings = []
    for _ in range(3):
        host = ServiceHost(lambda: core_mod.Runtime(cfg))
        t = run_in_thread(host)
        while host.core is None:
            threading.Event().wait(0.01)
        assert host.core.ready.wait(60)
        host.request_stop()
        t.join(60)
        assert not t.is_alive()
        assert {t.name for t in threading.enumerate()} == threads_before
        listings.append(files_under(tmp_path))
    assert listings[0] == listings[1] == listings[2]
    # (the .jsonl.lock files are the single-writer locks: kept by design, like pid files)
    assert not [f for f in listings[0] if f.endswith((".tmp", "-journal", "-wal", "-shm"))]


def test_stop_before_start_never_builds_a_core(tmp_path: Path) -> None:
    built = []
    host = ServiceHost(lambda: built.append(1) or core_mod.Runtime(make_config(tmp_path)))
    host.request_stop()
    host.run()
    assert built == [] and host.core is None


def test_stop_requested_while_starting_ends_run_and_stops_the_core(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    for i in range(300):  # a baseline with some work in it
        (tmp_path / "www" / f"p{i}.php").write_text(f"<?php echo {i}; ?>\n")
    host = ServiceHost(lambda: core_mod.Runtime(cfg))
    t = run_in_thread(host)
    while host.core is None:
        threading.Event().wait(0.001)
    host.request_stop()  # during start() or just after: either way run() must end
    t.join(60)
    assert not t.is_alive()
    assert host.core.stopped


def test_stop_requested_while_the_core_is_built(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    host: ServiceHost
    built = []

    def factory() -> Any:
        core = core_mod.Runtime(cfg)
        built.append(core)
        host.request_stop()
        return core

    host = ServiceHost(factory)
    host.run()
    assert len(built) == 1 and host.core is None and not built[0].ready.is_set()


# ------------------------------------------------------------ Windows, through stub modules


class FakeFramework:
    def __init__(self, args: Any) -> None:
        self.reported: list[tuple[int, int]] = []

    def ReportServiceStatus(self, status: int, waitHint: int = 5000) -> None:
        self.reported.append((status, waitHint))


@pytest.fixture
def windows_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    log: list[tuple[Any, ...]] = []

    def record(name: str) -> Any:
        return lambda *a, **kw: log.append((name, a, kw))

    stubs = {
        "win32serviceutil": types.SimpleNamespace(
            ServiceFramework=FakeFramework,
            GetServiceCustomOption=lambda name, option, default=None: None,
            InstallService=record("InstallService"),
            SetServiceCustomOption=record("SetServiceCustomOption"),
            StartService=record("StartService"),
        ),
        "win32evtlogutil": types.SimpleNamespace(AddSourceToRegistry=record("AddSource")),
        "win32service": types.SimpleNamespace(
            SERVICE_STOP_PENDING=3, SERVICE_AUTO_START=2, SERVICE_DEMAND_START=3
        ),
        "servicemanager": types.SimpleNamespace(
            EVENTLOG_INFORMATION_TYPE=4,
            PYS_SERVICE_STARTED=1,
            PYS_SERVICE_STOPPED=2,
            LogMsg=lambda *a: log.append(a),
            __file__=r"C:\Python311\Lib\site-packages\win32\servicemanager.pyd",
        ),
    }
    for name, stub in stubs.items():
        monkeypatch.setitem(sys.modules, name, stub)
    monkeypatch.delitem(sys.modules, "agent.service.windows", raising=False)
    module = importlib.import_module("agent.service.windows")
    module.LOG = log  # type: ignore[attr-defined]
    yield module
    sys.modules.pop("agent.service.windows", None)


def test_windows_service_runs_and_stops_the_core(
    windows_module: types.ModuleType, tmp_path: Path
) -> None:
    cfg = make_config(tmp_path)
    svc = windows_module.AgentService(["webshell-agent"])
    svc.host = ServiceHost(lambda: core_mod.Runtime(cfg))
    t = threading.Thread(target=svc.SvcDoRun)
    t.start()
    while svc.host.core is None:
        threading.Event().wait(0.01)
    assert svc.host.core.ready.wait(60)
    svc.SvcStop()
    t.join(60)
    assert not t.is_alive()
    assert svc.reported == [(3, 15000)]  # STOP_PENDING, wait hint = stop timeout + 5 s
    assert [entry[1] for entry in windows_module.LOG] == [1, 2]  # started, stopped


def test_windows_install_plan_calls_pywin32_as_planned(windows_module: types.ModuleType) -> None:
    from agent.service import install as inst

    probe = inst.Probe(windows=True, command=("python.exe", "-m", "agent"))
    plan = inst.install_plan(probe, user=r"NT SERVICE\webshell-agent")
    for step in plan.steps:
        if isinstance(step.action, inst.Call):
            inst.apply(step.action, calls=windows_module.CALLS)
    calls = {entry[0]: entry[1:] for entry in windows_module.LOG}
    args, kw = calls["InstallService"]
    assert args == ("agent.service.windows.AgentService", "webshell-agent",
                    "Web-shell detection agent")  # fmt: skip
    assert kw["startType"] == 2 and kw["userName"] == r"NT SERVICE\webshell-agent"
    assert kw["exeName"] is None  # pythonservice.exe hosts the class
    assert calls["SetServiceCustomOption"][0] == (
        "webshell-agent",
        "config",
        r"C:\ProgramData\webshell-agent\agent.toml",
    )
    assert calls["AddSource"][0][0] == "webshell-agent"
    assert calls["AddSource"][0][1].endswith("servicemanager.pyd")
    assert calls["StartService"][0] == ("webshell-agent",)

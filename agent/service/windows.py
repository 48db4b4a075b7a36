"""The Windows service: a pywin32 ServiceFramework that only drives ServiceHost/Runtime.

Kept thin on purpose (no Windows runner here): SvcDoRun -> ServiceHost.run (Runtime start,
wait), SvcStop -> request_stop (Runtime.stop). The install-time calls named in
agent.service.install plans are the small functions in CALLS. Type-checked with
`mypy --platform win32`; exercised on Linux with stub pywin32 modules.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import win32service
import win32serviceutil

from agent.service.host import STOP_TIMEOUT, ServiceHost, make_core
from agent.service.install import WINDOWS_CLASS, WINDOWS_DESCRIPTION, WINDOWS_DISPLAY_NAME
from agent.service.unit import SERVICE_NAME


class AgentService(win32serviceutil.ServiceFramework):  # type: ignore[misc]  # pywin32 is untyped
    _svc_name_ = SERVICE_NAME
    _svc_display_name_ = WINDOWS_DISPLAY_NAME
    _svc_description_ = WINDOWS_DESCRIPTION

    def __init__(self, args: Any) -> None:
        super().__init__(args)
        config = win32serviceutil.GetServiceCustomOption(SERVICE_NAME, "config", None)
        self.host = ServiceHost(lambda: make_core(config))

    def SvcStop(self) -> None:
        wait_ms = int((STOP_TIMEOUT + 5) * 1000)
        self.ReportServiceStatus(win32service.SERVICE_STOP_PENDING, waitHint=wait_ms)
        self.host.request_stop()

    def SvcShutdown(self) -> None:
        self.SvcStop()

    def SvcDoRun(self) -> None:
        import servicemanager  # lazily: meant for the service host process

        servicemanager.LogMsg(
            servicemanager.EVENTLOG_INFORMATION_TYPE,
            servicemanager.PYS_SERVICE_STARTED,
            (self._svc_name_, ""),
        )
        self.host.run()  # an exception here ends as SERVICE_STOPPED with an error: recovery
        servicemanager.LogMsg(
            servicemanager.EVENTLOG_INFORMATION_TYPE,
            servicemanager.PYS_SERVICE_STOPPED,
            (self._svc_name_, ""),
        )


# ---------------------------------------------------------------- install-time calls


def install_service(
    name: str,
    display_name: str,
    description: str,
    start_type: str,
    account: str,
    exe: str | None = None,
    **kw: str,
) -> None:
    starts = {"auto": win32service.SERVICE_AUTO_START, "manual": win32service.SERVICE_DEMAND_START}
    user = None if account == "LocalSystem" else account
    win32serviceutil.InstallService(
        kw.get("class", WINDOWS_CLASS),
        name,
        display_name,
        startType=starts[start_type],
        description=description,
        userName=user,
        exeName=exe,
        exeArgs="" if exe else None,
    )


def set_option(name: str, option: str, value: str) -> None:
    win32serviceutil.SetServiceCustomOption(name, option, value)


def add_event_source(name: str) -> None:
    import servicemanager
    import win32evtlogutil

    # servicemanager's own message table (PYS_* ids) describes our events.
    win32evtlogutil.AddSourceToRegistry(name, servicemanager.__file__, "Application")


def remove_event_source(name: str) -> None:
    import win32evtlogutil

    win32evtlogutil.RemoveSourceFromRegistry(name, "Application")


def start_service(name: str) -> None:
    win32serviceutil.StartService(name)


def stop_service(name: str) -> None:
    import pywintypes

    try:
        win32serviceutil.StopServiceWithDeps(name, waitSecs=int(STOP_TIMEOUT + 20))
    except pywintypes.error as e:  # 1062: not started; 1060: not installed
        if e.winerror not in (1060, 1062):
            raise


def remove_service(name: str) -> None:
    win32serviceutil.RemoveService(name)


CALLS: dict[str, Callable[..., None]] = {
    "install_service": install_service,
    "set_option": set_option,
    "add_event_source": add_event_source,
    "remove_event_source": remove_event_source,
    "start_service": start_service,
    "stop_service": stop_service,
    "remove_service": remove_service,
}


def status(name: str = SERVICE_NAME) -> str:
    states = {
        win32service.SERVICE_STOPPED: "stopped",
        win32service.SERVICE_START_PENDING: "starting",
        win32service.SERVICE_STOP_PENDING: "stopping",
        win32service.SERVICE_RUNNING: "running",
    }
    code = win32serviceutil.QueryServiceStatus(name)[1]
    return states.get(code, f"state {code}")


def frozen_main() -> None:
    """Entry point of the PyInstaller build: the SCM starts it with no arguments."""
    if len(sys.argv) == 1:
        import servicemanager

        servicemanager.Initialize()
        servicemanager.PrepareToHostSingle(AgentService)
        servicemanager.StartServiceCtrlDispatcher()
    else:
        from agent.cli import main

        sys.exit(main())

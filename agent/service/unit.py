"""The hardened systemd unit, rendered for a given executable and user.

packaging/systemd/webshell-agent.service is this rendering for the .deb layout (a test keeps
them identical); `service install` renders it for wherever the agent is installed.
Each hardening line is explained in docs/service.md with the measured exposure score.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

SERVICE_NAME = "webshell-agent"
DEFAULT_USER = "webshell-agent"
CONFIG_PATH = "/etc/webshell-agent/agent.toml"
STATE_DIR = "/var/lib/webshell-agent"
CACHE_DIR = "/var/cache/webshell-agent"
UNIT_PATH = f"/etc/systemd/system/{SERVICE_NAME}.service"
DEB_EXEC = ("/usr/bin/webshell-agent",)
# Where the .deb puts its unit (/lib is /usr/lib on merged-/usr systems; both are checked).
PACKAGED_UNIT_PATHS = tuple(
    f"{d}/{SERVICE_NAME}.service" for d in ("/lib/systemd/system", "/usr/lib/systemd/system")
)

TEMPLATE = """\
[Unit]
Description=webshell-agent: web-shell detection (YARA on web roots)
Documentation=file:/usr/share/doc/webshell-agent/service.md
After=local-fs.target network-online.target
Wants=network-online.target
# Idle (not failed) while no configuration exists.
ConditionPathExists={config}

[Service]
Type=notify
NotifyAccess=main
ExecStart={exec_start} run --config {config}
# SIGHUP: recompile the rules and re-verify them; the running set stays if that fails.
ExecReload=/bin/kill -HUP $MAINPID
WatchdogSec=120
Restart=on-failure
RestartSec=10
# Exit 2 = cannot start with this configuration: restarting would only repeat the error.
RestartPreventExitStatus=2
TimeoutStartSec=300
TimeoutStopSec=30
User={user}
Group={user}
# Read every web root, write nothing there.
AmbientCapabilities=CAP_DAC_READ_SEARCH
CapabilityBoundingSet=CAP_DAC_READ_SEARCH
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
# The only writable places: state and logs (data_dir), compiled-rule cache.
StateDirectory=webshell-agent
StateDirectoryMode=0750
CacheDirectory=webshell-agent
CacheDirectoryMode=0750
ReadWritePaths={state} {cache}
PrivateTmp=yes
PrivateMounts=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=default
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @mount @obsolete @debug @cpu-emulation
SystemCallErrorNumber=EPERM
UMask=0077
Nice=10
IOSchedulingClass=idle
CPUSchedulingPolicy=batch
MemoryMax=1G
TasksMax=64
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
"""


def render_unit(
    exec_start: Sequence[str] = DEB_EXEC, user: str = DEFAULT_USER, config: str = CONFIG_PATH
) -> str:
    """The unit text; `exec_start` runs the CLI, e.g. (python, "-m", "agent")."""
    return TEMPLATE.format(
        exec_start=shlex.join(exec_start),
        user=user,
        config=shlex.quote(config),
        state=STATE_DIR,
        cache=CACHE_DIR,
    )

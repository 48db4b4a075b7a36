"""The commented configuration file: the shipped example and the default that install writes.

One table below explains every key of `agent.config`; a test fails when a key is added there
and not here. Keys are written commented out with their default (the ClamAV / Filebeat habit),
except the few a service install must set.
"""

from __future__ import annotations

from collections.abc import Mapping

# (section, key, TOML value shown, explanation). The value is what a user would write; for keys
# whose default depends on the platform or the user, a typical value is shown and the comment
# says what the default is.
KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("agent", "data_dir", '"/var/lib/webshell-agent"',
     "Where state, alert/event logs and the agent id live. Default: /var/lib/webshell-agent as\n"
     "root, %ProgramData%\\webshell-agent on Windows, the user data folder otherwise."),
    ("agent", "heartbeat_interval", "60.0",
     "Seconds between health heartbeats (RSS, CPU, queue depth, scans per second)."),
    ("agent", "cpu_budget", "0.5",
     "Share of one core that bulk rescans may use (1.0 = one full core)."),
    ("agent", "low_priority", "true",
     "Lower our own priority before any thread starts: nice 10 + idle I/O on Linux,\n"
     "background mode on Windows."),
    ("agent", "rotate_size", '"50MiB"', "Size at which the alert/event log files rotate."),
    ("agent", "rotate_keep", "10", "How many rotated log files to keep."),
    ("scan", "max_size", '"20MiB"', "Larger files are skipped (and reported as skipped)."),
    ("scan", "timeout", "60.0", "Seconds YARA may spend on one file."),
    ("scan", "threads", "2", "Scanning worker threads."),
    ("scan", "extensions", '[".aspx", ".php", ".jsp"]',
     "File extensions to scan, case-insensitive. Default: every executable web extension\n"
     "(.aspx .ashx .asmx ... .php .phtml ... .jsp .jspx), plus .htaccess, .user.ini,\n"
     "web.config and php*.ini whatever this list says."),
    ("scan", "all_files", "false", "Scan every file, whatever its extension."),
    ("scan", "sniff", "true",
     "Content sniffing: a file with any other extension is scanned when its first or last\n"
     "64 KiB carry server-side code (<?php, <?=, <%@, <% ... %>, <jsp:, runat=server),\n"
     "e.g. a GIF with PHP inside. Only rule matches alert."),
    ("scan", "exclude", '["*/cache/*"]',
     "Glob patterns of paths never scanned. Do not copy Exchange's antivirus exclusions here:\n"
     "they cover exactly where web shells are dropped."),
    ("rules", "paths", '["/etc/webshell-agent/rules"]',
     "Extra folders (or files) of YARA rules, compiled with the bundled signatures.\n"
     "They are watched: an edit reloads the rules."),
    ("rules", "default_rules", "true", "Load the signatures bundled with the agent."),
    ("rules", "cache_dir", '"/var/cache/webshell-agent"',
     "Where compiled rules are cached (keyed by the rule sources and the YARA version)."),
    ("rules", "reload", "true", "Recompile and re-verify when a rule file changes."),
    ("watch", "roots", '["/var/www"]', "Folders to watch, recursively."),
    ("watch", "presets", '["auto"]',
     "Find web roots by product: exchange, iis, apache, nginx, tomcat, or auto (all that\n"
     "are present on this machine)."),
    ("watch", "polling", '["/mnt/share/www"]',
     "Roots on network shares: polled every 5 s, because change notifications do not cross\n"
     "the network."),
    ("watch", "settle", "0.5",
     "Seconds a created or modified file must be quiet before it is scanned."),
    ("watch", "rescan_interval", "3600.0",
     "Seconds between reconcile walks that catch anything notifications missed; 0 disables."),
    ("watch", "queue_size", "100000",
     "Paths waiting to settle; beyond it the root is rescanned (reported, never silently\n"
     "dropped)."),
    ("process", "enabled", "true",
     "Watch for web-server workers starting shells (w3wp.exe -> cmd.exe, php-fpm -> sh)."),
    ("process", "interval", "0.5",
     "Seconds between passes over new PIDs (at 0.5 s polling catches every 0.5 s child and\n"
     "~18 % of 0.1 s ones; 0.25 s catches ~50 % of those at twice the idle CPU)."),
    ("process", "workers", '["w3wp.exe", "php-fpm"]',
     "Web-server worker process names. Default: the built-in list."),
    ("process", "children", '["cmd.exe", "sh"]',
     "Child process names that raise an alert under a worker. Default: the built-in list."),
    ("process", "allow", '["csc.exe"]', "Children that never raise an alert (known good)."),
    ("process", "correlation_window", "600.0",
     "Seconds a file alert in the same web root may precede a process alert it is linked to."),
    ("process", "source", '"auto"',
     "auto: Linux kernel exec events when allowed (CAP_NET_ADMIN), else polling; poll; netlink."),
    ("response", "quarantine", "false",
     "Move detected files aside. Off by default; the hardened service can only read web roots."),
)  # fmt: skip

HEADER = """\
# webshell-agent configuration (TOML).
#
# Every key is listed with an explanation; a commented-out key shows its default (or a typical
# value when the default depends on the machine). Precedence: built-in defaults < this file <
# WEBSHELL_AGENT_<SECTION>_<KEY> environment variables < command-line flags.
# Unknown keys are errors, so a typo cannot silently change what is watched.
"""

OUTPUTS = """\
# Alerts and the agent's own events always go to JSON lines files in agent.data_dir.
# Further sinks are [[outputs]] tables; each is checked when the agent builds it, e.g.:
#
# [[outputs]]
# type = "syslog"
# host = "siem.example.net"
# port = 6514
"""


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines())


def render(active: Mapping[tuple[str, str], str] | None = None, *, title: str = "") -> str:
    """The whole file: every key commented out, except `active` ones set to the given TOML."""
    active = dict(active or {})
    out = [HEADER]
    if title:
        out.append("#\n" + _comment(title))
    section = ""
    for sec, key, example, doc in KEYS:
        if sec != section:
            out.append(f"\n[{sec}]\n")
            section = sec
        else:
            out.append("\n")
        out.append(_comment(doc))
        if (sec, key) in active:
            out.append(f"{key} = {active.pop((sec, key))}\n")
        else:
            out.append(f"# {key} = {example}\n")
    if active:
        raise KeyError(f"not configuration keys: {sorted(active)}")
    out.append("\n" + OUTPUTS)
    return "".join(out)


def toml_string(value: str) -> str:
    """A TOML literal string ('...') so Windows backslashes need no escaping."""
    if "'" in value or "\n" in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return f"'{value}'"


def example() -> str:
    """packaging/agent.example.toml."""
    return render(title="Example: copy to /etc/webshell-agent/agent.toml and edit.")


def service_default(windows: bool, data_dir: str, cache_dir: str) -> str:
    """What `service install` writes when no configuration exists yet."""
    preset = '["exchange", "iis"]' if windows else '["auto"]'
    return render(
        {
            ("agent", "data_dir"): toml_string(data_dir),
            ("rules", "cache_dir"): toml_string(cache_dir),
            ("watch", "presets"): preset,
        },
        title="Written by `webshell-agent service install`. Edit, then restart the service.",
    )


if __name__ == "__main__":  # python -m agent.service.configfile > packaging/agent.example.toml
    print(example(), end="")

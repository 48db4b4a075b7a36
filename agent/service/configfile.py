"""The one commented configuration file: agent/data/agent.example.toml.

It is shipped in the wheel, installed by the .deb as /etc/webshell-agent/agent.toml, written by
`service install` when no configuration exists, and linked from the docs. It is rendered from
the table below (a test keeps file and rendering identical), which explains every key of
`agent.config`; a test fails when a key is added there and not here. Keys are written commented
out with their default (the ClamAV / Filebeat habit), except the three a service needs: what to
watch (preset auto) and where to write (the service's state and cache folders).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "agent.example.toml"
LINUX_STATE_DIR = "/var/lib/webshell-agent"
LINUX_CACHE_DIR = "/var/cache/webshell-agent"

# (section, key, TOML value shown, explanation). The value is what a user would write; for keys
# whose default depends on the platform or the user, a typical value is shown and the comment
# says what the default is.
KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("agent", "data_dir", '"/var/lib/webshell-agent"',
     "Where state, alert/event logs and the agent id live. Default: $STATE_DIRECTORY under\n"
     "systemd, else /var/lib/webshell-agent as root, %ProgramData%\\webshell-agent on Windows,\n"
     "the user data folder otherwise."),
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
    ("scan", "timeout", "10.0", "Seconds YARA may spend on one file (then a scan-timeout alert)."),
    ("scan", "threads", "2", "Scanning worker threads."),
    ("scan", "processes", "true",
     "Run the rules and the decoders in one child process per scanning thread (the agent\n"
     "still opens and reads every file itself). false: all in the agent's own process."),
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
     "Where compiled rules are cached (keyed by the rule sources and the YARA version).\n"
     "Default: $CACHE_DIRECTORY under systemd, else /var/cache/webshell-agent as root,\n"
     "the user cache folder otherwise."),
    ("rules", "reload", "true", "Recompile and re-verify when a rule file changes."),
    ("rules.update", "url", '"https://rules.example.org/webshell-rules.tar.gz"',
     "Signed rule bundles (docs/rule-updates.md): an https URL, or a path / share folder holding\n"
     "webshell-rules.tar.gz and its .minisig. Default: empty, no updates."),
    ("rules.update", "public_key", '"RWQ..."',
     "The minisign public key that must have signed every bundle (its base64 line)."),
    ("rules.update", "public_key_file", '"/etc/webshell-agent/fleet.pub"',
     "Or the minisign .pub file (give one of the two)."),
    ("rules.update", "interval", "3600.0",
     "Seconds between polls; each wait is 80-100 % of it (a fleet does not poll in step)."),
    ("rules.update", "ca_file", '"/etc/webshell-agent/rules-ca.pem"',
     "CAs to trust for the URL instead of the system's. Default: the system's."),
    ("rules.update", "proxy", '"http://proxy.example.org:3128"',
     "Proxy for the URL. Default: the https_proxy environment variable, if set."),
    ("rules.update", "timeout", "60.0", "Seconds one whole download may take."),
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
# Further sinks are [[outputs]] tables (docs/siem.md lists every key); each is checked by
# `webshell-agent config check` and when the agent builds it, e.g.:
#
# [[outputs]]
# type = "syslog"
# address = "siem.example.net:6514"
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


TITLE = """\
Installed as /etc/webshell-agent/agent.toml by the .deb, and by `webshell-agent service install`
when no configuration exists (Windows: %ProgramData%\\webshell-agent\\agent.toml, presets exchange
and iis). Check an edited file with `webshell-agent config check FILE`, then restart the service."""


def service_default(windows: bool, data_dir: str, cache_dir: str) -> str:
    """The configuration a service starts with: preset auto (Linux) or exchange + iis (Windows),
    and its own state and cache folders (the service user's per-user defaults would be wrong)."""
    preset = '["exchange", "iis"]' if windows else '["auto"]'
    return render(
        {
            ("agent", "data_dir"): toml_string(data_dir),
            ("rules", "cache_dir"): toml_string(cache_dir),
            ("watch", "presets"): preset,
        },
        title=TITLE,
    )


def example() -> str:
    """agent/data/agent.example.toml: the Linux service default."""
    return service_default(False, LINUX_STATE_DIR, LINUX_CACHE_DIR)


def shipped_example() -> str:
    """The file itself, as installed with the package."""
    return EXAMPLE_FILE.read_text(encoding="utf-8")


if __name__ == "__main__":  # python -m agent.service.configfile > agent/data/agent.example.toml
    print(example(), end="")

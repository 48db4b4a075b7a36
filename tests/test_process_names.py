"""Worker / child / allow tables: globbing, optional .exe, case, command-line conditions, comm cut."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.process.names import (
    ALLOW,
    CHILDREN,
    COMM_LEN,
    WORKERS,
    Names,
    Pattern,
    Table,
    credential_theft,
    expand,
)


@pytest.mark.parametrize(
    "name",
    ["w3wp.exe", "W3WP.EXE", "UMWorkerProcess.exe", "httpd", "apache2", "nginx", "php-fpm8.2",
     "php-fpm7.4", "php-fpm", "php-cgi", "MSExchangeMailboxReplication.exe"],
)  # fmt: skip
def test_builtin_workers(name: str) -> None:
    assert Table(WORKERS, truncated=False).match(name)


@pytest.mark.parametrize("name", ["bash", "python3", "sshd", "systemd", "w3wp2.exe", "nginxx"])
def test_not_workers(name: str) -> None:
    assert not Table(WORKERS, truncated=False).match(name)


def test_java_is_a_worker_only_when_it_runs_a_servlet_container() -> None:
    t = Table(WORKERS, truncated=False)
    assert t.needs_cmdline("java")
    assert t.match("java", "java -cp x org.apache.catalina.startup.Bootstrap start")
    assert not t.match("java", "java -jar build-tool.jar")


@pytest.mark.parametrize(
    "name", ["cmd.exe", "CMD.EXE", "powershell.exe", "pwsh", "pwsh.exe", "sh", "bash", "dash",
             "whoami", "whoami.exe", "net.exe", "net1.exe", "nltest.exe", "certutil.exe",
             "rundll32.exe", "procdump64.exe", "curl", "wget"],
)  # fmt: skip
def test_builtin_children(name: str) -> None:
    assert Table(CHILDREN, truncated=False).match(name)


@pytest.mark.parametrize("name", ["csc.exe", "cvtres.exe", "WerFault.exe", "conhost.exe"])
def test_builtin_allow(name: str) -> None:
    assert Table(ALLOW, truncated=False).match(name)


def test_allow_with_command_line_condition() -> None:
    allow = Table(ALLOW, truncated=False)
    assert allow.match("sh", "sh -c /usr/sbin/sendmail -t -i")
    assert not allow.match("sh", "sh -c id")


def test_truncated_linux_name_matches_longer_pattern() -> None:
    long = "msexchangemailboxreplication.exe"
    cut = long[:COMM_LEN]
    assert Table([long], truncated=True).match(cut)
    assert not Table([long], truncated=False).match(cut)
    # only a name of exactly 15 characters can be a cut one
    assert not Table([long], truncated=True).match(cut[:-1])


def test_expand_default_token() -> None:
    assert expand((), WORKERS) == WORKERS
    assert expand(("default", "gunicorn"), WORKERS) == (*WORKERS, "gunicorn")
    assert expand(("gunicorn",), WORKERS) == ("gunicorn",)
    names = Names.from_config(workers=("gunicorn",), truncated=False)
    assert names.workers.match("gunicorn") and not names.workers.match("httpd")


def test_bad_pattern_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="empty process name"):
        Pattern.parse("@catalina")


def test_credential_theft() -> None:
    assert credential_theft(
        "rundll32.exe",
        r"rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 624 C:\x.dmp full",
        None,
    )
    assert credential_theft("rundll32.exe", "rundll32 comsvcs.dll #24 624 c:\\a.bin full", None)
    assert credential_theft(
        "procdump64.exe", "procdump64.exe -accepteula -ma lsass.exe out.dmp", None
    )
    assert credential_theft("procdump.exe", "procdump -ma 612 out.dmp", 612)
    assert not credential_theft("rundll32.exe", "rundll32.exe shell32.dll,Control_RunDLL", None)
    assert not credential_theft("cmd.exe", "cmd /c comsvcs.dll MiniDump", None)


names_st = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=30)


@given(names_st)
def test_exe_suffix_and_case_do_not_matter(name: str) -> None:
    t = Table([name], truncated=False)
    assert t.match(name.upper())
    assert t.match(name + ".exe") or name.endswith(".exe")
    assert t.match(name.removesuffix(".exe") + ".EXE")


@given(names_st, names_st)
def test_command_line_condition_is_required(name: str, needle: str) -> None:
    t = Table([f"{name}@{needle}"], truncated=False)
    assert t.match(name, f"/bin/{name} --x {needle.upper()} y")
    assert not t.match(name, "")


def test_process_section_from_toml_and_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agent import config
    from agent.errors import ConfigError
    from agent.process.watcher import names_from

    f = tmp_path / "agent.toml"
    f.write_text('[process]\nsource = "poll"\nallow = ["default", "sh@/opt/app/convert"]\n')
    cfg = config.load(f, environ={"WEBSHELL_AGENT_PROCESS_WORKERS": "default,gunicorn"})
    assert cfg.process.source == "poll"
    names = names_from(cfg)
    assert names.workers.match("gunicorn") and names.workers.match("w3wp.exe")
    assert names.allow.match("sh", "sh -c /opt/app/convert x.png") and names.allow.match("csc.exe")
    f.write_text('[process]\nsource = "ebpf"\n')
    with pytest.raises(ConfigError, match="source"):
        config.load(f, environ={})

"""Completion scripts and the man page come from the parser; bash and groff run them for real."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agent import clidocs


def complete(tmp_path: Path, *words: str) -> list[str]:
    script = tmp_path / "completion.bash"
    script.write_text(clidocs.bash())
    line = " ".join(f"'{w}'" for w in words)
    cmd = (
        f"source {script}; COMP_WORDS=(webshell-agent {line}); COMP_CWORD={len(words)};"
        ' _webshell_agent; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=True).stdout
    return [w for w in out.splitlines() if w]


def test_bash_completes_commands_subcommands_options_and_choices(tmp_path: Path) -> None:
    assert complete(tmp_path, "sc") == ["scan"]
    assert complete(tmp_path, "rules", "") == [
        "list", "lint", "test", "sample", "keygen", "bundle", "update", "rollback",
        "-h", "--help", "--debug", "--config",
    ]  # fmt: skip
    assert "--format" in complete(tmp_path, "scan", "--fo")
    assert complete(tmp_path, "scan", "--format", "s") == ["sarif"]
    assert complete(tmp_path, "--config", "x.toml", "service", "st") == ["status", "start", "stop"]
    assert complete(tmp_path, "scan", "--rules", "") == []  # a folder: the shell's own files


def test_zsh_and_powershell_scripts_cover_every_command() -> None:
    zsh, pwsh = clidocs.zsh(), clidocs.powershell()
    assert "bashcompinit" in zsh and "complete -o default -F _webshell_agent" in zsh
    for node in clidocs.nodes(clidocs.tree())[1:]:
        assert f"'{' '.join(node.path)}' = @(" in pwsh
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed here; the script is the bash one under bashcompinit")


def test_man_page_renders_without_warnings_and_documents_every_option(tmp_path: Path) -> None:
    page = tmp_path / "webshell-agent.1"
    page.write_text(clidocs.man())
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed")
    r = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", "-z", str(page)], capture_output=True, text=True
    )
    assert r.returncode == 0 and r.stderr == ""
    text = subprocess.run(
        ["groff", "-man", "-Tascii", "-P-c", "-P-b", "-P-u", str(page)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for node in clidocs.nodes(clidocs.tree())[1:]:
        if not node.children:
            assert " ".join(node.path) in text
        for action in node.options:
            assert action.option_strings[-1] in text or "-h" in action.option_strings

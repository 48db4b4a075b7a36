"""Disguised server code: config remaps and code in files of any extension are scanned.

Sniffing only decides what is scanned; the bundled rules decide what alerts, so benign
templating and documentation that merely show a marker stay quiet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.cli import main
from agent.filetypes import SNIFF_EDGE, server_code
from tests.watcher.conftest import Agent, make_config, wait_for

JPEG_PHP = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b'<?php eval($_POST["x"]); ?>'
GIF_PHP = b"GIF89a\x01\x00\x01\x00" + b'<?php @eval($_REQUEST["c"]);?>'

DISGUISED = {
    "uploads/avatar.jpg": JPEG_PHP,  # served as PHP by the .htaccess below
    "uploads/.htaccess": b"AddType application/x-httpd-php .jpg\n",
    ".user.ini": b"auto_prepend_file = uploads/logo.png\n",
    "logo.gif": GIF_PHP,
    "notes.txt": b"x" * (3 * SNIFF_EDGE) + b'<% eval(Request.Item["z"]) %>',  # in the tail
}
BENIGN = {
    "app.html": b"<ul><% items.forEach(function(i){ %><li><%= i.name %></li><% }) %></ul>\n",
    "docs.txt": b'Example:\n<?php echo "Hello"; ?>\n',
    "photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00IDAT" * 1000,
    "readme.md": b"Upload limits: 2 MB. Use <b>PNG</b>.\n",
}


def plant(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def test_one_off_scan_alerts_on_disguised_code_and_config_remaps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "www"
    plant(root, DISGUISED | BENIGN)
    assert main(["scan", "--no-cache", "--format", "json", str(root)]) == 1
    doc = json.loads(capsys.readouterr().out)
    alerted = {a["file"]["path"][len(str(root)) + 1 :] for a in doc["alerts"]}
    assert alerted == set(DISGUISED)
    rules = {m["rule"] for a in doc["alerts"] for m in a["webshell"]["matches"]}
    assert "WSA_Gen_Htaccess_StaticExtensionAsScript" in rules
    assert "WSA_Gen_PhpIni_AutoPrependDisguised" in rules
    # only the files with no marker at all were left unread
    assert doc["summary"]["skipped"] == {"no_server_code": 2}


def test_without_sniffing_only_names_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "www"
    plant(root, DISGUISED | BENIGN)
    cfg = tmp_path / "agent.toml"
    cfg.write_text("[scan]\nsniff = false\n", encoding="utf-8")
    assert main(["scan", "--no-cache", "--config", str(cfg), "--format", "json", str(root)]) == 1
    doc = json.loads(capsys.readouterr().out)
    alerted = {a["file"]["path"][len(str(root)) + 1 :] for a in doc["alerts"]}
    assert alerted == {"uploads/.htaccess", ".user.ini"}  # config files are always scanned


@pytest.mark.parametrize(
    ("data", "lang"),
    [
        (b"GIF89a<?php system($_GET[1]);", ".php"),
        (b"<?= `id` ?>", ".php"),
        (b'<%@ Page Language="C#" %>', ".aspx"),
        (b'<%@ page import="java.io.*" %>', ".jsp"),
        (b"<jsp:scriptlet>x</jsp:scriptlet>", ".jsp"),
        (b'<script runat="server">void Page_Load(){}</script>', ".aspx"),
        (b"<% Response.Write(1) %>", ".asp"),
        (b"<% an unclosed template", ""),
        (b"plain text, <b>html</b>", ""),
    ],
)
def test_server_code_markers(data: bytes, lang: str) -> None:
    assert server_code(data) == lang


def test_watched_root_alerts_on_a_polyglot_image(
    tmp_path: Path, web_root: Path, run_agent: Callable[..., Agent]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "t.yar").write_text(
        'rule T_Eval { strings: $a = "eval($_" condition: $a }\n', encoding="utf-8"
    )
    agent = run_agent(make_config(tmp_path, [web_root], rules))
    (web_root / "avatar.jpg").write_bytes(JPEG_PHP)
    (web_root / "photo.png").write_bytes(BENIGN["photo.png"])
    wait_for(lambda: str(web_root / "avatar.jpg") in agent.alerted_paths(), what="the alert")
    wait_for(lambda: agent.scans[str(web_root / "photo.png")] >= 1, what="the photo sniffed")
    wait_for(agent.idle, what="idle")
    assert set(agent.alerted_paths()) == {str(web_root / "avatar.jpg")}


@given(st.binary(max_size=4096))
def test_server_code_is_total(data: bytes) -> None:
    assert server_code(data) in {"", ".php", ".asp", ".aspx", ".jsp"}


@given(st.binary(max_size=100), st.binary(max_size=2000))
def test_a_php_open_tag_anywhere_is_found(before: bytes, after: bytes) -> None:
    assert server_code(before + b"<?php" + after) != ""

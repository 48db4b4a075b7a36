"""A small demo web root: ordinary pages plus our own test shells, decoded from the signatures'
encoded samples. It exists only in a temporary folder (antivirus may object to the shells)."""

from __future__ import annotations

from pathlib import Path

from agent.filetypes import is_web_file
from agent.rules import default_rules_dir, samples
from agent.rules.testing import load_cases

# Where each language's shells are planted: the folders attackers used.
_PLACES = {
    "aspx": "inetpub/wwwroot/aspnet_client/system_web",
    "exchange": "Exchange/FrontEnd/HttpProxy/owa/auth",
    "asp": "inetpub/wwwroot/legacy",
    "php": "var/www/html/wp-content/uploads",
    "jsp": "var/lib/tomcat9/webapps/ROOT",
}

_BENIGN = {
    "var/www/html/index.php": "<?php\n$title = 'Welcome';\necho '<h1>' . htmlspecialchars($title) . '</h1>';\n",
    "var/www/html/contact.php": (
        "<?php\n$name = filter_input(INPUT_POST, 'name', FILTER_SANITIZE_SPECIAL_CHARS);\n"
        "if ($name) { mail('team@example.org', 'Contact', 'From ' . $name); }\n"
    ),
    "inetpub/wwwroot/default.aspx": (
        '<%@ Page Language="C#" %>\n<html><body><h1><%= DateTime.Now.ToString("yyyy-MM-dd") %></h1></body></html>\n'
    ),
    "inetpub/wwwroot/web.config": (
        '<?xml version="1.0"?>\n<configuration>\n  <system.web>\n    <compilation debug="false" />\n'
        "  </system.web>\n</configuration>\n"
    ),
    "var/lib/tomcat9/webapps/ROOT/index.jsp": (
        '<%@ page contentType="text/html" %>\n<html><body>Hello <%= request.getRemoteAddr() %></body></html>\n'
    ),
}


def plant_demo(root: Path, signatures: Path | None = None) -> list[Path]:
    """Write the demo tree under root; returns the planted shells."""
    for rel, text in _BENIGN.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    planted = []
    sig = signatures or default_rules_dir()
    tests = sig / "tests"
    cases = load_cases(tests) if tests.is_dir() else []
    for case in cases:
        if not case.match or not is_web_file(
            case.sample
        ):  # look-alikes and e.g. image polyglots stay out
            continue
        target = root / _PLACES.get(case.language, "var/www/html") / case.sample
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(samples.decode(case.encoded.read_bytes()))
        planted.append(target)
    return planted

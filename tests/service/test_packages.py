"""The wheel carries the signatures (installed into a fresh venv, it scans with them), and the
.deb carries the unit, the example config and a postinst that creates the service user."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE_RULE = """\
rule WSA_Test_WheelProbe {
    meta:
        description = "test-only rule added to a copy of the tree by test_packages"
    strings:
        $a = "wheel-probe-5b1e0c"
    condition:
        $a
}
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the tracked tree plus one probe rule in signatures/."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    (src / "signatures" / "zz_probe").mkdir(parents=True)
    (src / "signatures" / "zz_probe" / "probe.yar").write_text(PROBE_RULE)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--wheel-dir", str(tmp / "dist"), str(src)],
        check=True, capture_output=True,
    )  # fmt: skip
    (built,) = (tmp / "dist").glob("webshell_agent-*.whl")
    return built


def test_wheel_contains_the_signatures(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "agent/signatures/README.md" in names
    assert "agent/signatures/zz_probe/probe.yar" in names
    tracked = [p for p in (ROOT / "signatures").rglob("*") if p.is_file()]
    for p in tracked:
        assert "agent/signatures/" + p.relative_to(ROOT / "signatures").as_posix() in names


def test_wheel_in_a_fresh_venv_scans_with_the_bundled_rules(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    # The runtime dependencies come from the test venv (offline); the agent from the wheel.
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(site) / "deps.pth").write_text("".join(d + "\n" for d in sorted(deps)))
    target = tmp_path / "www" / "upload.php"
    target.parent.mkdir()
    target.write_text("<?php // wheel-probe-5b1e0c ?>\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    where = subprocess.run(
        [py, "-c", "import agent.rules as r; print(r.default_rules_dir())"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    ).stdout.strip()  # fmt: skip
    assert where == str(Path(site) / "agent" / "signatures")
    done = subprocess.run(
        [venv / "bin" / "webshell-agent", "scan", "--format", "json", "--no-cache", str(target)],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # 1: found
    report = json.loads(done.stdout)
    names = json.dumps(report["alerts"])
    assert "WSA_Test_WheelProbe" in names


def test_deb_layout(wheel: Path, tmp_path: Path) -> None:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb not installed")
    built = subprocess.run(
        [ROOT / "packaging" / "debian" / "build-deb.sh", "--out", str(tmp_path), "--wheel",
         str(wheel), "--python", sys.executable, "--without-dependencies"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    deb = Path(built)
    info = subprocess.run(["dpkg-deb", "--info", deb], capture_output=True, text=True, check=True)
    assert "Package: webshell-agent" in info.stdout
    assert "python3 (>= 3.11)" in info.stdout
    contents = subprocess.run(
        ["dpkg-deb", "--contents", deb], capture_output=True, text=True, check=True
    ).stdout
    assert "./lib/systemd/system/webshell-agent.service" in contents
    assert "./usr/share/doc/webshell-agent/examples/netlink.conf" in contents
    assert "./usr/share/doc/webshell-agent/service.md" in contents  # the unit's Documentation=
    assert f"./usr/share/webshell-agent/wheels/{wheel.name}" in contents
    assert "./etc/webshell-agent/agent.toml" in contents  # the one example, as a conffile
    unpacked = tmp_path / "x"
    subprocess.run(["dpkg-deb", "--raw-extract", deb, unpacked], check=True)
    postinst = (unpacked / "DEBIAN" / "postinst").read_text()
    assert "adduser --system --group" in postinst and "webshell-agent" in postinst
    assert (unpacked / "DEBIAN/conffiles").read_text() == "/etc/webshell-agent/agent.toml\n"
    unit = (unpacked / "lib/systemd/system/webshell-agent.service").read_text()
    assert unit == (ROOT / "packaging/systemd/webshell-agent.service").read_text()
    assert "ConditionPathExists=/etc/webshell-agent/agent.toml" in unit
    example = unpacked / "etc/webshell-agent/agent.toml"
    assert example.read_text() == (ROOT / "agent/data/agent.example.toml").read_text()
    for script in ("postinst", "prerm", "postrm"):
        subprocess.run(["sh", "-n", unpacked / "DEBIAN" / script], check=True)

"""The rootfs builder picks its mirror from this machine's apt sources, in both formats."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.system import rootfs


def test_mirror_from_deb822_and_one_line_sources(tmp_path: Path) -> None:
    parts = tmp_path / "sources.list.d"
    parts.mkdir()
    (parts / "a-other.sources").write_text(
        "Types: deb\nURIs: https://repo.example.org/x\nSuites: nodistro\nComponents: main\n"
    )
    (parts / "b-off.sources").write_text(
        "Enabled: no\nTypes: deb\nURIs: http://off.example.org/debian\nSuites: bookworm\n"
    )
    (parts / "debian.sources").write_text(
        "Types: deb-src\nURIs: http://src.example.org/debian\nSuites: bookworm\n\n"
        "# a comment\nTypes: deb\nURIs: http://mirror.example.org/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n"
    )
    assert rootfs.mirror("bookworm", tmp_path) == "http://mirror.example.org/debian"
    (parts / "debian.sources").unlink()
    (tmp_path / "sources.list").write_text(
        "# deb http://commented.example.org/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://line.example.org/debian trixie main\n"
    )
    assert rootfs.mirror("trixie", tmp_path) == "http://line.example.org/debian"
    with pytest.raises(RuntimeError, match="no apt source"):
        rootfs.mirror("bookworm", tmp_path)


def test_tarball_name_follows_release_and_package_list(tmp_path: Path) -> None:
    if shutil.which("dpkg") is None:
        pytest.skip("no dpkg: not a Debian machine")
    a = rootfs.tarball_path("bookworm", tmp_path)
    assert a.parent == tmp_path and "bookworm" in a.name and a.name.endswith(".tar")
    assert rootfs.tarball_path("trixie", tmp_path) != a

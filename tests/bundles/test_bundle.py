"""Bundles from a folder (the share): what is installed, and everything that is refused
before anything is unpacked, with the active rules untouched."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from agent import config as cfgmod
from agent.rules import bundle_store
from agent.rules.bundle import BUNDLE_NAME, BundleError
from agent.rules.update import update_once
from agent.rules.update_fetch import Source, SourceSettings
from tests.bundles.conftest import (
    SHELL,
    Keys,
    forge,
    make_keys,
    member,
    need_minisign,
    publish,
    rule_folder,
)


def _update(share: Path, keys: Keys) -> tuple[str, int | None]:
    cfg = cfgmod.load(None)
    out = update_once(Source(SourceSettings(str(share))), keys.public, cfg)
    return out.status, out.version


def _refused(share: Path, keys: Keys) -> BundleError:
    data = cfgmod.load(None).agent.data_dir
    before = bundle_store.read_pointer(data)
    with pytest.raises(BundleError) as info:
        _update(share, keys)
    assert bundle_store.read_pointer(data) == before  # the active rules stay
    leftovers = (
        list((data / "rules" / "bundles").glob(".staging-*"))
        if (data / "rules" / "bundles").exists()
        else []
    )
    assert leftovers == []
    return info.value


def _data() -> Path:
    return cfgmod.load(None).agent.data_dir


def test_install_from_a_share_then_scan_names_the_bundle(
    tmp_path: Path, keys: Keys, cli: object
) -> None:
    share = tmp_path / "share"
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, share)
    assert _update(share, keys) == ("installed", 1)
    assert _update(share, keys) == ("current", 1)  # the same bundle again: nothing to do
    active = bundle_store.active_dir(_data())
    assert active is not None and (active / "aspx" / "eval.yar").is_file()
    web = tmp_path / "web"
    web.mkdir()
    (web / "s.aspx").write_bytes(SHELL)
    r = cli("scan", str(web), "--format", "jsonl")  # type: ignore[operator]
    alert = json.loads(r.out.splitlines()[0])
    assert alert["rule"]["name"] == ["B_Eval_Request_v1"]  # the bundle replaced signatures/
    assert alert["rule"]["version"] == "1"


def test_tampered_archive_wrong_key_and_truncation_are_signature_failures(
    tmp_path: Path, keys: Keys
) -> None:
    share = tmp_path / "share"
    archive = publish(rule_folder(tmp_path / "v1", 1), 1, keys, share)
    good = archive.read_bytes()
    archive.write_bytes(good[:100] + bytes([good[100] ^ 1]) + good[101:])
    assert _refused(share, keys).reason == "signature"
    archive.write_bytes(good[: len(good) // 2])
    assert _refused(share, keys).reason == "signature"
    archive.write_bytes(good)
    other = make_keys(tmp_path / "other")
    e = _refused(share, other)
    assert e.reason == "signature" and "not the trusted key" in str(e)
    (share / f"{BUNDLE_NAME}.minisig").unlink()
    assert _refused(share, keys).reason == "network"  # no signature at all: nothing trusted
    assert not (_data() / "rules" / "bundles" / "1").exists()


def test_downgrade_and_replay_are_refused(tmp_path: Path, keys: Keys) -> None:
    share = tmp_path / "share"
    publish(rule_folder(tmp_path / "v2", 2), 2, keys, share)
    assert _update(share, keys) == ("installed", 2)
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, share)
    e = _refused(share, keys)
    assert e.reason == "downgrade" and "not newer than 2" in str(e)


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ([member("../evil.yar", b"rule a { condition: true }")], "not allowed"),
        ([member("/tmp/evil.yar", b"rule a { condition: true }")], "not allowed"),
        ([member("aspx/../../evil.yar", b"rule a { condition: true }")], "not allowed"),
        ([member("aspx/link.yar", kind=tarfile.SYMTYPE, link="/etc/passwd")], "link or special"),
        ([member("aspx/hard.yar", kind=tarfile.LNKTYPE, link="manifest.json")], "link or special"),
        ([member("aspx/dev.yar", kind=tarfile.CHRTYPE)], "link or special"),
        ([member("aspx/fifo.yar", kind=tarfile.FIFOTYPE)], "link or special"),
        ([member("run.sh", b"#!/bin/sh\n")], "not a rule file"),
        ([member("aspx/x.yar", b"rule a { condition: true }"), member("aspx/x.yar", b"rule b { condition: true }")], "twice"),
        ([member("../../etc", kind=tarfile.DIRTYPE)], "not allowed"),
    ],
    ids=["dotdot", "absolute", "nested-dotdot", "symlink", "hardlink", "device", "fifo", "script", "duplicate", "dir-dotdot"],
)  # fmt: skip
def test_bad_members_are_refused_before_anything_is_written(
    tmp_path: Path, keys: Keys, members: list[tuple[tarfile.TarInfo, bytes]], words: str
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    ok = member("aspx/ok.yar", b"rule ok { condition: false }")
    archive, sig = forge([ok, *members], 1, keys, listed={ok[0].name: ok[1]})
    (share / BUNDLE_NAME).write_bytes(archive)
    (share / f"{BUNDLE_NAME}.minisig").write_text(sig)
    e = _refused(share, keys)
    assert e.reason == "archive" and words in str(e), str(e)
    assert not (tmp_path / "evil.yar").exists() and not Path("/tmp/evil.yar").exists()
    assert not (_data() / "rules" / "bundles" / "1").exists()


def test_manifest_must_match_every_file(tmp_path: Path, keys: Keys) -> None:
    share = tmp_path / "share"
    share.mkdir()
    a = member("aspx/a.yar", b"rule a { condition: false }")
    for listed, words in (
        ({"aspx/a.yar": b"rule other { condition: false }"}, "sha256"),
        ({}, "differ"),
        ({"aspx/a.yar": a[1], "aspx/b.yar": b"x"}, "differ"),
    ):
        archive, sig = forge([a], 1, keys, listed=listed or {"aspx/zz.yar": b""})
        (share / BUNDLE_NAME).write_bytes(archive)
        (share / f"{BUNDLE_NAME}.minisig").write_text(sig)
        e = _refused(share, keys)
        assert e.reason == "archive" and words in str(e), str(e)


def test_rules_that_do_not_compile_or_fail_their_tests_are_refused(
    tmp_path: Path, keys: Keys
) -> None:
    share = tmp_path / "share"
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, share)
    assert _update(share, keys) == ("installed", 1)
    publish(
        rule_folder(tmp_path / "v2", 2, rule="rule broken { condition: $nope }"), 2, keys, share
    )
    assert _refused(share, keys).reason == "compile"
    # compiles, but its own must-match case does not match
    publish(rule_folder(tmp_path / "v3", 3, expect="Some_Other_Rule"), 3, keys, share)
    e = _refused(share, keys)
    assert e.reason == "tests" and "Some_Other_Rule" in str(e)
    assert bundle_store.read_pointer(_data()).version == 1
    # the refused versions were never installed: a fixed bundle 2 is still welcome
    publish(rule_folder(tmp_path / "v2b", 2), 2, keys, share)
    assert _update(share, keys) == ("installed", 2)


def test_rollback_pins_until_a_newer_bundle_and_three_are_kept(
    tmp_path: Path, keys: Keys, cli: object
) -> None:
    share = tmp_path / "share"
    for v in (1, 2, 3, 4):
        publish(rule_folder(tmp_path / f"v{v}", v), v, keys, share)
        assert _update(share, keys) == ("installed", v)
    assert bundle_store.installed(_data()) == [2, 3, 4]
    r = cli("rules", "rollback")  # type: ignore[operator]
    assert r.code == 0 and "from bundle 4 to bundle 3" in r.out
    assert bundle_store.read_pointer(_data()).version == 3
    assert _update(share, keys) == ("current", 3)  # 4 is not fetched again
    publish(rule_folder(tmp_path / "v5", 5), 5, keys, share)
    assert _update(share, keys) == ("installed", 5)
    for _ in range(3):
        cli("rules", "rollback")  # type: ignore[operator]
    assert bundle_store.read_pointer(_data()).version is None  # the bundled signatures again
    r = cli("rules", "list")  # type: ignore[operator]
    assert "B_Eval_Request" not in r.out


def test_a_bundle_needing_a_newer_agent_is_refused(tmp_path: Path, keys: Keys) -> None:
    from agent.rules import bundle

    share = tmp_path / "share"
    share.mkdir()
    bundle.build(
        rule_folder(tmp_path / "v1", 1),
        1,
        keys.secret,
        share / BUNDLE_NAME,
        min_agent_version="99.0",
    )
    assert _refused(share, keys).reason == "incompatible"


def test_cli_keygen_bundle_update_and_a_minisign_signed_bundle(tmp_path: Path, cli: object) -> None:
    os.chdir(tmp_path)
    r = cli("rules", "keygen", "--out", "fleet")  # type: ignore[operator]
    assert r.code == 0 and (Path("fleet.key").stat().st_mode & 0o777) == 0o600
    src = rule_folder(tmp_path / "v1", 1)
    share = tmp_path / "share"
    share.mkdir()
    r = cli(
        "rules",
        "bundle",
        str(src),
        "--version",
        "1",
        "--out",
        str(share / BUNDLE_NAME),
        "--key",
        "fleet.key",
    )  # type: ignore[operator]
    assert r.code == 0, r.err
    r = cli("rules", "update", "--from", str(share), "--public-key", "fleet.pub")  # type: ignore[operator]
    assert r.code == 0 and "installed bundle 1" in r.out, r.err
    # bundle 2: built unsigned, signed by the minisign CLI with a key minisign made
    exe = need_minisign()
    subprocess.run([exe, "-G", "-W", "-p", "m.pub", "-s", "m.key"], check=True, capture_output=True)
    r = cli(
        "rules",
        "bundle",
        str(rule_folder(tmp_path / "v2", 2)),
        "--version",
        "2",
        "--out",
        str(share / BUNDLE_NAME),
        "--unsigned",
    )  # type: ignore[operator]
    assert r.code == 0, r.err
    r = cli("rules", "update", "--from", str(share), "--public-key", "fleet.pub")  # type: ignore[operator]
    # the old signature (version 1) still sits beside it: up to date, nothing downloaded
    assert r.code == 0 and "up to date" in r.out, r.err
    subprocess.run(
        [
            exe,
            "-S",
            "-s",
            "m.key",
            "-m",
            share / BUNDLE_NAME,
            "-t",
            "webshell-agent rules version:2",
        ],
        check=True,
        capture_output=True,
    )
    r = cli(
        "rules",
        "update",
        "--from",
        str(share),
        "--public-key",
        Path("m.pub").read_text().split("\n")[1],
    )  # type: ignore[operator]
    assert r.code == 0 and "installed bundle 2" in r.out, r.err
    # bundle 3: minisign's own key file (its comment says "encrypted" even with -W) given to --key
    r = cli(
        "rules",
        "bundle",
        str(rule_folder(tmp_path / "v3", 3)),
        "--version",
        "3",
        "--out",
        str(share / BUNDLE_NAME),
        "--key",
        "m.key",
    )  # type: ignore[operator]
    assert r.code == 0, r.err
    r = cli("rules", "update", "--from", str(share), "--public-key", "m.pub")  # type: ignore[operator]
    assert r.code == 0 and "installed bundle 3" in r.out, r.err


def test_two_installers_at_once_install_once(tmp_path: Path, keys: Keys) -> None:
    """The agent's poller and `rules update` by hand on the same data folder."""
    import threading

    share = tmp_path / "share"
    publish(rule_folder(tmp_path / "v1", 1), 1, keys, share)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(_update(share, keys)[0])) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == ["current", "installed"]
    assert bundle_store.installed(_data()) == [1]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_installs_and_the_service_account_can_use_it(
    tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rules update` run as root by hand; the agent runs as its own account (here: nobody)
    and must read the bundle and the pointer and take the install lock."""
    import pwd
    import shutil
    import sys
    import tempfile

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv not installed")
    # pytest's own folders are root-only: the data folder goes where `nobody` can reach it
    base = Path(tempfile.mkdtemp(prefix="wsa-bundle-nobody-"))
    base.chmod(0o755)
    monkeypatch.setenv("WEBSHELL_AGENT_AGENT_DATA_DIR", str(base / "data"))
    try:
        share = tmp_path / "share"
        publish(rule_folder(tmp_path / "v1", 1), 1, keys, share)
        assert _update(share, keys) == ("installed", 1)
        nobody = pwd.getpwnam("nobody")
        script = (
            "import sys; from pathlib import Path\n"
            "from agent.rules import bundle_store; from agent.rules.compiler import load_rules\n"
            "d = Path(sys.argv[1])\n"
            "rs = load_rules((), data_dir=d)\n"
            "with bundle_store.locked(d, wait=5):\n"
            "    print(rs.version, rs.count)\n"
        )
        out = subprocess.run(
            [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
             sys.executable, "-c", script, str(_data())],
            capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["1", "1"]
    finally:
        shutil.rmtree(base, ignore_errors=True)

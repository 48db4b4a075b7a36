"""Our minisign code against the real minisign CLI, both ways, and its refusals."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent.rules import minisign
from tests.bundles.conftest import make_keys, need_minisign


def _cli_keys(folder: Path) -> tuple[Path, Path]:
    exe = need_minisign()
    folder.mkdir(parents=True, exist_ok=True)
    pub, key = folder / "cli.pub", folder / "cli.key"
    subprocess.run([exe, "-G", "-W", "-p", pub, "-s", key], check=True, capture_output=True)
    return pub, key


def test_we_sign_and_minisign_verifies(tmp_path: Path) -> None:
    exe = need_minisign()
    keys = make_keys(tmp_path)
    data = tmp_path / "f.tar.gz"
    data.write_bytes(b"\x1f\x8b rules " * 1000)
    sig = minisign.sign(keys.secret, data.read_bytes(), "webshell-agent rules version:9")
    (tmp_path / "f.tar.gz.minisig").write_text(sig.file_text())
    out = subprocess.run(
        [exe, "-V", "-p", keys.public_file, "-m", data], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "version:9" in out.stdout
    data.write_bytes(data.read_bytes() + b"x")  # one byte more: minisign must refuse it too
    assert (
        subprocess.run(
            [exe, "-V", "-p", keys.public_file, "-m", data], capture_output=True
        ).returncode
        != 0
    )


@pytest.mark.parametrize("legacy", [False, True], ids=["prehashed-ED", "legacy-Ed"])
def test_minisign_signs_and_we_verify(tmp_path: Path, legacy: bool) -> None:
    exe = need_minisign()
    pub, key = _cli_keys(tmp_path)
    data = tmp_path / "b.tar.gz"
    data.write_bytes(b"bundle bytes " * 500)
    cmd = [exe, "-S", "-s", key, "-m", data, "-t", "version:12"] + (["-l"] if legacy else [])
    subprocess.run(cmd, check=True, capture_output=True)
    public = minisign.parse_public_key(pub.read_text())
    sig = minisign.parse_signature((tmp_path / "b.tar.gz.minisig").read_text())
    assert sig.algorithm == (b"Ed" if legacy else b"ED")
    assert minisign.verify(public, sig, data.read_bytes()) == "version:12"
    with pytest.raises(minisign.MinisignError, match="does not match"):
        minisign.verify(public, sig, data.read_bytes()[:-1])


def test_a_key_from_minisign_signs_with_our_code(tmp_path: Path) -> None:
    exe = need_minisign()
    pub, key = _cli_keys(tmp_path)
    secret = minisign.parse_secret_key(key.read_text())
    assert secret.public() == minisign.parse_public_key(pub.read_text())
    data = tmp_path / "x"
    data.write_bytes(b"abc")
    (tmp_path / "x.minisig").write_text(minisign.sign(secret, b"abc", "t").file_text())
    assert subprocess.run([exe, "-V", "-p", pub, "-m", data], capture_output=True).returncode == 0


def test_our_key_signs_with_minisign(tmp_path: Path) -> None:
    exe = need_minisign()
    keys = make_keys(tmp_path)
    data = tmp_path / "y"
    data.write_bytes(b"rules")
    subprocess.run(
        [exe, "-S", "-s", keys.secret_file, "-m", data, "-t", "version:3"],
        check=True,
        capture_output=True,
    )
    sig = minisign.parse_signature((tmp_path / "y.minisig").read_text())
    assert minisign.verify(keys.public, sig, b"rules") == "version:3"


def test_refusals(tmp_path: Path) -> None:
    ours, other = make_keys(tmp_path / "a"), make_keys(tmp_path / "b")
    sig = minisign.sign(ours.secret, b"data", "version:4")
    with pytest.raises(minisign.MinisignError, match="not the trusted key"):
        minisign.verify(other.public, sig, b"data")
    # the same key id but another key (a forged id): the signature itself fails
    forged = minisign.PublicKey(ours.public.key_id, other.public.raw)
    with pytest.raises(minisign.MinisignError):
        minisign.verify(forged, sig, b"data")
    # a trusted comment edited after signing
    text = sig.file_text().replace("version:4", "version:5")
    with pytest.raises(minisign.MinisignError, match="trusted comment"):
        minisign.verify(ours.public, minisign.parse_signature(text), b"data")
    for bad in ("", "x\ny\nz\nw\n", sig.file_text().replace("trusted comment", "trusted  comment")):
        with pytest.raises(minisign.MinisignError):
            minisign.parse_signature(bad)


@pytest.mark.slow
def test_an_encrypted_minisign_key(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """minisign's scrypt parameters need 1 GiB and seconds: marked slow."""
    exe = need_minisign()
    pub, key = tmp_path / "e.pub", tmp_path / "e.key"
    subprocess.run(
        [exe, "-G", "-p", pub, "-s", key], input=b"pw\npw\n", check=True, capture_output=True
    )
    secret = minisign.parse_secret_key(key.read_text(), b"pw")
    assert secret.public() == minisign.parse_public_key(pub.read_text())
    with pytest.raises(minisign.MinisignError, match="wrong password"):
        minisign.parse_secret_key(key.read_text(), b"nope")
    (tmp_path / "src" / "php").mkdir(parents=True)
    (tmp_path / "src" / "php" / "a.yar").write_text("rule a { condition: false }")
    monkeypatch.setenv("WEBSHELL_AGENT_KEY_PASSWORD", "pw")
    out = tmp_path / "b.tar.gz"
    r = cli(
        "rules",
        "bundle",
        str(tmp_path / "src"),
        "--version",
        "1",
        "--out",
        str(out),
        "--key",
        str(key),
    )
    assert r.code == 0, r.err
    assert subprocess.run([exe, "-V", "-p", pub, "-m", out], capture_output=True).returncode == 0

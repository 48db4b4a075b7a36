"""The scanner on real files with real yara: every outcome is a typed result, never a raise."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
from pathlib import Path

import pytest

from agent.rules import load_rules
from agent.scanner import TIMEOUT_RULE, TOO_DEEP_RULE, Reason, Scanner, Verdict
from tests.conftest import SHELL


@pytest.fixture
def scanner(rules_dir: Path) -> Scanner:
    return Scanner(load_rules((rules_dir,), default_rules=False), max_size=1024 * 1024, timeout=10)


def test_match_carries_rules_hashes_and_excerpts(scanner: Scanner, tmp_path: Path) -> None:
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    r = scanner.scan(str(f))
    assert r.verdict is Verdict.MATCHED
    assert [m.rule for m in r.matches] == ["T_Eval_Request"]
    assert r.hashes is not None
    assert r.hashes.sha256 == hashlib.sha256(SHELL).hexdigest()
    assert r.hashes.sha1 == hashlib.sha1(SHELL).hexdigest()
    assert r.hashes.md5 == hashlib.md5(SHELL).hexdigest()
    hit = r.matches[0].strings[0]
    assert hit.offset == SHELL.index(b"eval(Request")
    assert hit.data == b"eval(Request"
    assert r.info is not None and r.info.size == len(SHELL)


def test_clean_file(scanner: Scanner, tmp_path: Path) -> None:
    f = tmp_path / "index.php"
    f.write_bytes(b"<?php echo 'hello';")
    r = scanner.scan(str(f))
    assert r.verdict is Verdict.CLEAN and not r.matches
    assert (
        r.hashes is not None
        and r.hashes.sha256 == hashlib.sha256(b"<?php echo 'hello';").hexdigest()
    )


def test_filename_external_reaches_rules(scanner: Scanner, tmp_path: Path) -> None:
    (tmp_path / "shell_42.aspx").write_bytes(b"harmless")
    (tmp_path / "shell_x.aspx").write_bytes(b"harmless")
    assert [m.rule for m in scanner.scan(str(tmp_path / "shell_42.aspx")).matches] == [
        "T_Name_Indicator"
    ]
    assert scanner.scan(str(tmp_path / "shell_x.aspx")).verdict is Verdict.CLEAN


def test_excerpt_is_capped(rules_dir: Path, tmp_path: Path) -> None:
    (rules_dir / "long.yar").write_text("rule T_Long { strings: $a = /A{100,200}/ condition: $a }")
    s = Scanner(load_rules((rules_dir,), default_rules=False))
    f = tmp_path / "a.php"
    f.write_bytes(b"A" * 150)
    hit = s.scan(str(f)).matches[0].strings[0]
    assert hit.length == 150 and len(hit.data) == 64


def test_huge_sparse_file_is_skipped_not_read(scanner: Scanner, tmp_path: Path) -> None:
    f = tmp_path / "big.aspx"
    with open(f, "wb") as fh:
        fh.truncate(1024**3)  # 1 GiB, sparse: reading it would take seconds and a GiB of RAM
    r = scanner.scan(str(f))
    assert r.verdict is Verdict.SKIPPED and r.reason is Reason.TOO_LARGE
    assert str(1024**3) in r.detail


def test_fifo_is_not_opened_for_blocking_read(scanner: Scanner, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.php"
    os.mkfifo(fifo)
    r = scanner.scan(str(fifo))  # must return at once (no writer will ever come)
    assert r.verdict is Verdict.SKIPPED and r.reason is Reason.NOT_REGULAR


def test_socket_and_directory_are_not_regular(scanner: Scanner, tmp_path: Path) -> None:
    sock_path = tmp_path / "s.php"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(sock_path))
        r = scanner.scan(str(sock_path))
        assert r.verdict is not Verdict.MATCHED and r.verdict is not Verdict.CLEAN
    finally:
        s.close()
    assert scanner.scan(str(tmp_path)).reason is Reason.NOT_REGULAR


def test_vanished_file(scanner: Scanner, tmp_path: Path) -> None:
    r = scanner.scan(str(tmp_path / "gone.aspx"))
    assert r.verdict is Verdict.ERROR and r.reason is Reason.VANISHED


def test_symlink_loop(scanner: Scanner, tmp_path: Path) -> None:
    a, b = tmp_path / "a.php", tmp_path / "b.php"
    a.symlink_to(b)
    b.symlink_to(a)
    r = scanner.scan(str(a))
    assert r.verdict is Verdict.SKIPPED and r.reason is Reason.NOT_REGULAR


def test_file_symlink_scans_target(scanner: Scanner, tmp_path: Path) -> None:
    target = tmp_path / "real.aspx"
    target.write_bytes(SHELL)
    link = tmp_path / "link.aspx"
    link.symlink_to(target)
    assert scanner.scan(str(link)).verdict is Verdict.MATCHED


def _slow_rules(rules_dir: Path) -> Path:
    # A rule whose condition loops over every byte pair is slow on purpose, on large files only.
    (rules_dir / "slow.yar").write_text(
        "rule T_Slow { condition: filesize > 100000 and for all i in (0..filesize) : "
        "( for all j in (0..filesize) : ( uint8(i) != 0xff or uint8(j) != 0xfe ) ) }"
    )
    return rules_dir


def test_timeout_is_an_alert_with_what_head_and_tail_show(rules_dir: Path, tmp_path: Path) -> None:
    s = Scanner(load_rules((_slow_rules(rules_dir),), default_rules=False), timeout=1)
    f = tmp_path / "t.php"
    data = SHELL + b"a" * 200_000 + b"MARKER-SCORED-75"
    f.write_bytes(data)
    r = s.scan(str(f))
    assert r.verdict is Verdict.MATCHED and r.reason is Reason.TIMEOUT
    assert [m.rule for m in r.matches] == ["T_Eval_Request", "T_Scored", TIMEOUT_RULE]
    assert r.matches[-1].meta["severity"] == "medium"
    tail_hit = r.matches[1].strings[0]
    assert tail_hit.offset == data.index(b"MARKER-SCORED-75")  # tail offsets are file offsets
    assert r.hashes is not None and r.hashes.sha256 == hashlib.sha256(data).hexdigest()


def test_timeout_alone_is_a_medium_alert(rules_dir: Path, tmp_path: Path) -> None:
    s = Scanner(load_rules((_slow_rules(rules_dir),), default_rules=False), timeout=1)
    f = tmp_path / "t.php"
    f.write_bytes(b"a" * 200_000)
    r = s.scan(str(f))
    assert r.verdict is Verdict.MATCHED and r.reason is Reason.TIMEOUT
    assert [m.rule for m in r.matches] == [TIMEOUT_RULE]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file_in_process(scanner: Scanner, tmp_path: Path) -> None:
    f = tmp_path / "secret.aspx"
    f.write_bytes(SHELL)
    f.chmod(0)
    r = scanner.scan(str(f))
    assert r.verdict is Verdict.ERROR and r.reason is Reason.PERMISSION_DENIED


def test_md5_external_is_computed_only_when_a_rule_reads_it(
    rules_dir: Path, tmp_path: Path
) -> None:
    f = tmp_path / "x.php"
    f.write_bytes(b"plain")
    digest = hashlib.md5(b"plain").hexdigest()
    without = load_rules((rules_dir,), default_rules=False)
    assert not without.uses_md5
    (rules_dir / "md5.yar").write_text(f'rule T_Md5 {{ condition: md5 == "{digest}" }}')
    with_md5 = load_rules((rules_dir,), default_rules=False)
    assert with_md5.uses_md5
    assert [m.rule for m in Scanner(with_md5).scan(str(f)).matches] == ["T_Md5"]
    # a string mentioning md5 is not a read of the external
    (rules_dir / "md5.yar").write_text(
        "rule T_Str { strings: $a = /md5\\s{0,3}\\(/ condition: $a }"
    )
    assert not load_rules((rules_dir,), default_rules=False).uses_md5
    # hash.md5(...) is the module function, not the external
    (rules_dir / "md5.yar").write_text(
        'import "hash"\nrule T_Mod { condition: hash.md5(0, filesize) == "x" }'
    )
    assert not load_rules((rules_dir,), default_rules=False).uses_md5


def test_alert_hashes_are_complete_even_without_md5_rules(scanner: Scanner, tmp_path: Path) -> None:
    f = tmp_path / "x.aspx"
    f.write_bytes(SHELL)
    r = scanner.scan(str(f))
    assert r.hashes is not None and r.hashes.md5 == hashlib.md5(SHELL).hexdigest()


def test_clean_hashes_can_be_skipped(rules_dir: Path, tmp_path: Path) -> None:
    f = tmp_path / "x.php"
    f.write_bytes(b"plain")
    r = Scanner(load_rules((rules_dir,), default_rules=False), hash_clean=False).scan(str(f))
    assert r.verdict is Verdict.CLEAN and r.hashes is None


def _packed(code: bytes, times: int) -> bytes:
    for _ in range(times):
        code = b'<?php eval("?>".base64_decode("' + base64.b64encode(code) + b'")); ?>'
    return code


@pytest.mark.parametrize(("times", "flagged"), [(4, False), (5, True), (7, True)])
def test_a_page_packed_past_the_decode_depth_is_a_finding(
    tmp_path: Path, times: int, flagged: bool
) -> None:
    # The decode stage unwraps four layers (agent.decode.Limits.depth). A page whose fourth
    # layer still holds a literal payload is packed deeper than that: a bound on the stage's
    # work must not be a way past it, so the nesting itself is a medium finding.
    inner = b"<?php\n" + b"".join(b"echo '<li>item %d</li>';\n" % i for i in range(20))
    f = tmp_path / "x.php"
    f.write_bytes(_packed(inner, times))
    r = Scanner(load_rules(())).scan(str(f))
    if not flagged:
        assert r.verdict is Verdict.CLEAN, r.matches
        return
    assert r.verdict is Verdict.MATCHED
    assert [(m.rule, m.meta["severity"], m.layer) for m in r.matches] == [
        (TOO_DEEP_RULE, "medium", "base64 > base64 > base64 > base64")
    ]


def test_a_shell_inside_the_depth_limit_is_found_by_its_own_rule(tmp_path: Path) -> None:
    f = tmp_path / "x.php"
    f.write_bytes(_packed(b"<?php system($_GET['c']); ?>", 3))
    r = Scanner(load_rules(())).scan(str(f))
    assert r.verdict is Verdict.MATCHED
    assert TOO_DEEP_RULE not in [m.rule for m in r.matches]

"""The evaluation-set builder on a real git repository: layout, manifest, de-duplication."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.bench.eval_set import add, read_hashes, real_extension, spread


def _repo(tmp_path: Path, files: dict[str, bytes]) -> str:
    work = tmp_path / "repo"
    for name, data in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(data)
    env = ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", *env, "-C", str(work), "commit", "-qm", "x"], check=True)
    return str(work / ".git")


def test_a_collection_becomes_a_set(tmp_path: Path) -> None:
    shell = b"<?php system($_GET['c']); ?>"
    gitdir = _repo(
        tmp_path,
        {
            "php/a.php": shell,
            "php/copy/a.php": shell,  # the same bytes twice: one file
            "php/b.php.txt": b"<?php eval($_POST['x']);",  # defanged: served as .php
            "php/output.php": b"<html><pre>uid=33(www-data)</pre></html>",  # a shell's output
            "asp/c.asp": b'<%eval request("x")%>',
            "README.md": b"# shells",
            "docs/d.php": b"<?php echo 1;",
        },
    )
    out = tmp_path / "set"
    stats = add(out, "malicious", "own/shells", gitdir, skip=r"^docs/")
    assert stats == {"added": 3, "duplicate": 1, "not-code": 1}
    names = sorted(p.name.rsplit(".", 1)[1] for p in (out / "malicious/own+shells").iterdir())
    assert names == ["asp", "php", "php"]
    rows = (out / "manifest.tsv").read_text().splitlines()
    assert rows[0].split("\t")[:2] == ["label", "source_repo"]
    langs = sorted(r.split("\t")[6] for r in rows[1:])
    assert langs == ["ASP", "PHP", "PHP"]
    # a second collection holding a file of the first adds nothing; nor does a re-run
    assert add(out, "malicious", "own/shells", gitdir, skip=r"^docs/")["added"] == 0
    other = tmp_path / "other"
    again = add(other, "malicious", "x/y", gitdir, seen=read_hashes(out / "manifest.tsv"))
    assert again["added"] == 1  # only docs/d.php, which the first set skipped


def test_benign_files_are_kept_as_they_are(tmp_path: Path) -> None:
    gitdir = _repo(tmp_path, {f"app/p{i}.asp": b"<html>%d</html>" % i for i in range(10)})
    stats = add(tmp_path / "set", "benign", "own/app", gitdir, cap=4)
    assert stats == {"added": 4}  # no code test for benign files, and the cap holds


def test_defanged_suffixes_count_only_for_shells() -> None:
    assert real_extension("x.php.txt", "malicious") == ".php"
    assert real_extension("x.aspx.png", "malicious") == ".aspx"
    assert real_extension("x.php.txt", "benign") == ".txt"
    assert real_extension("notes.txt", "malicious") == ".txt"


@given(st.lists(st.text(max_size=8), unique=True, max_size=60), st.integers(0, 70))
def test_spread_is_a_bounded_even_subset(items: list[str], cap: int) -> None:
    got = spread(items, cap)
    assert set(got) <= set(items)
    assert len(got) == (len(items) if cap <= 0 else min(cap, len(items)))
    assert len(set(got)) == len(got)
    assert got == spread(list(reversed(items)), cap)


def test_a_set_is_rebuilt_from_its_recorded_commit(tmp_path: Path) -> None:
    gitdir = _repo(tmp_path, {"a.php": b"<?php system($_GET['c']);"})
    first = (
        subprocess.run(
            ["git", "--git-dir", gitdir, "rev-parse", "HEAD"], capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    work = Path(gitdir).parent
    (work / "b.php").write_bytes(b"<?php eval($_POST['x']);")
    env = ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", *env, "-C", str(work), "commit", "-qm", "y"], check=True)
    # the abbreviated commit a manifest's page records names the tree as it was then
    assert add(tmp_path / "old", "malicious", "o/r", gitdir, rev=first[:10])["added"] == 1
    rows = (tmp_path / "old/manifest.tsv").read_text().splitlines()
    assert rows[1].split("\t")[2] == first
    assert add(tmp_path / "new", "malicious", "o/r", gitdir)["added"] == 2

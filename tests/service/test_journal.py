"""Journal priorities on stderr under systemd (sd-daemon(3) `<N>` prefixes), only when stderr is
the journal stream systemd named in $JOURNAL_STREAM."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from agent.service import journal


def _doc(level: str, action: str, message: str) -> dict[str, Any]:
    return {"event": {"action": action}, "log": {"level": level}, "message": message}


@given(st.sampled_from(sorted(journal.PRIORITY)), st.text())
def test_a_journal_line_is_one_line_with_its_priority(level: str, text: str) -> None:
    line = journal.line(level, text)
    assert line.startswith(f"<{journal.PRIORITY[level]}>")
    assert line.endswith("\n") and line.count("\n") == 1
    assert all(c.isprintable() for c in line[:-1])


def test_connected_only_when_the_stream_is_the_named_one(tmp_path: Path) -> None:
    with open(tmp_path / "err", "w") as f:
        st_ = os.fstat(f.fileno())
        assert journal.connected(f, {"JOURNAL_STREAM": f"{st_.st_dev}:{st_.st_ino}"})
        assert not journal.connected(f, {"JOURNAL_STREAM": f"{st_.st_dev}:{st_.st_ino + 1}"})
        assert not journal.connected(f, {"JOURNAL_STREAM": "junk"})
        assert not journal.connected(f, {})
    assert not journal.connected(io.StringIO(), {"JOURNAL_STREAM": "1:2"})


def test_tee_writes_warnings_errors_and_a_few_info_events(tmp_path: Path) -> None:
    """In a child whose stderr is a file named by JOURNAL_STREAM (as systemd sets it up)."""
    err = tmp_path / "stderr"
    code = (
        "import os, sys\n"
        "st = os.fstat(2); os.environ['JOURNAL_STREAM'] = f'{st.st_dev}:{st.st_ino}'\n"
        "from agent.service import journal\n"
        "seen = []\n"
        "echo = journal.tee(seen.append)\n"
        "for level, action, msg in [('warning', 'scan-error', 'w\\nx'), ('error', 'watch-lost', 'e'),"
        " ('info', 'heartbeat', 'h'), ('info', 'ready', 'watching')]:\n"
        "    echo({'event': {'action': action}, 'log': {'level': level}, 'message': msg})\n"
        "assert len(seen) == 4\n"
    )
    with err.open("w") as f:
        subprocess.run([sys.executable, "-c", code], stderr=f, check=True, timeout=60)
    assert err.read_text() == "<4>w | x\n<3>e\n<6>watching\n"


def test_tee_is_a_no_op_off_the_journal() -> None:
    def echo(doc: dict[str, Any]) -> None:
        pass

    assert journal.tee(echo, io.StringIO()) is echo
    assert journal.tee(None, io.StringIO()) is None

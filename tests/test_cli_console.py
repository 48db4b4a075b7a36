"""The terminal: one writer, whole blocks, whatever the number of threads."""

from __future__ import annotations

import threading
from pathlib import Path

from agent.outputs import console
from agent.summary import Summary
from tests.outputs.siem_support import make_alert


def test_alert_blocks_from_many_threads_never_interleave(tmp_path: Path) -> None:
    blocks = [
        console.render_alert(make_alert(f"/var/www/t{t}/s{i}.php", rules=("A", "B"), n=i))
        for t in range(16)
        for i in range(40)
    ]
    terminal = console.Terminal()
    start = threading.Barrier(16)
    with open(tmp_path / "tty", "w", encoding="utf-8") as out:

        def worker(t: int) -> None:
            start.wait()
            for block in blocks[t * 40 : (t + 1) * 40]:
                terminal.write(block, out)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    text = (tmp_path / "tty").read_text(encoding="utf-8")
    got = ["FOUND" + chunk for chunk in text.split("FOUND")[1:]]
    assert sorted(got) == sorted(b + "\n" for b in blocks)  # every block whole, nothing between


def test_summary_counts_in_the_singular() -> None:
    s = Summary(files=1, rules=1)
    s.errors["x"] = 1
    line = console.render_summary(s)
    assert line.startswith("Scanned 1 file (") and "with 1 rule:" in line and "1 error" in line
    assert "1 errors" not in line
    assert console.render_summary(Summary(files=2, rules=3)).startswith("Scanned 2 files (")

"""A delivery-only agent for the crash tests: `python -m tests.outputs.siem_runner DATA_DIR
OUTPUTS_JSON` runs the configured outputs over DATA_DIR/alerts.jsonl until killed, writing
health events to DATA_DIR/health.jsonl."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from agent.outputs.delivery import Outputs


def main() -> None:
    data_dir = Path(sys.argv[1])
    raw = json.loads(sys.argv[2])
    lock = threading.Lock()

    def on_health(doc: dict[str, Any]) -> None:
        with lock, open(data_dir / "health.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(doc) + "\n")

    outs = Outputs.from_config(raw, data_dir, on_health)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    outs.start()
    print("started", flush=True)
    done.wait()
    outs.stop(10)


if __name__ == "__main__":
    main()

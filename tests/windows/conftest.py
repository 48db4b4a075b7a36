"""Windows-only tests: real ReadDirectoryChangesW, the real SCM and event log via pywin32.

They run on a hosted Windows runner (.github/workflows/windows.yml, as Administrator) and skip
everywhere else. Under CI=true on Windows, missing Administrator rights are a failure.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ON_WINDOWS = sys.platform == "win32"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.windows)
            if not ON_WINDOWS:
                item.add_marker(
                    pytest.mark.skip(reason="Windows only (runs in the windows CI job)")
                )


@pytest.fixture
def admin() -> None:
    import ctypes

    if not ctypes.windll.shell32.IsUserAnAdmin():  # type: ignore[attr-defined]
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("the Windows CI job must run as Administrator")
        pytest.skip("needs Administrator")


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(every)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, PermissionError):
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]

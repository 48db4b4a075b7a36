"""Durable writes on a real full device (/dev/full answers every write with ENOSPC)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.health import Counters
from agent.identity import load_identity
from agent.logging import EventLog
from agent.pipeline.durable import Abandoned, DiskFull, Durable

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")


def test_a_full_disk_is_one_episode_retried_until_space_returns() -> None:
    events: list[dict[str, object]] = []
    log = EventLog(None, load_identity(None), echo=events.append)
    counters = Counters()
    disk = DiskFull(log.emit, "/data")
    attempts: list[str] = []

    def write() -> int:
        attempts.append("/dev/full" if len(attempts) < 4 else os.devnull)  # then space is back
        fd = os.open(attempts[-1], os.O_WRONLY)
        try:
            return os.write(fd, b"line\n")
        finally:
            os.close(fd)

    durable = Durable("alert", log.emit, counters, disk, give_up=lambda: False, max_delay=0.2)
    assert durable.run(write, "/www/a.aspx") == 5
    assert attempts == ["/dev/full"] * 4 + [os.devnull]
    actions = [e["event"]["action"] for e in events]  # type: ignore[index]
    assert actions == [
        "disk-full",
        "alert-write-failed",
        "disk-full-cleared",
        "alert-write-recovered",
    ]
    assert counters["alert_write_retries"] == 4 and not durable.failing


def test_a_stop_abandons_a_write_that_still_fails() -> None:
    log = EventLog(None, load_identity(None))
    stop = [False]

    def write() -> None:
        stop[0] = True  # the stop's deadline passes while the disk is full
        with open("/dev/full", "wb", buffering=0) as f:
            f.write(b"x")

    durable = Durable("state", log.emit, Counters(), DiskFull(log.emit, "/d"), lambda: stop[0])
    with pytest.raises(Abandoned):
        durable.run(write, "/www/b.aspx")
    assert durable.abandoned == 1 and log.counts["state-write-failed"] == 1

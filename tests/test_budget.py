"""The CPU budget's duty cycle, on fake clocks (deterministic) and on a real busy loop."""

from __future__ import annotations

import threading
import time

from agent.process.budget import WINDOW, CpuBudget


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_no_delay_under_budget_and_the_right_delay_over_it() -> None:
    wall, cpu = Clock(), Clock()
    b = CpuBudget(0.5, cpu=cpu, clock=wall)
    wall.t, cpu.t = 1.0, 0.4
    assert b.delay() == 0.0
    cpu.t = 1.0  # 1 s of CPU in 1 s of wall time at a 50 % budget: wait 1 s more
    assert b.delay() == 1.0
    wall.t = 2.0
    assert b.delay() == 0.0


def test_idle_time_is_not_credit_for_a_later_burst() -> None:
    wall, cpu = Clock(), Clock()
    b = CpuBudget(0.25, cpu=cpu, clock=wall)
    wall.t = 3600.0
    assert b.delay() == 0.0  # the window slides here
    cpu.t = 1.0
    wall.t = 3601.0
    assert b.delay() == 3.0


def test_throttle_does_not_sleep_once_stopped() -> None:
    wall, cpu = Clock(), Clock()
    b = CpuBudget(0.1, cpu=cpu, clock=wall)
    cpu.t = 100.0
    stop = threading.Event()
    stop.set()
    assert b.delay() > 0  # over budget: it would sleep a whole window without the stop
    assert b.throttle(stop) == 0.0 and b.slept == 0.0


def test_a_stop_ends_the_sleep() -> None:
    wall, cpu = Clock(), Clock()
    b = CpuBudget(0.1, cpu=cpu, clock=wall)
    cpu.t = 100.0  # a window's sleep (2 s) is due
    stop = threading.Event()
    slept: list[float] = []
    t = threading.Thread(target=lambda: slept.append(b.throttle(stop)))
    t.start()
    deadline = time.monotonic() + 30
    while not b.waiting and t.is_alive() and time.monotonic() < deadline:
        time.sleep(0.001)  # polling for the sleeper to be inside its wait: not a sync sleep
    stop.set()
    t.join(30)
    assert not t.is_alive()
    assert slept and slept[0] < WINDOW  # woken by the stop, not by the end of the window

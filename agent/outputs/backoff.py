"""Exponential backoff with full jitter: the one retry schedule of every output.

Delay n (n = 1, 2, ...) is uniform in [0, min(maximum, initial * 2**(n-1))] (AWS's "full
jitter"), so many agents that lost the same receiver do not come back in step.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    def __init__(
        self,
        initial: float,
        maximum: float,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.attempts = 0
        self._uniform = uniform

    def ceiling(self) -> float:
        """The upper bound of the next delay."""
        return min(self.maximum, self.initial * float(1 << min(self.attempts, 30)))

    def next_delay(self) -> float:
        delay = self._uniform(0.0, self.ceiling())
        self.attempts += 1
        return delay

    def reset(self) -> None:
        self.attempts = 0

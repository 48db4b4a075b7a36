"""Hard bounds on the work the decode stage may do for one file (attacker-controlled input)."""

from __future__ import annotations

import time
from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int = 4  # layers below the file: script-encoder > base64 > gzinflate > fold
    layers: int = 16  # decoded layers per file
    ratio: int = 4  # decoded bytes (all layers) at most ratio x the file...
    max_bytes: int = 4 * MiB  # ...and never more than this
    min_bytes: int = 256 * 1024  # a small file may still unpack a small payload
    seconds: float = 2.0  # wall time for decoding and scanning the layers
    regions: int = 32  # trigger offsets looked at per decoder and layer

    def byte_budget(self, size: int) -> int:
        return min(self.max_bytes, max(self.min_bytes, self.ratio * size))


@dataclass(slots=True)
class Budget:
    """What is left for one file; decoders ask before they produce."""

    limits: Limits
    bytes_left: int
    deadline: float
    layers_left: int
    exhausted: str = ""  # why decoding stopped early, "" if it did not

    @classmethod
    def start(cls, limits: Limits, size: int) -> Budget:
        return cls(
            limits, limits.byte_budget(size), time.monotonic() + limits.seconds, limits.layers
        )

    def out_of_time(self) -> bool:
        if time.monotonic() > self.deadline:
            self.exhausted = self.exhausted or "time"
            return True
        return False

    def take(self, n: int) -> bool:
        """Reserve n output bytes and one layer; False (and nothing taken) when over budget."""
        if self.layers_left <= 0:
            self.exhausted = self.exhausted or "layers"
            return False
        if n > self.bytes_left:
            self.exhausted = self.exhausted or "bytes"
            return False
        self.bytes_left -= n
        self.layers_left -= 1
        return True

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

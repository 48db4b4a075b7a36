"""Who is reporting: the host and a persistent agent id, for every document we emit."""

from __future__ import annotations

import os
import platform
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import agent
from agent.datadir import private_dir, write_private


@dataclass(frozen=True)
class Identity:
    hostname: str
    agent_id: str
    ephemeral_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: str = agent.__version__

    def host(self) -> dict[str, object]:
        return {
            "name": self.hostname,
            "hostname": self.hostname,
            "architecture": platform.machine(),
            "os": {
                "type": "windows" if os.name == "nt" else platform.system().lower(),
                "platform": platform.system().lower(),
                "kernel": platform.release(),
            },
        }

    def agent(self) -> dict[str, object]:
        return {
            "type": "webshell-agent",
            "name": self.hostname,
            "version": self.version,
            "id": self.agent_id,
            "ephemeral_id": self.ephemeral_id,
        }


def load_identity(data_dir: Path | None) -> Identity:
    """The agent id persists in the data folder; without one (a read-only one-off scan) it is
    derived from the host name, so repeated scans of one host still agree."""
    hostname = socket.gethostname()
    if data_dir is not None:
        id_file = data_dir / "agent-id"
        try:
            return Identity(hostname, id_file.read_text(encoding="ascii").strip())
        except (OSError, UnicodeDecodeError):
            pass
        new_id = str(uuid.uuid4())
        try:
            private_dir(data_dir)
            write_private(id_file, (new_id + "\n").encode("ascii"))
            return Identity(hostname, new_id)
        except OSError:
            pass
    return Identity(hostname, str(uuid.uuid5(uuid.NAMESPACE_DNS, hostname)))

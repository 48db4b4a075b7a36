"""Installed bundles in the data folder, side by side, and the pointer that picks one.

    <data>/rules/bundles/<version>/   one folder per installed bundle (the last 3 kept)
    <data>/rules/current              {"version": 7, "highest": 7, "previous": 6}

`current` is written whole to a temporary name and renamed over the old one, so a reader sees
either the old or the new pointer, never half of one. `highest` is the newest version this host
ever installed: a bundle must be above it (no replay, no downgrade), and it does not go down on
rollback, so a rolled-back bundle is not fetched again; the next newer one is.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from agent.rules.bundle import Bundle, BundleError
from agent.rules.bundle_manifest import MANIFEST

KEEP = 3
LOCK_WAIT = 60.0  # seconds an install waits for another one (agent and CLI) to finish


@dataclass(frozen=True)
class Pointer:
    version: int | None  # None: the bundled signatures/ (no bundle active)
    highest: int = 0
    previous: int | None = None


def rules_dir(data_dir: Path) -> Path:
    return data_dir / "rules"


def bundles_dir(data_dir: Path) -> Path:
    return rules_dir(data_dir) / "bundles"


def installed(data_dir: Path) -> list[int]:
    """Versions with a complete folder, oldest first."""
    try:
        names = os.listdir(bundles_dir(data_dir))
    except OSError:
        return []
    found = [int(n) for n in names if n.isdigit() and n == str(int(n))]
    return sorted(v for v in found if (bundles_dir(data_dir) / str(v) / MANIFEST).is_file())


def read_pointer(data_dir: Path) -> Pointer:
    """The pointer; if it is missing or unreadable, the newest complete folder (never silently
    the older signatures while a newer bundle sits on disk)."""
    try:
        doc = json.loads((rules_dir(data_dir) / "current").read_text(encoding="utf-8"))
        version, highest, previous = doc["version"], int(doc["highest"]), doc.get("previous")
        if version is not None:
            version = int(version)
        if previous is not None:
            previous = int(previous)
        return Pointer(version, highest, previous)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError):
        pass  # corrupt: fall back to what is installed
    versions = installed(data_dir)
    return Pointer(versions[-1] if versions else None, versions[-1] if versions else 0)


def pointer_problem(data_dir: Path) -> str | None:
    """Why `current` cannot be used as it is (read_pointer then falls back), or None."""
    try:
        doc = json.loads((rules_dir(data_dir) / "current").read_text(encoding="utf-8"))
        int(doc["highest"])
        if doc["version"] is not None:
            folder = bundles_dir(data_dir) / str(int(doc["version"]))
            if not (folder / MANIFEST).is_file():
                return f"the active bundle's folder {folder} is missing or unreadable"
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        return f"{rules_dir(data_dir) / 'current'}: {e}"
    return None


def active_dir(data_dir: Path) -> Path | None:
    """The folder of the active bundle, or None for the bundled signatures/."""
    version = read_pointer(data_dir).version
    if version is None:
        return None
    folder = bundles_dir(data_dir) / str(version)
    return folder if (folder / MANIFEST).is_file() else None


def version_of(folder: Path) -> str | None:
    """'7' if `folder` is an installed bundle's folder."""
    if folder.parent.name == "bundles" and folder.name.isdigit() and (folder / MANIFEST).is_file():
        return folder.name
    return None


def write_pointer(data_dir: Path, pointer: Pointer) -> None:
    folder = rules_dir(data_dir)
    doc = {
        "version": pointer.version,
        "highest": pointer.highest,
        "previous": pointer.previous,
        "switched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".current-")
    try:
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600: the service account must read it
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / "current")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def stage(bundle: Bundle, data_dir: Path) -> Path:
    """Unpack into a fresh hidden folder beside the installed ones (not yet visible)."""
    base = bundles_dir(data_dir)
    try:
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=base, prefix=f".staging-{bundle.version}-"))
        # readable by the service account when root runs `rules update` (the data folder's own
        # permissions keep others out); mkdtemp makes it 0700
        staging.chmod(0o755)
        bundle.write_to(staging)
        (staging / "bundle.minisig").write_text(bundle.signature, encoding="ascii")
    except OSError as e:
        raise BundleError("install", f"cannot unpack into {base}: {e}") from None
    return staging


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def commit(staging: Path, version: int, data_dir: Path) -> Pointer:
    """Move a checked staging folder into place and switch the pointer to it; prune old ones."""
    before = read_pointer(data_dir)
    final = bundles_dir(data_dir) / str(version)
    try:
        if final.exists():  # a leftover of an install that stopped half-way
            shutil.rmtree(final)
        os.rename(staging, final)
        pointer = Pointer(version, max(version, before.highest), before.version)
        write_pointer(data_dir, pointer)
    except OSError as e:
        discard(staging)
        raise BundleError("install", f"cannot install bundle {version}: {e}") from None
    prune(data_dir, pointer)
    return pointer


def rollback(data_dir: Path) -> tuple[int | None, int | None]:
    """Switch to the newest installed bundle older than the active one (or to the bundled
    signatures when there is none). Returns (from, to)."""
    with locked(data_dir):
        return _rollback(data_dir)


def _rollback(data_dir: Path) -> tuple[int | None, int | None]:
    pointer = read_pointer(data_dir)
    if pointer.version is None:
        raise BundleError("install", "no bundle is active: nothing to roll back")
    older = [v for v in installed(data_dir) if v < pointer.version]
    target = older[-1] if older else None
    rules_dir(data_dir).mkdir(parents=True, exist_ok=True)
    write_pointer(data_dir, Pointer(target, pointer.highest, pointer.version))
    return pointer.version, target


def prune(data_dir: Path, pointer: Pointer) -> None:
    keep = set(installed(data_dir)[-KEEP:]) | {pointer.version}
    for v in installed(data_dir):
        if v not in keep:
            shutil.rmtree(bundles_dir(data_dir) / str(v), ignore_errors=True)
    with contextlib.suppress(OSError):
        for name in os.listdir(bundles_dir(data_dir)):
            path = bundles_dir(data_dir) / name
            if name.startswith(".staging-") and time.time() - path.stat().st_mtime > 3600:
                shutil.rmtree(path, ignore_errors=True)  # left by a crash mid-install


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def locked(data_dir: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """One installer or rollback at a time per data folder (the agent's poller, `rules update`
    and `rules rollback` by hand). The lock goes with the process, so a crash leaves none."""
    try:
        rules_dir(data_dir).mkdir(parents=True, exist_ok=True)
        lock = rules_dir(data_dir) / ".update.lock"
        handle: IO[bytes]
        try:
            handle = open(lock, "a+b")  # noqa: SIM115 (held below)
        except PermissionError:  # made by another account: a shared lock needs no write access
            handle = open(lock, "rb")  # noqa: SIM115
    except OSError as e:
        raise BundleError("install", f"cannot lock {rules_dir(data_dir)}: {e}") from None
    with handle:
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise BundleError("install", "another rule update is still running here")
            time.sleep(0.1)  # a lock wait on another process, not a test synchronisation
        yield

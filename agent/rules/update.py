"""One rule update, start to end: fetch, verify, unpack, compile and test in a child, switch.

Any failure leaves the active rules as they were; the reason is one of `network`, `signature`,
`downgrade`, `archive` (a bad member, a hash that does not match the manifest), `incompatible`
(the bundle needs a newer agent), `compile`, `tests` or `install` (the data folder).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agent.config import Config, UpdateConfig
from agent.rules import bundle_store, minisign
from agent.rules.bundle import BundleError, check_signature, open_bundle
from agent.rules.bundle_check import check_in_child
from agent.rules.update_fetch import Source, SourceSettings, Validators

Status = Literal["installed", "current", "unchanged"]


@dataclass(frozen=True)
class Outcome:
    status: Status  # installed; current: the source holds the version we have; unchanged: 304
    previous: int | None = None
    version: int | None = None
    rules: int = 0
    files: int = 0
    tests: int = 0
    validators: Validators | None = None


def load_public_key(update: UpdateConfig) -> minisign.PublicKey:
    try:
        text = update.public_key
        if update.public_key_file:
            with open(update.public_key_file, encoding="utf-8") as f:
                text = f.read(4096)
        return minisign.parse_public_key(text)
    except (OSError, UnicodeDecodeError, minisign.MinisignError) as e:
        raise BundleError("signature", f"cannot read the public key: {e}") from None


def source_for(location: str, update: UpdateConfig) -> Source:
    return Source(SourceSettings(location, update.ca_file, update.proxy, update.timeout))


def update_once(
    source: Source,
    key: minisign.PublicKey,
    config: Config,
    *,
    validators: Validators | None = None,
    on_available: Callable[[int], None] | None = None,
) -> Outcome:
    """Install the source's bundle if it is newer than anything installed; BundleError if not
    possible (the active rules are untouched then)."""
    data_dir = config.agent.data_dir
    pointer = bundle_store.read_pointer(data_dir)
    signature, got = source.signature(validators)
    if signature is None:
        return Outcome("unchanged", pointer.version, pointer.version, validators=got)
    # The trusted comment is signed on its own: old versions are refused before any download.
    version, _ = check_signature(key, signature, None, 0)
    if version == pointer.highest:
        return Outcome("current", pointer.version, pointer.version, validators=got)
    check_signature(key, signature, None, pointer.highest)  # lower: a downgrade or a replay
    if on_available is not None:
        on_available(version)
    archive = source.archive()
    with bundle_store.locked(data_dir):
        pointer = bundle_store.read_pointer(data_dir)  # again: another installer may have won
        if version == pointer.highest:
            return Outcome("current", pointer.version, pointer.version, validators=got)
        bundle = open_bundle(archive, signature, key, highest=pointer.highest)
        staging = bundle_store.stage(bundle, data_dir)
        try:
            rc = config.rules
            checked = check_in_child(
                staging, rc.paths, default_rules=rc.default_rules, cache_dir=rc.cache_dir
            )
        except BaseException:
            bundle_store.discard(staging)
            raise
        bundle_store.commit(staging, version, data_dir)
    return Outcome(
        "installed",
        pointer.version,
        version,
        checked.rules,
        checked.files,
        checked.tests,
        validators=got,
    )

"""Fetching a bundle and its signature from an HTTPS URL or a folder (a local disk, SMB or NFS).

The signature is fetched first, with a conditional GET (If-None-Match / If-Modified-Since; for
a folder: size and mtime), so an idle poll moves a few hundred bytes; the archive only when the
signed version is new. Every read is bounded in bytes and in total time, so a slow or hostile
server costs at most `timeout` seconds and MAX_ARCHIVE bytes per poll.
"""

from __future__ import annotations

import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from agent.rules.bundle import BUNDLE_NAME, MAX_ARCHIVE, MAX_SIGNATURE, BundleError

Validators = dict[str, str]


@dataclass(frozen=True)
class SourceSettings:
    location: str  # https://... or http://... or a path (a file, or a folder holding BUNDLE_NAME)
    ca_file: str = ""
    proxy: str = ""
    timeout: float = 30.0  # seconds for one whole download, connect included


def redact(location: str) -> str:
    """For events: no query string (pre-signed bucket URLs carry credentials there)."""
    parts = urllib.parse.urlsplit(location)
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return urllib.parse.urlunsplit((parts.scheme, host + port, parts.path, "", ""))
    return location


def _read_capped(stream: BinaryIO, cap: int, deadline: float, what: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise BundleError("network", f"{what}: too slow (time limit reached)")
        chunk = stream.read(min(65536, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise BundleError("network", f"{what}: larger than {cap} bytes")


class Source:
    """Where bundles come from; `signature()` then, if it is new, `archive()`."""

    def __init__(self, settings: SourceSettings) -> None:
        self.settings = settings
        loc = settings.location
        scheme = urllib.parse.urlsplit(loc).scheme.lower()
        self.http = scheme in ("http", "https")
        if loc.startswith("file://"):
            loc, scheme = urllib.parse.unquote(urllib.parse.urlsplit(loc).path), ""
        if not self.http and len(scheme) > 1:  # a drive letter is a one-letter "scheme"
            raise BundleError("network", f"unsupported bundle location {redact(loc)!r}")
        if self.http:
            self.archive_url = loc + BUNDLE_NAME if loc.endswith("/") else loc
            split = urllib.parse.urlsplit(self.archive_url)
            self.signature_url = urllib.parse.urlunsplit(
                (split.scheme, split.netloc, split.path + ".minisig", split.query, "")
            )
            self._opener = self._make_opener()
        else:
            path = Path(loc)
            self.archive_path = path / BUNDLE_NAME if path.is_dir() else path
            self.signature_path = Path(f"{self.archive_path}.minisig")

    def _make_opener(self) -> urllib.request.OpenerDirector:
        context = ssl.create_default_context(cafile=self.settings.ca_file or None)
        proxy = self.settings.proxy
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPSHandler(context=context)]
        if proxy:
            handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
        return urllib.request.build_opener(*handlers)

    def describe(self) -> str:
        return redact(self.archive_url) if self.http else str(self.archive_path)

    def signature(self, validators: Validators | None) -> tuple[str | None, Validators]:
        """The signature text, or None if unchanged since `validators`; and the new validators."""
        if self.http:
            headers = {}
            if validators and validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators and validators.get("last-modified"):
                headers["If-Modified-Since"] = validators["last-modified"]
            data, got = self._get(self.signature_url, headers, MAX_SIGNATURE, "signature")
        else:
            data, got = self._read_file(self.signature_path, MAX_SIGNATURE, validators)
        if data is None:
            return None, validators or {}
        try:
            return data.decode("utf-8"), got
        except UnicodeDecodeError:
            raise BundleError("signature", "signature file is not text") from None

    def archive(self) -> bytes:
        if self.http:
            data, _ = self._get(self.archive_url, {}, MAX_ARCHIVE, "bundle")
        else:
            data, _ = self._read_file(self.archive_path, MAX_ARCHIVE, None)
        assert data is not None  # unconditional
        return data

    def _get(
        self, url: str, headers: dict[str, str], cap: int, what: str
    ) -> tuple[bytes | None, Validators]:
        timeout = self.settings.timeout
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(url, headers={"User-Agent": "webshell-agent", **headers})
        try:
            with self._opener.open(request, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > cap:
                    raise BundleError("network", f"{what}: {length} bytes is over the {cap} cap")
                data = _read_capped(response, cap, deadline, what)
                if length is not None and length.isdigit() and len(data) != int(length):
                    raise BundleError(
                        "network", f"{what}: truncated ({len(data)} of {length} bytes)"
                    )
                got = {
                    k: v
                    for k in ("etag", "last-modified")
                    if (v := response.headers.get(k)) is not None
                }
                return data, got
        except urllib.error.HTTPError as e:
            if e.code == 304:
                return None, {}
            raise BundleError("network", f"{what}: HTTP {e.code} from {redact(url)}") from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            raise BundleError("network", f"{what}: {redact(url)}: {reason}") from None

    @staticmethod
    def _read_file(
        path: Path, cap: int, validators: Validators | None
    ) -> tuple[bytes | None, Validators]:
        try:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                got = {"etag": f"{st.st_size}-{st.st_mtime_ns}"}
                if validators and validators.get("etag") == got["etag"]:
                    return None, got
                if st.st_size > cap:
                    raise BundleError("network", f"{path}: larger than {cap} bytes")
                data = f.read(cap + 1)
        except OSError as e:
            raise BundleError("network", f"cannot read {path}: {e.strerror or e}") from None
        if len(data) > cap:
            raise BundleError("network", f"{path}: larger than {cap} bytes")
        return data, got

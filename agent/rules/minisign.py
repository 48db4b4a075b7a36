"""The minisign file formats (https://jedisct1.github.io/minisign/), written from the spec.

Public key: `Ed` + key id (8 bytes) + Ed25519 public key (32), base64, under an untrusted
comment line. Signature file: untrusted comment, base64 of algorithm (`ED`: the signature is over
BLAKE2b-512 of the file; legacy `Ed`: over the file itself) + key id + signature (64), then
`trusted comment: ...` and base64 of a global signature over (signature + trusted comment), so
the trusted comment cannot be changed without the secret key. Secret key: `Ed`, KDF (`Sc` =
scrypt-encrypted, two zero bytes = not encrypted), `B2`, salt, opslimit, memlimit, then key id +
secret key (64) + BLAKE2b-256 checksum, XORed with the scrypt output when encrypted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import struct
from dataclasses import dataclass

# cryptography is imported where a key is used: it costs ~7 MB of RSS, and an idle agent with no
# [rules.update] never signs or verifies anything.

UNTRUSTED = "untrusted comment: "
TRUSTED = "trusted comment: "
_MAX_COMMENT = 1024  # minisign's own limit on a comment line
_SK_BYTES = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32


class MinisignError(ValueError):
    """A key or signature that is malformed, or does not verify."""


class NeedsPassword(MinisignError):
    """The secret key is scrypt-encrypted and no password was given."""


@dataclass(frozen=True)
class PublicKey:
    key_id: bytes  # 8 bytes, shown as a little-endian hex number
    raw: bytes  # 32-byte Ed25519 public key

    @property
    def key_id_hex(self) -> str:
        return f"{struct.unpack('<Q', self.key_id)[0]:016X}"

    def encode(self) -> str:
        return base64.b64encode(b"Ed" + self.key_id + self.raw).decode("ascii")

    def file_text(self) -> str:
        return f"{UNTRUSTED}minisign public key {self.key_id_hex}\n{self.encode()}\n"


@dataclass(frozen=True)
class SecretKey:
    key_id: bytes
    seed: bytes  # 32-byte Ed25519 seed (libsodium keeps seed + public key as its 64-byte key)

    def public(self) -> PublicKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        raw = (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        return PublicKey(self.key_id, raw)

    def file_text(self) -> str:
        """The unencrypted secret key file (`minisign -G -W` writes the same)."""
        sk = self.seed + self.public().raw
        checksum = hashlib.blake2b(b"Ed" + self.key_id + sk, digest_size=32).digest()
        blob = b"Ed" + b"\0\0" + b"B2" + bytes(32) + bytes(16) + self.key_id + sk + checksum
        body = base64.b64encode(blob).decode("ascii")
        return f"{UNTRUSTED}minisign secret key (not encrypted)\n{body}\n"


@dataclass(frozen=True)
class Signature:
    algorithm: bytes  # b"ED" (prehashed) or b"Ed" (legacy)
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes

    def file_text(self, untrusted: str = "signature from webshell-agent secret key") -> str:
        sig = base64.b64encode(self.algorithm + self.key_id + self.signature).decode("ascii")
        glob = base64.b64encode(self.global_signature).decode("ascii")
        return f"{UNTRUSTED}{untrusted}\n{sig}\n{TRUSTED}{self.trusted_comment}\n{glob}\n"


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MinisignError(f"{what}: not base64") from None


def _lines(text: str, what: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if any(len(line) > _MAX_COMMENT + len(TRUSTED) for line in lines):
        raise MinisignError(f"{what}: a line is too long")
    return lines


def parse_public_key(text: str) -> PublicKey:
    """A public key file, or just its base64 line (what `minisign -P` takes)."""
    lines = [ln for ln in _lines(text.strip(), "public key") if ln.strip()]
    if len(lines) == 2 and lines[0].startswith(UNTRUSTED):
        lines = lines[1:]
    if len(lines) != 1:
        raise MinisignError("public key: expected one base64 line (or a minisign .pub file)")
    blob = _b64(lines[0], "public key")
    if len(blob) != 42 or blob[:2] != b"Ed":
        raise MinisignError("public key: not an Ed25519 minisign key")
    return PublicKey(blob[2:10], blob[10:])


def _scrypt_params(opslimit: int, memlimit: int) -> tuple[int, int, int]:
    """libsodium's pickparams for crypto_pwhash_scryptsalsa208sha256: (N, r, p)."""
    opslimit = max(opslimit, 32768)
    r = 8
    if opslimit < memlimit // 32:
        p = 1
        max_n = opslimit // (r * 4)
        n_log2 = next(i for i in range(1, 63) if (1 << i) > max_n // 2)
    else:
        max_n = memlimit // (r * 128)
        n_log2 = next(i for i in range(1, 63) if (1 << i) > max_n // 2)
        max_rp = min((opslimit // 4) // (1 << n_log2), 0x3FFFFFFF)
        p = max(1, max_rp // r)
    return 1 << n_log2, r, p


def parse_secret_key(text: str, password: bytes | None = None) -> SecretKey:
    lines = [ln for ln in _lines(text.strip(), "secret key") if ln.strip()]
    if len(lines) == 2 and lines[0].startswith(UNTRUSTED):
        lines = lines[1:]
    if len(lines) != 1:
        raise MinisignError("secret key: expected a minisign secret key file")
    blob = _b64(lines[0], "secret key")
    if len(blob) != _SK_BYTES or blob[:2] != b"Ed" or blob[4:6] != b"B2":
        raise MinisignError("secret key: not an Ed25519 minisign secret key")
    kdf, salt = blob[2:4], blob[6:38]
    opslimit, memlimit = struct.unpack("<QQ", blob[38:54])
    keynum = blob[54:]
    if kdf == b"Sc":
        if password is None:
            raise NeedsPassword("secret key is encrypted: a password is needed")
        if memlimit > 2 << 30:
            raise MinisignError("secret key: scrypt memory limit above 2 GiB")
        n, r, p = _scrypt_params(opslimit, memlimit)
        stream = hashlib.scrypt(
            password, salt=salt, n=n, r=r, p=p, maxmem=130 * r * n + (1 << 20), dklen=len(keynum)
        )
        keynum = bytes(a ^ b for a, b in zip(keynum, stream, strict=True))
    elif kdf != b"\0\0":
        raise MinisignError("secret key: unknown key derivation")
    key_id, sk, checksum = keynum[:8], keynum[8:72], keynum[72:]
    expected = hashlib.blake2b(b"Ed" + key_id + sk, digest_size=32).digest()
    # minisign -W writes a zero checksum for an unencrypted key; the public-half test below
    # still catches a corrupted one.
    if not hmac.compare_digest(checksum, expected) and (kdf == b"Sc" or any(checksum)):
        raise MinisignError("secret key: wrong password or corrupted key")
    key = SecretKey(key_id, sk[:32])
    if key.public().raw != sk[32:]:
        raise MinisignError("secret key: corrupted (public half does not match)")
    return key


def parse_signature(text: str) -> Signature:
    lines = _lines(text, "signature")
    if len(lines) != 4 or not lines[0].startswith(UNTRUSTED) or not lines[2].startswith(TRUSTED):
        raise MinisignError("signature: not a minisign signature file (4 lines expected)")
    blob = _b64(lines[1], "signature")
    if len(blob) != 74 or blob[:2] not in (b"ED", b"Ed"):
        raise MinisignError("signature: unsupported algorithm or length")
    glob = _b64(lines[3], "global signature")
    if len(glob) != 64:
        raise MinisignError("signature: global signature has the wrong length")
    return Signature(blob[:2], blob[2:10], blob[10:], lines[2][len(TRUSTED) :], glob)


def generate() -> SecretKey:
    return SecretKey(secrets.token_bytes(8), secrets.token_bytes(32))


def _prehash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=64).digest()


def sign(key: SecretKey, data: bytes, trusted_comment: str) -> Signature:
    if "\n" in trusted_comment or "\r" in trusted_comment or len(trusted_comment) > _MAX_COMMENT:
        raise MinisignError("trusted comment: one line of at most 1024 characters")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(key.seed)
    sig = private.sign(_prehash(data))
    glob = private.sign(sig + trusted_comment.encode("utf-8"))
    return Signature(b"ED", key.key_id, sig, trusted_comment, glob)


def verify_comment(key: PublicKey, sig: Signature) -> str:
    """The trusted comment, once the global signature proves it came with the key's signature.

    Needs no file: a poller can read a signed version before it downloads anything else."""
    if not hmac.compare_digest(sig.key_id, key.key_id):
        raise MinisignError(
            f"signature is by key {struct.unpack('<Q', sig.key_id)[0]:016X}, "
            f"not the trusted key {key.key_id_hex}"
        )
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(key.raw)
    try:
        public.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode("utf-8"))
    except InvalidSignature:
        raise MinisignError("the trusted comment does not verify") from None
    return sig.trusted_comment


def verify(key: PublicKey, sig: Signature, data: bytes) -> str:
    """Check the signature over exactly `data` and the trusted comment; return the comment."""
    comment = verify_comment(key, sig)
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(key.raw)
    try:
        public.verify(sig.signature, _prehash(data) if sig.algorithm == b"ED" else data)
    except InvalidSignature:
        raise MinisignError("signature does not match the file") from None
    return comment


def write_private(path: os.PathLike[str] | str, text: str) -> None:
    """Create a file readable by its owner only; never overwrite an existing key."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text)

"""The issuer's Ed25519 signing keys, kept in a directory outside the repository.

Layout of ``SIGNING_KEY_DIR`` (default ``instance/keys``; directory 0700, files 0600)::

    signing-key.pem     the current private key (PKCS #8), used for every new signature
    public-keys.json    every public key ever used, oldest first, with when it was retired
    .lock               taken while a key is created or rotated

The first signature creates a key. :meth:`KeyStore.rotate` makes a new one and retires the old:
its private half is discarded (it can sign nothing more) while its public half stays published,
so every credential signed before the rotation still verifies. Several processes may share the
directory; the lock makes sure they agree on one key. On several hosts, share the directory (or
copy it to each host after a rotation).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from academy.domain.data_integrity import key_from_multikey, multikey, timestamp

log = logging.getLogger(__name__)

PRIVATE_FILE = "signing-key.pem"
PUBLIC_FILE = "public-keys.json"
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class PublishedKey:
    """A public key the issuer vouches for; ``key_id`` is its Multikey (``z6Mk...``)."""

    key_id: str
    created: str
    retired: str | None

    @property
    def public_key(self) -> Ed25519PublicKey:
        return key_from_multikey(self.key_id)


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey


class KeyStore:
    """Signing keys in ``directory``, created on first use."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    # --- reading ---------------------------------------------------------------------------------

    def published(self) -> list[PublishedKey]:
        """Every public key, oldest first (empty before the first key is made)."""
        path = self.directory / PUBLIC_FILE
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["keys"]
        except FileNotFoundError:
            return []
        return [PublishedKey(e["id"], e["created"], e.get("retired")) for e in entries]

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The published key with this id, or None."""
        for key in self.published():
            if key.key_id == key_id:
                return key.public_key
        return None

    def signing_key(self) -> SigningKey:
        """The current private key, made now if there is none yet."""
        existing = self._load_private()
        if existing is not None:
            return existing
        with self._locked():
            existing = self._load_private()  # another process may have made it meanwhile
            if existing is not None:
                return existing
            return self._install_new_key()

    # --- changing --------------------------------------------------------------------------------

    def rotate(self) -> tuple[str | None, str]:
        """Retire the current key (if any) and start signing with a new one: (old id, new id)."""
        with self._locked():
            old = self._load_private()
            new = self._install_new_key()
        log.warning("signing key rotated: %s -> %s", old.key_id if old else None, new.key_id)
        return (old.key_id if old else None, new.key_id)

    # --- internals -------------------------------------------------------------------------------

    def _install_new_key(self) -> SigningKey:
        """Publish a new key's public half, then make it the signing key (lock held)."""
        private = Ed25519PrivateKey.generate()
        key_id = multikey(private.public_key())
        now = timestamp(datetime.now(UTC))
        keys = [
            {"id": k.key_id, "created": k.created, "retired": k.retired or now} for k in self.published()
        ]
        keys.append({"id": key_id, "created": now, "retired": None})
        # Public first: a signature must never exist before its key is published.
        self._write(PUBLIC_FILE, json.dumps({"keys": keys}, indent=2).encode("utf-8"))
        self._write(PRIVATE_FILE, private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        log.warning("new signing key %s created in %s", key_id, self.directory)
        return SigningKey(key_id, private)

    def _load_private(self) -> SigningKey | None:
        path = self.directory / PRIVATE_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            log.warning("%s was readable by others; restricting it to its owner", path)
            path.chmod(0o600)
        private = load_pem_private_key(data, password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise RuntimeError(f"{path} does not hold an Ed25519 private key")
        return SigningKey(multikey(private.public_key()), private)

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._ensure_directory()
        fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _write(self, name: str, data: bytes) -> None:
        """Replace ``name`` atomically with a file only its owner can read."""
        target = self.directory / name
        temporary = target.with_name(f".{name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, target)

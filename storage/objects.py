"""Object store: originals kept once by content, derived files by document.

Two backends speak the same interface: a local folder (the embedded default) and any S3 server
(MinIO in production, SeaweedFS in tests) through the `minio` client, in `storage.s3`.

With a keyring (`storage.crypto`), every object is encrypted before it leaves the process and
decrypted after it is read, inside the store: callers see plaintext bytes, sizes and sha256s
only, and never know whether an object is encrypted. Without one, objects are stored as they
are (the embedded default); an encrypted object then cannot be read, and says why.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.settings import Settings
from storage.claimant import holder_name, is_dead
from storage.crypto import (
    HEADER_MAX,
    EnvelopeError,
    Header,
    Keyring,
    KeyringError,
    UnknownKeyError,
    parse_header,
    plaintext_size,
)


class ObjectStoreError(Exception):
    """The store could not be reached or did not answer as expected (transient: retry)."""


class ObjectIntegrityError(ObjectStoreError):
    """An object's bytes do not match the size or sha256 they were stored with."""


class ObjectKeyError(ObjectStoreError):
    """An encrypted object cannot be opened with the keys configured (none, or not its key)."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """What is known of a stored object without reading it all."""

    key: str
    size: int  # of the plaintext, as put_bytes was given it
    stored_size: int  # of the bytes at rest (header and tag added when encrypted)
    key_id: str | None  # the key its data key is wrapped with; None: stored in plaintext

    @property
    def encrypted(self) -> bool:
        return self.key_id is not None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_key(sha256: str) -> str:
    """Originals are addressed by content, so identical bytes are stored once."""
    return f"originals/{sha256}"


def derived_key(document_id: int, name: str) -> str:
    return f"derived/{document_id}/{name}"


class ObjectStore(ABC):
    """What the pipeline needs of an object store."""

    keyring: Keyring | None = None  # encrypts what is put; None: objects stored in plaintext

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream",
                  ) -> StoredObject:
        """Store `data` under `key` and verify what was stored (size and sha256)."""

    @abstractmethod
    def get_bytes(self, key: str, expect_sha256: str | None = None) -> bytes:
        """Read an object; with `expect_sha256`, raise ObjectIntegrityError on a mismatch."""

    @abstractmethod
    def info(self, key: str) -> ObjectInfo | None:
        """Size and key id of an object, or None when it does not exist."""

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under `prefix`."""

    @abstractmethod
    def location(self) -> str:
        """Where the objects are, for people (a folder or an s3:// address)."""

    @abstractmethod
    def _read_stored(self, key: str) -> tuple[bytes, object]:
        """The bytes at rest, and a token that changes when the object is replaced."""

    @abstractmethod
    def _replace_stored(self, key: str, blob: bytes, token: object, size: int) -> None:
        """Atomically replace the bytes at rest of an object holding `size` plaintext bytes,
        unless it changed since it was read with `token` (then ObjectStoreError)."""

    @property
    def encrypted(self) -> bool:
        """Whether new objects are encrypted at rest."""
        return self.keyring is not None

    def stat(self, key: str) -> int | None:
        """The object's size (of its plaintext), or None when it does not exist."""
        info = self.info(key)
        return None if info is None else info.size

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def remove_partial_writes(self) -> list[str]:
        """Remove what writers that died left half-written; returns what was removed. An S3
        put is atomic and leaves nothing behind, so only a local folder has anything to do."""
        return []

    def put_original(self, data: bytes) -> tuple[StoredObject, bool]:
        """Keep an original once by content. Returns the object and whether it was new.

        An object already under the content address is kept when it holds as many bytes (its
        key says its sha256; reads check it). With a keyring, a plaintext one left from before
        encryption was turned on is replaced by its encrypted form."""
        digest = sha256_hex(data)
        key = original_key(digest)
        try:
            info = self.info(key)
        except ObjectIntegrityError:
            info = None  # a broken object under the content address: write it again
        if info is not None and info.size == len(data) and (info.encrypted or not self.encrypted):
            return StoredObject(key, len(data), digest), False
        return self.put_bytes(key, data), info is None

    def reseal(self, key: str) -> str:
        """Bring one object onto the keyring's current key. Only the header of an encrypted
        object changes (its data key wrapped again); a plaintext one is encrypted.

        Returns "current" (nothing to do), "rewrapped" or "encrypted"."""
        if self.keyring is None:
            raise ObjectKeyError("no encryption key is configured: set HOSO_ENCRYPTION_KEY_FILE")
        info = self.info(key)
        if info is None:
            raise ObjectIntegrityError(f"{key}: object is missing from {self.location()}")
        if info.key_id == self.keyring.current:
            return "current"
        blob, token = self._read_stored(key)
        header = self._header(key, blob)
        if header is not None and header.key_id == self.keyring.current:
            return "current"
        try:
            sealed = (self.keyring.seal(key, blob) if header is None
                      else self.keyring.rewrap(key, blob))
        except EnvelopeError as exc:
            raise self._envelope_error(key, exc) from exc
        self._replace_stored(key, sealed, token, plaintext_size(len(blob), header))
        return "encrypted" if header is None else "rewrapped"

    def _seal(self, key: str, data: bytes) -> bytes:
        return data if self.keyring is None else self.keyring.seal(key, data)

    def _unseal(self, key: str, blob: bytes) -> bytes:
        """The plaintext of stored bytes: decrypted when they are an envelope."""
        header = self._header(key, blob)
        if header is None:
            return blob
        if self.keyring is None:
            raise ObjectKeyError(
                f"{key} is encrypted (key id {header.key_id!r}) but no encryption key is "
                "configured: set HOSO_ENCRYPTION_KEY_FILE to the key file (or HOSO_ENCRYPTION_KEY)")
        try:
            return self.keyring.open(key, blob)
        except EnvelopeError as exc:
            raise self._envelope_error(key, exc) from exc

    def _header(self, key: str, head: bytes) -> Header | None:
        try:
            return parse_header(head[:HEADER_MAX])
        except EnvelopeError as exc:
            raise self._envelope_error(key, exc) from exc

    def _envelope_error(self, key: str, exc: EnvelopeError) -> ObjectStoreError:
        if isinstance(exc, UnknownKeyError):
            return ObjectKeyError(str(exc))
        return ObjectIntegrityError(f"{key}: {exc} (at {self.location()})")

    @staticmethod
    def _check(key: str, data: bytes, expect_sha256: str | None) -> bytes:
        if expect_sha256 is not None and sha256_hex(data) != expect_sha256:
            raise ObjectIntegrityError(f"{key}: content does not match its sha256 {expect_sha256}")
        return data


class LocalStore(ObjectStore):
    """Objects as files under one folder. Writes are atomic: temp file, fsync, rename."""

    def __init__(self, root: Path, keyring: Keyring | None = None) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.keyring = keyring

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"object key escapes the store: {key!r}")
        return path

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream",
                  ) -> StoredObject:
        path = self._path(key)
        self._write(key, path, self._seal(key, data))  # only ciphertext reaches the disk
        return StoredObject(key, len(data), sha256_hex(data))

    def _write(self, key: str, path: Path, blob: bytes, token: object = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = sha256_hex(blob)
        # The partial file is named for its writer, so a later run can tell one that died.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{_writer()}.",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
            # Verify what reached the disk before it takes the real name.
            if sha256_hex(Path(tmp).read_bytes()) != digest:
                raise ObjectIntegrityError(f"{key}: written bytes differ from the input")
            if token is not None and _version(path) != token:
                raise ObjectStoreError(f"{key} changed while it was being re-encrypted: "
                                       "run the command again")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def get_bytes(self, key: str, expect_sha256: str | None = None) -> bytes:
        blob, _ = self._read_stored(key)
        return self._check(key, self._unseal(key, blob), expect_sha256)

    def info(self, key: str) -> ObjectInfo | None:
        try:
            with self._path(key).open("rb") as fh:
                head = fh.read(HEADER_MAX)
                stored = os.fstat(fh.fileno()).st_size
        except FileNotFoundError:
            return None
        header = self._header(key, head)
        return ObjectInfo(key, plaintext_size(stored, header), stored,
                          header.key_id if header else None)

    def _read_stored(self, key: str) -> tuple[bytes, object]:
        path = self._path(key)
        try:
            with path.open("rb") as fh:
                token = _version_of(os.fstat(fh.fileno()))
                return fh.read(), token
        except FileNotFoundError as exc:
            raise ObjectIntegrityError(f"{key}: object is missing from {self.root}") from exc

    def _replace_stored(self, key: str, blob: bytes, token: object, size: int) -> None:
        self._write(key, self._path(key), blob, token)

    def keys(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".tmp"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def location(self) -> str:
        return str(self.root)

    def remove_partial_writes(self) -> list[str]:
        """Remove the partial files (`.<name>.<writer>.<random>.tmp`) of writers known to be
        dead (see storage.claimant), or older than a day whoever wrote them: no write takes
        that long. A live writer's partial file is left alone."""
        removed = []
        cutoff = time.time() - PARTIAL_WRITE_MAX_AGE_S
        for path in sorted(self.root.rglob(".*.tmp")):
            parts = path.name[:-len(".tmp")].rsplit(".", 2)
            writer = parts[1] if len(parts) == 3 else ""
            try:
                stale = path.stat().st_mtime < cutoff
            except FileNotFoundError:
                continue  # its writer finished meanwhile
            if stale or is_dead(writer):
                path.unlink(missing_ok=True)
                removed.append(path.relative_to(self.root).as_posix())
        return removed


PARTIAL_WRITE_MAX_AGE_S = 24 * 3600


def _writer() -> str:
    """This process as a claim names it, without the dots of the host name (dots split the
    partial file's name; whether a writer is dead does not depend on its host)."""
    return holder_name("").replace(".", "_")


def _version_of(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _version(path: Path) -> tuple[int, int, int] | None:
    try:
        return _version_of(path.stat())
    except FileNotFoundError:
        return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_store(settings: Settings) -> ObjectStore:
    """The store the settings name, encrypting with the keyring they name.

    Production keeps objects on S3: there, no key is a mistake unless explicitly allowed."""
    keyring = Keyring.from_settings(settings)
    if settings.object_store == "s3":
        if keyring is None and not settings.allow_unencrypted:
            raise KeyringError(
                "the S3 object store would keep dossiers unencrypted: set "
                "HOSO_ENCRYPTION_KEY_FILE (create one with `hoso keys generate FILE`) or "
                "HOSO_ENCRYPTION_KEY; to run unencrypted anyway, set HOSO_ALLOW_UNENCRYPTED=true")
        from storage.s3 import S3Store

        return S3Store.from_settings(settings, keyring)
    return LocalStore(settings.objects_path, keyring)

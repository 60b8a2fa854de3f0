"""Object store: originals kept once by content, derived files by document.

Two backends speak the same interface: a local folder (the embedded default) and any S3 server
(MinIO in production, SeaweedFS in tests) through the `minio` client, in `storage.s3`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.settings import Settings


class ObjectStoreError(Exception):
    """The store could not be reached or did not answer as expected (transient: retry)."""


class ObjectIntegrityError(ObjectStoreError):
    """An object's bytes do not match the size or sha256 they were stored with."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_key(sha256: str) -> str:
    """Originals are addressed by content, so identical bytes are stored once."""
    return f"originals/{sha256}"


def derived_key(document_id: int, name: str) -> str:
    return f"derived/{document_id}/{name}"


class ObjectStore(ABC):
    """What the pipeline needs of an object store."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream",
                  ) -> StoredObject:
        """Store `data` under `key` and verify what was stored (size and sha256)."""

    @abstractmethod
    def get_bytes(self, key: str, expect_sha256: str | None = None) -> bytes:
        """Read an object; with `expect_sha256`, raise ObjectIntegrityError on a mismatch."""

    @abstractmethod
    def stat(self, key: str) -> int | None:
        """The object's size, or None when it does not exist."""

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under `prefix`."""

    @abstractmethod
    def location(self) -> str:
        """Where the objects are, for people (a folder or an s3:// address)."""

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def put_original(self, data: bytes) -> tuple[StoredObject, bool]:
        """Keep an original once by content. Returns the object and whether it was new."""
        digest = sha256_hex(data)
        key = original_key(digest)
        size = self.stat(key)
        if size == len(data):
            return StoredObject(key, size, digest), False
        return self.put_bytes(key, data), True

    @staticmethod
    def _check(key: str, data: bytes, expect_sha256: str | None) -> bytes:
        if expect_sha256 is not None and sha256_hex(data) != expect_sha256:
            raise ObjectIntegrityError(f"{key}: content does not match its sha256 {expect_sha256}")
        return data


class LocalStore(ObjectStore):
    """Objects as files under one folder. Writes are atomic: temp file, fsync, rename."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"object key escapes the store: {key!r}")
        return path

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream",
                  ) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = sha256_hex(data)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            # Verify what reached the disk before it takes the real name.
            if sha256_hex(Path(tmp).read_bytes()) != digest:
                raise ObjectIntegrityError(f"{key}: written bytes differ from the input")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)
        return StoredObject(key, len(data), digest)

    def get_bytes(self, key: str, expect_sha256: str | None = None) -> bytes:
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectIntegrityError(f"{key}: object is missing from {self.root}") from exc
        return self._check(key, data, expect_sha256)

    def stat(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def keys(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".tmp"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def location(self) -> str:
        return str(self.root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_store(settings: Settings) -> ObjectStore:
    """The store the settings name."""
    if settings.object_store == "s3":
        from storage.s3 import S3Store

        return S3Store.from_settings(settings)
    return LocalStore(settings.objects_path)

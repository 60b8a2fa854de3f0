"""The S3 backend of the object store: MinIO, SeaweedFS or any S3 server, through `minio`."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import certifi
import urllib3
from minio import Minio
from minio.error import MinioException, S3Error

from schemas.settings import Settings
from storage.crypto import Keyring
from storage.objects import (
    ObjectInfo,
    ObjectIntegrityError,
    ObjectStore,
    ObjectStoreError,
    StoredObject,
    sha256_hex,
)

# Objects up to this size go up in one PUT, whose ETag is the MD5 of the bytes and so verifies
# the upload; larger ones go in parts of this size (their ETag is not a plain MD5).
PART_SIZE = 64 * 1024 * 1024
SHA256_META = "sha256"  # stored as x-amz-meta-sha256 (plaintext objects only)
# Encrypted objects carry their key id and plaintext size instead (no plaintext digest: the
# envelope authenticates the content), and the content type of opaque bytes.
KEY_ID_META = "hoso-key-id"
SIZE_META = "hoso-size"
SEALED_TYPE = "application/octet-stream"


class S3Store(ObjectStore):
    """Objects in one bucket of an S3 server. Every failure to reach or use the server is an
    ObjectStoreError naming the server and bucket, so the pipeline can retry it."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, *,
                 secure: bool = False, region: str | None = None,
                 connect_timeout: float = 2.0, read_timeout: float = 15.0, retries: int = 2,
                 keyring: Keyring | None = None) -> None:
        endpoint, secure = _split_endpoint(endpoint, secure)
        self.keyring = keyring
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        # minio's default client waits 5 minutes per attempt and retries 5 times; a dead server
        # must fail in seconds so the pipeline's own retry (with backoff) takes over.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            retries=urllib3.Retry(total=retries, connect=1, backoff_factor=0.2,
                                  status_forcelist=[500, 502, 503, 504]),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
        self.client = Minio(endpoint, access_key=access_key or None, secret_key=secret_key or None,
                            secure=secure, region=region, http_client=http)
        self._ensure_bucket(region)

    @classmethod
    def from_settings(cls, settings: Settings, keyring: Keyring | None = None) -> S3Store:
        return cls(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                   settings.s3_bucket, secure=settings.s3_secure, region=settings.s3_region,
                   keyring=keyring)

    def _ensure_bucket(self, region: str | None) -> None:
        with self._failures("checking the bucket"):
            if self.client.bucket_exists(self.bucket):
                return
            try:
                self.client.make_bucket(self.bucket, location=region)
            except S3Error as exc:
                # Another process created it between the check and the create.
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream",
                  ) -> StoredObject:
        digest = sha256_hex(data)
        if self.keyring is None:
            self._put_blob(key, data, content_type, {SHA256_META: digest})
        else:  # only ciphertext leaves the process
            self._put_blob(key, self.keyring.seal(key, data), SEALED_TYPE,
                           {KEY_ID_META: self.keyring.current, SIZE_META: str(len(data))})
        return StoredObject(key, len(data), digest)

    def _put_blob(self, key: str, blob: bytes, content_type: str, metadata: dict[str, str],
                  ) -> None:
        """Upload, then verify what the server kept: size, metadata, and (single-part) MD5."""
        with self._failures(f"storing {key}"):
            self.client.put_object(self.bucket, key, io.BytesIO(blob), len(blob),
                                   content_type=content_type, metadata=metadata,
                                   part_size=PART_SIZE)
            stat = self.client.stat_object(self.bucket, key)
        kept = stat.metadata or {}
        problem = None
        if stat.size != len(blob):
            problem = f"stored {stat.size} bytes instead of {len(blob)}"
        elif any(kept.get(f"x-amz-meta-{name}") != value for name, value in metadata.items()):
            problem = "stored metadata differs from what was sent"
        elif len(blob) <= PART_SIZE and (stat.etag or "").strip('"') != _md5_hex(blob):
            problem = f"ETag {stat.etag} is not the MD5 of the data"
        if problem:
            # A bad object under a content address would be trusted later by put_original.
            self._remove_quietly(key)
            raise ObjectIntegrityError(f"{key}: {problem} at {self.location()}")

    def get_bytes(self, key: str, expect_sha256: str | None = None) -> bytes:
        blob, (_, recorded) = self._get(key)
        data = self._unseal(key, blob)
        # Without an expectation, still check against the sha256 recorded at upload.
        return self._check(key, data, expect_sha256 or (recorded if data is blob else None))

    def _get(self, key: str) -> tuple[bytes, tuple[str, str | None]]:
        """The stored bytes, their ETag and the plaintext sha256 recorded with them, if any."""
        response = None
        try:
            with self._failures(f"reading {key}"):
                try:
                    response = self.client.get_object(self.bucket, key)
                except S3Error as exc:
                    if exc.code == "NoSuchKey":
                        raise ObjectIntegrityError(
                            f"{key}: object is missing from {self.location()}") from exc
                    raise
                data = response.read()
                etag = (response.headers.get("ETag") or "").strip('"')
                stored = response.headers.get(f"x-amz-meta-{SHA256_META}")
        finally:
            if response is not None:
                response.close()
                response.release_conn()
        return data, (etag, stored)

    def info(self, key: str) -> ObjectInfo | None:
        with self._failures(f"looking up {key}"):
            try:
                stat = self.client.stat_object(self.bucket, key)
            except S3Error as exc:
                if exc.code == "NoSuchKey":
                    return None
                raise
        meta = stat.metadata or {}
        key_id, size = meta.get(f"x-amz-meta-{KEY_ID_META}"), meta.get(f"x-amz-meta-{SIZE_META}")
        if key_id and size and size.isdigit():
            return ObjectInfo(key, int(size), stat.size or 0, key_id)
        return ObjectInfo(key, stat.size or 0, stat.size or 0, None)

    def _read_stored(self, key: str) -> tuple[bytes, object]:
        blob, (etag, recorded) = self._get(key)
        if self._header(key, blob) is None:
            self._check(key, blob, recorded)  # never seal plaintext that is already damaged
        return blob, etag

    def _replace_stored(self, key: str, blob: bytes, token: object, size: int) -> None:
        assert self.keyring is not None
        with self._failures(f"looking up {key}"):
            etag = (self.client.stat_object(self.bucket, key).etag or "").strip('"')
        if etag != token:
            raise ObjectStoreError(f"{key} changed while it was being re-encrypted: "
                                   "run the command again")
        header = self._header(key, blob)
        assert header is not None
        self._put_blob(key, blob, SEALED_TYPE, {KEY_ID_META: header.key_id, SIZE_META: str(size)})

    def keys(self, prefix: str = "") -> Iterator[str]:
        with self._failures(f"listing {prefix or 'all keys'}"):
            for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                if obj.object_name and not obj.is_dir:
                    yield obj.object_name

    def location(self) -> str:
        scheme = "https://" if self.secure else ""
        return f"s3://{self.bucket} at {scheme}{self.endpoint}"

    def _remove_quietly(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except (MinioException, urllib3.exceptions.HTTPError):
            pass  # the integrity error being raised matters more

    @contextmanager
    def _failures(self, doing: str) -> Iterator[None]:
        """Turn the client's transport and server errors into ObjectStoreError."""
        where = f"S3 server {self.endpoint} (bucket {self.bucket})"
        try:
            yield
        except S3Error as exc:
            raise ObjectStoreError(f"{where} refused {doing}: {exc.code}: {exc.message}") from exc
        except urllib3.exceptions.MaxRetryError as exc:
            raise ObjectStoreError(f"{where} unreachable while {doing}: {exc.reason}") from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise ObjectStoreError(f"{where} failed while {doing}: {exc}") from exc


def _split_endpoint(endpoint: str, secure: bool) -> tuple[str, bool]:
    """Accept "host:port" (what minio wants) and also a URL, whose scheme decides https."""
    if "://" not in endpoint:
        return endpoint.rstrip("/"), secure
    url = urlsplit(endpoint)
    return url.netloc, url.scheme == "https"


def _md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()

"""The object store's behaviour, the same on both backends: a local folder and a real S3."""

from __future__ import annotations

import dataclasses
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from s3server import S3Server

from schemas.settings import Settings
from storage.claimant import holder_name
from storage.objects import (
    LocalStore,
    ObjectIntegrityError,
    ObjectStore,
    ObjectStoreError,
    make_store,
    original_key,
    sha256_hex,
)
from storage.s3 import S3Store

ALL_BYTES = bytes(range(256)) * 64


def s3_store(server: S3Server, bucket: str | None = None) -> S3Store:
    return S3Store(server.endpoint, server.access_key, server.secret_key,
                   bucket or server.new_bucket())


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    # Only S3 cases start the server, so local-only runs need no weed binary.
    return s3_store(request.getfixturevalue("s3_server"))


def test_round_trip(store: ObjectStore) -> None:
    data = "Sơ yếu lý lịch".encode()
    stored = store.put_bytes("derived/1/text.txt", data, "text/plain")
    assert (stored.key, stored.size, stored.sha256) == ("derived/1/text.txt", len(data),
                                                        sha256_hex(data))
    assert store.get_bytes("derived/1/text.txt") == data
    assert store.get_bytes("derived/1/text.txt", expect_sha256=sha256_hex(data)) == data
    assert store.stat("derived/1/text.txt") == len(data)
    assert store.exists("derived/1/text.txt")


def test_overwrite_replaces_content(store: ObjectStore) -> None:
    store.put_bytes("derived/1/page.txt", b"first")
    store.put_bytes("derived/1/page.txt", b"second, longer")
    assert store.get_bytes("derived/1/page.txt") == b"second, longer"


def test_put_original_stores_identical_bytes_once(store: ObjectStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"%PDF-1.7 scanned dossier"
    first, created = store.put_original(data)
    assert created and first.key == original_key(sha256_hex(data))

    def no_second_write(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("identical bytes were written again")

    monkeypatch.setattr(store, "put_bytes", no_second_write)
    again, created = store.put_original(data)
    assert not created and again == first
    assert list(store.keys("originals/")) == [first.key]


def test_wrong_sha256_is_an_integrity_error(store: ObjectStore) -> None:
    store.put_bytes("derived/2/a.bin", b"payload")
    with pytest.raises(ObjectIntegrityError):
        store.get_bytes("derived/2/a.bin", expect_sha256=sha256_hex(b"other"))


def test_missing_key(store: ObjectStore) -> None:
    assert store.stat("derived/404/none.txt") is None
    assert not store.exists("derived/404/none.txt")
    with pytest.raises(ObjectIntegrityError, match="missing"):
        store.get_bytes("derived/404/none.txt")


def test_keys_lists_only_the_prefix(store: ObjectStore) -> None:
    for key in ("derived/1/a.txt", "derived/1/sub/b.txt", "derived/12/c.txt", "originals/x"):
        store.put_bytes(key, key.encode())
    assert sorted(store.keys("derived/1/")) == ["derived/1/a.txt", "derived/1/sub/b.txt"]
    assert sorted(store.keys("originals/")) == ["originals/x"]
    assert list(store.keys("nothing/")) == []
    assert len(list(store.keys())) == 4


def test_empty_object(store: ObjectStore) -> None:
    stored = store.put_bytes("derived/3/empty", b"")
    assert stored.size == 0 and stored.sha256 == sha256_hex(b"")
    assert store.stat("derived/3/empty") == 0
    assert store.get_bytes("derived/3/empty", expect_sha256=sha256_hex(b"")) == b""
    assert store.put_original(b"")[1] is True
    assert store.put_original(b"")[1] is False


def test_binary_with_every_byte_value(store: ObjectStore) -> None:
    store.put_bytes("derived/4/all.bin", ALL_BYTES)
    assert store.get_bytes("derived/4/all.bin", expect_sha256=sha256_hex(ALL_BYTES)) == ALL_BYTES


# --- local folder --------------------------------------------------------------------------


def _temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_local_leaves_no_temp_files(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("derived/1/a.txt", b"a")
    store.put_original(ALL_BYTES)
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("key", ["../escape", "derived/../../escape", "/etc/passwd"])
def test_local_refuses_keys_outside_the_folder(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "objects")
    with pytest.raises(ValueError, match="escapes"):
        store.put_bytes(key, b"x")
    assert not (tmp_path / "escape").exists()


def test_local_failed_put_leaves_no_partial_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("derived/1/kept.txt", b"old version")

    def disk_error(_fd: int) -> None:
        raise OSError("simulated disk failure")

    monkeypatch.setattr(os, "fsync", disk_error)
    with pytest.raises(OSError, match="simulated"):
        store.put_bytes("derived/1/new.txt", b"never lands")
    with pytest.raises(OSError, match="simulated"):
        store.put_bytes("derived/1/kept.txt", b"would replace")
    monkeypatch.undo()
    assert store.stat("derived/1/new.txt") is None
    assert store.get_bytes("derived/1/kept.txt") == b"old version"
    assert _temp_files(tmp_path) == []


def test_partial_writes_of_dead_writers_are_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    """A run killed in the middle of a write leaves `.<name>.<writer>.<random>.tmp`; the next
    run removes it, but never the partial file of a writer still at work."""
    store = LocalStore(tmp_path)
    store.put_bytes("derived/1/kept.txt", b"whole")
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    dead_writer = holder_name("", child.pid).replace(".", "_")
    child.communicate(b"")  # the writer is gone
    live_writer = holder_name("").replace(".", "_")
    folder = tmp_path / "derived/1"
    dead = folder / f".a.txt.{dead_writer}.k3j_x9.tmp"
    live = folder / f".b.txt.{live_writer}.p0q_z1.tmp"
    old = folder / ".c.txt.q8x2mn.tmp"  # an older form, with no writer: left for a day
    fresh_unknown = folder / ".d.txt.r7y3no.tmp"
    for path in (dead, live, old, fresh_unknown):
        path.write_bytes(b"half")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))

    removed = store.remove_partial_writes()

    assert sorted(removed) == ["derived/1/.a.txt." + dead_writer + ".k3j_x9.tmp",
                               "derived/1/.c.txt.q8x2mn.tmp"]
    assert live.exists() and fresh_unknown.exists() and not dead.exists() and not old.exists()
    assert store.get_bytes("derived/1/kept.txt") == b"whole"
    assert list(store.keys()) == ["derived/1/kept.txt"]


# --- S3 ------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.s3
def test_s3_dead_server_fails_fast() -> None:
    endpoint = f"127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(ObjectStoreError, match=f"{endpoint}.*bucket hoso"):
        S3Store(endpoint, "key", "secret", "hoso")
    assert time.monotonic() - started < 5


@pytest.mark.s3
def test_s3_bad_credentials_are_a_store_error(s3_server: S3Server) -> None:
    with pytest.raises(ObjectStoreError, match=s3_server.endpoint):
        S3Store(s3_server.endpoint, s3_server.access_key, "wrong-secret", s3_server.new_bucket())


@pytest.mark.s3
def test_s3_creates_the_bucket_once(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    first = s3_store(s3_server, bucket)
    assert first.client.bucket_exists(bucket)
    first.put_bytes("derived/1/a", b"a")
    assert s3_store(s3_server, bucket).get_bytes("derived/1/a") == b"a"  # existing bucket


@pytest.mark.s3
def test_s3_from_settings(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    settings = Settings(_env_file=None, object_store="s3", s3_endpoint=s3_server.endpoint,
                        s3_access_key=s3_server.access_key, s3_secret_key=s3_server.secret_key,
                        s3_bucket=bucket, allow_unencrypted=True)
    store = make_store(settings)
    assert isinstance(store, S3Store)
    assert store.location() == f"s3://{bucket} at {s3_server.endpoint}"


@pytest.mark.s3
def test_s3_put_records_sha256_metadata(s3_server: S3Server) -> None:
    store = s3_store(s3_server)
    store.put_bytes("derived/1/a.bin", ALL_BYTES)
    stat = store.client.stat_object(store.bucket, "derived/1/a.bin")
    assert stat.metadata["x-amz-meta-sha256"] == sha256_hex(ALL_BYTES)


@pytest.mark.s3
def test_s3_put_verification_rejects_a_wrong_etag(s3_server: S3Server,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store = s3_store(s3_server)
    real_stat = store.client.stat_object

    def corrupted_stat(bucket: str, key: str) -> object:
        # As if the server had stored other bytes of the same size.
        return dataclasses.replace(real_stat(bucket, key), etag="0" * 32)

    monkeypatch.setattr(store.client, "stat_object", corrupted_stat)
    with pytest.raises(ObjectIntegrityError, match="ETag"):
        store.put_bytes(original_key(sha256_hex(b"scan")), b"scan")
    monkeypatch.undo()
    # The bad object is gone, so put_original writes it again instead of trusting it.
    assert store.stat(original_key(sha256_hex(b"scan"))) is None
    assert store.put_original(b"scan")[1] is True


@pytest.mark.s3
def test_s3_get_checks_the_stored_sha256(s3_server: S3Server) -> None:
    store = s3_store(s3_server)
    # Bytes changed behind the store's back, the recorded sha256 kept.
    store.client.put_object(store.bucket, "derived/1/a", io.BytesIO(b"tampered"), 8,
                            metadata={"sha256": sha256_hex(b"original")})
    with pytest.raises(ObjectIntegrityError):
        store.get_bytes("derived/1/a")

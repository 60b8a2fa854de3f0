"""Encryption at rest: only ciphertext reaches the disk or the bucket, on both backends; keys
rotate without re-encrypting content; wrong keys and tampering fail clearly."""

from __future__ import annotations

import base64
import io
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import urllib3
from conftest import make_settings
from minio import Minio
from s3server import S3Server
from sqlmodel import Session, select
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_common import EXIT_USAGE
from schemas.models import AuditEvent, Document
from schemas.settings import Settings
from schemas.status import AuditAction
from storage.crypto import (
    HEADER_MAX,
    MAGIC,
    Keyring,
    KeyringError,
    new_keyring,
    parse_header,
    save_keyring,
)
from storage.db import get_engine
from storage.objects import (
    LocalStore,
    ObjectIntegrityError,
    ObjectKeyError,
    ObjectStore,
    make_store,
    original_key,
    sha256_hex,
)
from storage.s3 import S3Store

runner = CliRunner()
MARKER = "HOSO-PLAINTEXT-MARKER-Nguyễn Văn Mẫu-0681853465"
# Bytes that must never be found at rest. `%PDF-1.` is 7 bytes: random ciphertext of a few MB
# contains it by chance with a probability of about 1e-10.
PDF_HEAD = b"%PDF-1."


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A born-digital sample CV (a PDF with a text layer) and its ground truth."""
    from samples.generate import GROUND_TRUTH, generate

    folder = tmp_path_factory.mktemp("samples")
    generate(folder, n_dossiers=1, seed=7)
    truth = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
    cv = next(f for f in truth["files"] if f["text_layer"])
    return folder / cv["file"], cv


@dataclass
class Backend:
    """One place objects live, opened with any keyring, and its raw bytes read around the store."""

    name: str
    root: Path | None = None
    server: S3Server | None = None
    bucket: str = ""

    def store(self, keyring: Keyring | None) -> ObjectStore:
        if self.server is None:
            assert self.root is not None
            return LocalStore(self.root, keyring)
        return S3Store(self.server.endpoint, self.server.access_key, self.server.secret_key,
                       self.bucket, keyring=keyring)

    @property
    def client(self) -> Minio:
        assert self.server is not None
        return Minio(self.server.endpoint, self.server.access_key, self.server.secret_key,
                     secure=False, http_client=urllib3.PoolManager())

    def raw(self, key: str) -> bytes:
        if self.server is None:
            assert self.root is not None
            return (self.root / key).read_bytes()
        response = self.client.get_object(self.bucket, key)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def write_raw(self, key: str, blob: bytes) -> None:
        if self.server is None:
            assert self.root is not None
            (self.root / key).parent.mkdir(parents=True, exist_ok=True)
            (self.root / key).write_bytes(blob)
        else:
            self.client.put_object(self.bucket, key, io.BytesIO(blob), len(blob))

    def everything(self) -> dict[str, bytes]:
        """Every file under the folder / every object in the bucket, as stored."""
        if self.server is None:
            assert self.root is not None
            return {p.relative_to(self.root).as_posix(): p.read_bytes()
                    for p in self.root.rglob("*") if p.is_file()}
        return {o.object_name: self.raw(o.object_name)
                for o in self.client.list_objects(self.bucket, recursive=True)}


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        return Backend("local", root=tmp_path / "objects")
    server = request.getfixturevalue("s3_server")
    return Backend("s3", server=server, bucket=server.new_bucket())


def assert_no_plaintext(stored: dict[str, bytes], needles: list[bytes]) -> None:
    assert stored, "nothing was stored"
    for key, blob in stored.items():
        assert blob.startswith(MAGIC), f"{key} is not encrypted"
        for needle in needles:
            assert needle not in blob, f"{needle!r} found at rest in {key}"


# --- the store ---------------------------------------------------------------------------------


def test_round_trip_keeps_only_ciphertext_at_rest(backend: Backend,
                                                  sample: tuple[Path, dict]) -> None:
    store = backend.store(new_keyring("k1"))
    pdf = sample[0].read_bytes()
    text = f"Trang 1\n{MARKER}\n".encode()
    stored = store.put_bytes("derived/1/text.txt", text, "text/plain; charset=utf-8")
    original, created = store.put_original(pdf)
    empty = store.put_bytes("derived/1/empty.txt", b"")
    assert created and stored.sha256 == sha256_hex(text) and stored.size == len(text)
    assert original.sha256 == sha256_hex(pdf) and original.size == len(pdf)

    assert store.get_bytes("derived/1/text.txt", expect_sha256=sha256_hex(text)) == text
    assert store.get_bytes(original.key, expect_sha256=original.sha256) == pdf
    assert store.get_bytes(empty.key, expect_sha256=sha256_hex(b"")) == b""
    assert store.stat(original.key) == len(pdf) and store.stat(empty.key) == 0
    info = store.info("derived/1/text.txt")
    assert info is not None and info.key_id == "k1" and info.stored_size > len(text)
    assert sorted(store.keys()) == sorted([original.key, stored.key, empty.key])

    at_rest = backend.everything()
    assert set(at_rest) == {original.key, stored.key, empty.key}
    assert_no_plaintext(at_rest, [MARKER.encode(), "Nguyễn Văn Mẫu".encode(), PDF_HEAD])
    for key, blob in at_rest.items():
        header = parse_header(blob[:HEADER_MAX])
        assert header is not None and header.key_id == "k1", key


def test_tampering_is_an_integrity_error(backend: Backend) -> None:
    store = backend.store(new_keyring("k1"))
    store.put_bytes("derived/1/a.txt", MARKER.encode())
    store.put_bytes("derived/2/a.txt", b"another dossier's page")
    blob = backend.raw("derived/1/a.txt")
    header = parse_header(blob)
    assert header is not None

    body_flipped = bytearray(blob)
    body_flipped[-5] ^= 1
    backend.write_raw("derived/1/a.txt", bytes(body_flipped))
    with pytest.raises(ObjectIntegrityError, match="derived/1/a.txt.*does not authenticate"):
        store.get_bytes("derived/1/a.txt")

    dek_flipped = bytearray(blob)
    dek_flipped[header.size - 20] ^= 1  # inside the wrapped data key
    backend.write_raw("derived/1/a.txt", bytes(dek_flipped))
    with pytest.raises(ObjectIntegrityError, match="derived/1/a.txt.*data key"):
        store.get_bytes("derived/1/a.txt")

    backend.write_raw("derived/1/a.txt", blob[: header.size + 3])  # cut short
    with pytest.raises(ObjectIntegrityError, match="derived/1/a.txt"):
        store.get_bytes("derived/1/a.txt")

    # Another object's intact envelope put in its place: the key is bound to the content.
    backend.write_raw("derived/1/a.txt", backend.raw("derived/2/a.txt"))
    with pytest.raises(ObjectIntegrityError, match="belongs to another object"):
        store.get_bytes("derived/1/a.txt")

    backend.write_raw("derived/1/a.txt", blob)
    assert store.get_bytes("derived/1/a.txt") == MARKER.encode()


def test_missing_or_wrong_key_says_what_to_do(backend: Backend) -> None:
    backend.store(new_keyring("k1")).put_bytes("derived/1/a.txt", MARKER.encode())

    with pytest.raises(ObjectKeyError, match="encrypted.*no encryption key is configured.*"
                                             "HOSO_ENCRYPTION_KEY_FILE"):
        backend.store(None).get_bytes("derived/1/a.txt")
    with pytest.raises(ObjectKeyError, match="derived/1/a.txt was encrypted with key id 'k1', "
                                             "which is not in the keyring.*add the old key"):
        backend.store(new_keyring("k2")).get_bytes("derived/1/a.txt")
    with pytest.raises(ObjectIntegrityError, match="does not open with key 'k1'"):
        backend.store(new_keyring("k1")).get_bytes("derived/1/a.txt")  # same id, other key
    assert backend.store(None).stat("derived/1/a.txt") == len(MARKER.encode())


def test_dedup_of_originals_with_encryption(backend: Backend, monkeypatch: pytest.MonkeyPatch,
                                            ) -> None:
    data = b"%PDF-1.7 scanned dossier " + MARKER.encode()
    store = backend.store(new_keyring("k1"))
    first, created = store.put_original(data)
    assert created

    def no_second_write(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("identical bytes were written again")

    monkeypatch.setattr(store, "put_bytes", no_second_write)
    again, created = store.put_original(data)
    assert not created and again == first
    assert list(store.keys("originals/")) == [first.key]


def test_plaintext_from_before_is_read_and_encrypted_on_the_next_upload(backend: Backend) -> None:
    plain = backend.store(None)
    data = b"%PDF-1.7 kept before encryption was turned on"
    plain.put_original(data)
    plain.put_bytes("derived/1/text.txt", MARKER.encode())
    assert backend.raw(original_key(sha256_hex(data))) == data  # really plaintext

    store = backend.store(new_keyring("k1"))
    assert store.get_bytes("derived/1/text.txt", expect_sha256=sha256_hex(MARKER.encode())) \
        == MARKER.encode()
    stored, created = store.put_original(data)  # the same scan uploaded again
    assert not created
    assert backend.raw(stored.key).startswith(MAGIC)
    assert store.get_bytes(stored.key, expect_sha256=sha256_hex(data)) == data


def test_reseal_rewraps_only_the_header(backend: Backend) -> None:
    old = new_keyring("k1")
    backend.store(old).put_bytes("derived/1/a.txt", MARKER.encode())
    backend.store(None).put_bytes("derived/1/plain.txt", b"from before encryption")
    before = backend.raw("derived/1/a.txt")

    both = old.with_new_key("k2")
    store = backend.store(both)
    assert store.reseal("derived/1/a.txt") == "rewrapped"
    assert store.reseal("derived/1/plain.txt") == "encrypted"
    assert store.reseal("derived/1/a.txt") == "current"
    after = backend.raw("derived/1/a.txt")
    old_header, new_header = parse_header(before), parse_header(after)
    assert old_header and new_header and new_header.key_id == "k2"
    assert after[new_header.size:] == before[old_header.size:]  # the ciphertext body is kept
    assert new_header.data_nonce == old_header.data_nonce
    assert store.info("derived/1/a.txt").key_id == "k2"  # type: ignore[union-attr]

    only_new = Keyring({"k2": both.keys["k2"]}, "k2")
    assert backend.store(only_new).get_bytes("derived/1/a.txt") == MARKER.encode()
    assert backend.store(only_new).get_bytes("derived/1/plain.txt") == b"from before encryption"


# --- keys and settings -------------------------------------------------------------------------


def _b64key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_key_file_and_value_problems_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "objects.key"
    keyring = new_keyring("k1", str(path))
    save_keyring(keyring, path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Keyring.from_file(path).keys == keyring.keys
    with pytest.raises(KeyringError, match="already exists"):
        save_keyring(keyring, path, create=True)

    path.chmod(0o644)
    with pytest.raises(KeyringError, match="every user.*chmod 600"):
        Keyring.from_file(path)
    path.chmod(0o640)  # group-readable, for root:hoso
    Keyring.from_file(path)

    for text, problem in [("not json", "not a hoso key file"),
                          ('{"current": "k1", "keys": {"k1": "c2hvcnQ="}}', "5 bytes"),
                          (json.dumps({"current": "k9", "keys": {"k1": _b64key()}}),
                           "current key id 'k9'"),
                          (json.dumps({"current": "bad id", "keys": {"bad id": _b64key()}}),
                           "key id 'bad id'")]:
        path.write_text(text)
        with pytest.raises(KeyringError, match=problem):
            Keyring.from_file(path)
    with pytest.raises(KeyringError, match="does not exist.*hoso keys generate"):
        Keyring.from_file(tmp_path / "nowhere.key")

    value = _b64key()
    assert Keyring.from_value(f"k2:{value},k1:{_b64key()}").current == "k2"
    bare = Keyring.from_value(value)
    assert bare.current.startswith("env-") and bare.current == Keyring.from_value(value).current
    assert value not in repr(bare)
    both = Settings(_env_file=None, encryption_key_file=path, encryption_key=value)
    with pytest.raises(KeyringError, match="set only one"):
        Keyring.from_settings(both)
    assert value not in repr(both)  # the key is a secret in the settings too
    assert Keyring.from_settings(Settings(_env_file=None)) is None


def test_s3_without_a_key_refuses_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on the endpoint: the refusal comes before any connection.
    s3 = {"object_store": "s3", "s3_endpoint": "127.0.0.1:9", "s3_bucket": "hoso"}
    with pytest.raises(KeyringError, match="unencrypted.*HOSO_ALLOW_UNENCRYPTED=true"):
        make_store(Settings(_env_file=None, **s3))
    for name in ("HOSO_ENCRYPTION_KEY_FILE", "HOSO_ENCRYPTION_KEY", "HOSO_ALLOW_UNENCRYPTED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOSO_OBJECT_STORE", "s3")
    monkeypatch.setenv("HOSO_S3_ENDPOINT", "127.0.0.1:9")
    result = runner.invoke(app, ["init", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == EXIT_USAGE  # a setting to fix, not a server that is down
    assert "HOSO_ALLOW_UNENCRYPTED" in result.output
    assert "encryption key setting" in result.output


@pytest.mark.s3
def test_s3_store_from_settings_encrypts(s3_server: S3Server) -> None:
    base = {"object_store": "s3", "s3_endpoint": s3_server.endpoint, "s3_bucket":
            s3_server.new_bucket(), "s3_access_key": s3_server.access_key,
            "s3_secret_key": s3_server.secret_key}
    assert not make_store(Settings(_env_file=None, allow_unencrypted=True, **base)).encrypted
    store = make_store(Settings(_env_file=None, encryption_key=f"k1:{_b64key()}", **base))
    assert isinstance(store, S3Store) and store.encrypted and store.keyring.current == "k1"


# --- hoso keys ---------------------------------------------------------------------------------


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("HOSO_ENCRYPTION_KEY_FILE", "HOSO_ENCRYPTION_KEY", "HOSO_OBJECT_STORE",
                 "HOSO_INBOX", "HOSO_DATABASE_URL", "HOSO_OBJECTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def test_keys_generate_add_rotate_status(tmp_path: Path, key_env: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    key_file = tmp_path / "secrets" / "objects.key"
    dd = ["--data-dir", str(data)]

    plain_init = runner.invoke(app, ["init", *dd])
    assert plain_init.exit_code == 0 and "NOT encrypted" in plain_init.output
    before = LocalStore(data / "objects")  # objects stored before encryption was turned on
    before.put_original(b"%PDF-1.7 old scan")
    before.put_bytes("derived/1/text.txt", b"old text " + MARKER.encode())

    made = runner.invoke(app, ["keys", "generate", str(key_file), "--id", "k1"])
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert runner.invoke(app, ["keys", "generate", str(key_file)]).exit_code == EXIT_USAGE
    key_env.setenv("HOSO_ENCRYPTION_KEY_FILE", str(key_file))
    on = runner.invoke(app, ["init", *dd])
    assert on.exit_code == 0 and "encryption at rest" in on.output and "k1" in on.output

    store = make_store(Settings(data_dir=data))
    store.put_original(b"%PDF-1.7 new scan")
    store.put_bytes("derived/2/text.txt", b"new text " + MARKER.encode())
    status = runner.invoke(app, ["keys", "status", "--json", *dd])
    assert status.exit_code == 0, status.output
    assert json.loads(status.output) | {"store": ""} == {
        "store": "", "current": "k1", "keyring": ["k1"], "objects": {"k1": 2}, "plaintext": 2,
        "unreadable_key_ids": [], "damaged": []}
    shown = runner.invoke(app, ["keys", "status", *dd])
    assert shown.exit_code == 0 and "hoso keys rotate" in shown.output

    added = runner.invoke(app, ["keys", "add", "--id", "k2"])
    assert added.exit_code == 0, added.output
    assert json.loads(key_file.read_text())["current"] == "k2"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    rotated = runner.invoke(app, ["keys", "rotate", *dd])
    assert rotated.exit_code == 0, rotated.output
    assert "2 tệp đổi khóa (re-wrapped), 2 tệp được mã hóa" in rotated.output
    again = runner.invoke(app, ["keys", "rotate", *dd])
    assert "0 tệp đổi khóa (re-wrapped), 0 tệp được mã hóa" in again.output
    assert "4 đã dùng khóa này" in again.output

    doc = json.loads(key_file.read_text())  # the old key leaves the file
    del doc["keys"]["k1"]
    key_file.write_text(json.dumps(doc))
    store = make_store(Settings(data_dir=data))
    assert store.get_bytes(original_key(sha256_hex(b"%PDF-1.7 old scan"))) == b"%PDF-1.7 old scan"
    assert store.get_bytes("derived/2/text.txt") == b"new text " + MARKER.encode()
    at_rest = {p.relative_to(data / "objects").as_posix(): p.read_bytes()
               for p in (data / "objects").rglob("*") if p.is_file()}
    assert len(at_rest) == 4
    assert_no_plaintext(at_rest, [MARKER.encode(), PDF_HEAD])
    assert {parse_header(blob).key_id for blob in at_rest.values()} == {"k2"}  # type: ignore[union-attr]

    with Session(get_engine(Settings(data_dir=data).db_url)) as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.action == AuditAction.key_rotation)).all()
    assert [(e.object_id, e.detail["rewrapped"], e.detail["encrypted"]) for e in events] == [
        ("k2", 2, 2), ("k2", 0, 0)]


def test_rotate_without_a_key_says_so(tmp_path: Path, key_env: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["keys", "rotate", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == EXIT_USAGE and "HOSO_ENCRYPTION_KEY_FILE" in result.output


# --- the pipeline ------------------------------------------------------------------------------


def test_pipeline_stores_only_ciphertext(backend: Backend, sample: tuple[Path, dict],
                                         tmp_path: Path, prefect_harness: None) -> None:
    from flows.intake import intake
    from flows.process import process
    from flows.runtime import runtime, use_settings
    from storage.db import session_scope, upgrade

    pdf, truth = sample
    s3 = {} if backend.server is None else {
        "object_store": "s3", "s3_endpoint": backend.server.endpoint, "s3_bucket": backend.bucket,
        "s3_access_key": backend.server.access_key, "s3_secret_key": backend.server.secret_key}
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}",
                             encryption_key=f"k-e2e:{_b64key()}",
                             **({"objects_dir": backend.root} if backend.root else s3))
    use_settings(settings)
    upgrade(runtime().engine)
    assert len(intake([str(pdf)], "HU-DUCTRONG", "Huyện ủy Đức Trọng").new) == 1
    assert process() == {"text_ready": 1}

    with session_scope(runtime().engine) as session:
        (doc,) = session.exec(select(Document)).all()
    store = runtime().store
    assert store.get_bytes(doc.object_key, expect_sha256=doc.sha256) == pdf.read_bytes()
    text = store.get_bytes(doc.text_key, expect_sha256=doc.text_sha256).decode()
    name = truth["person"]["full_name"]
    assert name.upper() in text
    at_rest = backend.everything()
    assert len(at_rest) >= 5  # original, searchable PDF, text, page words and page text
    assert_no_plaintext(at_rest, [PDF_HEAD, name.encode(), name.upper().encode(),
                                  "Họ và tên khai sinh".encode(), b'"words"'])


@pytest.mark.s3
def test_rotation_leaves_an_inbox_in_the_same_bucket_alone(s3_server: S3Server,
                                                           tmp_path: Path) -> None:
    from flows.cli_keys import stored_keys
    from flows.runtime import Runtime

    bucket = s3_server.new_bucket()
    settings = Settings(_env_file=None, data_dir=tmp_path, object_store="s3",
                        s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
                        s3_secret_key=s3_server.secret_key, s3_bucket=bucket,
                        inbox=f"s3://{bucket}/incoming", encryption_key=f"k1:{_b64key()}")
    runtime = Runtime(settings)
    runtime.store.put_bytes("derived/1/text.txt", MARKER.encode())
    drop = Backend("s3", server=s3_server, bucket=bucket)
    drop.write_raw("incoming/HU-DUCTRONG/scan.pdf", b"%PDF-1.7 a clerk's drop")
    assert stored_keys(runtime) == ["derived/1/text.txt"]

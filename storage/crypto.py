"""Encryption at rest: AES-256-GCM envelopes around every stored object.

Each object gets its own random 256-bit data key (DEK). The data is encrypted with the DEK
(AES-256-GCM, random 96-bit nonce, the object key as associated data so an object cannot be
passed off as another), and the DEK is wrapped with a key-encryption key (KEK) from the keyring
(AES-256-GCM, the key id as associated data). The stored bytes are

    MAGIC | version | len(key id) | key id | wrap nonce | wrapped DEK | data nonce | ciphertext

Rotating to a new KEK rewrites only the header: the DEK is unwrapped with the old KEK and
wrapped again with the new one; the ciphertext body is kept as it is.

The keyring comes from a key file (JSON: {"current": id, "keys": {id: base64 of 32 bytes}})
or from one environment value ("id:base64[,id:base64...]", the first one current).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from schemas.settings import Settings

# 0x89 can never start a UTF-8 text, so no text object is ever mistaken for an envelope; the
# derived and original formats hoso stores (PDF, TIFF, JPEG, PNG, JSON, text) never start so.
MAGIC = b"\x89HOSOENC"
VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
WRAPPED_BYTES = KEY_BYTES + TAG_BYTES
_FIXED = len(MAGIC) + 2 + 2 * NONCE_BYTES + WRAPPED_BYTES  # header without the key id
MAX_KEY_ID = 64
HEADER_MAX = _FIXED + MAX_KEY_ID  # enough leading bytes to read any header
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class KeyringError(ValueError):
    """The key file or key value is missing, malformed or too widely readable."""


class EnvelopeError(ValueError):
    """Stored bytes cannot be opened: not an envelope, unknown key id, or tampered.

    `storage.objects` turns these into ObjectStoreError / ObjectIntegrityError naming the key."""


class UnknownKeyError(EnvelopeError):
    pass


class TamperedError(EnvelopeError):
    pass


@dataclass(frozen=True, slots=True)
class Header:
    key_id: str
    wrap_nonce: bytes
    wrapped_dek: bytes
    data_nonce: bytes

    @property
    def size(self) -> int:
        return _FIXED + len(self.key_id.encode())

    def to_bytes(self) -> bytes:
        kid = self.key_id.encode()
        return (MAGIC + bytes([VERSION, len(kid)]) + kid + self.wrap_nonce + self.wrapped_dek
                + self.data_nonce)


def is_envelope(head: bytes) -> bool:
    return head.startswith(MAGIC)


def parse_header(head: bytes) -> Header | None:
    """The header at the start of `head` (the first HEADER_MAX bytes suffice); None when the
    bytes are not an envelope (a plaintext object)."""
    if not is_envelope(head):
        return None
    pos = len(MAGIC)
    if len(head) < pos + 2:
        raise TamperedError("the envelope header is cut short")
    version, kid_len = head[pos], head[pos + 1]
    if version != VERSION:
        raise EnvelopeError(f"envelope version {version} is not known to this hoso "
                            f"(knows {VERSION}): upgrade hoso")
    pos += 2
    if len(head) < _FIXED + kid_len:
        raise TamperedError("the envelope header is cut short")
    try:
        key_id = head[pos:pos + kid_len].decode("ascii")
    except UnicodeDecodeError as exc:
        raise TamperedError("the envelope header's key id is not readable") from exc
    pos += kid_len
    wrap_nonce = head[pos:pos + NONCE_BYTES]
    pos += NONCE_BYTES
    wrapped = head[pos:pos + WRAPPED_BYTES]
    pos += WRAPPED_BYTES
    return Header(key_id, wrap_nonce, wrapped, head[pos:pos + NONCE_BYTES])


def plaintext_size(stored_size: int, header: Header | None) -> int:
    """The size of what was stored, from the size of the stored bytes."""
    return stored_size if header is None else stored_size - header.size - TAG_BYTES


def _wrap_aad(key_id: str) -> bytes:
    return MAGIC + bytes([VERSION]) + b"kek:" + key_id.encode()


def _data_aad(object_key: str) -> bytes:
    return MAGIC + bytes([VERSION]) + b"object:" + object_key.encode()


class Keyring:
    """Key-encryption keys by id, and the id new objects are wrapped with."""

    def __init__(self, keys: dict[str, bytes], current: str, source: str = "") -> None:
        if current not in keys:
            raise KeyringError(f"{source or 'keyring'}: the current key id {current!r} is not "
                               "among its keys")
        for key_id, key in keys.items():
            check_key_id(key_id, source)
            if len(key) != KEY_BYTES:
                raise KeyringError(f"{source or 'keyring'}: key {key_id!r} is {len(key)} bytes, "
                                   f"an AES-256 key is {KEY_BYTES}")
        self.keys = dict(keys)
        self.current = current
        self.source = source

    def __repr__(self) -> str:  # never the keys themselves
        return f"Keyring(current={self.current!r}, ids={sorted(self.keys)}, source={self.source!r})"

    # --- envelopes -----------------------------------------------------------------------

    def seal(self, object_key: str, data: bytes) -> bytes:
        """Encrypt `data` stored under `object_key` with a fresh data key."""
        dek = AESGCM.generate_key(bit_length=256)
        data_nonce = os.urandom(NONCE_BYTES)
        body = AESGCM(dek).encrypt(data_nonce, data, _data_aad(object_key))
        return self._wrap(dek, data_nonce).to_bytes() + body

    def open(self, object_key: str, blob: bytes) -> bytes:
        header = parse_header(blob[:HEADER_MAX])
        if header is None:
            raise EnvelopeError("not an encrypted object")
        dek = self._unwrap(object_key, header)
        try:
            return AESGCM(dek).decrypt(header.data_nonce, memoryview(blob)[header.size:],
                                       _data_aad(object_key))  # no copy of a large body
        except InvalidTag as exc:
            raise TamperedError("the encrypted content does not authenticate: it was changed, "
                                "cut short, or belongs to another object") from exc

    def rewrap(self, object_key: str, blob: bytes) -> bytes:
        """The same envelope with its data key wrapped by the current key (body unchanged)."""
        header = parse_header(blob[:HEADER_MAX])
        if header is None:
            raise EnvelopeError("not an encrypted object")
        dek = self._unwrap(object_key, header)
        return self._wrap(dek, header.data_nonce).to_bytes() + blob[header.size:]

    def _wrap(self, dek: bytes, data_nonce: bytes) -> Header:
        wrap_nonce = os.urandom(NONCE_BYTES)
        wrapped = AESGCM(self.keys[self.current]).encrypt(wrap_nonce, dek, _wrap_aad(self.current))
        return Header(self.current, wrap_nonce, wrapped, data_nonce)

    def _unwrap(self, object_key: str, header: Header) -> bytes:
        kek = self.keys.get(header.key_id)
        if kek is None:
            raise UnknownKeyError(
                f"object {object_key} was encrypted with key id {header.key_id!r}, which is not "
                f"in the keyring ({self.source or 'no source'}; has {', '.join(sorted(self.keys))})"
                ": add the old key to the key file")
        try:
            return AESGCM(kek).decrypt(header.wrap_nonce, header.wrapped_dek,
                                       _wrap_aad(header.key_id))
        except InvalidTag as exc:
            raise TamperedError(f"the data key of {object_key} does not open with key "
                                f"{header.key_id!r}: the header was changed, or the key file "
                                "holds a different key under that id") from exc

    # --- loading and saving ------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        path = Path(path)
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise KeyringError(f"key file {path} does not exist: create it with "
                               f"`hoso keys generate {path}`") from exc
        except OSError as exc:
            raise KeyringError(f"key file {path} cannot be read: {exc}") from exc
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            raise KeyringError(f"key file {path} can be read or changed by every user of the "
                               f"machine (mode {stat.filemode(mode)}): run `chmod 600 {path}` "
                               "(or 640 with the hoso group owning it)")
        try:
            doc = json.loads(text)
            keys = {str(k): _b64_key(v, f"{path}: key {k!r}") for k, v in doc["keys"].items()}
            current = str(doc["current"])
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(f"key file {path} is not a hoso key file "
                               '({"current": "<id>", "keys": {"<id>": "<base64>"}}): '
                               f"{type(exc).__name__}: {exc}") from exc
        return cls(keys, current, str(path))

    @classmethod
    def from_value(cls, value: str, source: str = "HOSO_ENCRYPTION_KEY") -> Keyring:
        """`id:base64[,id:base64...]` (the first is current), or a bare base64 key whose id
        is derived from it, so the same key always has the same id."""
        keys: dict[str, bytes] = {}
        current = ""
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            key_id, sep, b64 = part.rpartition(":")
            if not sep:
                b64 = part
            key = _b64_key(b64, f"{source}")
            key_id = key_id if sep else "env-" + hashlib.sha256(key).hexdigest()[:8]
            keys[key_id] = key
            current = current or key_id
        if not keys:
            raise KeyringError(f"{source} is empty")
        return cls(keys, current, source)

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring | None:
        """The keyring the settings name, or None when encryption is not configured."""
        value = settings.encryption_key.get_secret_value() if settings.encryption_key else ""
        if settings.encryption_key_file and value:
            raise KeyringError("both HOSO_ENCRYPTION_KEY_FILE and HOSO_ENCRYPTION_KEY are set: "
                               "set only one")
        if settings.encryption_key_file:
            return cls.from_file(settings.encryption_key_file)
        if value:
            return cls.from_value(value)
        return None

    def to_json(self) -> str:
        return json.dumps({"current": self.current,
                           "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()}},
                          indent=2) + "\n"

    def with_new_key(self, key_id: str | None = None) -> Keyring:
        """This keyring plus a new random key, made current (old keys kept for reading)."""
        key_id = key_id or new_key_id(self.keys)
        if key_id in self.keys:
            raise KeyringError(f"key id {key_id!r} is already in {self.source or 'the keyring'}")
        return Keyring({**self.keys, key_id: AESGCM.generate_key(bit_length=256)}, key_id,
                       self.source)


def check_key_id(key_id: str, source: str = "") -> str:
    if not _KEY_ID.fullmatch(key_id):
        raise KeyringError(f"{source or 'keyring'}: key id {key_id!r} must be 1-64 letters, "
                           "digits, '.', '_' or '-'")
    return key_id


def new_key_id(taken: dict[str, bytes] | None = None) -> str:
    """k<date>-<4 hex>: says when the key was made, and never repeats one already taken."""
    while True:
        key_id = f"k{date.today():%Y%m%d}-{secrets.token_hex(2)}"
        if key_id not in (taken or {}):
            return key_id


def new_keyring(key_id: str | None = None, source: str = "") -> Keyring:
    key_id = check_key_id(key_id or new_key_id(), source)
    return Keyring({key_id: AESGCM.generate_key(bit_length=256)}, key_id, source)


def save_keyring(keyring: Keyring, path: Path, *, create: bool) -> None:
    """Write the key file atomically, readable by its owner only (0600); with `create`, refuse
    to replace an existing file."""
    path = Path(path)
    if create and path.exists():
        raise KeyringError(f"{path} already exists: it may hold keys objects need; choose "
                           "another name, or add a key to it with `hoso keys add`")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(keyring.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        if not create and path.exists():  # keep the owner's choice (e.g. root:hoso 0640)
            was = path.stat()
            os.chmod(tmp, stat.S_IMODE(was.st_mode) & 0o660)
            try:
                os.chown(tmp, was.st_uid, was.st_gid)
            except PermissionError:
                pass  # not root: the file stays the editor's, readable as before by its owner
        if create:
            os.link(tmp, path)  # fails if the file appeared meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _b64_key(value: object, what: str) -> bytes:
    try:
        key = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyringError(f"{what} is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{what} is {len(key)} bytes, an AES-256 key is {KEY_BYTES}: "
                           "generate one with `hoso keys generate FILE`")
    return key

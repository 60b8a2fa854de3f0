"""The inbox the nightly run empties: a folder or an S3 prefix laid out as
<unit code>/[<dossier code>/]<file>. A file leaves it only after its record is committed."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from schemas.settings import Settings


@dataclass(frozen=True, slots=True)
class InboxItem:
    key: str  # path relative to the inbox, with "/" separators
    size: int

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.key).parts

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def unit_code(self) -> str | None:
        """The first folder; None for a file lying at the top of the inbox."""
        return self.parts[0] if len(self.parts) > 1 else None

    @property
    def dossier_code(self) -> str | None:
        """The second folder, when there is one: the paper dossier's code."""
        return self.parts[1] if len(self.parts) > 2 else None


class Inbox(ABC):
    @abstractmethod
    def items(self) -> list[InboxItem]:
        """Files ready to be taken in, in key order."""

    @abstractmethod
    def read(self, item: InboxItem) -> bytes: ...

    @abstractmethod
    def remove(self, item: InboxItem) -> None:
        """Called only once the file's original is stored and its record committed."""

    @abstractmethod
    def location(self) -> str: ...


class FolderInbox(Inbox):
    """A shared folder. Files changed in the last `settle_s` seconds may still be being copied
    in, so they wait for the next run."""

    def __init__(self, root: Path, settle_s: float = 60.0) -> None:
        self.root = root
        self.settle_s = settle_s

    def items(self) -> list[InboxItem]:
        if not self.root.is_dir():
            return []
        newest = time.time() - self.settle_s
        found = []
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if any(part.startswith(".") for part in relative.parts) or not path.is_file():
                continue
            stat = path.stat()
            if stat.st_mtime <= newest:
                found.append(InboxItem(relative.as_posix(), stat.st_size))
        return found

    def read(self, item: InboxItem) -> bytes:
        return (self.root / item.key).read_bytes()

    def remove(self, item: InboxItem) -> None:
        path = self.root / item.key
        path.unlink(missing_ok=True)
        for folder in path.parents:  # tidy the emptied dossier folder, never the unit folder
            if folder == self.root or len(folder.relative_to(self.root).parts) < 2:
                break
            try:
                folder.rmdir()
            except OSError:
                break

    def location(self) -> str:
        return str(self.root)


class S3Inbox(Inbox):
    """A prefix in a bucket of the S3 server (uploads there are atomic: no settling needed)."""

    def __init__(self, settings: Settings, bucket: str, prefix: str) -> None:
        from storage.s3 import S3Store

        self.store = S3Store(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                             bucket, secure=settings.s3_secure, region=settings.s3_region)
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def items(self) -> list[InboxItem]:
        found = []
        for obj in self.store.client.list_objects(self.store.bucket, prefix=self.prefix, recursive=True):
            key = obj.object_name[len(self.prefix):]
            if key and not key.endswith("/") and not any(p.startswith(".") for p in key.split("/")):
                found.append(InboxItem(key, obj.size or 0))
        return sorted(found, key=lambda i: i.key)

    def read(self, item: InboxItem) -> bytes:
        return self.store.get_bytes(self.prefix + item.key)

    def remove(self, item: InboxItem) -> None:
        self.store.client.remove_object(self.store.bucket, self.prefix + item.key)

    def location(self) -> str:
        return f"s3://{self.store.bucket}/{self.prefix}"


def make_inbox(settings: Settings) -> Inbox:
    location = settings.inbox_location
    if location.startswith("s3://"):
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        return S3Inbox(settings, bucket, prefix)
    return FolderInbox(Path(location), settings.inbox_settle_seconds)

"""Fixity: every object the database refers to is read back through the store and its sha256
compared with the one recorded; the store's keys under originals/ and derived/ that nothing
refers to are orphans.

Only the store's own API is used (get_bytes, stat, keys), so an encrypted store is checked on
the plaintext it gives back, and the same code checks a local folder and an S3 bucket.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from schemas.models import Document, Page
from storage.objects import ObjectIntegrityError, ObjectStore, sha256_hex

CHECKED_PREFIXES = ("originals/", "derived/")


@dataclass
class Expected:
    """One object the database refers to."""

    key: str
    sha256: str
    what: str  # original, searchable PDF, text, page words, page text
    document_ids: list[int] = field(default_factory=list)


@dataclass
class Problem:
    kind: str  # missing, changed, orphan
    key: str
    document_ids: list[int]
    detail: str = ""


@dataclass
class FixityReport:
    referenced: int = 0  # objects the database refers to
    checked: int = 0  # of those, read and compared
    sample: int | None = None  # None: all of them
    stored: int = 0  # keys under originals/ and derived/
    problems: list[Problem] = field(default_factory=list)

    def of(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {"referenced": self.referenced, "checked": self.checked, "stored": self.stored,
                "missing": len(self.of("missing")), "changed": len(self.of("changed")),
                "orphan": len(self.of("orphan"))}

    def as_dict(self, limit: int | None = None) -> dict:
        """Counts, and the problems (the first `limit` of them)."""
        return {**self.counts(), "sample": self.sample, "ok": self.ok,
                "problems": [{"kind": p.kind, "key": p.key, "document_ids": p.document_ids,
                              "detail": p.detail} for p in self.problems[:limit]]}


def expected_objects(session: Session) -> dict[str, Expected]:
    """Every object key the database refers to, with the sha256 it was stored with."""
    found: dict[str, Expected] = {}

    def add(key: str | None, sha: str | None, what: str, doc_id: int) -> None:
        if not key or not sha:
            return
        entry = found.setdefault(key, Expected(key, sha, what))
        if doc_id not in entry.document_ids:
            entry.document_ids.append(doc_id)
        if entry.sha256 != sha:  # two rows disagree: the object cannot match both
            entry.sha256 = f"{entry.sha256}|{sha}"

    for doc_id, key, sha, pdf, pdf_sha, txt, txt_sha in session.exec(
            select(Document.id, Document.object_key, Document.sha256, Document.pdf_key,
                   Document.pdf_sha256, Document.text_key, Document.text_sha256)
            .order_by(col(Document.id))):
        add(key, sha, "original", doc_id)  # type: ignore[arg-type]
        add(pdf, pdf_sha, "searchable PDF", doc_id)  # type: ignore[arg-type]
        add(txt, txt_sha, "text", doc_id)  # type: ignore[arg-type]
    for doc_id, words, words_sha, txt, txt_sha in session.exec(
            select(Page.document_id, Page.words_key, Page.words_sha256, Page.text_key,
                   Page.text_sha256).order_by(col(Page.document_id), col(Page.number))):
        add(words, words_sha, "page words", doc_id)
        add(txt, txt_sha, "page text", doc_id)
    return found


def check_object(store: ObjectStore, expected: Expected) -> Problem | None:
    """Read one object back and compare it with what the database recorded."""
    try:
        data = store.get_bytes(expected.key)
    except ObjectIntegrityError as exc:
        try:
            present = store.stat(expected.key) is not None
        except ObjectIntegrityError:
            present = True  # there, but its header or metadata does not hold together
        if not present:
            return Problem("missing", expected.key, expected.document_ids, expected.what)
        return Problem("changed", expected.key, expected.document_ids, f"{expected.what}: {exc}")
    digest = sha256_hex(data)
    if digest not in expected.sha256.split("|") or "|" in expected.sha256:
        return Problem("changed", expected.key, expected.document_ids,
                       f"{expected.what}: sha256 {digest[:16]}… instead of {expected.sha256[:16]}…")
    return None


def stored_keys(store: ObjectStore) -> set[str]:
    return {key for prefix in CHECKED_PREFIXES for key in store.keys(prefix)}


def check_fixity(session: Session, store: ObjectStore, sample: int | None = None,
                 seed: int | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> FixityReport:
    """Compare the store with the database: all referenced objects, or a random `sample` of
    them (reproducible with `seed`); orphans are looked for over the whole store either way.

    The store is listed before the database is read, so an object written and recorded while
    the check runs is not taken for an orphan."""
    keys = stored_keys(store)
    expected = expected_objects(session)
    report = FixityReport(referenced=len(expected), stored=len(keys), sample=sample)
    chosen = sorted(expected)
    if sample is not None and sample < len(chosen):
        chosen = sorted(random.Random(seed).sample(chosen, sample))
    total = len(chosen)
    for done, key in enumerate(chosen):
        if on_progress:
            on_progress(done, total)
        problem = check_object(store, expected[key])
        report.checked += 1
        if problem:
            report.problems.append(problem)
    if on_progress:
        on_progress(total, total)
    for key in sorted(keys - expected.keys()):
        report.problems.append(Problem("orphan", key, _document_of(key),
                                       "nothing in the database refers to it"))
    return report


def _document_of(key: str) -> list[int]:
    """derived/<document id>/… names its document even when the row no longer refers to it."""
    parts = key.split("/")
    if parts[0] == "derived" and len(parts) > 1 and parts[1].isdigit():
        return [int(parts[1])]
    return []

"""What must hold after a fault and a recovery run, whatever the fault was."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from faultlib.runs import Deployment
from schemas.models import Document, Page
from schemas.status import DocumentStatus
from storage.objects import LocalStore, ObjectStoreError

READ = {DocumentStatus.text_ready, DocumentStatus.extracted, DocumentStatus.verified}


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)  # files with no document, or not finished
    duplicated: list[str] = field(default_factory=list)  # more than one document or page set
    problems: list[str] = field(default_factory=list)  # anything else that must not be
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.problems)

    def __str__(self) -> str:
        return (f"lost {self.lost}, duplicated {self.duplicated}, statuses {dict(self.statuses)}"
                + "".join(f"\n  - {p}" for p in self.problems))


def check(deployment: Deployment, handed: list[Path], bad: frozenset[str] = frozenset(),
          ) -> Verdict:
    """Every file handed in has exactly one document, read (or, for the `bad` names, rejected
    with a reason); its pages once each; every object the database names exists with its
    sha256; no partial file is left in a local store."""
    verdict = Verdict()
    with Session(deployment.engine) as session:
        docs = list(session.exec(select(Document)))
        pages = list(session.exec(select(Page)))
    by_sha: dict[str, list[Document]] = {}
    for doc in docs:
        by_sha.setdefault(doc.sha256, []).append(doc)
        verdict.statuses[str(doc.status)] += 1
    wanted = {hashlib.sha256(path.read_bytes()).hexdigest(): path.name for path in handed}
    for sha, name in wanted.items():
        mine = by_sha.get(sha, [])
        if not mine:
            verdict.lost.append(name)
            continue
        if len(mine) > 1:
            verdict.duplicated.append(name)
        for doc in mine:
            _judge(doc, name, name in bad, verdict)
    for sha, extra in by_sha.items():
        if sha not in wanted:
            verdict.problems.append(f"document {extra[0].id} ({extra[0].source_name}) was "
                                    "never handed in")
    _check_pages(docs, pages, verdict)
    _check_objects(deployment, docs, pages, verdict)
    return verdict


def _judge(doc: Document, name: str, bad: bool, verdict: Verdict) -> None:
    if doc.status in READ:
        if bad:
            verdict.problems.append(f"{name}: a malformed file was read as good ({doc.status})")
    elif doc.status == DocumentStatus.rejected:
        if len(doc.reject_reason or "") < 20:
            verdict.problems.append(f"{name}: rejected without a clear reason "
                                    f"({doc.reject_code}: {doc.reject_reason!r})")
        if not bad:
            verdict.problems.append(f"{name}: a good file was rejected: {doc.reject_reason}")
    else:  # received or failed: not finished after the recovery run
        verdict.lost.append(f"{name} ({doc.status}: {doc.error})")


def _check_pages(docs: list[Document], pages: list[Page], verdict: Verdict) -> None:
    numbers: dict[int, list[int]] = {}
    for page in pages:
        numbers.setdefault(page.document_id, []).append(page.number)
    for doc in docs:
        got = sorted(numbers.get(doc.id or 0, []))
        if len(got) != len(set(got)):
            verdict.duplicated.append(f"{doc.source_name}: pages {got}")
        elif doc.status in READ and got != list(range(1, doc.page_count + 1)):
            verdict.problems.append(f"{doc.source_name}: pages {got}, page_count {doc.page_count}")


def _check_objects(deployment: Deployment, docs: list[Document], pages: list[Page],
                   verdict: Verdict) -> None:
    store = deployment.store()
    referenced = []
    for doc in docs:
        referenced += [(doc.object_key, doc.sha256), (doc.pdf_key, doc.pdf_sha256),
                       (doc.text_key, doc.text_sha256)]
    referenced += [(p.words_key, p.words_sha256) for p in pages]
    referenced += [(p.text_key, p.text_sha256) for p in pages]
    for key, sha in referenced:
        if key is None:
            continue
        try:
            store.get_bytes(key, expect_sha256=sha)
        except ObjectStoreError as exc:
            verdict.problems.append(f"the database names {key}, but: {exc}")
    if isinstance(store, LocalStore):
        partial = [p.relative_to(store.root).as_posix() for p in store.root.rglob("*.tmp")]
        if partial:
            verdict.problems.append(f"partial files left in the local store: {partial}")

"""Extract: documents with text -> fields, tables and decisions' metadata -> FieldValue rows,
the person they are about (Cadre) and the dossier they join.

A dossier's documents are read together, in upload order, so that a CV scanned one page per
file is one document and a scanned stack splits into its parts. Values are saved for the
documents not extracted before; those already reviewed are never touched.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.errors import retry_if_transient
from flows.runtime import runtime
from schemas.extraction import ExtractedDocument, ExtractedValue
from schemas.models import Document, Dossier, FieldValue, Page
from schemas.pages import PageText, Word
from schemas.status import DocumentStatus
from storage.db import session_scope
from storage.fields import (
    documents_to_extract,
    dossier_documents,
    dossier_for,
    link_cadre,
    pages_of_documents,
    save_values,
)
from storage.objects import ObjectStore
from storage.queries import set_status
from storage.search import index_fields

IDENTITY = ("so_cccd", "ho_va_ten", "ngay_sinh", "gioi_tinh")


def load_page(store: ObjectStore, page: Page) -> PageText:
    """A page as the reader left it: its words (with boxes and confidences) and rules."""
    stored = json.loads(store.get_bytes(page.words_key, expect_sha256=page.words_sha256))
    words = [Word(w["text"], *w["box"], conf=w["conf"], line=w["line"]) for w in stored["words"]]
    text = store.get_bytes(page.text_key, expect_sha256=page.text_sha256).decode("utf-8")
    loaded = PageText(page.number, page.source, text, words, stored["width"], stored["height"],
                      stored["unit"], dpi=stored.get("dpi"), rotation=page.rotation)
    if "rules" in stored and hasattr(loaded, "rules"):
        loaded.rules = [tuple(r) for r in stored["rules"]]  # type: ignore[attr-defined]
    if "leaders" in stored and hasattr(loaded, "leaders"):
        loaded.leaders = [tuple(seg) for seg in stored["leaders"]]  # type: ignore[attr-defined]
    return loaded


@task(name="extract-group", retries=2, retry_delay_seconds=5,
      retry_condition_fn=retry_if_transient, cache_policy=NO_CACHE)
def extract_group(document_ids: list[int], new_ids: list[int]) -> dict[str, int]:
    """Read the fields of a run of documents (one dossier's, or one unassigned file) and save
    the values that lie in `new_ids`; mark those documents extracted."""
    from extractors.extract import extract_pages

    rt = runtime()
    with session_scope(rt.engine) as session:
        pages = pages_of_documents(session, document_ids)
        order = {doc_id: i for i, doc_id in enumerate(document_ids)}
        pages.sort(key=lambda p: (order[p.document_id], p.number))
        refs = [(p.document_id, p.number) for p in pages]
        texts = [load_page(rt.store, p) for p in pages]
    found = extract_pages(texts)
    counts: Counter[str] = Counter()
    with session_scope(rt.engine) as session:
        documents = {d: session.get(Document, d) for d in document_ids}
        rows: list[FieldValue] = []
        for part, doc in enumerate(found):
            if doc.layout is None:
                continue
            owner = refs[doc.pages[0] - 1][0]
            for value in doc.values:
                where = refs[value.box.page - 1] if value.box else (owner, None)
                if where[0] in new_ids:
                    rows.append(_row(value, doc, part, where, documents[where[0]]))
            counts[doc.document_type] += 1
            if owner in new_ids and documents[owner] is not None:
                documents[owner].doc_type = doc.document_type  # type: ignore[union-attr]
            if doc.document_type == "so_yeu_ly_lich":
                _link(session, doc, [documents[d] for d in new_ids], counts)
        for row in rows:  # a file that had no dossier may have joined its person's just now
            row.dossier_id = documents[row.document_id].dossier_id  # type: ignore[union-attr]
        save_values(session, rows, rt.settings.auto_accept_confidence)
        index_fields(session, new_ids)  # values and the person's name become searchable
        for doc_id in new_ids:
            set_status(documents[doc_id], DocumentStatus.extracted)  # type: ignore[arg-type]
            session.add(documents[doc_id])
        counts["values"] += len(rows)
    return dict(counts)


def _row(value: ExtractedValue, doc: ExtractedDocument, part: int, where: tuple[int, int | None],
         document: Document | None) -> FieldValue:
    box = value.box
    return FieldValue(
        document_id=where[0], dossier_id=document.dossier_id if document else None, part=part,
        document_type=doc.document_type, layout=doc.layout, key=value.key, row=value.row,
        column=value.column, raw=value.raw[:4000], value=(value.value or "")[:4000] if value.value is not None
        else None, confidence=value.confidence, page=where[1],
        x0=box.x0 if box else None, y0=box.y0 if box else None, x1=box.x1 if box else None,
        y1=box.y1 if box else None, problems=value.problems)


def _link(session, doc: ExtractedDocument, documents: list[Document | None], counts: Counter[str]) -> None:
    """The person of a CV; a file with no dossier joins that person's dossier at its unit."""
    values = {k: doc.value(k) for k in IDENTITY}
    read = {k: v.value if v else None for k, v in values.items()}
    born = read["ngay_sinh"]
    birth = date.fromisoformat(born) if born and len(born) == 10 else None
    link = link_cadre(session, read["so_cccd"] or None, read["ho_va_ten"], birth, read["gioi_tinh"])
    if link.conflict:
        counts["conflicts"] += 1
        for value in values.values():
            if value is not None:
                value.problems.append(link.conflict)
                value.confidence = 0.0  # a person's identity in doubt: a reviewer decides
        return
    if link.cadre is None:
        return
    counts["cadres_new" if link.created else "cadres_known"] += 1
    for document in documents:
        if document is None:
            continue
        if document.dossier_id is None and document.unit_id is not None:
            document.dossier_id = dossier_for(session, document.unit_id, link.cadre).id
            session.add(document)
    for dossier_id in {d.dossier_id for d in documents if d is not None and d.dossier_id}:
        dossier = session.get(Dossier, dossier_id)
        if dossier is not None and dossier.cadre_id is None:
            dossier.cadre_id = link.cadre.id
            session.add(dossier)


@flow(name="extract")
def extract(limit: int | None = None) -> dict[str, int]:
    """Read the fields of every document that has its text; returns what was found."""
    logger = get_run_logger()
    with session_scope(runtime().engine) as session:
        waiting = documents_to_extract(session)[:limit]
        groups: dict[tuple[str, int], list[int]] = {}
        for document in waiting:
            key = ("dossier", document.dossier_id) if document.dossier_id else ("file", document.id)
            groups.setdefault(key, []).append(document.id)  # type: ignore[arg-type]
        runs = []
        for (kind, key), new_ids in groups.items():
            ids = [d.id for d in dossier_documents(session, key)] if kind == "dossier" else new_ids
            runs.append((ids, new_ids))
    totals: Counter[str] = Counter()
    for ids, new_ids in runs:
        totals.update(extract_group(ids, new_ids))  # type: ignore[arg-type]
        totals["documents"] += len(new_ids)
    logger.info("extracted %d documents: %s", totals["documents"], dict(totals))
    return dict(totals)

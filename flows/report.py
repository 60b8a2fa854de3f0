"""What the database says about the documents, as plain data for tables and JSON."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine
from sqlmodel import col

from schemas.models import Document
from schemas.status import DocumentStatus, TextSource
from storage.access import Scope, scoped_documents
from storage.db import session_scope
from storage.queries import counts_by_status, counts_by_unit, documents, pages_of, unit_codes


def status_report(engine: Engine, with_pages: bool = False, scope: Scope | None = None) -> dict:
    """Counts by status and unit, and every document with its outcome. With a scope, only the
    documents it reaches, and counts of those (no scope: every document, for the pipeline)."""
    with session_scope(engine) as session:
        units = unit_codes(session)
        rows = []
        listed = documents(session) if scope is None else \
            list(session.exec(scoped_documents(scope).order_by(col(Document.id))))
        for doc in listed:
            row = {
                "id": doc.id, "source_name": doc.source_name, "sha256": doc.sha256,
                "size": doc.size, "unit": units.get(doc.unit_id or -1), "status": doc.status.value,
                "kind": doc.kind.value if doc.kind else None, "pages": doc.page_count,
                "reject_code": doc.reject_code, "reject_reason": doc.reject_reason,
                "error": doc.error, "warnings": doc.warnings or [],
                "searchable_pdf": doc.pdf_key, "text": doc.text_key,
            }
            if with_pages:
                pages = pages_of(session, doc.id)  # type: ignore[arg-type]
                sources = Counter(p.source.value for p in pages)
                confs = [p.mean_conf for p in pages if p.mean_conf is not None]
                row["sources"] = dict(sources)
                row["mean_conf"] = round(sum(confs) / len(confs), 1) if confs else None
                row["rotated_pages"] = sum(1 for p in pages if p.rotation)
                row["ocr_pages"] = sources.get(TextSource.ocr.value, 0)
            rows.append(row)
        if scope is not None:
            by_status = Counter(r["status"] for r in rows)
            by_unit: dict[str, Counter[str]] = {}
            for r in rows:
                by_unit.setdefault(r["unit"] or "-", Counter())[r["status"]] += 1
            return {"counts": {s.value: by_status.get(s.value, 0) for s in DocumentStatus},
                    "units": {code: dict(c) for code, c in sorted(by_unit.items())},
                    "documents": rows}
        return {
            "counts": {s.value: counts_by_status(session).get(s.value, 0) for s in DocumentStatus},
            "units": {code: dict(c) for code, c in counts_by_unit(session).items()},
            "documents": rows,
        }

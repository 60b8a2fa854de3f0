"""Writing what a document yielded: derived objects first, then the rows that point at them.

Objects are written (atomically, verified) before the transaction that records them, so a
crash at any point leaves the old state or the new one, never a row pointing at nothing.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from schemas.models import Document, Page, utcnow
from schemas.pages import DocumentText, InputRejected
from schemas.status import DocumentStatus
from storage.objects import ObjectStore, derived_key
from storage.queries import replace_pages, set_status


def save_text(session: Session, store: ObjectStore, document: Document,
              result: DocumentText) -> None:
    """Store the searchable PDF, the text and each page's words; mark the document text_ready."""
    doc_id = document.id
    assert doc_id is not None
    pdf = store.put_bytes(derived_key(doc_id, "searchable.pdf"), result.searchable_pdf,
                          "application/pdf")
    text = store.put_bytes(derived_key(doc_id, "text.txt"), result.text.encode("utf-8"),
                           "text/plain; charset=utf-8")
    pages: list[Page] = []
    for page in result.pages:
        stem = f"pages/{page.number:04d}"
        words_doc = {
            "page": page.number, "source": page.source.value, "unit": page.unit,
            "width": page.width, "height": page.height, "dpi": page.dpi,
            "rotation": page.rotation, "words": [w.as_dict() for w in page.words],
            "rules": [[round(v, 1) for v in rule] for rule in getattr(page, "rules", [])],
            "leaders": [[round(v, 1) for v in seg] for seg in getattr(page, "leaders", [])],
        }
        words = store.put_bytes(derived_key(doc_id, f"{stem}.words.json"),
                                json.dumps(words_doc, ensure_ascii=False).encode("utf-8"),
                                "application/json")
        page_text = store.put_bytes(derived_key(doc_id, f"{stem}.txt"),
                                    page.text.encode("utf-8"), "text/plain; charset=utf-8")
        pages.append(Page(
            document_id=doc_id, number=page.number, source=page.source, rotation=page.rotation,
            skew=page.skew, mean_conf=page.mean_conf, dpi=page.dpi, width=page.width,
            height=page.height, word_count=len(page.words), char_count=len(page.text),
            words_key=words.key, words_sha256=words.sha256, text_key=page_text.key,
            text_sha256=page_text.sha256, warnings=page.warnings,
        ))
    replace_pages(session, document, pages)
    set_status(document, DocumentStatus.text_ready, kind=result.kind, page_count=len(pages),
               pdf_key=pdf.key, pdf_sha256=pdf.sha256, text_key=text.key,
               text_sha256=text.sha256, warnings=result.warnings, error=None,
               text_ready_at=utcnow())
    session.add(document)


def save_rejection(session: Session, document: Document, rejection: InputRejected) -> None:
    """Bad input: keep the reason; the original stays in the store untouched."""
    set_status(document, DocumentStatus.rejected, reject_code=rejection.reason.value,
               reject_reason=rejection.message, error=None)
    session.add(document)


def save_failure(session: Session, document: Document, error: str) -> None:
    """A transient failure: a later run picks the document up again, while it has runs left."""
    set_status(document, DocumentStatus.failed, error=error[:2000], failures=document.failures + 1,
               claimed_at=None)
    session.add(document)

"""Full-text search over what was read (page text, field values) and what names a dossier (its
code, its person's name), ignoring diacritics: "nguyen van an" finds "Nguyễn Văn An".

The text is folded in Python (schemas.vietnamese.fold: no case, no tone marks, đ -> d) and cut
into plain words before it is indexed, and the query the same way, so SQLite (an FTS5 table)
and PostgreSQL (a tsvector with the 'simple' configuration and a GIN index) match exactly the
same words. One index, `search_index` (migration 0005), holds rows of three kinds, numbered so
that a row's id says what it is: a chunk of a document's text, a document's field values, and
a dossier's names. Results are dossiers, and every query goes through the scope's clauses: a
clerk finds only their units' dossiers, and only the security role finds restricted ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine, Integer, and_, case, func, or_, text
from sqlmodel import Session, col, select

from schemas.models import Cadre, Document, Dossier, FieldCorrection, FieldValue, Unit
from schemas.status import DocumentStatus, FieldStatus
from schemas.vietnamese import fold
from storage.access import Scope, document_clause, dossier_clause, units_under
from storage.db import session_scope

SLOTS = 64  # rows per document (or dossier) id: id * SLOTS + slot
TEXT_SLOTS = 62  # slots 0..61: chunks of the document's text
FIELDS_SLOT = 62  # the document's field values (current: the latest correction, else as read)
DOSSIER_SLOT = 63  # the dossier's code, title, its person's name and CCCD (keyed by dossier id)
CHUNK_CHARS = 200_000  # PostgreSQL keeps word positions up to 16383: phrases stay findable
_WORDS = re.compile(r"[0-9a-z]+")

# A dossier's stage: the lowest among its documents that were not rejected (as in progress).
_RANK = case(
    (col(Document.status) == DocumentStatus.text_ready, 1),
    (col(Document.status) == DocumentStatus.extracted, 2),
    (col(Document.status) == DocumentStatus.verified, 3),
    (col(Document.status) == DocumentStatus.rejected, None),
    else_=0,
)
STAGES = (DocumentStatus.received, DocumentStatus.text_ready, DocumentStatus.extracted,
          DocumentStatus.verified)
# Filters of the dossier list besides the stages: every file rejected; values waiting for review.
STATUS_FILTERS = (*[s.value for s in STAGES], DocumentStatus.rejected.value, "needs_review")


def words(text: str) -> list[str]:
    """The words the index keeps of a text: folded, letters and digits only."""
    return _WORDS.findall(fold(text))


def _chunks(body: str) -> list[str]:
    """Long text in pieces of about CHUNK_CHARS, cut between words."""
    pieces: list[str] = []
    while len(body) > CHUNK_CHARS and len(pieces) < TEXT_SLOTS - 1:
        cut = body.rfind(" ", 0, CHUNK_CHARS)
        cut = cut if cut > 0 else CHUNK_CHARS
        pieces.append(body[:cut])
        body = body[cut + 1:]
    pieces.append(body)
    return pieces


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _delete(session: Session, first: int, last: int) -> None:
    key = "rowid" if _is_sqlite(session) else "id"
    session.execute(text(f"DELETE FROM search_index WHERE {key} BETWEEN :a AND :b"),
                    {"a": first, "b": last})


def _put(session: Session, rows: dict[int, str]) -> None:
    """Write rows (id -> folded body); empty bodies are left out."""
    rows = {k: v for k, v in rows.items() if v}
    if not rows:
        return
    params = [{"id": k, "body": v} for k, v in rows.items()]
    if _is_sqlite(session):
        session.execute(text("INSERT INTO search_index (rowid, body) VALUES (:id, :body)"), params)
    else:
        session.execute(text("INSERT INTO search_index (id, body) VALUES (:id, :body) "
                             "ON CONFLICT (id) DO UPDATE SET body = excluded.body"), params)


def index_text(session: Session, document_id: int, text_: str) -> None:
    """Index a document's text (and its file name) once it is read; its dossier's names too."""
    document = session.get(Document, document_id)
    base = document_id * SLOTS
    _delete(session, base, base + TEXT_SLOTS - 1)
    body = " ".join(words((document.source_name + "\n" if document else "") + text_))
    _put(session, {base + i: chunk for i, chunk in enumerate(_chunks(body))})
    if document is not None and document.dossier_id is not None:
        index_dossier(session, document.dossier_id)


def index_fields(session: Session, document_ids: Iterable[int]) -> None:
    """Index the current field values of documents (after extraction or a correction), and the
    names of their dossiers (extraction may have found the person)."""
    ids = sorted(set(document_ids))
    if not ids:
        return
    values: dict[int, list[str]] = {i: [] for i in ids}
    session.flush()
    rows = list(session.exec(select(FieldValue).where(col(FieldValue.document_id).in_(ids))))
    latest: dict[int, str] = {}
    fixed = [r.id for r in rows if r.status == FieldStatus.corrected]
    if fixed:
        for correction in session.exec(select(FieldCorrection)
                                       .where(col(FieldCorrection.field_value_id).in_(fixed))
                                       .order_by(col(FieldCorrection.corrected_at),
                                                 col(FieldCorrection.id))):
            latest[correction.field_value_id] = correction.value
    for row in rows:
        current = latest.get(row.id, row.value)  # type: ignore[arg-type]
        if current:
            values[row.document_id].append(current)
    for doc_id in ids:
        key = doc_id * SLOTS + FIELDS_SLOT
        _delete(session, key, key)
        _put(session, {key: " ".join(words("\n".join(values[doc_id])))})
    dossiers = session.exec(select(Document.dossier_id).where(col(Document.id).in_(ids),
                                                              col(Document.dossier_id).is_not(None)))
    for dossier_id in sorted(set(dossiers)):
        index_dossier(session, dossier_id)  # type: ignore[arg-type]


def index_dossier(session: Session, dossier_id: int) -> None:
    """Index what names a dossier: its code, its title, its person's name and CCCD."""
    dossier = session.get(Dossier, dossier_id)
    key = dossier_id * SLOTS + DOSSIER_SLOT
    _delete(session, key, key)
    if dossier is None:
        return
    cadre = session.get(Cadre, dossier.cadre_id) if dossier.cadre_id else None
    name = cadre.full_name if cadre else ""
    title = "" if words(dossier.title) in (words(name), words(dossier.code or "")) else dossier.title
    parts = [dossier.code or "", title, name, (cadre.cccd or "") if cadre else ""]
    _put(session, {key: " ".join(words("\n".join(parts)))})


def forget_document(session: Session, document_id: int) -> None:
    base = document_id * SLOTS
    _delete(session, base, base + FIELDS_SLOT)


def reindex(engine: Engine, read_text: Callable[[Document], str],
            on_progress: Callable[[int, int], None] | None = None, batch: int = 200) -> dict[str, int]:
    """Build the whole index again from the database and the stored text (`read_text` gives a
    document's text). Commits every `batch` documents, so a long run shows its progress and a
    crash keeps what was done; searching works meanwhile on what is indexed."""
    readable = (DocumentStatus.text_ready, DocumentStatus.extracted, DocumentStatus.verified)
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM search_index"))
        docs = list(session.exec(select(Document.id).where(col(Document.status).in_(readable),
                                                           col(Document.text_key).is_not(None))
                                 .order_by(col(Document.id))))
        dossiers = list(session.exec(select(Dossier.id).order_by(col(Dossier.id))))
    counts = {"documents": 0, "dossiers": 0}
    for start in range(0, len(docs), batch):
        with session_scope(engine) as session:
            chunk = docs[start:start + batch]
            for doc_id in chunk:
                document = session.get(Document, doc_id)
                if document is not None:
                    index_text(session, doc_id, read_text(document))
            index_fields(session, chunk)
        counts["documents"] += len(chunk)
        if on_progress:
            on_progress(counts["documents"], len(docs))
    with session_scope(engine) as session:
        for dossier_id in dossiers:
            index_dossier(session, dossier_id)  # type: ignore[arg-type]
        counts["dossiers"] = len(dossiers)
    return counts


# --- searching ------------------------------------------------------------------------------

def _hits_sql(session: Session, query: str, phrase: bool) -> tuple[str, dict]:
    """SQL giving (ref, slot) of the rows that match: all the words in this order (a phrase:
    "nguyen van an" is a name, not three common syllables anywhere), or all of them anywhere."""
    terms = words(query)
    if _is_sqlite(session):
        match = '"' + " ".join(terms) + '"' if phrase else " ".join(f'"{t}"' for t in terms)
        return ("SELECT rowid / 64 AS ref, rowid % 64 AS slot FROM search_index "
                "WHERE search_index MATCH :match", {"match": match})
    tsquery = (" <-> " if phrase else " & ").join(terms)
    return ("SELECT id / 64 AS ref, id % 64 AS slot FROM search_index "
            "WHERE tsv @@ to_tsquery('simple', :match)", {"match": tsquery})


def _matched_dossiers(session: Session, scope: Scope, query: str, phrase: bool):  # type: ignore[no-untyped-def]
    sql, params = _hits_sql(session, query, phrase)
    hits = text(sql).bindparams(**params).columns(ref=Integer, slot=Integer).subquery("hits")
    by_name = select(hits.c.ref).where(hits.c.slot == DOSSIER_SLOT)
    by_document = (select(Document.dossier_id)
                   .where(col(Document.id).in_(select(hits.c.ref).where(hits.c.slot < DOSSIER_SLOT)),
                          document_clause(scope)))
    return or_(col(Dossier.id).in_(by_name), col(Dossier.id).in_(by_document))


@dataclass(slots=True)
class DossierHit:
    id: int
    code: str | None
    title: str
    unit_id: int
    unit_code: str
    unit_name: str
    cadre_name: str | None
    birth_date: str | None
    stage: DocumentStatus | None  # None: no documents, or every one rejected
    documents: int
    needs_review: int = 0


@dataclass(slots=True)
class DossierPage:
    total: int
    hits: list[DossierHit] = field(default_factory=list)
    exact: bool = True  # False: no phrase matched, these hold all the words in any order


def search_dossiers(session: Session, scope: Scope, q: str | None = None, unit_id: int | None = None,
                    status: str | None = None, limit: int = 50, offset: int = 0) -> DossierPage:
    """Dossiers the scope reaches, newest first; with `q`, those whose text, field values, code
    or person's name hold its words (as a phrase first; when no dossier has the phrase, all
    the words anywhere). `unit_id` includes its sub-units; `status` is one of STATUS_FILTERS."""
    stages = (select(col(Document.dossier_id).label("dossier_id"), func.min(_RANK).label("rank"),
                     func.count().label("documents"))
              .where(col(Document.dossier_id).is_not(None)).group_by(col(Document.dossier_id))
              .subquery("stages"))
    base = (select(Dossier, Unit, Cadre, stages.c.rank, stages.c.documents)
            .join(Unit, col(Unit.id) == Dossier.unit_id)
            .join(Cadre, col(Cadre.id) == Dossier.cadre_id, isouter=True)
            .join(stages, stages.c.dossier_id == Dossier.id, isouter=True)
            .where(dossier_clause(scope)))
    if unit_id is not None:
        base = base.where(col(Dossier.unit_id).in_(sorted(units_under(session, unit_id))))
    if status:
        base = base.where(_status_clause(status, stages))
    exact = True
    if q and words(q):
        found = base.where(_matched_dossiers(session, scope, q, phrase=True))
        if len(words(q)) > 1 and _count(session, found) == 0:
            found, exact = base.where(_matched_dossiers(session, scope, q, phrase=False)), False
        base = found
    total = _count(session, base)
    rows = session.exec(base.order_by(col(Dossier.created_at).desc(), col(Dossier.id).desc())
                        .limit(limit).offset(offset)).all()
    hits = [DossierHit(
        id=d.id, code=d.code, title=d.title, unit_id=u.id, unit_code=u.code, unit_name=u.name,  # type: ignore[arg-type]
        cadre_name=c.full_name if c else None,
        birth_date=c.birth_date.isoformat() if c and c.birth_date else None,
        stage=STAGES[rank] if rank is not None else (DocumentStatus.rejected if n else None),
        documents=n or 0) for d, u, c, rank, n in rows]
    _add_review_counts(session, hits)
    return DossierPage(total=total, hits=hits, exact=exact)


def _status_clause(status: str, stages):  # type: ignore[no-untyped-def]
    if status == "needs_review":
        return col(Dossier.id).in_(select(FieldValue.dossier_id)
                                   .where(FieldValue.status == FieldStatus.needs_review))
    if status == DocumentStatus.rejected:
        return and_(stages.c.documents > 0, stages.c.rank.is_(None))
    if status in [s.value for s in STAGES]:
        return stages.c.rank == [s.value for s in STAGES].index(status)
    raise ValueError(f"unknown dossier status '{status}': one of {', '.join(STATUS_FILTERS)}")


def _count(session: Session, query) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(query.subquery())).one()


def _add_review_counts(session: Session, hits: list[DossierHit]) -> None:
    if not hits:
        return
    rows = session.exec(select(FieldValue.dossier_id, func.count())
                        .where(col(FieldValue.dossier_id).in_([h.id for h in hits]),
                               FieldValue.status == FieldStatus.needs_review)
                        .group_by(FieldValue.dossier_id))
    waiting = dict(rows.all())
    for hit in hits:
        hit.needs_review = waiting.get(hit.id, 0)

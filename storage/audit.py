"""The audit trail: an append-only chain of events. Each event's hash covers its content and the
hash of the event before it, so editing or deleting any event breaks the chain from there on.

Deleting the newest events leaves a shorter chain that is still consistent; anchors catch that.
An anchor (the id and hash of the head event at one moment) is kept outside the database, in
the object store (`audit/head.json` and one `audit/anchors/<day>.json` per day): every
anchored event must still be in the chain, with the same hash.

Details carry ids, hashes and counts, never names or field values, and ID numbers are masked.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from schemas.models import AuditEvent, utcnow
from schemas.status import AuditAction
from storage.objects import ObjectStore

GENESIS = "0" * 64
HEAD_KEY = "audit/head.json"
ANCHORS = "audit/anchors/"
# Any constant works: every writer of the chain takes the same transaction-level lock.
_PG_LOCK = 0x686F736F_61756474  # "hosoaudt"

# A run of 9–12 digits is an ID number (CMND 9 or 12, CCCD 12, BHXH 10, a phone number 10).
# Hex tokens (sha256s, object keys, random bucket names: 16 or more hex characters with a
# letter among them) and UUIDs (Prefect run ids) are matched first and kept whole, so a digit
# run inside one is not taken for an ID.
_ID_OR_TOKEN = re.compile(
    r"(?P<keep>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    r"|[0-9a-fA-F]{32,}|\b(?=[0-9]*[a-fA-F])[0-9a-fA-F]{16,}\b)"
    r"|(?<!\d)(?P<id>\d{9,12})(?!\d)")


def _mask_match(match: re.Match[str]) -> str:
    run = match.group("id")
    if run is None:
        return match.group("keep")
    return run[:3] + "*" * (len(run) - 5) + run[-2:]


def mask_ids(text: str) -> str:
    """ID numbers (runs of 9–12 digits: CMND, CCCD) shown as their first 3 and last 2 digits."""
    return _ID_OR_TOKEN.sub(_mask_match, text)


def _masked(value: object) -> object:
    if isinstance(value, str):
        return mask_ids(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def event_hash(prev_hash: str, at: datetime, actor: str, action: str, object_type: str,
               object_id: str, unit_id: int | None, detail: dict) -> str:
    utc = at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at  # as the database gives it back
    body = json.dumps([prev_hash, utc.isoformat(timespec="microseconds"), actor,
                       str(action), object_type, object_id, unit_id, detail],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def last_hash(session: Session) -> str:
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return last or GENESIS


def head(session: Session) -> AuditEvent | None:
    """The newest event."""
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()


def _lock_chain(session: Session) -> None:
    """Make this transaction the only writer of the chain until it ends, so that no two events
    chain to the same predecessor. PostgreSQL: a transaction-level advisory lock. SQLite: an
    empty write, which takes the database's one write lock (a plain read would not, and another
    writer could append between our read of the last hash and our insert)."""
    backend = session.get_bind().dialect.name
    if backend == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    elif backend == "sqlite":
        session.execute(text("UPDATE auditevent SET id = id WHERE id < 0"))


def record(session: Session, actor: str, action: AuditAction, object_type: str = "",
           object_id: object = "", unit_id: int | None = None, **detail: object) -> AuditEvent:
    """Append one event in the caller's transaction. ID numbers in the detail are masked.

    The chain is locked from here to the end of the caller's transaction (commit or rollback),
    so call it last in the transaction. Should two writers still race (a writer that does not
    take the lock), the unique hash column makes the second fail rather than fork the chain.
    """
    _lock_chain(session)
    at = utcnow()
    clean = _masked(detail)
    prev = last_hash(session)
    oid = mask_ids(str(object_id)) if object_id is not None else ""
    event = AuditEvent(at=at, actor=actor, action=action, object_type=object_type, object_id=oid,
                       unit_id=unit_id, detail=clean, prev_hash=prev,  # type: ignore[arg-type]
                       hash=event_hash(prev, at, actor, action, object_type, oid, unit_id, clean))  # type: ignore[arg-type]
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainProblem:
    event_id: int | None
    problem: str


def _in_order(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event by id, a batch at a time (the chain may be long)."""
    after = -1
    while True:
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.id) > after)
                            .order_by(col(AuditEvent.id)).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id  # type: ignore[assignment]


def verify_chain(session: Session) -> tuple[int, list[ChainProblem]]:
    """Walk the chain in order: (events checked, problems). An event whose content was edited
    no longer matches its hash; the event after a deleted one no longer links to its
    predecessor. (Ids may have gaps: a rolled-back transaction uses up a sequence number.)"""
    problems: list[ChainProblem] = []
    prev, count = GENESIS, 0
    for event in _in_order(session):
        count += 1
        if event.prev_hash != prev:
            problems.append(ChainProblem(event.id, "does not follow the event before it "
                                         "(an event before it was changed or deleted)"))
        again = event_hash(event.prev_hash, event.at, event.actor, event.action, event.object_type,
                           event.object_id, event.unit_id, event.detail or {})
        if again != event.hash:
            problems.append(ChainProblem(event.id, "its content was changed after it was written"))
        prev = event.hash
    return count, problems


# Anchors: the head of the chain, kept where the database's users cannot rewrite it.


@dataclass(frozen=True)
class Anchor:
    event_id: int
    hash: str
    at: str  # when the anchored event was written (ISO, UTC)
    source: str = ""  # the object it was read from

    def as_json(self) -> bytes:
        return json.dumps({"event_id": self.event_id, "hash": self.hash, "at": self.at},
                          sort_keys=True).encode()


def anchor_of(event: AuditEvent) -> Anchor:
    return Anchor(event.id, event.hash, event.at.isoformat())  # type: ignore[arg-type]


def write_anchor(store: ObjectStore, event: AuditEvent, day: date) -> Anchor:
    """Keep the event as the head: in `audit/head.json` and as the day's anchor."""
    anchor = anchor_of(event)
    store.put_bytes(f"{ANCHORS}{day.isoformat()}.json", anchor.as_json(), "application/json")
    store.put_bytes(HEAD_KEY, anchor.as_json(), "application/json")
    return anchor


def read_anchors(store: ObjectStore) -> list[Anchor]:
    """Every anchor kept: the head and the dated ones."""
    keys = [key for key in store.keys("audit/") if key == HEAD_KEY or
            (key.startswith(ANCHORS) and key.endswith(".json"))]
    anchors = []
    for key in sorted(keys):
        data = json.loads(store.get_bytes(key))
        anchors.append(Anchor(int(data["event_id"]), str(data["hash"]), str(data.get("at", "")), key))
    return anchors


def verify_anchors(session: Session, anchors: list[Anchor]) -> list[ChainProblem]:
    """Every anchored event must still be in the chain with the hash it had."""
    problems: list[ChainProblem] = []
    for anchor in sorted(anchors, key=lambda a: a.event_id):
        event = session.get(AuditEvent, anchor.event_id)
        if event is None:
            problems.append(ChainProblem(anchor.event_id, f"is missing, but {anchor.source} says it was "
                                         f"written at {anchor.at} (events were deleted)"))
        elif event.hash != anchor.hash:
            problems.append(ChainProblem(anchor.event_id, f"has another hash than {anchor.source} kept "
                                         "(the chain was rewritten from there)"))
    return problems


@dataclass
class ChainCheck:
    events: int
    anchors: int
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_chain(session: Session, store: ObjectStore) -> ChainCheck:
    """The chain walked from the start, and every anchor kept in the store found in it."""
    count, problems = verify_chain(session)
    anchors = read_anchors(store)
    problems += verify_anchors(session, anchors)
    problems.sort(key=lambda p: (p.event_id is None, p.event_id or 0))
    return ChainCheck(count, len(anchors), problems)


def events(session: Session, actor: str | None = None, action: AuditAction | None = None,
           since: datetime | None = None, limit: int = 50) -> list[AuditEvent]:
    """The newest events first, filtered."""
    query = select(AuditEvent)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(col(AuditEvent.at) >= since)
    return list(session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit)))

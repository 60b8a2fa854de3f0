"""The audit trail: an append-only chain of events. Each event's hash covers its content and the
hash of the event before it, so editing or deleting any event breaks the chain from there on."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from schemas.models import AuditEvent, utcnow
from schemas.status import AuditAction

GENESIS = "0" * 64
_RUN = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def mask_ids(text: str) -> str:
    """ID numbers (runs of 9–12 digits: CMND, CCCD) shown as their first 3 and last 2 digits."""
    return _RUN.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 5) + m.group()[-2:], text)


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


def record(session: Session, actor: str, action: AuditAction, object_type: str = "",
           object_id: object = "", unit_id: int | None = None, **detail: object) -> AuditEvent:
    """Append one event in the caller's transaction. ID numbers in the detail are masked.

    Two writers appending at once would both chain to the same predecessor; the unique hash
    column makes the second fail (and its transaction retry or abort) rather than fork the chain.
    """
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


def verify_chain(session: Session) -> tuple[int, list[ChainProblem]]:
    """Walk the chain in order: (events checked, problems). An event whose content was edited
    no longer matches its hash; the event after a deleted one no longer links to its
    predecessor. (Ids may have gaps: a rolled-back transaction uses up a sequence number.)"""
    problems: list[ChainProblem] = []
    prev, count = GENESIS, 0
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
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

"""Progress per unit and for the province: counts rolled up the unit tree, throughput over a
trailing window, a forecast, and where each unit stands against its deadline."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from schemas.models import ProgressSnapshot, Unit
from schemas.progress import DayCount, ProgressReport, UnitProgress
from schemas.settings import Settings
from schemas.status import ProgressState
from storage import progress as queries

PROVINCE_CODE = "TOAN-TINH"  # the sum of several roots, when the tree has more than one


@dataclass
class Tally:
    """A unit's own figures, or a subtree's once rolled up."""

    inventoried: int | None = None
    received: int = 0
    electronic: int = 0
    extracted: int = 0
    verified: int = 0
    documents: int = 0
    rejected: int = 0
    failed: int = 0
    unassigned: int = 0
    electronic_counted: int = 0
    without_inventory: int = 0
    ready_days: Counter[date] = field(default_factory=Counter)  # counted dossiers made electronic
    all_ready_days: Counter[date] = field(default_factory=Counter)
    received_days: Counter[date] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        if other.inventoried is not None:
            self.inventoried = (self.inventoried or 0) + other.inventoried
        for name in ("received", "electronic", "extracted", "verified", "documents", "rejected",
                     "failed", "unassigned", "electronic_counted", "without_inventory"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.ready_days.update(other.ready_days)
        self.all_ready_days.update(other.all_ready_days)
        self.received_days.update(other.received_days)


def progress_report(session: Session, settings: Settings, as_of: date | None = None,
                    units_on: date | None = None) -> ProgressReport:
    """The whole province's progress. Units are grouped as they stood on `units_on` (default:
    the earlier of `as_of` and the deadline, so a 2022 report keeps the 2022 districts); the
    figures of a unit that no longer existed then go to its nearest ancestor that did."""
    as_of = as_of or settings.today()
    units_on = units_on or min(as_of, settings.deadline)
    units = queries.all_units(session)
    by_id: dict[int | None, Unit] = {u.id: u for u in units}
    own = _own_tallies(session, settings, units)
    tree = _visible_tree(units, units_on)
    rows: list[UnitProgress] = []
    province_tally = Tally()
    roots = [u for u in units if tree.get(u.id, -1) is None]
    for unit in units:  # figures of units with no visible ancestor at all
        if unit.id not in tree and _visible_ancestor(unit, by_id, tree) is None:
            province_tally.add(own.get(unit.id, Tally()))
    province_tally.add(own.get(None, Tally()))  # documents with no unit (none, normally)
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: u.code):
        if unit.id in tree:
            children.setdefault(tree[unit.id], []).append(unit)
    folded = _fold_hidden(units, by_id, tree, own)
    single_root = len(roots) == 1 and not province_tally.documents
    base_level = 0 if single_root else 1
    window = settings.throughput_days

    def visit(unit: Unit, level: int, parent: Unit | None, deadline: date) -> Tally:
        deadline = unit.deadline or deadline
        slot = len(rows)
        rows.append(None)  # type: ignore[arg-type]  (the unit comes before its sub-units)
        total = Tally()
        total.add(folded.get(unit.id, Tally()))
        for child in children.get(unit.id, []):
            total.add(visit(child, level + 1, unit, deadline))
        rows[slot] = _progress(unit.code, unit.name, level, parent.code if parent else None,
                               unit.bloc.value if unit.bloc else None, total, deadline, as_of, window)
        return total

    for root in children.get(None, []):
        province_tally.add(visit(root, base_level, None, settings.deadline))
    if single_root:
        province = rows[0]
    else:
        province = _progress(PROVINCE_CODE, "Toàn tỉnh", 0, None, None, province_tally,
                             settings.deadline, as_of, window)
        for row in rows:
            if row.level == 1:
                row.parent_code = row.parent_code or PROVINCE_CODE
        rows.insert(0, province)
    snapshots = []
    if single_root:
        snapshots = [_snapshot_dict(s) for s in queries.snapshots_of(session, roots[0].id)]  # type: ignore[arg-type]
    return ProgressReport(as_of=as_of, deadline=settings.deadline, window_days=window,
                          province=province, units=rows, burnup=_burnup(province_tally),
                          snapshots=snapshots)


def _own_tallies(session: Session, settings: Settings, units: list[Unit]) -> dict[int | None, Tally]:
    zone = ZoneInfo(settings.timezone)
    listed = queries.listed_paper_dossiers(session)
    own: dict[int | None, Tally] = {}
    for unit in units:
        tally = own[unit.id] = Tally()
        tally.inventoried = unit.paper_dossiers if unit.paper_dossiers is not None else listed.get(unit.id)  # type: ignore[arg-type]
    for stage in queries.dossier_stages(session):
        tally = own.setdefault(stage.unit_id, Tally())
        tally.received += 1
        tally.received_days[stage.received_at.astimezone(zone).date()] += 1
        if stage.rank is None or stage.rank < 1:
            continue
        tally.electronic += 1
        tally.extracted += stage.rank >= 2
        tally.verified += stage.rank >= 3
        day = stage.ready_at.astimezone(zone).date() if stage.ready_at else None
        if day:
            tally.all_ready_days[day] += 1
        if tally.inventoried is not None:
            tally.electronic_counted += 1
            if day:
                tally.ready_days[day] += 1
    for unit_id, counts in queries.document_counts(session).items():
        tally = own.setdefault(unit_id, Tally())
        tally.documents += sum(n for s, n in counts.items() if s != "unassigned")
        tally.rejected += counts.get("rejected", 0)
        tally.failed += counts.get("failed", 0)
        tally.unassigned += counts.get("unassigned", 0)
    parents = {u.parent_id for u in units}
    for unit in units:  # a unit that holds dossiers (or is a leaf) but has no count is a gap
        tally = own[unit.id]
        if tally.inventoried is None and (unit.id not in parents or tally.received):
            tally.without_inventory = 1
    return own


def _valid_on(unit: Unit, day: date) -> bool:
    started = unit.valid_from is None or unit.valid_from <= day
    return started and (unit.valid_to is None or unit.valid_to >= day)


def _visible_ancestor(unit: Unit, by_id: dict[int | None, Unit], tree: dict[int, int | None]) -> int | None:
    parent = by_id.get(unit.parent_id)
    while parent is not None and parent.id not in tree:
        parent = by_id.get(parent.parent_id)
    return parent.id if parent is not None else None


def _visible_tree(units: list[Unit], day: date) -> dict[int, int | None]:
    """Unit id -> id of its nearest ancestor that existed on `day`, for the units that did."""
    visible = {u.id for u in units if _valid_on(u, day)}
    by_id = {u.id: u for u in units}
    tree: dict[int, int | None] = {}
    for unit in units:
        if unit.id not in visible:
            continue
        parent = by_id.get(unit.parent_id)
        while parent is not None and parent.id not in visible:
            parent = by_id.get(parent.parent_id)
        tree[unit.id] = parent.id if parent is not None else None  # type: ignore[index]
    return tree


def _fold_hidden(units: list[Unit], by_id: dict[int | None, Unit], tree: dict[int, int | None],
                 own: dict[int | None, Tally]) -> dict[int, Tally]:
    """Each shown unit's own figures plus those of the units that existed no more under it."""
    folded: dict[int, Tally] = {}
    for unit in units:
        target = unit.id if unit.id in tree else _visible_ancestor(unit, by_id, tree)
        if target is not None:
            folded.setdefault(target, Tally()).add(own.get(unit.id, Tally()))
    return folded


def _progress(code: str, name: str, level: int, parent_code: str | None, bloc: str | None,
              tally: Tally, deadline: date, as_of: date, window: int) -> UnitProgress:
    since = as_of - timedelta(days=window)
    per_day = sum(n for day, n in tally.ready_days.items() if since < day <= as_of) / window
    row = UnitProgress(
        code=code, name=name, level=level, parent_code=parent_code, bloc=bloc,
        inventoried=tally.inventoried, received=tally.received, electronic=tally.electronic,
        extracted=tally.extracted, verified=tally.verified, documents=tally.documents,
        rejected=tally.rejected, failed=tally.failed, per_day=per_day, deadline=deadline,
        forecast=None, state=ProgressState.unknown, units_without_inventory=tally.without_inventory,
        electronic_counted=tally.electronic_counted, unassigned=tally.unassigned,
    )
    row.forecast, row.state = forecast(row.remaining, per_day, deadline, as_of)
    return row


def forecast(remaining: int | None, per_day: float, deadline: date,
             as_of: date) -> tuple[date | None, ProgressState]:
    """When the remaining dossiers will be electronic at the current pace, and what that means."""
    if remaining is None:
        return None, ProgressState.unknown
    if remaining == 0:
        return None, ProgressState.done
    done_on = as_of + timedelta(days=math.ceil(remaining / per_day)) if per_day > 0 else None
    if as_of > deadline:
        return done_on, ProgressState.overdue
    if done_on is None or done_on > deadline:
        return done_on, ProgressState.at_risk
    return done_on, ProgressState.on_track


def _burnup(tally: Tally) -> list[DayCount]:
    days = sorted(set(tally.received_days) | set(tally.all_ready_days))
    points, received, electronic = [], 0, 0
    for day in days:
        received += tally.received_days.get(day, 0)
        electronic += tally.all_ready_days.get(day, 0)
        points.append(DayCount(day=day, received=received, electronic=electronic))
    return points


def _snapshot_dict(snapshot: ProgressSnapshot) -> dict:
    return {name: getattr(snapshot, name) for name in (
        "day", "inventoried", "received", "electronic", "extracted", "verified", "documents",
        "rejected", "failed")}


def snapshot_rows(session: Session, report: ProgressReport) -> list[ProgressSnapshot]:
    """The report's figures as the day's snapshot rows, one per unit shown."""
    ids = {u.code: u.id for u in queries.all_units(session)}
    return [ProgressSnapshot(day=report.as_of, unit_id=ids[row.code], inventoried=row.inventoried,
                             received=row.received, electronic=row.electronic, extracted=row.extracted,
                             verified=row.verified, documents=row.documents, rejected=row.rejected,
                             failed=row.failed)
            for row in report.units if row.code in ids]

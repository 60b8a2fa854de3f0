"""Progress against the deadline, as plain data: what reports, artifacts and the web show.

Counts are of dossiers unless named otherwise. A dossier is *electronic* once every one of its
documents that was not rejected has its text (searchable PDF); `extracted` and `verified`
count dossiers whose documents have all reached those stages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from schemas.status import ProgressState


@dataclass
class UnitProgress:
    """One unit, rolled up over its sub-units."""

    code: str
    name: str
    level: int  # depth in the tree: 0 is the province
    parent_code: str | None
    bloc: str | None
    inventoried: int | None  # paper dossiers; None when no inventory is known
    received: int  # dossiers with at least one document taken in
    electronic: int
    extracted: int
    verified: int
    documents: int
    rejected: int  # documents refused (need a new scan)
    failed: int  # documents waiting for a retry
    per_day: float  # dossiers made electronic per day over the trailing window
    deadline: date
    forecast: date | None  # when the remaining dossiers will be done at that pace
    state: ProgressState
    units_without_inventory: int = 0  # in this subtree: their dossiers are not in the percent
    # Electronic dossiers of the units that have an inventory: the numerator of the percent,
    # so that a unit without inventory never inflates its parent's share.
    electronic_counted: int = 0
    unassigned: int = 0  # documents not yet joined to a dossier (no dossier code, not linked)

    @property
    def percent(self) -> float | None:
        """Share of the inventory that is electronic (0–100), None when unknown."""
        if self.inventoried is None:
            return None
        if self.inventoried == 0:
            return 100.0
        return min(100.0 * self.electronic_counted / self.inventoried, 100.0)

    @property
    def remaining(self) -> int | None:
        if self.inventoried is None:
            return None
        return max(self.inventoried - self.electronic_counted, 0)

    def as_dict(self) -> dict:
        row = asdict(self)
        row.update(state=self.state.value, deadline=self.deadline.isoformat(),
                   forecast=self.forecast.isoformat() if self.forecast else None,
                   percent=None if self.percent is None else round(self.percent, 2),
                   per_day=round(self.per_day, 3))
        return row


@dataclass
class DayCount:
    """Cumulative dossiers on a day (burn-up chart)."""

    day: date
    received: int
    electronic: int


@dataclass
class ProgressReport:
    as_of: date
    deadline: date  # the province's
    window_days: int  # the trailing window of `per_day`
    province: UnitProgress  # the whole province (the root, or the sum of several roots)
    units: list[UnitProgress] = field(default_factory=list)  # tree order, province first
    burnup: list[DayCount] = field(default_factory=list)  # province, one point per active day
    snapshots: list[dict] = field(default_factory=list)  # province snapshots: day and counts

    def at_risk(self) -> list[UnitProgress]:
        return [u for u in self.units
                if u.state in (ProgressState.at_risk, ProgressState.overdue)]

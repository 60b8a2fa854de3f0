"""The unit tree and its paper inventory: imports checked in full before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, delete, select

from schemas.imports import InventoryCount, InventoryItem, UnitRow
from schemas.models import PaperDossier, Unit

LAM_DONG_2022 = Path(__file__).with_name("seed") / "lam_dong_2022.csv"


class ImportRejected(ValueError):
    """Nothing was written: every problem found is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    rows: int = 0


def units_by_code(session: Session) -> dict[str, Unit]:
    return {u.code: u for u in session.exec(select(Unit))}


def import_units(session: Session, rows: list[UnitRow], source: str) -> ImportSummary:
    """Create or update units by code; parents may come later in the file or already exist."""
    known = units_by_code(session)
    in_file = {row.code: row for row in rows}
    problems = [f"{source}: mã đơn vị '{code}' xuất hiện {n} lần (unit code repeated)"
                for code, n in _repeats(row.code for row in rows)]
    for row in rows:
        if row.parent and row.parent not in in_file and row.parent not in known:
            problems.append(f"{source}: đơn vị {row.code}: không có đơn vị cấp trên '{row.parent}' "
                            "(unknown parent: add it to the file or import it first)")
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            problems.append(f"{source}: đơn vị {row.code}: ngày hết hiệu lực trước ngày bắt đầu "
                            "(valid_to is before valid_from)")
    problems += _cycles(in_file, known)
    if problems:
        raise ImportRejected(problems)
    summary = ImportSummary(rows=len(rows))
    for row in rows:  # first every unit, then the parents, so order in the file does not matter
        unit = known.get(row.code)
        if unit is None:
            unit = known[row.code] = Unit(code=row.code, name=row.name)
            summary.created += 1
        else:
            summary.updated += 1
        unit.name = row.name
        unit.bloc = row.bloc
        unit.valid_from, unit.valid_to, unit.deadline = row.valid_from, row.valid_to, row.deadline
        if row.paper_dossiers is not None:
            unit.paper_dossiers = row.paper_dossiers
        session.add(unit)
    session.flush()
    for row in rows:
        known[row.code].parent_id = known[row.parent].id if row.parent else None
    session.flush()
    return summary


def _repeats(codes: object) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for code in codes:  # type: ignore[attr-defined]
        seen[code] = seen.get(code, 0) + 1
    return [(code, n) for code, n in seen.items() if n > 1]


def _cycles(in_file: dict[str, UnitRow], known: dict[str, Unit]) -> list[str]:
    by_id = {u.id: u.code for u in known.values()}
    parent = {code: (by_id.get(u.parent_id) if u.parent_id else None) for code, u in known.items()}
    parent |= {code: row.parent for code, row in in_file.items()}
    problems = []
    for start in in_file:
        seen, code = {start}, parent.get(start)
        while code:
            if code in seen:
                problems.append(f"đơn vị {start}: cây đơn vị có vòng lặp (the parents form a loop)")
                break
            seen.add(code)
            code = parent.get(code)
    return problems


def import_inventory_counts(session: Session, rows: list[InventoryCount], source: str) -> ImportSummary:
    """Set each unit's count of paper dossiers."""
    known = units_by_code(session)
    problems = _unknown_units((row.unit for row in rows), known, source)
    problems += [f"{source}: đơn vị '{code}' có {n} dòng (one count per unit)"
                 for code, n in _repeats(row.unit for row in rows)]
    if problems:
        raise ImportRejected(problems)
    for row in rows:
        unit = known[row.unit]
        unit.paper_dossiers = row.paper_dossiers
        session.add(unit)
    return ImportSummary(updated=len(rows), rows=len(rows))


def import_inventory_list(session: Session, rows: list[InventoryItem], source: str,
                          replace: bool = False) -> ImportSummary:
    """Add paper dossiers to units' lists (by unit and code); `replace` clears the lists of the
    units in the file first."""
    known = units_by_code(session)
    problems = _unknown_units((row.unit for row in rows), known, source)
    problems += [f"{source}: hồ sơ '{key}' xuất hiện {n} lần (dossier listed twice)"
                 for key, n in _repeats(f"{row.unit}/{row.code}" for row in rows)]
    if problems:
        raise ImportRejected(problems)
    unit_ids = {known[row.unit].id for row in rows}
    if replace:
        session.exec(delete(PaperDossier).where(col(PaperDossier.unit_id).in_(unit_ids)))
    existing = {(p.unit_id, p.code): p for p in session.exec(
        select(PaperDossier).where(col(PaperDossier.unit_id).in_(unit_ids)))}
    summary = ImportSummary(rows=len(rows))
    for row in rows:
        unit_id = known[row.unit].id
        item = existing.get((unit_id, row.code))
        if item is None:
            item = PaperDossier(unit_id=unit_id, code=row.code)  # type: ignore[arg-type]
            summary.created += 1
        else:
            summary.updated += 1
        item.full_name, item.cccd = row.full_name, row.cccd
        session.add(item)
    return summary


def _unknown_units(codes: object, known: dict[str, Unit], source: str) -> list[str]:
    missing = sorted({c for c in codes if c not in known})  # type: ignore[attr-defined]
    return [f"{source}: không có đơn vị '{code}' (unknown unit code: import the units first, "
            "`hoso units import`)" for code in missing]

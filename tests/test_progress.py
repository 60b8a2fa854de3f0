"""Progress per unit and for the province, on SQLite and PostgreSQL, from real rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session
from typer.testing import CliRunner

from extractors.spreadsheet import read_table
from flows.cli import app
from flows.progress import forecast, progress_report, snapshot_rows
from schemas.imports import UnitRow, validate_rows
from schemas.models import Document, Dossier, Unit
from schemas.settings import Settings
from schemas.status import DocumentStatus, ProgressState
from storage.db import session_scope
from storage.progress import save_snapshots, snapshots_of
from storage.queries import unit_by_code
from storage.units import LAM_DONG_2022, import_units

AS_OF = date(2022, 10, 1)
_sha = iter(range(10**6))


def _seed(session: Session) -> None:
    rows, problems = validate_rows(UnitRow, read_table(LAM_DONG_2022), "seed")
    assert not problems
    import_units(session, rows, "seed")


def _unit(session: Session, code: str, paper: int | None = None, **fields: object) -> Unit:
    unit = unit_by_code(session, code)
    assert unit is not None
    unit.paper_dossiers = paper
    for name, value in fields.items():
        setattr(unit, name, value)
    session.add(unit)
    return unit


def _dossier(session: Session, unit: Unit, *docs: tuple[DocumentStatus, int | None]) -> None:
    """A dossier whose documents have these statuses, text ready this many days before AS_OF."""
    dossier = Dossier(unit_id=unit.id, code=f"D{next(_sha)}")  # type: ignore[arg-type]
    session.add(dossier)
    session.flush()
    for status, days_ago in docs:
        ready = None
        if days_ago is not None:
            ready = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 5, tzinfo=UTC) - timedelta(days=days_ago)
        session.add(Document(sha256=f"{next(_sha):064d}", size=1, source_name="x.pdf", object_key="k",
                             status=status, unit_id=unit.id, dossier_id=dossier.id, text_ready_at=ready,
                             created_at=datetime(2022, 1, 1, tzinfo=UTC)))


T, R, X, V, F, E = (DocumentStatus.text_ready, DocumentStatus.received, DocumentStatus.rejected,
                    DocumentStatus.verified, DocumentStatus.failed, DocumentStatus.extracted)


@pytest.fixture
def report(settings: Settings):
    from flows.runtime import runtime

    engine = runtime().engine
    with session_scope(engine) as session:
        _seed(session)
        ductrong = _unit(session, "HU-DUCTRONG", 10)
        for days in (1, 2, 3, 6):  # 4 electronic dossiers in the last 7 days
            _dossier(session, ductrong, (T, days))
        _dossier(session, ductrong, (T, 2), (R, None))  # one document still waiting
        _dossier(session, ductrong, (X, None), (V, 30))  # a rejected page does not hold it back
        _dossier(session, ductrong, (X, None))  # everything refused: received, not electronic
        _dossier(session, ductrong, (F, None))
        dilinh = _unit(session, "HU-DILINH")  # no inventory at all
        _dossier(session, dilinh, (T, 1))
        dalat = _unit(session, "TP-DALAT", 2)
        _dossier(session, dalat, (E, 40))
        _dossier(session, dalat, (T, 50))
        _unit(session, "HU-LAMHA", 100)  # nothing yet
        _unit(session, "HU-BAOLAM", 50, deadline=date(2022, 10, 10))
        _dossier(session, _unit(session, "HU-DATEH", 5), (T, 3))  # merged away on 1 Dec 2024

    def make(**kwargs: object):
        with session_scope(engine) as session:
            return progress_report(session, settings, **{"as_of": AS_OF, **kwargs})

    return make


def test_dossier_stages_counts_and_forecast(report) -> None:
    rows = {u.code: u for u in report().units}
    ductrong = rows["HU-DUCTRONG"]
    assert (ductrong.inventoried, ductrong.received, ductrong.electronic) == (10, 8, 5)
    assert (ductrong.verified, ductrong.documents, ductrong.rejected, ductrong.failed) == (1, 10, 2, 1)
    assert ductrong.per_day == pytest.approx(4 / 7)  # the 30-days-ago dossier is outside the window
    assert ductrong.percent == pytest.approx(50.0)
    assert ductrong.forecast == AS_OF + timedelta(days=9)  # 5 left at 4/7 a day: 8.75 -> 9 days
    assert ductrong.state is ProgressState.on_track
    dalat = rows["TP-DALAT"]
    assert dalat.state is ProgressState.done and dalat.percent == 100.0 and dalat.extracted == 1
    lamha = rows["HU-LAMHA"]
    assert lamha.state is ProgressState.at_risk and lamha.forecast is None  # nothing moves
    baolam = rows["HU-BAOLAM"]  # its own, earlier deadline
    assert baolam.deadline == date(2022, 10, 10) and baolam.state is ProgressState.at_risk


def test_unknown_inventory_is_never_100_percent(report) -> None:
    result = report()
    dilinh = {u.code: u for u in result.units}["HU-DILINH"]
    assert dilinh.inventoried is None and dilinh.percent is None
    assert dilinh.state is ProgressState.unknown and dilinh.electronic == 1
    province = result.province
    assert province.code == "TU-LAMDONG" and province.level == 0
    assert province.inventoried == 10 + 2 + 100 + 50 + 5
    # Di Linh's electronic dossier counts as received work but not in the percent.
    assert province.electronic == 5 + 1 + 2 + 1 and province.electronic_counted == 5 + 2 + 1
    assert province.percent == pytest.approx(100 * 8 / 167)
    assert province.units_without_inventory == 12 - 5  # the districts with no count
    assert "HU-DILINH" not in [u.code for u in result.at_risk()]


def test_units_as_they_stood_on_a_date(report) -> None:
    in_2022 = [u.code for u in report().units]
    assert "HU-DATEH" in in_2022 and len(in_2022) == 13
    after_merger = report(units_on=date(2025, 1, 1))
    codes = [u.code for u in after_merger.units]
    assert "HU-DATEH" not in codes and len(codes) == 11
    # Đạ Tẻh's figures were not lost: they count under the Tỉnh ủy.
    assert after_merger.province.inventoried == 167 and after_merger.province.electronic == 9


def test_overdue_after_the_deadline_and_burnup(report) -> None:
    late = report(as_of=date(2023, 3, 1))
    rows = {u.code: u for u in late.units}
    assert rows["HU-DUCTRONG"].state is ProgressState.overdue
    assert rows["TP-DALAT"].state is ProgressState.done
    points = late.burnup
    assert points[-1].electronic == late.province.electronic and points[-1].received == late.province.received
    pairs = zip(points, points[1:], strict=False)
    assert all(a.day < b.day and a.electronic <= b.electronic for a, b in pairs)


def test_snapshot_of_a_day_is_kept_once(report, settings: Settings) -> None:
    from flows.runtime import runtime

    engine = runtime().engine
    for _ in range(2):
        result = report()
        with session_scope(engine) as session:
            save_snapshots(session, result.as_of, snapshot_rows(session, result))
    with session_scope(engine) as session:
        root = unit_by_code(session, "TU-LAMDONG")
        kept = snapshots_of(session, root.id)  # type: ignore[arg-type]
    assert [(s.day, s.electronic, s.inventoried) for s in kept] == [(AS_OF, 9, 167)]
    assert report().snapshots[0]["electronic"] == 9


@pytest.mark.parametrize(("remaining", "per_day", "as_of", "expected"), [
    (None, 1.0, date(2022, 1, 1), (None, ProgressState.unknown)),
    (0, 0.0, date(2023, 1, 1), (None, ProgressState.done)),
    (10, 2.0, date(2022, 12, 1), (date(2022, 12, 6), ProgressState.on_track)),
    (10, 2.0, date(2022, 12, 27), (date(2023, 1, 1), ProgressState.at_risk)),
    (10, 0.0, date(2022, 12, 1), (None, ProgressState.at_risk)),
    (10, 2.0, date(2023, 1, 2), (date(2023, 1, 7), ProgressState.overdue)),
])
def test_forecast(remaining, per_day, as_of, expected) -> None:
    assert forecast(remaining, per_day, date(2022, 12, 31), as_of) == expected


def test_report_command_writes_html_xlsx_csv(report, settings: Settings, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    report()  # the data
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["report", "--as-of", "2022-10-01", "--out", str(out),
                                      "--data-dir", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert "Huyện ủy Đức Trọng" in result.output and "Chưa rõ" in result.output
    html = (out / "bao-cao-tien-do-2022-10-01.html").read_text(encoding="utf-8")
    assert "Huyện ủy Đức Trọng" in html and html.count("data:image/png;base64,") == 2
    book = load_workbook(out / "bao-cao-tien-do-2022-10-01.xlsx")
    assert {"Toàn tỉnh", "Cấp huyện"} <= set(book.sheetnames)
    csv_text = (out / "bao-cao-tien-do-2022-10-01.csv").read_text(encoding="utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 1 + 13

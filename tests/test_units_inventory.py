"""`hoso units` and `hoso inventory`: the tree and the denominator, as an administrator uses them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_common import EXIT_USAGE
from schemas.models import PaperDossier, Unit
from schemas.settings import Settings
from storage.db import get_engine

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run `hoso …` against a fresh database (SQLite or PostgreSQL)."""
    monkeypatch.setenv("HOSO_DATABASE_URL", db_url)
    data = ["--data-dir", str(tmp_path / "data")]

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, *data])
        assert result.exit_code == code, result.output
        return " ".join(result.output.split())  # Rich wraps long messages at 80 columns

    return run


def _units(db_url: str) -> dict[str, Unit]:
    with Session(get_engine(Settings(database_url=db_url).db_url)) as session:
        return {u.code: u for u in session.exec(select(Unit))}


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_seed_is_lam_dong_2022_and_can_run_again(cli, db_url: str) -> None:
    assert "13 mới" in cli("units", "seed")
    assert "0 mới (new), 13 cập nhật" in cli("units", "seed")
    units = _units(db_url)
    root = units["TU-LAMDONG"]
    districts = [u for u in units.values() if u.parent_id == root.id]
    assert len(districts) == 12 and root.parent_id is None
    assert units["HU-DATEH"].name == "Huyện ủy Đạ Tẻh" and units["HU-DATEH"].valid_to == date(2024, 11, 30)
    assert units["HU-DUCTRONG"].paper_dossiers is None  # unknown until an inventory says
    shown = cli("units", "list")
    assert "Huyện ủy Đức Trọng" in shown and "chưa rõ" in shown


def test_import_xlsx_with_vietnamese_headers_in_any_order(cli, db_url: str, tmp_path: Path) -> None:
    cli("units", "seed")
    book = _xlsx(tmp_path / "xa.xlsx", [
        ["Mã đơn vị", "Tên đơn vị", "Mã cấp trên", "Khối", "Ngày giải thể", "Số hồ sơ giấy"],
        ["XA-NINHGIA", "Đảng ủy xã Ninh Gia", "HU-DUCTRONG", "Đảng", None, 35],
        ["UB-NINHGIA", "UBND xã Ninh Gia", "XA-NINHGIA", "Chính quyền", "30/06/2025", None],
    ])
    assert "2 mới" in cli("units", "import", str(book))
    units = _units(db_url)
    assert units["UB-NINHGIA"].parent_id == units["XA-NINHGIA"].id  # child listed before its parent
    assert units["UB-NINHGIA"].bloc.value == "Chính quyền"
    assert units["UB-NINHGIA"].valid_to == date(2025, 6, 30)
    assert units["XA-NINHGIA"].paper_dossiers == 35


def test_a_bad_file_writes_nothing_and_lists_every_problem(cli, db_url: str, tmp_path: Path) -> None:
    cli("units", "seed")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent,bloc\n"
                   "XA-1,Xã Một,HU-NOWHERE,Đảng\n"
                   "XA-2,Xã Hai,HU-DILINH,Hội đồng\n"
                   ",Không mã,HU-DILINH,\n", encoding="utf-8")
    out = cli("units", "import", str(bad), code=EXIT_USAGE)
    assert "nothing imported" in out
    assert "line) 3" in out and "'Hội đồng' is not a bloc" in out  # the bad bloc, by line
    assert "line) 4" in out and "required" in out  # the empty code
    loop = tmp_path / "loop.csv"
    loop.write_text("code,name,parent\nA,Đơn vị A,B\nB,Đơn vị B,A\nC,Đơn vị C,HU-NOWHERE\n", encoding="utf-8")
    out = cli("units", "import", str(loop), code=EXIT_USAGE)
    assert "loop" in out and "unknown parent" in out
    assert len(_units(db_url)) == 13


def test_inventory_counts_and_lists(cli, db_url: str, tmp_path: Path) -> None:
    cli("units", "seed")
    counts = tmp_path / "counts.csv"  # Excel in Vietnamese saves with semicolons and 1.234
    counts.write_text("Mã đơn vị;Số hồ sơ giấy\nHU-DUCTRONG;1.234\nTP-DALAT;87\n", encoding="utf-8-sig")
    assert "2 cập nhật" in cli("inventory", "import", str(counts))
    units = _units(db_url)
    assert units["HU-DUCTRONG"].paper_dossiers == 1234 and units["TP-DALAT"].paper_dossiers == 87

    listing = _xlsx(tmp_path / "list.xlsx", [
        ["Mã đơn vị", "Mã hồ sơ", "Họ và tên", "Số CCCD"],
        ["HU-DILINH", "DL-001", "Nguyễn Văn An", "068 085 001 234"],
        ["HU-DILINH", 2, "K'Brơi", None],
    ])
    assert "2 mới" in cli("inventory", "import", str(listing))
    with Session(get_engine(Settings(database_url=db_url).db_url)) as session:
        rows = {p.code: p for p in session.exec(select(PaperDossier))}
    assert rows["DL-001"].cccd == "068085001234" and rows["2"].full_name == "K'Brơi"

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("unit,code,name,cccd\nHU-DILINH,DL-3,Trần Thị Bích,12345\nHU-XX,X-1,A,\n",
                     encoding="utf-8")
    out = cli("inventory", "import", str(wrong), code=EXIT_USAGE)
    assert "'12345' is not a CCCD" in out and "line) 2" in out
    out = cli("inventory", "import", str(tmp_path / "missing.csv"), code=EXIT_USAGE)
    assert "no such file" in out
    garbage = tmp_path / "scan.xlsx"
    garbage.write_bytes(b"PK\x03\x04 this is not a workbook")
    assert "not a readable XLSX" in cli("inventory", "import", str(garbage), code=EXIT_USAGE)


def test_unknown_unit_on_ingest_is_refused(cli, tmp_path: Path, peers: Path) -> None:
    cli("units", "seed")
    out = cli("ingest", str(peers / "qpdf__inherited-rotate.pdf"), "--unit", "HU-DUCTRONGG", code=EXIT_USAGE)
    assert "unknown unit" in out and "hoso units list" in out

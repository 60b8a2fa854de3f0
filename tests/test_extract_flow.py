"""Extraction as a clerk meets it: scans in, `hoso process`, `hoso extract`, then the record,
the review queue, a correction, and the unit's export; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from flows.cli import app
from flows.extract import extract
from flows.intake import intake
from flows.process import process
from flows.runtime import runtime
from schemas.models import Cadre, Document, Dossier, FieldValue
from schemas.settings import Settings
from storage.db import session_scope

runner = CliRunner()


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    from samples.forms import generate_forms

    folder = tmp_path_factory.mktemp("forms")
    generate_forms(folder, n_dossiers=4, seed=3, workers=2)
    return folder, json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))


def test_extract_links_the_person_and_queues_doubts(
        settings: Settings, forms: tuple[Path, dict], prefect_harness: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder, truth = forms
    dossier = "dossier-03"  # born-digital: a CV and its papers
    names = sorted(f["file"] for f in truth["files"] if f["dossier"] == dossier)
    cv = next(d for d in truth["documents"] if d["dossier"] == dossier and d["type"] == "so_yeu_ly_lich")
    intake([str(folder / n) for n in names], "HU-DUCTRONG", "Huyện ủy Đức Trọng", "DT-003")
    assert "rejected" not in process()
    totals = extract()
    assert totals["documents"] == len(names) and totals["so_yeu_ly_lich"] == 1 and totals["values"] > 40
    with session_scope(runtime().engine) as session:
        docs = list(session.exec(select(Document)))
        (folder_row,) = session.exec(select(Dossier)).all()
        cadre = session.get(Cadre, folder_row.cadre_id)
        values = list(session.exec(select(FieldValue)))
    assert {d.status.value for d in docs} == {"extracted"}
    assert cadre is not None and cadre.cccd == cv["fields"]["so_cccd"]["value"]
    assert cadre.birth_date.isoformat() == cv["fields"]["ngay_sinh"]["value"]  # type: ignore[union-attr]
    by_key = {v.key: v for v in values if v.row is None and v.document_type == "so_yeu_ly_lich"}
    assert by_key["so_cccd"].page == cv["fields"]["so_cccd"]["page"] and by_key["so_cccd"].x0 is not None
    assert {v.status.value for v in values} <= {"auto_accepted", "needs_review"}

    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    data = ["--data-dir", str(settings.data_dir)]
    shown = runner.invoke(app, ["show", "DT-003", "--json", *data])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.output)
    (cv_record,) = [r for r in record["records"] if r["document_type"] == "so_yeu_ly_lich"]
    assert cv_record["fields"]["so_cccd"] == cv["fields"]["so_cccd"]["value"]
    assert cv_record["tables"], "tables as lists of rows"
    first = by_key["ho_va_ten"]
    fixed = runner.invoke(app, ["review", "set", str(first.id), "Nguyễn Văn Mới", "--by", "Lan", *data])
    assert fixed.exit_code == 0, fixed.output
    again = json.loads(runner.invoke(app, ["show", "DT-003", "--json", *data]).output)
    cv_again = next(r for r in again["records"] if r["document_type"] == "so_yeu_ly_lich")
    assert cv_again["fields"]["ho_va_ten"] == "Nguyễn Văn Mới"
    assert cv_again["review"]["ho_va_ten"]["corrected_by"] == "Lan"
    listed = runner.invoke(app, ["review", "list", *data])
    assert listed.exit_code == 0
    out = tmp_path / "export"
    exported = runner.invoke(app, ["export", "--unit", "HU-DUCTRONG", "--out", str(out), *data])
    assert exported.exit_code == 0, exported.output
    saved = json.loads((out / "ho-so-DT-003.json").read_text(encoding="utf-8"))
    assert saved["cadre"]["so_cccd"] == cv["fields"]["so_cccd"]["value"]
    sheet = load_workbook(out / "can-bo-HU-DUCTRONG.xlsx").active
    assert sheet.cell(2, 1).value == "DT-003" and sheet.cell(2, 3).value == "Nguyễn Văn Mới"

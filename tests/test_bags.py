"""Dossiers out as BagIt bags and back in, on SQLite and PostgreSQL: the bag validates, its XML
and JSON say what the database says, and a fresh database reading the bag's originals again
comes to the same record. A damaged bag is refused whole; a restricted dossier leaves only with
the security role."""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bagit
import pytest
from conftest import _pg_database, make_settings
from openpyxl import load_workbook
from sqlmodel import func, select
from typer.testing import CliRunner

from flows.cli import app
from flows.extract import extract
from flows.intake import intake
from flows.process import process
from flows.records import dossier_record
from flows.runtime import runtime, use_settings
from schemas.models import AuditEvent, Batch, Document, Dossier, Unit, User
from schemas.settings import Settings
from schemas.status import AuditAction, Role, SecurityClass
from storage.db import session_scope, upgrade

runner = CliRunner()
UNIT, UNIT_NAME, CODE = "HU-LAMHA", "Huyện ủy Lâm Hà", "LH-025"
BAG = f"ho-so-{CODE}"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One dossier: a born-digital CV and decision, and a degree scanned at 200 dpi."""
    from samples.forms import generate_forms

    folder = tmp_path_factory.mktemp("bag-forms")
    generate_forms(folder, n_dossiers=1, seed=25, dpis=(200,), workers=1)
    return folder, json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))


def _files(forms: tuple[Path, dict], only_text: bool = False) -> list[str]:
    folder, truth = forms
    return [str(folder / f["file"]) for f in truth["files"] if not only_text or f["dpi"] is None]


@contextmanager
def _fresh(tmp_path: Path, like: str, name: str) -> Iterator[Settings]:
    """Another empty database of the same kind, with its own object store."""
    if like.startswith("sqlite"):
        yield make_settings(tmp_path / name, f"sqlite:///{tmp_path / f'{name}.db'}")
        return
    databases = _pg_database()
    try:
        yield make_settings(tmp_path / name, next(databases))
    finally:
        next(databases, None)


def _cli(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOSO_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("COLUMNS", "300")  # messages on one line each
    return runner.invoke(app, [*args, "--data-dir", str(settings.data_dir)])


def _events(settings: Settings, action: AuditAction) -> list[AuditEvent]:
    use_settings(settings)
    with session_scope(runtime().engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def _nothing_in(settings: Settings) -> None:
    use_settings(settings)
    upgrade(runtime().engine)
    with session_scope(runtime().engine) as session:
        for table in (Document, Dossier, Unit, Batch, AuditEvent):
            assert session.exec(select(func.count()).select_from(table)).one() == 0, table.__name__
    assert list(runtime().store.keys()) == []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_dossier_goes_out_as_a_bag_and_comes_back_the_same(
        settings: Settings, forms: tuple[Path, dict], prefect_harness: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    intake(_files(forms), UNIT, UNIT_NAME, CODE)
    assert "rejected" not in process()
    extract()
    out = tmp_path / "export"
    exported = _cli(monkeypatch, settings, "export", "--unit", UNIT, "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == sorted([BAG, f"{BAG}.json", f"can-bo-{UNIT}.xlsx"])

    bag = bagit.Bag(str(out / BAG))
    assert bag.validate() and sorted(bag.algorithms) == ["sha256", "sha512"]
    tags = ("External-Identifier", "Bag-Group-Identifier", "Source-Organization", "Hoso-Security-Class")
    assert [bag.info[t] for t in tags] == [CODE, UNIT, UNIT_NAME, "ordinary"]
    assert bag.info["Bagging-Date"] and bag.info["Hoso-Version"]
    use_settings(settings)
    with session_scope(runtime().engine) as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == CODE)).one()
        record = dossier_record(session, dossier)
        documents = list(session.exec(select(Document).order_by(Document.id)))
    data = out / BAG / "data"
    assert json.loads((data / "record.json").read_text(encoding="utf-8")) == record
    assert json.loads((out / f"{BAG}.json").read_text(encoding="utf-8")) == record
    assert load_workbook(out / f"can-bo-{UNIT}.xlsx").active.cell(2, 1).value == CODE
    originals = {_sha256(p): p.name for p in (data / "originals").iterdir()}
    assert originals == {d.sha256: f"{d.id}-{d.source_name}" for d in documents}
    scanned = [d for d in documents if d.pdf_sha256 != d.sha256]
    assert len(scanned) == 1 and _sha256(data / f"searchable/{scanned[0].id}.pdf") == scanned[0].pdf_sha256

    xml = ET.parse(data / "metadata.xml").getroot()
    assert xml.get("chuan") == "Thông tư 02/2019/TT-BNV"
    folder = xml.find("HoSo")
    assert folder is not None
    assert (folder.findtext("MaHoSo"), folder.findtext("MaDonVi"), folder.findtext("TenDonVi"),
            folder.findtext("NgonNgu")) == (CODE, UNIT, UNIT_NAME, "Tiếng Việt")
    assert folder.findtext("TongSoVanBan") == "3"
    assert folder.findtext("SoLuongTrang") == str(sum(d.page_count for d in documents))
    items = folder.findall("VanBan")
    assert [i.findtext("TenTepGoc") for i in items] == [d.source_name for d in documents]
    for item, document in zip(items, documents, strict=True):
        original = item.find("BanGoc")
        assert original is not None and original.get("sha256") == document.sha256
        assert _sha256(data / original.get("duongDan", "")) == document.sha256
        assert item.findtext("SoLuongTrang") == str(document.page_count)
        assert item.findtext("DinhDang") == "application/pdf"
    decision = next(r["fields"] for r in record["records"] if r["document_type"] == "quyet_dinh")
    (paper,) = [i for i in items if i.findtext("MaLoaiVanBan") == "quyet_dinh"]
    assert f"{paper.findtext('SoVanBan')}/{paper.findtext('KyHieuVanBan')}" == decision["so_ky_hieu"]
    assert paper.findtext("NgayThangNamVanBan") == decision["ngay_ban_hanh"]
    assert paper.findtext("TenCoQuanBanHanh") == decision["co_quan_ban_hanh"]
    assert paper.findtext("TrichYeuNoiDung") == decision["trich_yeu"]
    assert decision["so_ky_hieu"] and decision["trich_yeu"]  # the decision was read
    (event,) = _events(settings, AuditAction.export)
    assert event.object_id == str(dossier.id) and event.detail["bag"] == BAG

    with _fresh(tmp_path, settings.db_url, "restored") as other:
        imported = _cli(monkeypatch, other, "import", str(out))  # the unit's folder of bags
        assert imported.exit_code == 0, imported.output
        assert "3 tệp mới" in imported.output
        use_settings(other)
        assert "rejected" not in process()
        extract()
        with session_scope(runtime().engine) as session:
            again = session.exec(select(Dossier).where(Dossier.code == CODE)).one()
            unit = session.get(Unit, again.unit_id)
            restored = dossier_record(session, again)
            shas = set(session.exec(select(Document.sha256)))
        assert unit is not None and (unit.code, unit.name) == (UNIT, UNIT_NAME)
        assert shas == {d.sha256 for d in documents}
        assert [d["source_name"] for d in restored["documents"]] == [d.source_name for d in documents]

        def read(r: dict) -> list:
            return [(p["document_type"], p["layout"], p["fields"], p["tables"]) for p in r["records"]]

        assert read(restored) == read(record)
        assert restored["cadre"]["so_cccd"] == record["cadre"]["so_cccd"]
        (event,) = _events(other, AuditAction.import_bag)
        kept = runtime().store.get_bytes(event.detail["record_key"])
        assert json.loads(kept) == record

        again_out = _cli(monkeypatch, other, "import", str(out / BAG))
        assert again_out.exit_code == 0 and "already imported" in again_out.output
        use_settings(other)
        with session_scope(runtime().engine) as session:
            assert session.exec(select(func.count()).select_from(Document)).one() == 3
            assert session.exec(select(func.count()).select_from(Batch)).one() == 1
        assert len(_events(other, AuditAction.import_bag)) == 1


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_damaged_bag_is_refused_and_nothing_is_written(
        settings: Settings, forms: tuple[Path, dict], prefect_harness: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    intake(_files(forms, only_text=True), UNIT, UNIT_NAME, CODE)
    out = tmp_path / "export"
    exported = _cli(monkeypatch, settings, "export", "--dossier", CODE, "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in out.iterdir()) == [BAG]  # one dossier: the bag alone
    good = out / BAG
    original = next((good / "data/originals").iterdir()).name
    damages = {
        "flipped": (lambda bag: _flip(bag / "data/originals" / original),
                    f"data/originals/{original}: nội dung không khớp tổng kiểm tra sha256, sha512"),
        "missing": (lambda bag: (bag / "data/metadata.xml").unlink(),
                    "data/metadata.xml: thiếu tệp"),
        "extra": (lambda bag: (bag / "data/originals/thêm.pdf").write_bytes(b"%PDF-1.4 not listed"),
                  "data/originals/thêm.pdf: tệp lạ"),
    }
    for n, (name, (damage, message)) in enumerate(damages.items()):
        bag = tmp_path / name / BAG
        shutil.copytree(good, bag)
        damage(bag)
        with _fresh(tmp_path, "sqlite", f"target-{n}") as target:
            refused = _cli(monkeypatch, target, "import", str(good), str(bag))  # one bad: none in
            assert refused.exit_code == 2, refused.output
            assert message in " ".join(refused.output.split()), refused.output
            assert "nothing imported" in refused.output
            _nothing_in(target)
    # An original that no longer matches its sha256 in the store: no bag, not even a partial one
    # under its name; the bag exported before stays as it was.
    use_settings(settings)
    with session_scope(runtime().engine) as session:
        document = session.exec(select(Document)).first()
    assert document is not None
    runtime().store.put_bytes(document.object_key, b"not the original any more")
    failed = _cli(monkeypatch, settings, "export", "--dossier", CODE, "--out", str(out))
    assert failed.exit_code == 1 and "not exported" in failed.output, failed.output
    assert [p.name for p in out.iterdir()] == [BAG] and bagit.Bag(str(good)).validate()
    assert len(_events(settings, AuditAction.export)) == 1
    not_a_bag = tmp_path / "plain"
    not_a_bag.mkdir()
    with _fresh(tmp_path, "sqlite", "target-plain") as target:
        refused = _cli(monkeypatch, target, "import", str(not_a_bag))
        assert refused.exit_code == 2 and "not a valid bag" in refused.output
        _nothing_in(target)


def _security_user(settings: Settings, username: str) -> None:
    use_settings(settings)
    upgrade(runtime().engine)
    with session_scope(runtime().engine) as session:
        session.add(User(username=username, password_hash="-", role=Role.security))


def test_a_restricted_dossier_leaves_and_enters_only_with_the_security_role(
        settings: Settings, forms: tuple[Path, dict], prefect_harness: None,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    intake(_files(forms, only_text=True), UNIT, UNIT_NAME, CODE)
    with session_scope(runtime().engine) as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == CODE)).one()
        dossier.security_class = SecurityClass.restricted
        session.add(dossier)
    _security_user(settings, "anninh")
    out = tmp_path / "export"
    for args in (["--unit", UNIT], ["--dossier", CODE], ["--dossier", str(dossier.id)]):
        refused = _cli(monkeypatch, settings, "export", *args, "--out", str(out))
        assert refused.exit_code == 2, refused.output
    assert not out.exists() or list(out.iterdir()) == []
    assert _events(settings, AuditAction.export) == []

    exported = _cli(monkeypatch, settings, "export", "--dossier", CODE, "--out", str(out), "--as", "anninh")
    assert exported.exit_code == 0, exported.output
    bag = bagit.Bag(str(out / BAG))
    assert bag.validate() and bag.info["Hoso-Security-Class"] == "restricted"
    xml = ET.parse(out / BAG / "data/metadata.xml").getroot()
    assert xml.findtext("HoSo/PhanLoaiBaoMat") == "restricted"
    (event,) = _events(settings, AuditAction.export)
    assert event.actor == "anninh"

    with _fresh(tmp_path, "sqlite", "restored") as other:
        refused = _cli(monkeypatch, other, "import", str(out / BAG))
        assert refused.exit_code == 2 and "restricted" in refused.output
        _nothing_in(other)
        _security_user(other, "anninh")
        imported = _cli(monkeypatch, other, "import", str(out / BAG), "--as", "anninh")
        assert imported.exit_code == 0, imported.output
        use_settings(other)
        with session_scope(runtime().engine) as session:
            again = session.exec(select(Dossier).where(Dossier.code == CODE)).one()
            assert again.security_class is SecurityClass.restricted
            documents = list(session.exec(select(Document)))
            assert documents and {d.dossier_id for d in documents} == {again.id}
        (event,) = _events(other, AuditAction.import_bag)
        assert event.actor == "anninh" and event.detail["security_class"] == "restricted"

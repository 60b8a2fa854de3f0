"""The overnight run for real (Prefect test harness): inbox with good and bad files, retries,
the snapshot and the report it leaves; the inbox on an S3 prefix too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import make_settings
from sqlmodel import select

from flows.nightly import nightly
from flows.runtime import runtime, use_settings
from schemas.imports import UnitRow, validate_rows
from schemas.models import Document, Dossier, ProgressSnapshot
from schemas.settings import Settings
from storage.db import session_scope, upgrade
from storage.queries import documents, unit_by_code
from storage.units import LAM_DONG_2022, import_units

GOOD = "qpdf__inherited-rotate.pdf"  # text layer: quick to read
SCAN = "tesseract__phototest.tif"


def _setup(settings: Settings) -> None:
    from extractors.spreadsheet import read_table

    upgrade(use_settings(settings).engine)
    rows, _ = validate_rows(UnitRow, read_table(LAM_DONG_2022), "seed")
    with session_scope(runtime().engine) as session:
        import_units(session, rows, "seed")
        unit_by_code(session, "HU-DUCTRONG").paper_dossiers = 4  # type: ignore[union-attr]


def _put(inbox: Path, key: str, data: bytes) -> None:
    path = inbox / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _stored_failure(settings: Settings, name: str, data: bytes, failures: int) -> int:
    """A document a transient error stopped in `failures` earlier runs."""
    stored, _ = runtime().store.put_original(data)
    with session_scope(runtime().engine) as session:
        unit = unit_by_code(session, "HU-LAMHA")
        doc = Document(sha256=stored.sha256, size=stored.size, source_name=name, object_key=stored.key,
                       unit_id=unit.id, status="failed", failures=failures, attempts=3 * failures,  # type: ignore[union-attr]
                       error="ObjectStoreError: S3 server did not answer")
        session.add(doc)
        session.flush()
        return doc.id  # type: ignore[return-value]


def test_nightly_takes_in_processes_snapshots_and_reports(
        db_url: str, tmp_path: Path, peers: Path, prefect_harness: None) -> None:
    inbox = tmp_path / "inbox"
    settings = make_settings(tmp_path, db_url, inbox=str(inbox), inbox_settle_seconds=0)
    _setup(settings)
    good = (peers / GOOD).read_bytes()
    _put(inbox, f"HU-DUCTRONG/DT-001/{GOOD}", good)
    _put(inbox, f"HU-DUCTRONG/DT-002/{SCAN}", (peers / SCAN).read_bytes())
    _put(inbox, "HU-DUCTRONG/DT-003/cut-short.pdf", good[:900])
    _put(inbox, "HU-DUCTRONG/DT-001/same-bytes-again.pdf", good)  # a duplicate: one original
    _put(inbox, "HU-DUCTRONG/loose.pdf", (peers / "qpdf__rotated.pdf").read_bytes())
    _put(inbox, "HU-NOWHERE/x.pdf", good)  # no such unit: stays
    _put(inbox, "top-level.pdf", good)  # no unit folder: stays
    _put(inbox, "HU-DUCTRONG/.partial-upload.pdf", b"%PDF-1.")  # hidden: not touched
    forms = (peers / "pypdf-samples__pdflatex-forms.pdf").read_bytes()
    retried = _stored_failure(settings, "retry-me.pdf", forms, 1)
    given_up = _stored_failure(settings, "given-up.pdf", (peers / "qpdf__bad-xref.pdf").read_bytes(),
                               settings.max_failed_runs)

    result = nightly()

    assert result["inbox"]["taken"] == 4 and result["inbox"]["duplicates"] == 1
    assert {i["name"] for i in result["inbox"]["left"]} == {"HU-NOWHERE/x.pdf", "top-level.pdf"}
    left = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert left == ["HU-DUCTRONG/.partial-upload.pdf", "HU-NOWHERE/x.pdf", "top-level.pdf"]
    assert result["processed"] == {"text_ready": 4, "rejected": 1}
    assert result["extracted"]["documents"] == 4  # read for fields the same night
    with session_scope(runtime().engine) as session:
        docs = {d.source_name: d for d in documents(session)}
        dossiers = {d.id: d.code for d in session.exec(select(Dossier))}
        snaps = list(session.exec(select(ProgressSnapshot)))
    assert dossiers[docs[GOOD].dossier_id] == "DT-001" and docs["loose.pdf"].dossier_id is None
    assert docs["cut-short.pdf"].status.value == "rejected"
    assert docs["retry-me.pdf"].status.value == "extracted" and docs["retry-me.pdf"].id == retried
    assert docs["given-up.pdf"].status.value == "failed" and docs["given-up.pdf"].id == given_up
    assert docs["given-up.pdf"].attempts == 3 * settings.max_failed_runs  # not tried again

    province = result["province"]
    assert province["code"] == "TU-LAMDONG" and province["inventoried"] == 4
    assert province["electronic"] == 2  # DT-001 and DT-002; DT-003's only file was refused
    assert province["percent"] == 50.0
    assert len(snaps) == 13 and {s.day.isoformat() for s in snaps} == {result["as_of"]}
    html = Path(result["report"]["html"]).read_text(encoding="utf-8")
    assert "Huyện ủy Đức Trọng" in html
    stored = set(runtime().store.keys("reports/"))
    assert {f"reports/{result['as_of']}/{Path(p).name}" for p in result["report"].values()} == stored

    again = nightly()  # nothing new: nothing taken, the same day's snapshot replaced, not added
    assert again["inbox"]["taken"] == 0 and again["processed"] == {}
    with session_scope(runtime().engine) as session:
        assert len(session.exec(select(ProgressSnapshot)).all()) == 13
    _check_artifacts()


def _check_artifacts() -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    # Other tests' nightly runs share this Prefect server: the newest artifacts are this test's.
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["tien-do-so-hoa", "tien-do-theo-don-vi"])),
            sort=ArtifactSort.CREATED_DESC)
    kinds = {(a.key, a.type) for a in found}
    assert kinds == {("tien-do-so-hoa", "markdown"), ("tien-do-theo-don-vi", "table")}
    markdown = next(a for a in found if a.type == "markdown")
    assert "Tỉnh ủy Lâm Đồng" in str(markdown.data)


def test_a_full_store_leaves_the_inbox_files_in_place_and_says_why(
        tmp_path: Path, peers: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    inbox = tmp_path / "inbox"
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}", inbox=str(inbox),
                             inbox_settle_seconds=0)
    _setup(settings)
    _put(inbox, f"HU-DUCTRONG/DT-001/{GOOD}", (peers / GOOD).read_bytes())
    _put(inbox, f"HU-LAMHA/LH-001/{SCAN}", (peers / SCAN).read_bytes())

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(runtime().store), "put_original", full)
    result = nightly()

    assert result["inbox"]["taken"] == 0 and result["inbox"]["unreadable"] == []
    left = {i["name"]: i["why"] for i in result["inbox"]["left"]}
    assert set(left) == {f"HU-DUCTRONG/DT-001/{GOOD}", f"HU-LAMHA/LH-001/{SCAN}"}
    assert all("object store is full" in why for why in left.values())
    assert sorted(p.name for p in inbox.rglob("*") if p.is_file()) == sorted([GOOD, SCAN])


@pytest.mark.s3
def test_inbox_on_an_s3_prefix(s3_server, tmp_path: Path, peers: Path, prefect_harness: None) -> None:
    from storage.s3 import S3Store

    bucket = s3_server.new_bucket()
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}", inbox=f"s3://{bucket}/incoming",
                             s3_endpoint=s3_server.endpoint, s3_access_key=s3_server.access_key,
                             s3_secret_key=s3_server.secret_key)
    _setup(settings)
    drop = S3Store(s3_server.endpoint, s3_server.access_key, s3_server.secret_key, bucket)
    drop.put_bytes(f"incoming/TP-DALAT/DL-9/{GOOD}", (peers / GOOD).read_bytes())
    drop.put_bytes("incoming/HU-NOWHERE/x.pdf", b"%PDF-1.4 not really")
    drop.put_bytes("elsewhere/TP-DALAT/not-in-the-inbox.pdf", b"%PDF-1.4")

    result = nightly()

    assert result["inbox"]["taken"] == 1 and result["processed"] == {"text_ready": 1}
    assert sorted(drop.keys()) == ["elsewhere/TP-DALAT/not-in-the-inbox.pdf", "incoming/HU-NOWHERE/x.pdf"]
    with session_scope(runtime().engine) as session:
        (doc,) = documents(session)
        assert session.get(Dossier, doc.dossier_id).code == "DL-9"  # type: ignore[union-attr]
    shutil.rmtree(tmp_path / "data", ignore_errors=True)

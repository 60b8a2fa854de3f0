"""End to end, as a clerk meets it: the application served by uvicorn, Debian's Chromium driven
by Playwright. Sign in; upload a scanned CV (with a duplicate and a file that is no scan); wait
while the application reads and extracts it; find the person without diacritics; look at the
document with a value's box lit; correct a value and confirm another from the keyboard; see the
unit's figures move on the dashboard. A screenshot of every screen goes to HOSO_TEST_ARTIFACTS
(default test-artifacts/web/ in the repository)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import make_settings, need
from sqlmodel import col, select
from typer.testing import CliRunner

from flows.cli import app as cli
from flows.runtime import runtime, use_settings
from schemas.models import AuditEvent, Document, FieldCorrection, FieldValue
from schemas.settings import Settings
from schemas.status import AuditAction, DocumentStatus, FieldStatus
from schemas.vietnamese import fold
from storage.db import session_scope, upgrade

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "mat-khau-cua-lan"
ARTIFACTS = Path(os.environ.get("HOSO_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1]
                 / "test-artifacts" / "web")
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path, prefect_harness: None) -> Iterator[tuple[str, Settings]]:
    """A fresh embedded setup (SQLite, local objects), the Lâm Đồng units with an inventory,
    a clerk made with `hoso users add`, and the application served on a free port."""
    import uvicorn

    from web.app import create_app

    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'hoso.db'}")
    upgrade(use_settings(settings).engine)
    env = {"HOSO_DATA_DIR": str(settings.data_dir), "HOSO_DATABASE_URL": settings.db_url}
    data = ["--data-dir", str(settings.data_dir)]
    for args, stdin in ((["units", "seed"], None),
                        (["users", "add", "lan", "--role", "clerk", "--unit", "HU-DUCTRONG",
                          "--full-name", "Nguyễn Thị Lan", "--password-stdin"], PASSWORD + "\n")):
        done = runner.invoke(cli, [*args, *data], input=stdin, env=env)
        assert done.exit_code == 0, done.output
    counts = tmp_path / "kiem-ke.csv"
    counts.write_text("Mã đơn vị,Số hồ sơ giấy\nHU-DUCTRONG,12\n", encoding="utf-8")
    done = runner.invoke(cli, ["inventory", "import", str(counts), *data], env=env)
    assert done.exit_code == 0, done.output
    use_settings(settings)  # the commands pointed the runtime at their own settings object
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def scanned_cv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A CV printed and scanned (grey, 300 dpi, a little skewed and noisy): 2 pages, 1 PDF."""
    from samples.degrade import degrade
    from samples.people import make_person
    from samples.render import cv_pages, rasterise
    from samples.writers import image_pdf

    person = make_person("web-e2e-1")
    rng = np.random.default_rng(2611)
    scans = [degrade(rasterise(page), rng, 0, "gray").image for page in cv_pages(person)]
    path = tmp_path_factory.mktemp("scan") / "so-yeu-ly-lich-quet.pdf"
    image_pdf(scans, path)
    return path, person.full_name


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_clerk_uploads_finds_reviews_and_sees_progress(
        served: tuple[str, Settings], scanned_cv: tuple[Path, str], tmp_path: Path) -> None:
    need(CHROMIUM.exists(), f"Chromium at {CHROMIUM} (Debian: chromium)")
    from playwright.sync_api import expect, sync_playwright

    base, settings = served
    cv, name = scanned_cv
    copy = tmp_path / "ban-sao-cung-tep.pdf"
    copy.write_bytes(cv.read_bytes())
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Danh sách hồ sơ còn thiếu\n", encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        page.set_default_timeout(20_000)

        # Sign in: the dashboard asks for it first.
        page.goto(base + "/tien-do")
        expect(page).to_have_url(f"{base}/dang-nhap?next=%2Ftien-do")
        page.fill("#username", "lan")
        page.fill("#password", PASSWORD)
        _shot(page, "01-dang-nhap")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Huyện ủy Đức Trọng")
        received_before = int(page.locator('tr[data-unit="HU-DUCTRONG"] [data-col="received"]').inner_text())
        assert received_before == 0

        # Upload: the scan, the same bytes under another name, and a note that is no scan.
        page.click("nav >> text=Tải lên")
        expect(page.locator("#unit")).to_have_value(str(_unit_id("HU-DUCTRONG")))
        page.set_input_files("#files", [str(cv), str(copy), str(note)])
        rows = page.locator("#file-rows tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0).locator(".answer")).to_contain_text("Đã nhận")
        expect(rows.nth(1).locator(".answer")).to_contain_text("Trùng")
        expect(rows.nth(2).locator(".answer")).to_contain_text("không phải tài liệu")
        doc_id = int(rows.nth(0).get_attribute("data-document-id") or 0)
        expect(rows.nth(0).locator(".status")).to_contain_text("Đang", timeout=10_000)
        _shot(page, "02-tai-len-tra-loi")
        expect(rows.nth(0).locator('.status [data-status="extracted"]')).to_be_visible(timeout=150_000)
        expect(rows.nth(1).locator('.status [data-status="extracted"]')).to_be_visible()  # the same one
        _shot(page, "03-tai-len-da-xu-ly")

        # Dossiers: the person found by their name typed without diacritics.
        page.click("nav >> text=Hồ sơ")
        page.fill("input[name=q]", fold(name))
        page.press("input[name=q]", "Enter")
        expect(page.locator("#count")).to_contain_text("1 hồ sơ khớp")
        expect(page.locator("table.dossiers")).to_contain_text(name)
        _shot(page, "04-ho-so-tim-kiem")

        # The document: hovering a value lights its box on the page.
        page.locator("table.dossiers a").first.click()
        expect(page.locator("h1")).to_contain_text(name)
        _shot(page, "05-ho-so-chi-tiet")
        page.locator(f'a[href="/van-ban/{doc_id}"]').first.click()
        expect(page.locator(".sheet img")).to_be_visible()
        _loaded(page.locator(".sheet img"))
        field = page.locator(".fields-list .field[data-box]").first
        field.hover()
        box_id = field.get_attribute("data-box")
        expect(page.locator(f"#{box_id}.lit")).to_be_visible()
        _shot(page, "06-van-ban-o-sang")

        # Review: type a correction and Enter; Enter again confirms the next value as read.
        page.click("nav >> text=Kiểm tra")
        items = page.locator('.review-item[data-pending="yes"]')
        waiting = items.count()
        assert waiting >= 2, "a scanned CV leaves some values for review"
        first_id = items.nth(0).get_attribute("id")
        second_id = items.nth(1).get_attribute("id")
        expect(page.locator(f"#{first_id} .value-input")).to_be_focused()
        _loaded(page.locator(f"#{first_id} .crop img"))
        page.keyboard.press("ArrowDown")
        expect(page.locator(f"#{second_id} .value-input")).to_be_focused()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Control+A")
        page.keyboard.type("Giá trị đã sửa")
        page.keyboard.press("Enter")
        expect(page.locator(f"#{first_id}")).to_contain_text("Đã sửa thành")
        expect(page.locator(f"#{second_id} .value-input")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator(f"#{second_id}")).to_contain_text("Đã xác nhận")
        _shot(page, "07-kiem-tra")

        # The dashboard: the unit has received and made electronic one dossier.
        page.click("nav >> text=Tiến độ")
        row = page.locator('tr[data-unit="HU-DUCTRONG"]')
        expect(row.locator('[data-col="received"]')).to_have_text("1")
        expect(row.locator('[data-col="electronic"]')).to_have_text("1")
        expect(page.locator('[data-kpi="percent"]')).to_contain_text("8,3")  # 1 of 12
        _shot(page, "08-tien-do")
        browser.close()

    with session_scope(runtime().engine) as session:
        documents = list(session.exec(select(Document).order_by(col(Document.id))))
        fixes = list(session.exec(select(FieldCorrection).order_by(col(FieldCorrection.id))))
        fields = {f.id: f for f in session.exec(select(FieldValue))}
        events = {e.action for e in session.exec(select(AuditEvent).where(AuditEvent.actor == "lan"))}
    assert [d.status for d in documents] == [DocumentStatus.extracted, DocumentStatus.rejected]
    assert [(f.value, f.corrected_by) for f in fixes][0] == ("Giá trị đã sửa", "lan")
    assert len(fixes) == 2 and fields[fixes[0].field_value_id].status == FieldStatus.corrected
    assert fields[fixes[1].field_value_id].status == FieldStatus.confirmed
    assert {AuditAction.sign_in, AuditAction.upload, AuditAction.search, AuditAction.view,
            AuditAction.correction} <= events
    for shot in ("01-dang-nhap", "02-tai-len-tra-loi", "03-tai-len-da-xu-ly", "04-ho-so-tim-kiem",
                 "05-ho-so-chi-tiet", "06-van-ban-o-sang", "07-kiem-tra", "08-tien-do"):
        assert (ARTIFACTS / f"{shot}.png").stat().st_size > 10_000, shot


def _loaded(image) -> None:  # type: ignore[no-untyped-def]
    """Wait for an image to be drawn (the pages' CSP forbids wait_for_function's eval)."""
    for _ in range(100):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            return
        time.sleep(0.1)
    raise AssertionError("the image was not drawn")


def _unit_id(code: str) -> int:
    from storage.queries import unit_by_code

    with session_scope(runtime().engine) as session:
        return unit_by_code(session, code).id  # type: ignore[union-attr,return-value]

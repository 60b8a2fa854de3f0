"""`hoso demo`: sample dossiers in, searchable files and page text out, on the embedded setup."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.cli import print_rejections, run_intake, run_process
from flows.cli_progress import print_progress
from flows.progress import progress_report
from flows.report import status_report
from flows.report_render import write_report
from flows.runtime import Runtime
from storage.db import session_scope

DEMO_UNIT = ("HU-DUCTRONG", "Huyện ủy Đức Trọng")
SOURCE_LABELS = {"ocr": "OCR", "text_layer": "lớp chữ", "none": "không đọc được"}


def write_samples(folder: Path, dossiers: int, seed: int) -> dict[str, list[Path]]:
    """The generated dossiers, plus one damaged file to show how bad input is handled.

    Returns the files of each dossier code (as the ground truth assigns them)."""
    from samples.generate import GROUND_TRUTH, generate

    generate(folder, n_dossiers=dossiers, seed=seed)
    truth = json.loads((folder / GROUND_TRUTH).read_text(encoding="utf-8"))
    by_dossier: dict[str, list[Path]] = {}
    for item in truth["files"]:
        by_dossier.setdefault(item["dossier"].upper(), []).append(folder / item["file"])
    first = sorted(by_dossier)[0]
    damaged = folder / "ho-so-hong_bi-cat-ngang.pdf"
    whole = next(p for p in by_dossier[first] if p.suffix == ".pdf").read_bytes()
    damaged.write_bytes(whole[: min(len(whole) // 3, 2048)])  # a transfer cut short
    by_dossier[first].append(damaged)
    return by_dossier


def write_inventory(folder: Path, dossiers: int) -> Path:
    """The demo unit's paper inventory: more paper dossiers than the sample holds, as in life."""
    path = folder / "kiem-ke-ho-so-giay.csv"
    path.write_text(f"Mã đơn vị,Số hồ sơ giấy\n{DEMO_UNIT[0]},{dossiers + 2}\n", encoding="utf-8")
    return path


def setup_units(runtime: Runtime, console: Console, inventory: Path) -> None:
    """Lâm Đồng's 2022 tree (when no tree is there yet) and the demo unit's inventory."""
    from extractors.spreadsheet import read_table
    from schemas.imports import InventoryCount, UnitRow, validate_rows
    from storage.progress import all_units
    from storage.units import LAM_DONG_2022, import_inventory_counts, import_units

    with session_scope(runtime.engine) as session:
        if not all_units(session):
            rows, _ = validate_rows(UnitRow, read_table(LAM_DONG_2022), "seed")
            import_units(session, rows, str(LAM_DONG_2022))
            console.print("Đã nạp cây đơn vị Lâm Đồng 2022 (loaded the Lâm Đồng 2022 unit tree): "
                          "Tỉnh ủy và 12 đơn vị cấp huyện")
        counts, _ = validate_rows(InventoryCount, read_table(inventory), str(inventory))
        import_inventory_counts(session, counts, str(inventory))


def run_demo(runtime: Runtime, console: Console, dossiers: int = 4, seed: int = 7) -> None:
    folder = runtime.settings.data_dir / "samples"
    with console.status("Đang tạo hồ sơ mẫu (generating sample dossiers)…"):
        by_dossier = write_samples(folder, dossiers, seed)
    files = sum(len(f) for f in by_dossier.values())
    console.print(f"Đã tạo {files} tệp mẫu của {len(by_dossier)} hồ sơ trong (sample files in) {folder}")
    setup_units(runtime, console, write_inventory(folder, dossiers))
    new = held = 0
    for code, paths in sorted(by_dossier.items()):
        taken = run_intake(paths, DEMO_UNIT[0], DEMO_UNIT[1], code)
        new, held = new + len(taken.new), held + len(taken.duplicates)
    console.print(f"Nhận (intake): {new} mới (new), {held} đã có "
                  "(already held: nothing stored twice)")
    run_process(runtime)
    report = status_report(runtime.engine, with_pages=True)
    print_summary(console, report["documents"])
    print_rejections(report["documents"])
    show_records(runtime, console)
    with session_scope(runtime.engine) as session:
        progress = progress_report(session, runtime.settings)
    written = write_report(progress, runtime.settings.reports_path)
    print_progress(progress, max_level=0)
    console.print(f"Báo cáo tiến độ (progress report): {written['html']}  (cũng có / also .xlsx, .csv)")
    console.print(f"\nCơ sở dữ liệu (database): {runtime.engine.url.render_as_string()}")
    console.print(f"Kho lưu trữ (objects): {runtime.store.location()}  — originals/<sha256>, "
                  "derived/<document id>/searchable.pdf, text.txt, pages/NNNN.words.json")
    console.print("Xem trạng thái (see status): hoso status   ·   tiến độ (progress): hoso report")


KEY_FIELDS = {"ho_va_ten": "Họ và tên", "ngay_sinh": "Ngày sinh", "so_cccd": "Số CCCD",
              "chuc_vu_hien_tai": "Chức vụ"}


def show_records(runtime: Runtime, console: Console) -> None:
    """Extract the fields and show what was read of each dossier's CV, with how sure it is."""
    from sqlmodel import select

    from flows.extract import extract
    from flows.records import dossier_record
    from schemas.models import Dossier
    from storage.fields import review_queue

    with console.status("Đang trích xuất trường thông tin (extracting fields)…"):
        totals = extract()
    table = Table(title="Sơ yếu lý lịch đã đọc (CV fields read): giá trị · độ tin cậy")
    table.add_column("Hồ sơ", no_wrap=True)
    for title in KEY_FIELDS.values():
        table.add_column(title, overflow="fold")
    with session_scope(runtime.engine) as session:
        for dossier in session.exec(select(Dossier).order_by(Dossier.code)):
            record = dossier_record(session, dossier)
            cv = next((r for r in record["records"] if r["document_type"] == "so_yeu_ly_lich"), None)
            if cv is None:
                continue
            cells = []
            for key in KEY_FIELDS:
                info = cv["review"].get(key, {})
                mark = "" if info.get("status") == "auto_accepted" else " [yellow]?[/yellow]"
                sure = f"[dim]{info.get('confidence', 0):.2f}[/dim]"
                cells.append(f"{cv['fields'].get(key) or ''} {sure}{mark}")
            table.add_row(dossier.code or str(dossier.id), *cells)
        waiting = len(review_queue(session, limit=10_000))
    console.print(table)
    console.print(f"{totals.get('values', 0)} giá trị đã đọc (values read); {waiting} cần kiểm tra "
                  "(need review, marked ?): hoso review list · hoso show <mã hồ sơ> · "
                  "hoso export --unit HU-DUCTRONG")


def print_summary(console: Console, rows: list[dict]) -> None:
    table = Table(title="Kết quả số hóa (digitization summary): tin cậy = mean OCR "
                  "confidence, xoay = pages turned upright")
    table.add_column("Tệp (file)", overflow="fold", min_width=26)
    for name, justify in (("Trạng thái", "left"), ("Trang", "right"), ("Nguồn chữ", "left"),
                          ("Tin cậy", "right"), ("Xoay", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    pages = ocr_pages = 0
    for r in rows:
        sources = ", ".join(f"{SOURCE_LABELS.get(k, k)} {v}" for k, v in r["sources"].items())
        table.add_row(r["source_name"], r["status"], str(r["pages"]), sources or "-",
                      f"{r['mean_conf']:.1f}" if r["mean_conf"] is not None else "-",
                      str(r["rotated_pages"]))
        pages += r["pages"]
        ocr_pages += r["ocr_pages"]
    console.print(table)
    confs = [r["mean_conf"] for r in rows if r["mean_conf"] is not None]
    mean = f"{sum(confs) / len(confs):.1f}" if confs else "-"
    console.print(f"{len(rows)} tài liệu (documents), {pages} trang (pages), {ocr_pages} trang "
                  f"OCR, độ tin cậy trung bình (mean OCR confidence) {mean}")

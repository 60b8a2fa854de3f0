"""`hoso demo`: sample dossiers in, searchable files and page text out, on the embedded setup."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.cli import print_rejections, run_intake, run_process
from flows.report import status_report
from flows.runtime import Runtime

DEMO_UNIT = ("HU-DUCTRONG", "Huyện ủy Đức Trọng")
SOURCE_LABELS = {"ocr": "OCR", "text_layer": "lớp chữ", "none": "không đọc được"}


def write_samples(folder: Path, dossiers: int, seed: int) -> list[Path]:
    """The generated dossiers, plus one damaged file to show how bad input is handled."""
    from samples.generate import generate

    generate(folder, n_dossiers=dossiers, seed=seed)
    damaged = folder / "ho-so-hong_bi-cat-ngang.pdf"
    whole = sorted(folder.glob("*.pdf"))[0].read_bytes()
    damaged.write_bytes(whole[: min(len(whole) // 3, 2048)])  # a transfer cut short
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".json")


def run_demo(runtime: Runtime, console: Console, dossiers: int = 4, seed: int = 7) -> None:
    folder = runtime.settings.data_dir / "samples"
    with console.status("Đang tạo hồ sơ mẫu (generating sample dossiers)…"):
        files = write_samples(folder, dossiers, seed)
    console.print(f"Đã tạo {len(files)} tệp mẫu trong (sample files in) {folder}")
    taken = run_intake(files, *DEMO_UNIT)
    console.print(f"Nhận (intake): {len(taken.new)} mới (new), {len(taken.duplicates)} đã có "
                  "(already held: nothing stored twice)")
    run_process(runtime)
    report = status_report(runtime.engine, with_pages=True)
    print_summary(console, report["documents"])
    print_rejections(report["documents"])
    console.print(f"\nCơ sở dữ liệu (database): {runtime.engine.url.render_as_string()}")
    console.print(f"Kho lưu trữ (objects): {runtime.store.location()}  — originals/<sha256>, "
                  "derived/<document id>/searchable.pdf, text.txt, pages/NNNN.words.json")
    console.print("Xem trạng thái (see status): hoso status   ·   JSON: hoso status --json")


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

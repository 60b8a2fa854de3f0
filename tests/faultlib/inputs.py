"""Good inputs for the fault scenarios: small, distinct, quick to read."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_pdfs(folder: Path, n: int, tag: str = "") -> list[Path]:
    """`n` one-page born-digital PDFs with a Vietnamese text layer, each different (no OCR)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pdf = FPDF(unit="pt", format=(420, 595))  # A5
        pdf.add_font("dejavu", "", FONT)
        pdf.set_font("dejavu", size=12)
        pdf.add_page()
        for line in range(12):
            pdf.text(40, 60 + 22 * line, f"Hồ sơ {tag}{i} dòng {line}: Nguyễn Văn An, Đức Trọng")
        path = folder / f"van-ban-{tag}{i:02d}.pdf"
        pdf.output(str(path))
        paths.append(path)
    return paths


def scans(folder: Path, n: int, tag: str = "", lines: int = 8) -> list[Path]:
    """`n` scanned pages (PNG, 200 dpi) that take Tesseract a second or two each."""
    folder.mkdir(parents=True, exist_ok=True)
    font = ImageFont.truetype(FONT, 28)
    paths = []
    for i in range(n):
        image = Image.new("L", (1100, 100 + 75 * lines), 255)
        draw = ImageDraw.Draw(image)
        for line in range(lines):
            draw.text((60, 50 + 75 * line), f"Hồ sơ {tag}{i} dòng {line}: Nguyễn Văn An, Đức Trọng",
                      fill=0, font=font)
        path = folder / f"ban-quet-{tag}{i:02d}.png"
        image.save(path, dpi=(200, 200))
        paths.append(path)
    return paths

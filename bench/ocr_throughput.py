"""OCR throughput: hoso's process flow against raw Tesseract (the limit) and OCRmyPDF (the peer).

All three read the same generated scanned pages in one run, interleaved over several rounds;
pages per second are the medians. Each method uses every core:
  limit    -- `tesseract` on the pages pre-rendered to PNG at 300 dpi, one process per core,
              OMP_THREAD_LIMIT=1, the same outputs hoso asks for (txt, tsv, text-only pdf);
  ocrmypdf -- `ocrmypdf --rotate-pages --deskew --output-type pdf --sidecar`, one file per core;
  hoso     -- the `process` flow (render, orientation, deskew, clean-up, one Tesseract pass,
              searchable PDF, database and object store), after intake.

Usage: python bench/ocr_throughput.py [--pages 12] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="hoso-bench-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium  # noqa: E402

from samples.generate import generate_pages  # noqa: E402

CORES = os.cpu_count() or 1
DPI = 300


def render_all(files: list[Path], out: Path) -> list[Path]:
    images = []
    for f in files:
        pdf = pdfium.PdfDocument(f)
        for i in range(len(pdf)):
            path = out / f"{f.stem}-{i + 1}.png"
            pdf[i].render(scale=DPI / 72).to_pil().save(path)
            images.append(path)
        pdf.close()
    return images


def run_limit(images: list[Path], out: Path) -> float:
    def one(image: Path) -> None:
        subprocess.run(["tesseract", str(image), str(out / image.stem), "-l", "vie", "--oem", "1",
                        "--psm", "3", "--dpi", str(DPI), "-c", "textonly_pdf=1", "txt", "pdf", "tsv"],
                       check=True, capture_output=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(CORES) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - start


def run_ocrmypdf(files: list[Path], out: Path) -> float:
    exe = Path(sys.executable).with_name("ocrmypdf")

    def one(f: Path) -> None:
        subprocess.run([str(exe), "--rotate-pages", "--deskew", "--output-type", "pdf",
                        "--sidecar", str(out / f"{f.stem}.txt"), "-l", "vie", "--jobs", "1",
                        "--quiet", str(f), str(out / f.name)], check=True, capture_output=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(CORES) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def run_hoso(files: list[Path], out: Path) -> float:
    from flows.intake import intake
    from flows.process import process
    from flows.runtime import runtime, use_settings
    from schemas.settings import Settings
    from storage.db import upgrade

    use_settings(Settings(data_dir=out / "data"))
    upgrade(runtime().engine)
    intake([str(f) for f in files], "BENCH")  # also starts Prefect before the clock does
    start = time.perf_counter()
    counts = process()
    elapsed = time.perf_counter() - start
    if counts.get("text_ready") != len(files):
        raise SystemExit(f"hoso did not read every file: {counts}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hoso-bench-"))
    try:
        files = generate_pages(work / "scans", args.pages, seed=11)
        pages = sum(len(pdfium.PdfDocument(f)) for f in files)
        rendered = work / "rendered"
        rendered.mkdir()
        images = render_all(files, rendered)
        print(f"{pages} scanned pages in {len(files)} files; {CORES} cores; "
              f"{args.rounds} rounds, interleaved")
        times: dict[str, list[float]] = {"limit": [], "ocrmypdf": [], "hoso": []}
        for r in range(args.rounds):
            for name, run in (("limit", lambda o: run_limit(images, o)),
                              ("ocrmypdf", lambda o: run_ocrmypdf(files, o)),
                              ("hoso", lambda o: run_hoso(files, o))):
                out = work / f"{name}-{r}"
                out.mkdir()
                seconds = run(out)
                times[name].append(seconds)
                print(f"  round {r + 1} {name:9s} {seconds:7.2f} s  {pages / seconds:5.2f} pages/s",
                      flush=True)
        pps = {name: pages / statistics.median(t) for name, t in times.items()}
        print(f"median pages/s: limit {pps['limit']:.3f}, ocrmypdf {pps['ocrmypdf']:.3f}, "
              f"hoso {pps['hoso']:.3f}")
        print(f"hoso / limit = {pps['hoso'] / pps['limit']:.3f} (target >= 0.85); "
              f"hoso / ocrmypdf = {pps['hoso'] / pps['ocrmypdf']:.3f} (target >= 1.7)")
        print(f"RESULT pages={pages} hoso_pps={pps['hoso']:.3f} limit_pps={pps['limit']:.3f} "
              f"ocrmypdf_pps={pps['ocrmypdf']:.3f} vs_limit={pps['hoso'] / pps['limit']:.3f} "
              f"vs_ocrmypdf={pps['hoso'] / pps['ocrmypdf']:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

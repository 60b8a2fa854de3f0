"""python -m samples OUT_DIR [--dossiers N] [--seed S] [--pages N]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from samples.generate import GROUND_TRUTH, generate, generate_pages


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m samples",
                                     description="Write sample scanned dossiers and their "
                                                 "ground truth.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--dossiers", type=int, default=4, help="number of dossiers (default 4)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", type=int,
                        help="instead of dossiers, this many scanned pages in 1-3 page PDFs")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.pages:
        paths = generate_pages(args.out_dir, args.pages, args.seed)
        for path in paths:
            print(f"{path.name:40} {path.stat().st_size / 1e6:7.2f} MB")
    else:
        manifest = generate(args.out_dir, args.dossiers, args.seed)
        for f in manifest.files:
            turned = [f"p{p.number}:{p.rotation}" for p in f.pages if p.rotation]
            kind = "text layer" if f.text_layer else f"scan ({f.pages[0].color})"
            size = (args.out_dir / f.file).stat().st_size / 1e6
            print(f"{f.file:36} {f.format:5} {f.page_count} p  {kind:12} {size:6.2f} MB"
                  f"  {' '.join(turned)}")
    print(f"{args.out_dir / GROUND_TRUTH} written in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

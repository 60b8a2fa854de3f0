"""python -m samples OUT_DIR [--dossiers N] [--seed S] [--pages N]
python -m samples forms OUT_DIR [--dossiers N] [--seed S] [--dpi 200 --dpi 300] [--workers N]"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from samples.generate import GROUND_TRUTH, generate, generate_pages


def main() -> None:
    if sys.argv[1:2] == ["forms"]:
        forms(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m samples",
                                     description="Write sample scanned dossiers and their "
                                                 "ground truth. `python -m samples forms --help`: "
                                                 "the varied field-extraction benchmark set.")
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


def forms(argv: list[str]) -> None:
    from samples.forms import DEFAULT_SEED, generate_forms

    parser = argparse.ArgumentParser(prog="python -m samples forms",
                                     description="Write the varied field-extraction benchmark set "
                                                 "(three CV layouts, decisions, other papers; "
                                                 "mixed formats) and its ground truth.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--dossiers", type=int, default=40, help="number of dossiers (default 40)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--dpi", type=int, action="append", dest="dpis",
                        help="scan resolution, repeatable (default 200 and 300)")
    parser.add_argument("--workers", type=int, help="processes (default: all CPUs)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    result = generate_forms(args.out_dir, args.dossiers, args.seed, tuple(args.dpis or (200, 300)),
                            args.workers)
    truth = result.truth
    for f in truth["files"]:
        kinds = "+".join(d["layout"] or d["type"] for d in f["documents"])
        turned = " ".join(f"p{p['number']}:{p['rotation']}" for p in f["pages"] if p["rotation"])
        scan = "text layer" if f["text_layer"] else f"{f['pages'][0]['color']} {f['dpi']} dpi"
        size = (args.out_dir / f["file"]).stat().st_size / 1e6
        print(f"{f['file']:22} {f['format']:4} {f['page_count']:2} p  {scan:12} {size:6.2f} MB  "
              f"{kinds}  {turned}")
    types = Counter(d["type"] for d in truth["documents"])
    pages = sum(f["page_count"] for f in truth["files"])
    print(f"{len(truth['files'])} files, {pages} pages, {dict(types)}")
    print(f"{args.out_dir / GROUND_TRUTH} written in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

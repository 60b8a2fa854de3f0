"""Field extraction accuracy on the project's own generated dossiers, read for real.

Generates a set (default 40 dossiers, seed 4099: the seed that tuning never looks at, whose
per-field errors are never printed; develop on --seed 3 or 2611), reads every file with the
real reader (Tesseract OCR, or the text layer), runs the extraction per dossier (its files'
pages in upload order: split, classify, fields, tables, normalization, checks, confidence)
and compares with the ground truth:

  scalar_300dpi / scalar_200dpi / scalar_text_layer -- exact match of every scalar field of
      every document found in the truth, by how its file was made (normalized values: ISO
      dates, names in proper case; a blank item must be read as blank);
  table_cells -- exact match of the table cells of the truth (row by row, column by column);
  auto_accepted_wrong -- among values at least HOSO_AUTO_ACCEPT_CONFIDENCE sure, the share
      that is wrong (they would be accepted without review).

Reading is cached by file content (--cache) so that a rerun only re-extracts.

  python bench/field_accuracy.py [--dossiers 40] [--seed 4099] [--out DIR] [--cache DIR]

The last line is `RESULT scalar_300dpi=… scalar_200dpi=… table_cells=… auto_accepted_wrong=…`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.catalog import layouts  # noqa: E402
from schemas.extraction import ExtractedDocument  # noqa: E402
from schemas.pages import DocumentText  # noqa: E402
from schemas.settings import Settings  # noqa: E402

# The seed tuning never looks at: only its aggregate figures are printed. (2611 was the first
# held-out seed; its per-field errors were printed once, so it became a development seed.)
HELD_OUT_SEED = 4099


def _read(path: str, cache: str) -> str:
    """Read one file (OCR or text layer) unless its reading is cached; returns the cache path."""
    from extractors.document import read_document
    from schemas.settings import Limits, OcrOptions

    data = Path(path).read_bytes()
    target = Path(cache) / f"{hashlib.sha256(data).hexdigest()}.pkl"
    if not target.exists():
        document = read_document(data, Limits(), OcrOptions(ocr_workers=1))
        document.searchable_pdf = b""
        for page in document.pages:
            page.pdf = None
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(document))
        tmp.replace(target)
    return str(target)


READER = ("document.py", "ocr.py", "preprocess.py", "pdf.py", "rules.py", "images.py", "textlayer.py",
          "leaders.py")


def reader_version() -> str:
    """A digest of the reader's code: a cached reading is reused only by the same reader."""
    root = Path(__file__).resolve().parents[1] / "extractors"
    return hashlib.sha256(b"".join((root / name).read_bytes() for name in READER)).hexdigest()[:12]


def read_all(folder: Path, files: list[str], cache: Path, workers: int) -> dict[str, DocumentText]:
    cache = cache / reader_version()
    cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ProcessPoolExecutor(workers) as pool:
        paths = list(pool.map(_read, [str(folder / f) for f in files], [str(cache)] * len(files)))
    print(f"read {len(files)} files in {time.monotonic() - started:.0f} s", flush=True)
    return {f: pickle.loads(Path(p).read_bytes()) for f, p in zip(files, paths, strict=True)}


def _iso(printed: str) -> str:
    """A date as the form prints it (table cells carry only their text: "12/1993", "12-1993",
    "05/03/1990") in the ISO form the extractor gives; ISO input is returned as is. Written
    here, not taken from the extractor, so the benchmark does not grade it with its own rule."""
    parts = re.split(r"[/.-]", printed.strip())  # "12/1993", "12-1993", "05.03.1990"
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[1]) == 4:
        return f"{parts[1]}-{int(parts[0]):02d}"
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    return printed


def expected(kind: str, truth: dict) -> str:
    """The truth in the form the extractor should give: ISO dates, proper-case names, and the
    closed lists' canonical entries (the 54 ethnic groups' official names: K'Ho is Cơ Ho)."""
    text = " ".join(str(truth.get("text", "")).split())
    if not text:
        return ""
    if kind in ("date", "month"):
        return _iso(str(truth["value"]))
    if kind in ("ethnicity", "religion", "gender"):
        from extractors.normalize import normalize

        return normalize(kind, text).value or text
    if kind == "name":
        return unicodedata.normalize("NFC", " ".join(w[:1].upper() + w[1:].lower() for w in text.split()))
    return unicodedata.normalize("NFC", " ".join(str(truth["value"]).split()))


def same(got: str | None, want: str) -> bool:
    return " ".join((got or "").split()) == want


def _match(truth_doc: dict, run_pages: list[int], found: list[ExtractedDocument]) -> ExtractedDocument | None:
    """The extracted document of the same type that shares most pages with the truth's."""
    best, overlap = None, 0
    for doc in found:
        shared = len(set(doc.pages) & set(run_pages))
        if doc.document_type == truth_doc["type"] and shared > overlap:
            best, overlap = doc, shared
    return best


def score(truth: dict, readings: dict[str, DocumentText], threshold: float) -> dict:
    files = {f["file"]: f for f in truth["files"]}
    by_dossier: dict[str, list[str]] = defaultdict(list)
    for f in sorted(files):
        by_dossier[files[f]["dossier"]].append(f)
    from extractors.extract import extract_pages

    tally: Counter[str] = Counter()
    wrong_fields: Counter[str] = Counter()
    docs_found = docs_total = 0
    started = time.monotonic()
    for dossier, names in sorted(by_dossier.items()):
        run, index = [], {}
        for name in names:
            for number, page in enumerate(readings[name].pages, start=1):
                run.append(page)
                index[(name, number)] = len(run)
        found = extract_pages(run)
        for doc in (d for d in truth["documents"] if d["dossier"] == dossier):
            docs_total += 1
            pages = [index[(p["file"], p["page"])] for p in doc["pages"]]
            first = files[doc["pages"][0]["file"]]
            where = "text_layer" if first["text_layer"] else f"{first['dpi']}dpi"
            got = _match(doc, pages, found)
            docs_found += got is not None and sorted(got.pages) == sorted(pages)
            spec = layouts().get(doc["layout"] or doc["type"])
            kinds = {f.key: f.type for f in spec.fields} if spec else {}
            for key, field in doc["fields"].items():
                want = expected(kinds.get(key, "text"), field)
                value = got.value(key) if got else None
                ok = value is not None and same(value.value, want) if want else \
                    (value is None or not (value.value or ""))
                tally[f"scalar_{where}"] += 1
                tally[f"scalar_{where}_ok"] += ok
                if not ok:
                    wrong_fields[f"{doc['layout'] or doc['type']}.{key}"] += 1
                if value is not None and value.confidence >= threshold:
                    tally["accepted"] += 1
                    tally["accepted_wrong"] += not ok
            _score_tables(doc, got, spec, tally)
    print(f"extracted in {time.monotonic() - started:.1f} s")
    return {"tally": tally, "wrong_fields": wrong_fields, "docs_found": docs_found, "docs_total": docs_total}


def _score_tables(doc: dict, got: ExtractedDocument | None, spec, tally: Counter[str]) -> None:
    cells: dict[tuple[str, int, str], str | None] = {}
    for value in got.values if got else []:
        if value.row is not None:
            cells[(value.key, value.row, value.column or "")] = value.value
    tables = {t.key: t for t in spec.tables} if spec else {}
    for key, rows in doc.get("tables", {}).items():
        kinds = {c.key: c.type for c in tables[key].columns} if key in tables else {}
        for r, row in enumerate(rows):
            for column, text in row.items():
                want = expected(kinds.get(column, "text"), {"text": text, "value": text})
                tally["cells"] += 1
                tally["cells_ok"] += same(cells.get((key, r, column)), want)


def _share(tally: Counter[str], key: str) -> float:
    return tally[f"{key}_ok"] / tally[key] if tally[key] else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=40)
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--out", type=Path, default=Path("bench/out/forms"))
    parser.add_argument("--cache", type=Path, default=Path("bench/out/readings"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show", type=int, default=25, help="worst fields to list")
    args = parser.parse_args()
    from samples.forms import generate_forms

    folder = args.out / f"seed-{args.seed}-n{args.dossiers}"
    if not (folder / "ground_truth.json").exists():
        generate_forms(folder, n_dossiers=args.dossiers, seed=args.seed, workers=args.workers)
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    readings = read_all(folder, sorted(f["file"] for f in truth["files"]), args.cache, args.workers)
    threshold = Settings().auto_accept_confidence
    result = score(truth, readings, threshold)
    tally = result["tally"]
    print(f"\nseed {args.seed}, {args.dossiers} dossiers, {len(truth['files'])} files, "
          f"{sum(len(r.pages) for r in readings.values())} pages")
    print(f"documents found exactly (type and pages): {result['docs_found']}/{result['docs_total']}")
    for where in ("text_layer", "300dpi", "200dpi"):
        print(f"scalar fields, {where:10}: {tally[f'scalar_{where}_ok']}/{tally[f'scalar_{where}']} "
              f"= {_share(tally, f'scalar_{where}'):.3f}")
    print(f"table cells: {tally['cells_ok']}/{tally['cells']} = {_share(tally, 'cells'):.3f}")
    wrong_rate = tally["accepted_wrong"] / tally["accepted"] if tally["accepted"] else 0.0
    print(f"auto-accepted (confidence >= {threshold}): {tally['accepted']}, wrong {tally['accepted_wrong']} "
          f"= {wrong_rate:.3f}")
    if args.seed != HELD_OUT_SEED:  # what is wrong is for development sets only
        worst = result["wrong_fields"].most_common(args.show)
        print("fields most often wrong:", ", ".join(f"{k} {n}" for k, n in worst))
    print(f"RESULT scalar_300dpi={_share(tally, 'scalar_300dpi'):.3f} "
          f"scalar_200dpi={_share(tally, 'scalar_200dpi'):.3f} table_cells={_share(tally, 'cells'):.3f} "
          f"auto_accepted_wrong={wrong_rate:.3f} scalar_text_layer={_share(tally, 'scalar_text_layer'):.3f}")


if __name__ == "__main__":
    main()

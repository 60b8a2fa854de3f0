"""Sample dossiers in the mix of formats offices hand in, with ground_truth.json saying what
every file holds: pages, how each page was turned and skewed, the document types, the facts
the forms state and the plain text of every page as it was drawn."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from samples import writers
from samples.decisions import Decision
from samples.degrade import degrade
from samples.layout import DPI, Page
from samples.people import Person, make_person
from samples.render import cv_pages, decision_page, rasterise

GROUND_TRUTH = "ground_truth.json"

CONVENTIONS = {
    "rotation": "degrees the page content is turned clockwise in the file (0, 90, 180, 270); "
                "turn it back by the same amount counter-clockwise to read it",
    "skew": "degrees the upright content was rotated counter-clockwise (positive) before any "
            "quarter turn; a deskew corrects by the opposite angle",
    "text": "the lines drawn on the page in reading order (columns of a header one after the "
            "other, table rows cell by cell); dotted leaders, the seal and the signature are "
            "not text",
    "color": "rgb, gray or bw (1-bit) for a scan; null for a born-digital page",
}


@dataclass(slots=True)
class PageTruth:
    number: int  # 1-based, in the file
    document_type: str  # "so_yeu_ly_lich", "quyet_dinh"
    document_page: int  # 1-based, in its document
    rotation: int
    skew: float
    color: str | None
    text: str


@dataclass(slots=True)
class FileTruth:
    file: str
    format: str  # "pdf", "tiff", "jpeg"
    text_layer: bool
    dossier: str
    person: dict
    documents: list[dict]  # {"type", "pages": [..], "decision": {...} for a quyet_dinh}
    page_count: int
    pages: list[PageTruth]


@dataclass(slots=True)
class Manifest:
    out_dir: Path
    seed: int
    files: list[FileTruth] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f.file for f in self.files]

    def to_dict(self) -> dict:
        return {"seed": self.seed, "dpi": DPI, "conventions": CONVENTIONS,
                "files": [asdict(f) for f in self.files]}

    def write(self) -> Path:
        path = self.out_dir / GROUND_TRUTH
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        return path


@dataclass(frozen=True, slots=True)
class _Doc:
    type: str
    pages: list[Page]
    decision: Decision | None = None


@dataclass(frozen=True, slots=True)
class _Spec:
    """One file to write: which document pages go in it, in what form."""

    name: str
    format: str  # "pdf", "tiff", "jpeg", or "text-pdf" for the born-digital one
    pages: list[tuple[_Doc, int]]  # (document, 0-based page of it)
    color: str = "rgb"
    turns: dict[int, int] = field(default_factory=dict)  # 1-based page number -> rotation


def generate(out_dir: Path, n_dossiers: int = 4, seed: int = 7) -> Manifest:
    """Write `n_dossiers` sample dossiers and ground_truth.json into `out_dir`.

    Every group of four dossiers mixes the formats: (1) a born-digital CV with a text layer
    (the very first dossier only; later ones scanned) and its decisions as an image-only PDF,
    (2) a black-and-white multi-page TIFF CV and a grey TIFF of decisions, the first one upside
    down, (3) one JPEG per page, the second page turned 90 degrees, (4) the whole dossier in
    one grey image-only PDF, its last page turned 270 degrees. Same seed, same bytes.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(out_dir, seed)
    for k in range(n_dossiers):
        person = make_person(f"{seed}-{k}")
        dossier = f"dossier-{k + 1:02d}"
        for index, spec in enumerate(_plan(k, dossier, _documents(person))):
            rng = np.random.default_rng([seed, k, index])
            manifest.files.append(_write(spec, out_dir, dossier, person, rng))
    manifest.write()
    return manifest


def generate_pages(out_dir: Path, n_pages: int, seed: int = 7) -> list[Path]:
    """Exactly `n_pages` scanned pages as image-only PDFs of 1-3 pages each (for benchmarks),
    with ground_truth.json. One page in four is turned (90, 180 or 270 degrees); all are
    skewed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(out_dir, seed)
    sizes = np.random.default_rng([seed, 1_000_000])
    done = k = 0
    while done < n_pages:
        person = make_person(f"{seed}-pages-{k}")
        k += 1
        entries = [(doc, i) for doc in _documents(person) for i in range(len(doc.pages))]
        while entries and done < n_pages:
            size = min(int(sizes.integers(1, 4)), len(entries), n_pages - done)
            chunk, entries = entries[:size], entries[size:]
            n = len(manifest.files) + 1
            turns = {i + 1: _BENCH_TURNS[(done + i) % 12] for i in range(size)
                     if (done + i) % 12 in _BENCH_TURNS}
            spec = _Spec(f"pages-{n:03d}.pdf", "pdf", chunk, "gray" if n % 3 == 0 else "rgb",
                         turns)
            rng = np.random.default_rng([seed, 1_000_001, n])
            manifest.files.append(_write(spec, out_dir, f"person-{k:03d}", person, rng))
            done += size
    manifest.write()
    return manifest.paths


_BENCH_TURNS = {3: 90, 6: 180, 10: 270}


def _documents(person: Person) -> list[_Doc]:
    return [_Doc("so_yeu_ly_lich", cv_pages(person))] + [
        _Doc("quyet_dinh", [decision_page(d)], d) for d in person.decisions]


def _plan(k: int, dossier: str, docs: list[_Doc]) -> list[_Spec]:
    cv, decisions = docs[0], docs[1:]
    cv_entries = [(cv, i) for i in range(len(cv.pages))]
    decision_entries = [(d, 0) for d in decisions]
    everything = cv_entries + decision_entries
    pattern = k % 4
    if pattern == 0:
        return [_Spec(f"{dossier}_so-yeu-ly-lich.pdf", "text-pdf" if k == 0 else "pdf",
                      cv_entries),
                _Spec(f"{dossier}_quyet-dinh.pdf", "pdf", decision_entries)]
    if pattern == 1:
        return [_Spec(f"{dossier}_so-yeu-ly-lich.tif", "tiff", cv_entries, "bw"),
                _Spec(f"{dossier}_quyet-dinh.tif", "tiff", decision_entries, "gray", {1: 180})]
    if pattern == 2:
        return [_Spec(f"{dossier}_page-{i + 1}.jpg", "jpeg", [entry],
                      "gray" if i % 2 else "rgb", {1: 90} if i == 1 else {})
                for i, entry in enumerate(everything)]
    return [_Spec(f"{dossier}_ho-so.pdf", "pdf", everything, "gray", {len(everything): 270})]


def _write(spec: _Spec, out_dir: Path, dossier: str, person: Person,
           rng: np.random.Generator) -> FileTruth:
    path = out_dir / spec.name
    pages: list[PageTruth] = []
    scans = []
    for number, (doc, i) in enumerate(spec.pages, start=1):
        page = doc.pages[i]
        if spec.format == "text-pdf":
            pages.append(PageTruth(number, doc.type, i + 1, 0, 0.0, None, page.text))
            continue
        scan = degrade(rasterise(page), rng, spec.turns.get(number, 0), spec.color)
        scans.append(scan.image)
        pages.append(PageTruth(number, doc.type, i + 1, scan.rotation, scan.skew, scan.color,
                               page.text))

    if spec.format == "text-pdf":
        writers.text_pdf([doc.pages[i] for doc, i in spec.pages], path,
                         f"Sơ yếu lý lịch - {person.full_name}")
    elif spec.format == "pdf":
        writers.image_pdf(scans, path)
    elif spec.format == "tiff":
        writers.tiff(scans, path)
    else:
        writers.jpeg(scans[0], path)

    return FileTruth(
        file=spec.name,
        format="pdf" if spec.format == "text-pdf" else spec.format,
        text_layer=spec.format == "text-pdf",
        dossier=dossier,
        person=person.fields(),
        documents=_document_index(spec.pages),
        page_count=len(pages),
        pages=pages,
    )


def _document_index(entries: list[tuple[_Doc, int]]) -> list[dict]:
    """Which pages of the file belong to which document, and a decision's metadata."""
    documents: list[dict] = []
    last = None
    for number, (doc, _) in enumerate(entries, start=1):
        if doc is last:
            documents[-1]["pages"].append(number)
            continue
        entry = {"type": doc.type, "pages": [number]}
        if doc.decision is not None:
            entry["decision"] = doc.decision.fields()
        documents.append(entry)
        last = doc
    return documents

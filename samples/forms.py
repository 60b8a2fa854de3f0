"""A varied benchmark set for field extraction, with complete ground truth.

    generate_forms(out_dir, n_dossiers=40, seed=11, dpis=(200, 300)) -> FormSet
    python -m samples forms OUT_DIR --dossiers 40 --seed 11

Each dossier holds a CV (sơ yếu lý lịch) in one of the three layouts of `samples.fields`
(balanced: the layouts take turns), 0-2 decisions, and sometimes a degree (văn bằng), a copy of
the birth certificate or a yearly supplement (phiếu bổ sung lý lịch). Every dossier is typed in
its own `Style` (font family, size, spacing, margins, leaders, date and numbering style, table
column widths); every other paper in its issuer's. The files mix what offices hand in: a
born-digital PDF with a text layer, an image-only PDF, a multi-page TIFF (1-bit Group 4, or grey
and colour as LZW or JPEG-in-TIFF), one JPEG per page, or the whole dossier as one scanned stack
(several documents in one PDF or TIFF); scans at 200 or 300 dpi, skewed a little, some pages
turned 90, 180 or 270 degrees. About one dossier in ten carries one deliberate contradiction (a
CCCD digit that disagrees with sex, birth year or birth province; Party membership confirmed
before joining; recruitment before 16), named in its CV's `inconsistent`.

Everything follows from the seed, and a dossier's files do not depend on how many dossiers are
asked for (bar which one of the last, partial block of ten is flawed). File names are neutral
(`dossier-07_02.tif`): the type of a document is to be read, not guessed from its name.

ground_truth.json (see CONVENTIONS) lists the dossiers, the documents (type, layout, where their
pages are, every field with its printed text, normalised value and box, every table as rows) and
the files (format, dpi, and per page: document, rotation, skew, colour, plain text).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from samples import writers
from samples.cv_forms import cv_document
from samples.degrade import degrade
from samples.fields import (
    GIAY_KHAI_SINH,
    LAYOUT_SPECS,
    LAYOUTS,
    PHIEU_BO_SUNG,
    QUYET_DINH,
    SO_YEU_LY_LICH,
    VAN_BANG,
    schema,
)
from samples.flow import PT, Rendered
from samples.layout import Page
from samples.papers import Paper, birth_certificate, decision, degree, supplement
from samples.people import Person, make_person
from samples.record import Value, applicable_flaws, cv_record, relocate
from samples.render import rasterise
from samples.style import Style, draw_style

GROUND_TRUTH = "ground_truth.json"
DEFAULT_SEED = 11

CONVENTIONS = {
    "bbox": "[x0, y0, x1, y1] in PDF points (1/72 inch), origin top left of the upright page, "
            "before any quarter turn or skew: the ink extent of the printed value",
    "lines": "one box per visual line of a value that wraps",
    "page": "in a document's fields and table cells: the 1-based page of the document; "
            "documents[].pages says which file and file page that is",
    "value": "normalised: ISO date (yyyy-mm-dd; yyyy-mm for a month) for dates, else the text as "
             "printed; text: exactly as printed; '' when the form leaves the item blank",
    "tables": "rows as printed, top to bottom (a transposed grid: one row per column of the grid, "
              "left to right); table_cells gives each row's box and its cells' boxes",
    "inconsistent": "keys whose printed value deliberately contradicts another fact of the same "
                    "document (CCCD digits 1-3 birth province, 4 sex and century, 5-6 birth year; "
                    "Party dates; recruitment age >= 16)",
    "rotation": "degrees the page content is turned clockwise in the file (0, 90, 180, 270)",
    "skew": "degrees the upright content was rotated counter-clockwise before any quarter turn",
    "color": "rgb, gray or bw (1-bit) for a scan; null for a born-digital page",
    "size": "the upright page's width and height in points (a degree is A4 landscape)",
    "dpi": "resolution of a scanned file; null for a born-digital PDF",
    "text": "the lines drawn on a page in reading order; dotted leaders, seals, signatures "
            "and the photo box are not text",
}

# What a dossier's files look like; dossiers take turns so that a few of them show every kind.
PLANS = ("text-pdf", "pdf", "tiff", "stack", "jpeg")
_PAPER_FONTS = ("liberation-serif", "liberation-serif", "liberation-serif", "liberation-sans",
                "dejavu-serif")


@dataclass(slots=True)
class _Doc:
    id: str
    type: str
    pages: list[Page]
    truth: dict  # everything but where the pages end up


@dataclass(slots=True)
class _FileSpec:
    name: str
    kind: str  # "text-pdf", "pdf", "tiff", "jpeg"
    entries: list[tuple[str, int]]  # (document id, 0-based page of it)
    color: str | None = None
    dpi: int | None = None
    turns: dict[int, int] = field(default_factory=dict)  # 0-based file page -> rotation
    jpeg_tiff: bool = False
    stack: bool = False


@dataclass(slots=True)
class FormSet:
    """What generate_forms wrote: the ground truth as a dict, and the files."""

    out_dir: Path
    seed: int
    truth: dict

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f["file"] for f in self.truth["files"]]

    def write(self) -> Path:
        path = self.out_dir / GROUND_TRUTH
        path.write_text(json.dumps(self.truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path


def generate_forms(out_dir: Path, n_dossiers: int = 40, seed: int = DEFAULT_SEED,
                   dpis: tuple[int, ...] = (200, 300), workers: int | None = None) -> FormSet:
    """Write `n_dossiers` varied dossiers and ground_truth.json into `out_dir` (see the module
    docstring). `workers` processes render and degrade the scans (default: all CPUs; the same
    bytes whatever the number). They are spawned: a script calling this with workers > 1 needs
    the usual `if __name__ == "__main__":` guard."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dossiers, documents, specs, pages = [], [], [], {}
    for k in range(n_dossiers):
        dossier, docs, files = _plan_dossier(k, n_dossiers, seed, dpis)
        dossiers.append(dossier)
        documents += docs
        specs += files
        pages.update({d.id: d.pages for d in docs})

    jobs = [(spec, [pages[doc][i] for doc, i in spec.entries], str(out_dir), seed, n)
            for n, spec in enumerate(specs)]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            scans = list(pool.map(_write_file, jobs, chunksize=1))
    else:
        scans = [_write_file(job) for job in jobs]

    by_id = {d.id: d for d in documents}
    files = []
    for spec, scanned in zip(specs, scans, strict=True):
        files.append(_file_truth(spec, scanned, by_id, pages))
        for number, (doc, i) in enumerate(spec.entries, start=1):
            by_id[doc].truth["pages"].append({"document_page": i + 1, "file": spec.name,
                                              "page": number})
    for d in documents:
        d.truth["pages"].sort(key=lambda p: p["document_page"])
        d.truth["pages"] = [{"file": p["file"], "page": p["page"]} for p in d.truth["pages"]]
    truth = {"generator": "samples.forms", "seed": seed, "dpis": list(dpis),
             "conventions": CONVENTIONS, "schema": schema(), "dossiers": dossiers,
             "documents": [d.truth for d in documents], "files": files}
    result = FormSet(out_dir, seed, truth)
    result.write()
    return result


# -- planning (main process) --------------------------------------------------------------------


def _flawed(k: int, n: int, seed: int) -> bool:
    """One dossier in each block of ten (in a last, short block: one of those there are)."""
    block = k // 10
    size = min(10, n - block * 10)
    return random.Random(f"{seed}-flaws-{block}").randrange(size) == k % 10


def _paper_style(rnd: random.Random) -> Style:
    """An issuing office's typing: mostly Times New Roman, as Nghị định 30/2020 prescribes."""
    return dataclasses.replace(draw_style(rnd), family=rnd.choice(_PAPER_FONTS), page_numbers=False)


def _plan_dossier(k: int, n: int, seed: int,
                  dpis: tuple[int, ...]) -> tuple[dict, list[_Doc], list[_FileSpec]]:
    name = f"dossier-{k + 1:02d}"
    rnd = random.Random(f"{seed}-forms-{k}")
    person = relocate(make_person(f"{seed}-forms-{k}"), rnd)
    layout = LAYOUTS[(k + seed) % len(LAYOUTS)]
    plan = PLANS[(k + seed) % len(PLANS)]
    style = draw_style(rnd)
    flaw = rnd.choice(applicable_flaws(person)) if _flawed(k, n, seed) else None

    docs = [_cv_doc(f"{name}/1", person, layout, style, rnd, flaw)]
    for d in person.decisions[:rnd.randint(0, len(person.decisions))]:
        docs.append(_paper_doc(f"{name}/{len(docs) + 1}", decision(d, person, _paper_style(rnd))))
    extras = [(0.3, lambda: degree(person, _paper_style(rnd), rnd)),
              (0.25, lambda: birth_certificate(person, _paper_style(rnd), rnd)),
              (0.25, lambda: supplement(person, _paper_style(rnd), rnd))]
    for share, make in extras:
        if rnd.random() < share:
            docs.append(_paper_doc(f"{name}/{len(docs) + 1}", make()))
    if plan == "stack" and len(docs) < 2:
        docs.append(_paper_doc(f"{name}/{len(docs) + 1}",
                               birth_certificate(person, _paper_style(rnd), rnd)))
    for d in docs:
        d.truth["dossier"] = name

    files = _plan_files(name, plan, docs, rnd, dpis)
    dossier = {"dossier": name, "layout": layout, "plan": plan, "flaw": flaw,
               "style": style.summary(), "person": person.fields(),
               "documents": [d.id for d in docs], "files": [f.name for f in files]}
    return dossier, docs, files


def _cv_doc(doc_id: str, person: Person, layout: str, style: Style, rnd: random.Random,
            flaw: str | None) -> _Doc:
    record = cv_record(person, layout, style, rnd, flaw)
    rendered = cv_document(record, style)
    truth = {"id": doc_id, "type": SO_YEU_LY_LICH, "layout": layout,
             "form_code": LAYOUT_SPECS[layout].code, "page_count": len(rendered.pages),
             "pages": [], "style": style.summary(),
             "fields": _fields(record.values, rendered),
             "tables": record.tables, "table_cells": rendered.flow.cells_truth(1),
             "inconsistent": record.inconsistent, "flaw": record.flaw}
    return _Doc(doc_id, SO_YEU_LY_LICH, rendered.pages, truth)


def _paper_doc(doc_id: str, paper: Paper) -> _Doc:
    truth = {"id": doc_id, "type": paper.type, "layout": None, "page_count": len(paper.rendered.pages),
             "pages": [], "style": paper.rendered.flow.style.summary(),
             "fields": _fields(paper.values, paper.rendered), **paper.extra}
    return _Doc(doc_id, paper.type, paper.rendered.pages, truth)


def _fields(values: dict[str, Value], rendered: Rendered) -> dict[str, dict]:
    found = rendered.flow.found
    out = {}
    for key, v in values.items():
        entry = {"value": v.value, "text": v.text, "page": None, "bbox": None, "lines": []}
        if v.text and key in found:
            entry.update(found[key].to_truth(1))
        out[key] = entry
    return out


def _plan_files(name: str, plan: str, docs: list[_Doc], rnd: random.Random,
                dpis: tuple[int, ...]) -> list[_FileSpec]:
    """Which pages go into which file, in what form."""
    specs: list[_FileSpec] = []
    count = [0]

    def entries(doc: _Doc) -> list[tuple[str, int]]:
        return [(doc.id, i) for i in range(len(doc.pages))]

    def add(kind: str, items: list[tuple[str, int]], color: str | None = None,
            stack: bool = False) -> None:
        count[0] += 1
        n = count[0]
        if kind == "jpeg":  # one scanning session: one resolution, one colour mode
            dpi, color = rnd.choice(dpis), color or rnd.choice(("rgb", "rgb", "gray"))
            for i, entry in enumerate(items, start=1):
                specs.append(dataclasses.replace(
                    _scan(f"{name}_{n:02d}-{i}.jpg", "jpeg", [entry], color, rnd, dpis), dpi=dpi))
            return
        ext = {"text-pdf": "pdf", "pdf": "pdf", "tiff": "tif"}[kind]
        if kind == "text-pdf":
            specs.append(_FileSpec(f"{name}_{n:02d}.{ext}", kind, items))
            return
        if color is None:
            color = rnd.choice(("bw", "bw", "gray", "rgb") if kind == "tiff"
                               else ("rgb", "rgb", "gray", "bw"))
        specs.append(_scan(f"{name}_{n:02d}.{ext}", kind, items, color, rnd, dpis, stack))

    cv, others = docs[0], docs[1:]
    if plan == "stack":
        order = [cv, *others]
        if rnd.random() < 0.3:
            rnd.shuffle(order)
        add(rnd.choice(("pdf", "tiff")), [e for d in order for e in entries(d)], stack=True)
        return specs
    add(plan, entries(cv), "bw" if plan == "tiff" else None)
    decisions = [d for d in others if d.type == QUYET_DINH]
    if decisions and rnd.random() < 0.5:  # the decisions scanned together
        add(rnd.choice(("pdf", "tiff")), [e for d in decisions for e in entries(d)])
        others = [d for d in others if d.type != QUYET_DINH]
    for d in others:
        kinds = {QUYET_DINH: ("pdf", "text-pdf", "jpeg", "tiff"), VAN_BANG: ("jpeg", "pdf"),
                 GIAY_KHAI_SINH: ("jpeg", "pdf", "tiff"), PHIEU_BO_SUNG: ("pdf", "jpeg")}[d.type]
        add(rnd.choice(kinds), entries(d))
    return specs


def _scan(name: str, kind: str, items: list[tuple[str, int]], color: str, rnd: random.Random,
          dpis: tuple[int, ...], stack: bool = False) -> _FileSpec:
    turns = {}
    for i in range(len(items)):
        if rnd.random() < 0.15:
            turns[i] = rnd.choice((90, 180, 270))
    return _FileSpec(name, kind, items, color, rnd.choice(dpis), turns,
                     jpeg_tiff=kind == "tiff" and color != "bw" and rnd.random() < 0.6, stack=stack)


# -- writing (worker processes) -----------------------------------------------------------------


def _write_file(job: tuple[_FileSpec, list[Page], str, int, int]) -> list[tuple[int, float, str]]:
    """Write one file; returns (rotation, skew, colour) per scanned page."""
    spec, pages, out_dir, seed, n = job
    path = Path(out_dir) / spec.name
    if spec.kind == "text-pdf":
        writers.text_pdf(pages, path, path.stem)
        return []
    rng = np.random.default_rng([seed, 2_000_000, n])
    scans = [degrade(rasterise(page, spec.dpi), rng, spec.turns.get(i, 0), spec.color)
             for i, page in enumerate(pages)]
    images = [s.image for s in scans]
    if spec.kind == "pdf":
        writers.image_pdf(images, path, spec.dpi)
    elif spec.kind == "tiff":
        writers.tiff(images, path, spec.dpi, jpeg=spec.jpeg_tiff)
    else:
        writers.jpeg(images[0], path, spec.dpi)
    return [(s.rotation, s.skew, s.color) for s in scans]


def _file_truth(spec: _FileSpec, scanned: list[tuple[int, float, str]], docs: dict[str, _Doc],
                pages: dict[str, list[Page]]) -> dict:
    page_truth = []
    documents: list[dict] = []
    for number, (doc_id, i) in enumerate(spec.entries, start=1):
        rotation, skew, color = scanned[number - 1] if scanned else (0, 0.0, None)
        page = pages[doc_id][i]
        page_truth.append({"number": number, "document": doc_id, "document_type": docs[doc_id].type,
                           "document_page": i + 1, "size": [round(v * PT, 2) for v in page.size],
                           "rotation": rotation, "skew": skew, "color": color, "text": page.text})
        if documents and documents[-1]["id"] == doc_id:
            documents[-1]["pages"].append(number)
        else:
            documents.append({"id": doc_id, "type": docs[doc_id].type,
                              "layout": docs[doc_id].truth.get("layout"), "pages": [number]})
    return {"file": spec.name, "format": "jpeg" if spec.kind == "jpeg" else
            "tiff" if spec.kind == "tiff" else "pdf",
            "text_layer": spec.kind == "text-pdf", "dpi": spec.dpi,
            "compression": _compression(spec), "stack": spec.stack,
            "dossier": spec.name.split("_")[0], "page_count": len(spec.entries),
            "documents": documents, "pages": page_truth}


def _compression(spec: _FileSpec) -> str | None:
    if spec.kind == "tiff":
        return "group4" if spec.color == "bw" else "jpeg" if spec.jpeg_tiff else "lzw"
    if spec.kind == "pdf":
        return "ccitt" if spec.color == "bw" else "jpeg"
    return None

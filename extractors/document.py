"""Read a whole file: its kind, every page's text and words, and a searchable PDF.

Pages that need OCR go to a thread pool (each Tesseract is its own process); PDF parsing
and rendering stay in the calling thread, a bounded number of pages ahead of the OCR.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait

import numpy as np
from PIL import Image

from extractors import images, leaders, ocr, pdf, preprocess, rules, searchable
from extractors.filetype import detect_kind
from schemas.pages import DocumentText, InputRejected, PageText, Word
from schemas.settings import Limits, OcrOptions
from schemas.status import FileKind, RejectReason, TextSource

Progress = Callable[[int, int], None]  # (pages done, pages in all)


def read_document(data: bytes, limits: Limits, options: OcrOptions,
                  pool: Executor | None = None, progress: Progress | None = None) -> DocumentText:
    """Everything the file says, page by page. Raises InputRejected for bad input."""
    if len(data) > limits.max_file_bytes:
        raise InputRejected(
            RejectReason.too_large,
            f"the file is {len(data) / 1e6:,.1f} MB, over the limit of {limits.max_file_mb:,.0f} MB;"
            " split it or scan at 300 dpi.",
        )
    try:
        kind = detect_kind(data)
    except InputRejected as exc:
        if exc.reason is RejectReason.unsupported:
            _refuse_bomb(data, limits)  # a bomb is named as such, whatever its format
        raise
    own_pool = pool is None
    pool = pool or ThreadPoolExecutor(max_workers=options.ocr_workers)
    try:
        if kind is FileKind.pdf:
            pages, warnings, original = _pdf_pages(data, limits, options, pool, progress)
        else:
            pages, warnings, original = _image_pages(data, limits, options, pool, progress), [], None
    finally:
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)
    pdf_bytes = searchable.assemble([p.pdf for p in pages], original)
    for page in pages:
        page.pdf = None  # assembled: drop the per-page copies
        warnings.extend(f"page {page.number}: {w}" for w in page.warnings)
    return DocumentText(kind=kind, pages=pages, searchable_pdf=pdf_bytes, warnings=warnings)


def _pdf_pages(data: bytes, limits: Limits, options: OcrOptions, pool: Executor,
               progress: Progress | None) -> tuple[list[PageText], list[str], bytes | None]:
    structure = pdf.check_structure(data, limits)
    document = pdf.open_pdf(data)
    copyable = structure.copyable
    try:
        pdf.check_page_count(len(document), limits)  # also when only PDFium could open it
        if copyable and structure.pages != len(document):  # a damaged page tree, read twice
            copyable = False
            structure.warnings.append(
                f"the PDF's page tree is damaged (qpdf counts {structure.pages} pages, PDFium "
                f"{len(document)}): its searchable copy shows the pages as images")
        runner = _Runner(pool, len(document), progress, options.ocr_workers)
        for index in range(len(document)):
            facts = pdf.page_facts(document, index, limits)
            if facts.text_usable and copyable:
                runner.done(PageText(
                    number=facts.number, source=TextSource.text_layer, text=facts.text,
                    words=facts.words, width=facts.width, height=facts.height, unit="pt",
                    rotation=facts.rotation, pdf=None, rules=facts.rules,
                ))
                continue
            image, dpi = pdf.render(document, index, options.ocr_dpi, limits)
            note = [f"text layer not used: {facts.why_not}"] if facts.text.strip() else []
            if facts.text_usable:  # qpdf cannot copy the page: keep its text, draw its image
                runner.done(_text_layer_as_image(facts, image, dpi))
                continue
            runner.submit(scan_page, image, dpi, facts.number, facts.rotation, options, limits, note)
        pages = runner.results()
    finally:
        with pdf.PDFIUM_LOCK:
            document.close()
    return pages, structure.warnings, data if copyable else None


def _image_pages(data: bytes, limits: Limits, options: OcrOptions, pool: Executor,
                 progress: Progress | None) -> list[PageText]:
    image = images.open_image(data, limits)
    runner = _Runner(pool, getattr(image, "n_frames", 1), progress, options.ocr_workers)
    for number, raster in enumerate(images.image_pages(image, limits), start=1):
        image, dpi = _cap_pixels(raster.image, raster.dpi, limits)
        runner.submit(scan_page, image, dpi, number, 0, options, limits, [])
    return runner.results()


# Scans below this share of the OCR resolution are enlarged to it before they are read.
LOW_DPI_FACTOR = 0.8
# A page read with a mean confidence under this is tried the other ways up (orientation
# detection can miss a turned page; an upside-down page reads at about 35-40).
UPSIDE_DOWN_CONF = 55.0


def scan_page(image: Image.Image, dpi: int, number: int, base_rotation: int,
              options: OcrOptions, limits: Limits, warnings: list[str]) -> PageText:
    """A scanned page: upright, straightened, cleaned, its table rules found, then one
    Tesseract pass. The colour image, turned and straightened the same way, is what the
    searchable PDF shows."""
    pixels = preprocess.to_array(image)
    gray = preprocess.to_gray(pixels)
    timeout = limits.ocr_page_timeout_s
    turn = 0
    ruling: list[rules.Rule] = []
    dotted: list[leaders.Leader] = []
    try:
        if options.fix_orientation:
            angle, confidence = ocr.detect_orientation(gray, dpi, timeout)
            if angle and confidence >= ocr.ORIENTATION_MIN_CONFIDENCE:
                turn = (360 - angle) % 360  # content turned `angle` clockwise: turn it back
                pixels = preprocess.rotate_quarter(pixels, turn)
                gray = preprocess.rotate_quarter(gray, turn)
        skew = preprocess.estimate_skew(gray) if options.deskew else 0.0
        if skew:
            pixels = preprocess.rotate_small(pixels, skew)
            gray = preprocess.rotate_small(gray, skew)
        read_dpi = dpi
        if dpi < LOW_DPI_FACTOR * options.ocr_dpi:  # words and rules in the enlarged page's pixels
            room = (limits.max_render_pixels / max(gray.shape[0] * gray.shape[1], 1)) ** 0.5
            factor = min(options.ocr_dpi / dpi, room)  # never past the rendering limit
            if factor > 1.05:
                gray = preprocess.upscale(gray, factor)
                read_dpi = round(dpi * factor)
        evened = preprocess.even_light(gray)
        # Dotted leaders erased: Tesseract garbles them and the short values beside them.
        binary, dotted = leaders.find_and_erase(preprocess.binarise(evened), read_dpi)
        result = ocr.ocr_page(binary, read_dpi, options.ocr_lang, timeout)
        if options.fix_orientation and ((result.mean_conf or 0) < UPSIDE_DOWN_CONF
                                        or _sideways(result.words)):
            evened, extra, result = _other_way_up(evened, read_dpi, options, timeout, result)
            if extra:
                pixels = preprocess.rotate_quarter(pixels, extra)
                turn = (turn + extra) % 360
                dotted = leaders.find_and_erase(preprocess.binarise(evened), read_dpi)[1]
        ruling = rules.find_rules(evened, read_dpi)
    except ocr.OcrTimeout as exc:
        return PageText(
            number=number, source=TextSource.none, text="", words=[], width=gray.shape[1],
            height=gray.shape[0], unit="px", dpi=dpi, rotation=(base_rotation + turn) % 360,
            pdf=searchable.image_page(pixels, dpi),
            warnings=[*warnings, f"not read: {exc}; the page image is kept"], rules=ruling,
        )
    return PageText(
        number=number, source=TextSource.ocr, text=result.text, words=result.words,
        width=evened.shape[1], height=evened.shape[0], unit="px", dpi=read_dpi,
        rotation=(base_rotation + turn) % 360, skew=skew, mean_conf=result.mean_conf,
        pdf=searchable.image_page(pixels, dpi, result.textonly_pdf), warnings=warnings,
        rules=ruling, leaders=dotted,
    )


def _sideways(words: list[Word]) -> bool:
    """Most words taller than wide: the page lies on its side. Tesseract reads such lines
    with a good confidence, but its boxes are then the page's turned ones, and its lines are
    not the form's (orientation detection said 0 or 180 when it was 90 or 270)."""
    long = [w for w in words if len(w.text) >= 3]
    if len(long) < 20:
        return False
    tall = sum(w.y1 - w.y0 > 1.5 * (w.x1 - w.x0) for w in long)
    return tall > len(long) / 2


def _other_way_up(evened: np.ndarray, dpi: int, options: OcrOptions, timeout: float,
                  first: ocr.OcrResult) -> tuple[np.ndarray, int, ocr.OcrResult]:
    """A page that reads badly, or reads sideways, may be upside down or on its side where
    orientation detection was not sure or wrong: read it the other ways and keep the best
    (clockwise turn applied). A sideways reading is never kept when another way reads."""
    sideways = _sideways(first.words)
    best = (evened, 0, first)
    for extra in ((90, 270, 180) if sideways else (180, 90, 270)):
        turned = preprocess.rotate_quarter(evened, extra)
        binary = leaders.find_and_erase(preprocess.binarise(turned), dpi)[0]  # as the first pass
        result = ocr.ocr_page(binary, dpi, options.ocr_lang, timeout)
        if _sideways(result.words):
            continue
        if (best[2].mean_conf or 0) + 15 < (result.mean_conf or 0) \
                or (sideways and best[1] == 0 and (result.mean_conf or 0) >= UPSIDE_DOWN_CONF):
            best = (turned, extra, result)
        if (best[2].mean_conf or 0) >= UPSIDE_DOWN_CONF and not _sideways(best[2].words):
            break
    return best


def _text_layer_as_image(facts: pdf.PdfPageFacts, image: Image.Image, dpi: int) -> PageText:
    return PageText(
        number=facts.number, source=TextSource.text_layer, text=facts.text, words=facts.words,
        width=facts.width, height=facts.height, unit="pt", rotation=facts.rotation,
        rules=facts.rules, pdf=searchable.image_page(np.asarray(image), dpi),
        warnings=["the PDF could not be copied page by page; its searchable copy shows the "
                  "page as an image"],
    )


def _refuse_bomb(data: bytes, limits: Limits) -> None:
    try:
        images.open_image(data, limits)
    except InputRejected as probe:
        if probe.reason is RejectReason.too_large:
            raise
    except Exception:  # not an image Pillow knows: the format rejection stands
        return


def _cap_pixels(image: Image.Image, dpi: int, limits: Limits) -> tuple[Image.Image, int]:
    """Scale a huge image down to the OCR pixel budget (and its dpi with it)."""
    pixels = image.width * image.height
    if pixels <= limits.max_render_pixels:
        return image, dpi
    factor = (limits.max_render_pixels / pixels) ** 0.5
    size = (max(int(image.width * factor), 1), max(int(image.height * factor), 1))
    return image.resize(size, Image.Resampling.LANCZOS), max(int(dpi * factor), 36)


class _Runner:
    """Pages in order, OCR jobs in the pool, at most a few pages ahead of the readers."""

    def __init__(self, pool: Executor, total: int, progress: Progress | None, workers: int) -> None:
        self.pool = pool
        self.total = total
        self.progress = progress
        self.slots: list[PageText | Future[PageText]] = []
        self.ahead = 2 * workers  # rendered pages waiting for OCR: bounded memory
        self.finished = 0

    def _tick(self, _: object = None) -> None:
        self.finished += 1
        if self.progress:
            self.progress(self.finished, self.total)

    def done(self, page: PageText) -> None:
        self.slots.append(page)
        self._tick()

    def submit(self, fn: Callable[..., PageText], *args: object) -> None:
        running = [s for s in self.slots if isinstance(s, Future) and not s.done()]
        if len(running) >= self.ahead:
            wait(running, return_when=FIRST_COMPLETED)
        future = self.pool.submit(fn, *args)
        future.add_done_callback(self._tick)
        self.slots.append(future)

    def results(self) -> list[PageText]:
        return [s.result() if isinstance(s, Future) else s for s in self.slots]

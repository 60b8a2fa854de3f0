"""Bad inputs through the real reader path (flows.isolation: a worker process per document),
counting what must never happen: an exception other than a rejection escaping the reader (a
crash of the batch), and a reader held past the per-file limit (a hang)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from flows.isolation import IsolatedReader, stall_limit_s
from schemas.pages import InputRejected
from schemas.settings import Limits, OcrOptions

# Seconds past the per-file limit before a reading that has not ended counts as a hang even
# without the watchdog's word for it (the watchdog polls, and killing takes a moment).
HANG_GRACE_S = 30.0
CRASHED = "crashed the reader"
STUCK = "stopped making progress"


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    outcome: str  # "read" or "rejected:<reason>", or "crash:<exception>"
    seconds: float
    detail: str = ""

    @property
    def crash(self) -> bool:
        return self.outcome.startswith("crash")


@dataclass
class Tally:
    limit_s: float
    results: list[Result] = field(default_factory=list)

    def add(self, result: Result) -> None:
        self.results.append(result)

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(r.outcome for r in self.results)

    @property
    def crashes(self) -> list[Result]:
        return [r for r in self.results if r.crash]

    @property
    def hangs(self) -> list[Result]:
        return [r for r in self.results
                if STUCK in r.detail or r.seconds > self.limit_s + HANG_GRACE_S]

    @property
    def contained(self) -> list[Result]:
        """Readers that died (a native crash, the OOM killer): their file rejected, the batch
        untouched."""
        return [r for r in self.results if CRASHED in r.detail]

    def slowest(self, n: int = 3) -> list[Result]:
        return sorted(self.results, key=lambda r: -r.seconds)[:n]


def read_all(items: Iterable[tuple[str, bytes]], limits: Limits, options: OcrOptions,
             in_flight: int = 2, on_result: Callable[[Result], None] | None = None) -> Tally:
    """Read every (name, bytes) as the process flow does, `in_flight` at a time."""
    tally = Tally(stall_limit_s(limits))
    reader = IsolatedReader(in_flight)

    def one(job: tuple[int, tuple[str, bytes]]) -> Result:
        number, (name, data) = job
        start = time.monotonic()
        try:
            document = reader.read(data, limits, options, number)
            outcome, detail = "read", f"{len(document.pages)} pages"
        except InputRejected as rejection:
            outcome, detail = f"rejected:{rejection.reason.value}", rejection.message
        except Exception as exc:  # noqa: BLE001  (what the tally is for)
            outcome, detail = f"crash:{type(exc).__name__}", str(exc)[:300]
        return Result(name, outcome, time.monotonic() - start, detail)

    try:
        with ThreadPoolExecutor(in_flight) as threads:
            for result in threads.map(one, enumerate(items)):
                tally.add(result)
                if on_result is not None:
                    on_result(result)
    finally:
        reader.close()
    return tally


def open_only(data: bytes, limits: Limits, options: OcrOptions, document_id: int) -> str:
    """A reader for the worker processes that opens and decodes like read_document, without
    OCR: what fuzzing is after is the parsers (file type, PDF structure, pages, images)."""
    from extractors import images, pdf
    from extractors.filetype import detect_kind
    from schemas.status import FileKind

    kind = detect_kind(data)
    if kind is not FileKind.pdf:
        for _page in images.image_pages(images.open_image(data, limits), limits):
            pass
        return kind.value
    pdf.check_structure(data, limits)
    document = pdf.open_pdf(data)
    try:
        pdf.check_page_count(len(document), limits)
        for index in range(len(document)):
            if not pdf.page_facts(document, index, limits).text_usable:
                pdf.render(document, index, 50, limits)  # decoding the images is the point
    finally:
        with pdf.PDFIUM_LOCK:
            document.close()
    return kind.value


def stuck_reader(data: bytes, limits: Limits, options: OcrOptions, document_id: int) -> str:
    """A parser looping forever on a hostile file (what the per-file limit is for)."""
    while True:
        time.sleep(1)

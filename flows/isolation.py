"""Reading files in child processes, so that a reader crashing on a hostile file (a native
decoder's segfault, the kernel's OOM killer) costs that one document, not the whole run.

Documents go to a small pool of worker processes (each reads its pages with its own pool of
Tesseract processes). When a worker dies, every document it was handling is read once more
alone in a fresh process: the one that kills that process too is the culprit.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from extractors.document import read_document
from schemas.pages import DocumentText, InputRejected
from schemas.settings import Limits, OcrOptions
from schemas.status import RejectReason

_CONTEXT = multiprocessing.get_context("spawn")  # no forked copies of the parent's threads
_progress: queue.Queue | None = None  # set in each worker process


def _init_worker(progress: queue.Queue) -> None:
    global _progress
    _progress = progress


def read_in_worker(data: bytes, limits: Limits, options: OcrOptions,
                   document_id: int) -> DocumentText:
    """Runs in a worker: read the file, sending page progress back to the parent."""
    def tell(done: int, total: int) -> None:
        if _progress is not None:
            _progress.put((document_id, done, total))

    return read_document(data, limits, options, progress=tell)


Reader = Callable[[bytes, Limits, OcrOptions, int], DocumentText]


class IsolatedReader:
    """`read_document` in worker processes, with page progress relayed to the flows."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._progress = _CONTEXT.Queue()
        self._relay = threading.Thread(target=self._relay_progress, daemon=True,
                                       name="hoso-progress")
        self._relay.start()

    def read(self, data: bytes, limits: Limits, options: OcrOptions, document_id: int,
             reader: Reader = read_in_worker) -> DocumentText:
        pool = self._current_pool()
        try:
            return pool.submit(reader, data, limits, options, document_id).result()
        except BrokenProcessPool:
            self._discard(pool)
        # A worker died: this document may be the one that killed it, or only its neighbour.
        with ProcessPoolExecutor(1, mp_context=_CONTEXT, initializer=_init_worker,
                                 initargs=(self._progress,)) as alone:
            try:
                return alone.submit(reader, data, limits, options, document_id).result()
            except BrokenProcessPool as exc:
                raise InputRejected(
                    RejectReason.corrupt,
                    "the file crashed the reader (a damaged or hostile file); the original "
                    "is kept. Export or scan it again.",
                ) from exc

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        self._progress.put(None)

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=_CONTEXT,
                                                 initializer=_init_worker,
                                                 initargs=(self._progress,))
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _relay_progress(self) -> None:
        from flows.runtime import report

        while (item := self._progress.get()) is not None:
            report("pages", *item)

"""Reading files in child processes, so that a reader crashing on a hostile file (a native
decoder's segfault, the kernel's OOM killer) costs that one document, not the whole run.

Documents go to a small pool of worker processes (each reads its pages with its own pool of
Tesseract processes). When a worker dies, every document it was handling is read once more
alone in a fresh process: the one that kills that process too is the culprit.

A reader that stops making progress (no page finished within STALL_PAGE_TIMEOUTS times the
page time limit: a parser looping on a hostile file) is killed and its document rejected, so
one file can never hold a run forever. Workers watch their parent: when the run is killed
(kill -9, the OOM killer), they and their Tesseract processes go with it instead of reading on
for nobody.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from pathlib import Path

from extractors.document import read_document
from schemas.pages import DocumentText, InputRejected
from schemas.settings import Limits, OcrOptions
from schemas.status import RejectReason

_CONTEXT = multiprocessing.get_context("spawn")  # no forked copies of the parent's threads
_progress: queue.Queue | None = None  # set in each worker process

# A page may take the page time limit for orientation detection, then up to four OCR passes
# (the other ways up), each with the same limit: a reader that finishes no page in this many
# limits is stuck, not slow.
STALL_PAGE_TIMEOUTS = 6
PARENT_POLL_S = 0.5
WAIT_POLL_S = 0.5


def stall_limit_s(limits: Limits) -> float:
    """How long a reader may go without finishing a page before it is taken for stuck."""
    return STALL_PAGE_TIMEOUTS * limits.ocr_page_timeout_s


def _init_worker(progress: queue.Queue, parent: int) -> None:
    global _progress
    _progress = progress
    threading.Thread(target=_die_with, args=(parent,), daemon=True, name="hoso-parent").start()


def _die_with(parent: int) -> None:
    """Stop this worker and its Tesseract processes once the run that started it is gone."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    _kill_family(os.getpid(), itself=False)
    os._exit(1)


def _kill_family(pid: int, itself: bool = True) -> None:
    """SIGKILL a process's descendants (its Tesseract processes), then the process."""
    for child in _descendants(pid):
        with suppress(OSError):
            os.kill(child, signal.SIGKILL)
    if itself:
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    """From /proc (Linux); elsewhere none are known, and only the process itself is killed."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parents.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(
                int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


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
        self._last_page: dict[int, float] = {}  # document id -> when it last finished a page
        self._relay = threading.Thread(target=self._relay_progress, daemon=True,
                                       name="hoso-progress")
        self._relay.start()

    def read(self, data: bytes, limits: Limits, options: OcrOptions, document_id: int,
             reader: Reader = read_in_worker) -> DocumentText:
        pool = self._current_pool()
        try:
            return self._wait(pool, pool.submit(reader, data, limits, options, document_id),
                              document_id, stall_limit_s(limits))
        except BrokenProcessPool:
            self._discard(pool)
        # A worker died: this document may be the one that killed it, or only its neighbour.
        with self._new_pool(1) as alone:
            try:
                return self._wait(alone, alone.submit(reader, data, limits, options, document_id),
                                  document_id, stall_limit_s(limits))
            except BrokenProcessPool as exc:
                raise InputRejected(
                    RejectReason.corrupt,
                    "the file crashed the reader (a damaged or hostile file); the original "
                    "is kept. Export or scan it again.",
                ) from exc

    def _wait(self, pool: ProcessPoolExecutor, future: Future[DocumentText], document_id: int,
              stall_s: float) -> DocumentText:
        """The reading's result; a reader that finishes no page for `stall_s` is killed (with
        its pool: the neighbour it shared it with is read again) and the file rejected."""
        started = time.monotonic()
        try:
            while True:
                try:
                    return future.result(timeout=WAIT_POLL_S)
                except TimeoutError:
                    pass
                moved = max(started, self._last_page.get(document_id, started))
                if time.monotonic() - moved > stall_s:
                    break
        finally:
            self._last_page.pop(document_id, None)
        _kill_workers(pool)
        if pool is self._pool:
            self._discard(pool)
        raise InputRejected(
            RejectReason.corrupt,
            f"reading the file stopped making progress: no page was finished in {stall_s:.0f} s "
            f"(a damaged or hostile file; the limit is {STALL_PAGE_TIMEOUTS} times "
            "HOSO_OCR_PAGE_TIMEOUT_S). The original is kept. Export or scan it again.",
        )

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        self._progress.put(None)
        self._relay.join(timeout=10)  # before the queue is torn down at exit, under its feet

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool(self.workers)
            return self._pool

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=_CONTEXT, initializer=_init_worker,
                                   initargs=(self._progress, os.getpid()))

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _relay_progress(self) -> None:
        from flows.runtime import report

        while (item := self._progress.get()) is not None:
            self._last_page[item[0]] = time.monotonic()
            report("pages", *item)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes and their Tesseract processes."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.pid is not None:
            _kill_family(process.pid)

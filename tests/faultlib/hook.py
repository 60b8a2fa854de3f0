"""Imported by a `hoso` subprocess before its command line, to inject one fault from outside
the production code (which has no test hooks):

    python -c "from faultlib.hook import main; main()" process

HOSO_FAULT says which, several separated by commas (HOSO_FAULT_DIR is where the hook and
the test signal each other):
  pause:before_save:N  the save of the Nth document (counting from 1; a retry of the same
                       document is not counted again) waits before it writes anything;
  pause:after_save:N   it writes the objects and stages the rows, then waits before the
                       commit;
  pause:in_claim:N     the run's Nth claim of a document has run its UPDATE and waits
                       before the commit;
                       each writes <dir>/<point>.paused (the document id) and waits for
                       <dir>/<point>.go; the test kills the run, stops S3 or drops the
                       database there;
  enospc:BYTES         the local store's disk takes BYTES more bytes of objects, then every
                       write fails with ENOSPC (No space left on device), like a full disk.
"""

from __future__ import annotations

import errno
import os
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAUSE_LIMIT_S = 300.0


def main() -> None:
    install(os.environ.get("HOSO_FAULT", ""), Path(os.environ.get("HOSO_FAULT_DIR", ".")))
    from flows.cli import app

    app(prog_name="hoso")


def install(faults: str, folder: Path) -> None:
    for fault in filter(None, faults.split(",")):
        kind, _, arg = fault.partition(":")
        if kind == "pause":
            point, _, nth = arg.partition(":")
            if point in ("before_save", "after_save"):
                _pause_save(point, int(nth), folder)
            elif point == "in_claim":
                _pause_claim(int(nth), folder)
            else:
                raise SystemExit(f"unknown pause point {point!r}")
        elif kind == "enospc":
            _fill_disk(int(arg))
        else:
            raise SystemExit(f"unknown HOSO_FAULT {fault!r}")


def _counter() -> Callable[[], int]:
    lock, calls = threading.Lock(), [0]

    def next_call() -> int:
        with lock:
            calls[0] += 1
            return calls[0]

    return next_call


def _pause_save(point: str, nth: int, folder: Path) -> None:
    """Wrap storage.results.save_text before flows.process imports it by name."""
    import storage.results

    original = storage.results.save_text
    next_call = _counter()
    numbers: dict[int, int] = {}  # document id -> its number among the documents saved

    def save_text(session: Any, store: Any, document: Any, result: Any) -> None:
        retry = document.id in numbers
        if not retry:
            numbers[document.id] = next_call()
        mine = -1 if retry else numbers[document.id]
        if point == "before_save" and mine == nth:
            _wait(folder, point, document.id)
        original(session, store, document, result)
        if point == "after_save" and mine == nth:
            session.flush()  # the rows are in the open transaction, not committed
            _wait(folder, point, document.id)

    storage.results.save_text = save_text


def _pause_claim(nth: int, folder: Path) -> None:
    """Wrap storage.queries.claim_documents (the flow's own transaction, not a task's)."""
    import storage.queries

    original = storage.queries.claim_documents
    next_call = _counter()

    def claim_documents(session: Any, *args: Any, **kwargs: Any) -> list[int]:
        ids = original(session, *args, **kwargs)
        if ids and next_call() == nth:
            _wait(folder, "in_claim", ids[0])
        return ids

    storage.queries.claim_documents = claim_documents


def _wait(folder: Path, point: str, document_id: int) -> None:
    # Written aside and renamed: the watcher must never see the flag before its document id.
    flag = folder / f"{point}.paused"
    (folder / f".{point}.paused.tmp").write_text(str(document_id))
    (folder / f".{point}.paused.tmp").replace(flag)
    deadline = time.monotonic() + PAUSE_LIMIT_S
    while not (folder / f"{point}.go").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("fault hook: nobody said go")
        time.sleep(0.05)


def _fill_disk(room: int) -> None:
    """The local store writes through `os.fdopen` in storage.objects: give that module an `os`
    whose files stop taking bytes once `room` is used up (the part that fits is written)."""
    import storage.objects

    lock = threading.Lock()
    left = [room]

    class FullDiskFile:
        def __init__(self, fh: Any) -> None:
            self._fh = fh

        def write(self, data: bytes) -> int:
            with lock:
                fits = max(0, min(len(data), left[0]))
                left[0] -= fits
            self._fh.write(data[:fits])
            if fits < len(data):
                self._fh.flush()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return fits

        def __getattr__(self, name: str) -> Any:
            return getattr(self._fh, name)

        def __enter__(self) -> FullDiskFile:
            return self

        def __exit__(self, *exc: object) -> None:
            self._fh.close()

    real_os = storage.objects.os
    proxy = types.ModuleType("os")
    proxy.__dict__.update(real_os.__dict__)
    proxy.fdopen = lambda fd, *a, **kw: FullDiskFile(real_os.fdopen(fd, *a, **kw))  # type: ignore[attr-defined]
    storage.objects.os = proxy  # type: ignore[attr-defined]

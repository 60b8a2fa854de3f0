"""What every flow run shares: settings, the database engine, the object store, the page pool.

Built once per process from the one settings object; tests swap it with `use_settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from schemas.settings import Settings, get_settings
from storage.db import get_engine
from storage.objects import ObjectStore, make_store


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return get_engine(self.settings.db_url)

    @cached_property
    def store(self) -> ObjectStore:
        return make_store(self.settings)

    @cached_property
    def page_pool(self) -> ThreadPoolExecutor:
        """Shared by all documents in flight, so both cores stay busy across documents."""
        return ThreadPoolExecutor(self.settings.ocr.ocr_workers, thread_name_prefix="hoso-page")


_current: Runtime | None = None

# Called as pages finish: (document id, pages done, pages in all). The CLI draws a bar.
PageListener = Callable[[int, int, int], None]
_listeners: list[PageListener] = []


def runtime() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime(get_settings())
    return _current


def use_settings(settings: Settings) -> Runtime:
    """Point this process at other settings (tests, `--data-dir`)."""
    global _current
    if _current is not None and "page_pool" in _current.__dict__:
        _current.page_pool.shutdown(wait=False)
    _current = Runtime(settings)
    return _current


def add_page_listener(listener: PageListener) -> None:
    _listeners.append(listener)


def remove_page_listener(listener: PageListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def report_pages(document_id: int, done: int, total: int) -> None:
    for listener in list(_listeners):
        listener(document_id, done, total)

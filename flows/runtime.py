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

# Called as work advances: (what, key, done, total), e.g. ("pages", document id, 3, 10) or
# ("files", batch id, 40, 120). The CLI draws progress bars from it.
Listener = Callable[[str, int, int, int], None]
_listeners: list[Listener] = []


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


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def report(what: str, key: int, done: int, total: int) -> None:
    for listener in list(_listeners):
        listener(what, key, done, total)

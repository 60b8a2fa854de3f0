"""What every flow run shares: settings, the database engine, the object store, the readers.

Built once per process from the one settings object; tests swap it with `use_settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from flows import logmask
from flows.isolation import IsolatedReader
from schemas.settings import Settings, get_settings
from storage.db import get_engine
from storage.inbox import Inbox, make_inbox
from storage.objects import ObjectStore, make_store


@dataclass
class Runtime:
    settings: Settings

    def __post_init__(self) -> None:
        logmask.install()  # ID numbers masked in every log from here on (flows.logmask)

    @cached_property
    def engine(self) -> Engine:
        return get_engine(self.settings.db_url)

    @cached_property
    def store(self) -> ObjectStore:
        return make_store(self.settings)

    @cached_property
    def inbox(self) -> Inbox:
        """Where the nightly run finds new files (built once: an S3 inbox checks its bucket)."""
        return make_inbox(self.settings)

    @cached_property
    def reader(self) -> IsolatedReader:
        """Worker processes that read documents, one document each at a time."""
        return IsolatedReader(DOCUMENTS_IN_FLIGHT)

    def close(self) -> None:
        if "reader" in self.__dict__:
            self.reader.close()


# Documents read at once, each in its own worker process with its own pool of Tesseract
# processes: two in flight keep every core busy while one of them is between pages.
DOCUMENTS_IN_FLIGHT = 2

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
    if _current is not None:
        _current.close()
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

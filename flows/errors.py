"""Which failures are worth retrying."""

from __future__ import annotations

import errno

from sqlalchemy.exc import DBAPIError, OperationalError

from flows.runtime import runtime
from storage.objects import ObjectIntegrityError, ObjectStoreError


def is_transient(exc: BaseException) -> bool:
    """Object store or database trouble that may pass; never bad input, never a bug."""
    if isinstance(exc, ObjectIntegrityError):
        return False  # stored bytes do not match: retrying reads the same bytes
    if isinstance(exc, ObjectStoreError | OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def store_full(exc: BaseException) -> bool:
    """The object store's disk (or quota) is full: every further write would fail too."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def full_store_text(exc: BaseException, then: str) -> str:
    """What to say of a full object store: where, the system's words, and what to do `then`."""
    return (f"the object store is full at {runtime().store.location()} ({exc}): free space "
            f"there, then {then}")


def retry_if_transient(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Prefect's retry_condition_fn: retry only transient errors."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001  (the state's own exception, re-raised)
        return is_transient(exc)
    return False

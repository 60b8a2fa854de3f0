"""ID numbers never reach a log: a filter that masks every run of 9–12 digits (CMND, CCCD, BHXH)
in a record's message, its arguments and its traceback, installed on the loggers and handlers
hoso's logs pass through: the root, `hoso`, `prefect` and every `prefect.*` logger, with their
handlers (Prefect's API log handler among them, so the Prefect UI gets masked text too).

A filter on a logger sees only the records logged on that very logger; a filter on a handler
sees everything the handler writes, from any logger. Both are installed, and installing again
(each time a runtime starts) adds the filter to handlers that appeared since. For loggers and
handlers that appear later still (a library's, a test's), the same masking runs as each record
is made: the record factory is wrapped once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from storage.audit import mask_ids

LOGGERS = ("", "hoso", "prefect", "flows", "storage", "web")
_formatter = logging.Formatter()


def _mask_args(args: object) -> object:
    if isinstance(args, str):
        return mask_ids(args)
    if isinstance(args, tuple):
        return tuple(_mask_args(a) for a in args)
    if isinstance(args, dict):
        return {k: _mask_args(v) for k, v in args.items()}
    return args


class MaskIds(logging.Filter):
    """Masks ID numbers in place and lets the record through.

    A record without an ID number is left as it is. Otherwise the text arguments are masked
    one by one, keeping their structure (a formatter may unpack them: uvicorn's access log
    does); if a number still shows (an int argument), the message is formatted here and masked
    whole. A traceback that shows one is kept as masked text only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_hoso_masked", False):
            return True
        record._hoso_masked = True  # type: ignore[attr-defined]
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string: let logging report it as usual)
            return True
        masked = mask_ids(message)
        if masked != message:
            record.msg, record.args = _mask_args(record.msg), _mask_args(record.args)  # type: ignore[assignment]
            try:
                still = record.getMessage() != masked
            except Exception:  # noqa: BLE001
                still = True
            if still:
                record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text and mask_ids(record.exc_text) != record.exc_text:
            record.exc_text = mask_ids(record.exc_text)
            record.exc_info = None  # no handler may render the unmasked exception again
        if record.stack_info:
            record.stack_info = mask_ids(record.stack_info)
        return True


_filter = MaskIds()


def _targets() -> list[logging.Logger]:
    names = set(LOGGERS)
    names.update(name for name in logging.root.manager.loggerDict
                 if name.startswith(("prefect.", "hoso.", "flows.", "storage.", "web.")))
    loggers = [logging.getLogger(name) for name in sorted(names)]
    return [lg for lg in loggers if isinstance(lg, logging.Logger)]


def _masking_factory(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _filter.filter(record)
        return record

    factory.hoso_masks = True  # type: ignore[attr-defined]
    return factory


def install() -> MaskIds:
    """Put the filter on the loggers and their handlers (again: new handlers get it too), and
    mask every record as it is made."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "hoso_masks", False):
        logging.setLogRecordFactory(_masking_factory(current))
    for logger in _targets():
        if _filter not in logger.filters:
            logger.addFilter(_filter)
        for handler in logger.handlers:
            if _filter not in handler.filters:
                handler.addFilter(_filter)
    return _filter

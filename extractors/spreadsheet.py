"""Tables that administrators hand in (CSV or XLSX) as rows of header -> cell value."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from schemas.vietnamese import slug


class TableError(ValueError):
    """The file is not a readable table; the message says which file and why."""


def read_table(path: Path) -> list[dict[str, object]]:
    """Rows of the first sheet (XLSX) or of a CSV file, keyed by headers folded to snake_case.

    Empty rows are dropped; each row keeps its spreadsheet line number under "_line".
    """
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    data = path.read_bytes()
    if data[:2] == b"PK":
        rows = _xlsx_rows(path, data)
    else:
        rows = _csv_rows(path, data)
    if not rows:
        raise TableError(f"{path}: the table is empty")
    header = [slug(str(h)) if h is not None else "" for h in rows[0]]
    if not any(header):
        raise TableError(f"{path}: the first row must hold the column names")
    table = []
    for number, cells in enumerate(rows[1:], start=2):
        values = [c.strip() if isinstance(c, str) else c for c in cells]
        if all(v in (None, "") for v in values):
            continue
        row: dict[str, object] = {"_line": number}
        for key, value in zip(header, values, strict=False):
            if key:
                row[key] = value
        table.append(row)
    return table


def _csv_rows(path: Path, data: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "cp1258"):  # Excel on Vietnamese Windows saves cp1258
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(f"{path}: not UTF-8 text; save it as 'CSV UTF-8' or as XLSX")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(path: Path, data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (any failure means: not a workbook we can read)
        raise TableError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]

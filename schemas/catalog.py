"""The field catalog: one JSON file per form layout in `schemas/catalog/` (item numbers, printed
labels, value types, table columns), read by one extraction engine. A new layout is a new file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

CATALOG = Path(__file__).with_name("catalog")

ValueType = Literal["text", "name", "date", "month", "cccd", "digits", "decimal", "gender",
                    "ethnicity", "religion", "level", "paragraph", "place"]


Where = Literal["right", "below", "block", "under", "dateline"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str  # stable snake_case without diacritics: the JSON export's name
    item: str  # the printed item number ("15.3"); "" for header and footer lines
    label: str  # as printed, without number and colon
    type: ValueType
    # Where the value is printed: after the label on its line ("right", running on when it
    # wraps), under the label in its column ("below": the name under a signature), in the
    # paragraph under a heading ("block"), in the paragraph under its item's other labels with no
    # label of its own ("under"), or in the "<place>, ngày … tháng … năm …" line.
    where: Where = "right"
    # Other wordings of the label on some copies of the form ("Giám đốc" where a school's head
    # is not a "Hiệu trưởng"): each is looked for like the label.
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    header: str
    type: ValueType


@dataclass(frozen=True, slots=True)
class TableSpec:
    key: str
    item: str
    title: str
    columns: tuple[ColumnSpec, ...]
    transposed: bool = False  # columns printed as rows, time running across


@dataclass(frozen=True, slots=True)
class LayoutSpec:
    layout: str  # "2c_bnv_2008", "tt06_2023", "2c_tctw_98", or a document type
    document_type: str  # "so_yeu_ly_lich", "quyet_dinh", …
    form_code: str  # printed top right ("Mẫu 2C-BNV/2008"), "" if none
    title: str
    method: Literal["labels", "decision"]  # label-value pairs, or an administrative document
    fields: tuple[FieldSpec, ...]
    tables: tuple[TableSpec, ...]
    # The items are printed in the catalog's order (the CV forms); papers issued over the years
    # by many offices (birth certificates, degrees) are not, and each label is looked for alone.
    ordered: bool = True

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)


def _load(path: Path) -> LayoutSpec:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return LayoutSpec(
        layout=raw["layout"], document_type=raw["document_type"], form_code=raw["form_code"],
        title=raw["title"], method=raw["method"], ordered=raw.get("ordered", True),
        fields=tuple(FieldSpec(**{**f, "also": tuple(f.get("also", ()))}) for f in raw["fields"]),
        tables=tuple(TableSpec(key=t["key"], item=t["item"], title=t["title"],
                               transposed=t.get("transposed", False),
                               columns=tuple(ColumnSpec(**c) for c in t["columns"]))
                     for t in raw["tables"]),
    )


@cache
def layouts() -> dict[str, LayoutSpec]:
    """Every layout of the catalog, by its key."""
    return {spec.layout: spec for spec in map(_load, sorted(CATALOG.glob("*.json")))}


def layout(key: str) -> LayoutSpec:
    return layouts()[key]

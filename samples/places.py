"""Lâm Đồng as it was in 2022: 12 district-level units and a few real communes of each."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("data") / "lam_dong.json"


@dataclass(frozen=True, slots=True)
class District:
    kind: str  # "Huyện" or "Thành phố"
    name: str  # "Đức Trọng"
    communes: tuple[str, ...]  # "Xã Hiệp Thạnh", "Thị trấn Liên Nghĩa", "Phường 1"

    @property
    def full(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def in_text(self) -> str:
        """As it reads inside a sentence or a unit name: "huyện Đức Trọng"."""
        return f"{self.kind.lower()} {self.name}"


@dataclass(frozen=True, slots=True)
class Place:
    commune: str
    district: str
    province: str

    def __str__(self) -> str:
        return f"{self.commune}, {self.district}, {self.province}"


@dataclass(frozen=True, slots=True)
class Province:
    name: str  # "Tỉnh Lâm Đồng"
    cccd_code: str  # birth-registration code, CCCD digits 1-3
    bhxh_code: str
    districts: tuple[District, ...]

    @property
    def short(self) -> str:
        return self.name.removeprefix("Tỉnh ")

    def place(self, rnd: random.Random, district: District | None = None) -> Place:
        district = district or rnd.choice(self.districts)
        return Place(rnd.choice(district.communes), district.full, self.name)


@cache
def lam_dong() -> Province:
    raw = json.loads(_DATA.read_text(encoding="utf-8"))
    districts = tuple(District(d["kind"], d["name"], tuple(d["communes"]))
                      for d in raw["districts"])
    return Province(raw["province"], raw["cccd_code"], raw["bhxh_code"], districts)


@cache
def other_provinces() -> tuple[Province, ...]:
    """Provinces a cadre of Lâm Đồng may come from (for the varied benchmark forms)."""
    raw = json.loads((_DATA.parent / "provinces.json").read_text(encoding="utf-8"))
    return tuple(Province(p["province"], p["cccd_code"], "",
                          tuple(District(d["kind"], d["name"], tuple(d["communes"]))
                                for d in p["districts"]))
                 for p in raw["provinces"])


def cccd_code(province: str) -> str:
    """The CCCD place code of a province as printed ("Tỉnh Nghệ An" -> "040")."""
    for p in (lam_dong(), *other_provinces()):
        if p.name == province:
            return p.cccd_code
    raise KeyError(province)

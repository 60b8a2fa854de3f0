"""Addresses: the administrative units of a place put back as officially spelled.

A place is written from the smallest unit to the largest, comma-separated: "Thôn 6, Xã Mê Linh,
Huyện Lâm Hà, Tỉnh Lâm Đồng". OCR often damages a mark or a letter of a unit's name ("Lộc
Tháng", "Tĩnh FLam Đồng"). Each unit is looked up among the units of the one above it, from the
province down, in the official list of the 63 provinces, their districts and communes (the
`vietnam-provinces` package, 0.6.0: the units before the 2025 reorganisation, which is what
dossiers name). A name whose letters match one unit of its parent exactly, marks aside, takes
that unit's spelling; one that is only close to a single unit (and clearly closer than to any
other) takes it too, with a doubt. Anything else is left as read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process

from schemas.vietnamese import fold

# The unit words as officially spelled, by their folded form; longest first so that
# "thanh pho" is not read as "thanh".
_LEVELS: dict[str, tuple[tuple[str, str], ...]] = {
    "province": (("thanh pho", "Thành phố"), ("tinh", "Tỉnh")),
    "district": (("thanh pho", "Thành phố"), ("thi xa", "Thị xã"), ("huyen", "Huyện"),
                 ("quan", "Quận")),
    "ward": (("thi tran", "Thị trấn"), ("phuong", "Phường"), ("xa", "Xã")),
}
CLOSE_ENOUGH = 80  # rapidfuzz ratio of folded names for a unit that is only close
CLEAR_LEAD = 8  # and how much closer than the next unit it must be


@dataclass
class Unit:
    name: str  # without its unit word: "Lâm Đồng"
    children: dict[str, list[Unit]] = field(default_factory=dict)  # folded name -> units


@cache
def _country() -> Unit:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    country = Unit("Việt Nam")
    for province in json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        p = _add(country, province["name"], "province")
        for district in province["districts"]:
            d = _add(p, district["name"], "district")
            for ward in district["wards"]:
                _add(d, ward["name"], "ward")
    return country


def _add(parent: Unit, official: str, level: str) -> Unit:
    _, name = _split_unit(official, level) or ("", official)
    unit = Unit(name)
    parent.children.setdefault(fold(name), []).append(unit)
    return unit


def _split_unit(text: str, level: str) -> tuple[str, str] | None:
    """(unit word as officially spelled, name) when `text` starts with a unit word of `level`."""
    words = text.split()
    folded = [fold(w) for w in words]
    for key, official in _LEVELS[level]:
        size = len(key.split())
        if len(words) > size and " ".join(folded[:size]) == key:
            return official, " ".join(words[size:])
    return None


def _unit_in(part: str, level: str) -> tuple[str, str, str] | None:
    """(what precedes the unit word, the unit word, the name) for a part that names a unit of
    `level`, its unit word at its start or after other words ("Ủy ban nhân dân xã Ninh Gia")."""
    words = part.split()
    for start in range(len(words) - 1, -1, -1):
        found = _split_unit(" ".join(words[start:]), level)
        if found:
            return " ".join(words[:start]), found[0], found[1]
    return None


def _lookup(parent: Unit, name: str) -> tuple[Unit | None, bool]:
    """The unit of `parent` that `name` stands for, and whether it was only close."""
    key = fold(name)
    exact = parent.children.get(key, [])
    if len(exact) == 1:
        return exact[0], False
    if exact or not parent.children:
        return None, False  # two units of one parent share the name: not ours to choose
    best = process.extract(key, list(parent.children), scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < CLOSE_ENOUGH:
        return None, False
    if len(best) > 1 and best[0][1] - best[1][1] < CLEAR_LEAD:
        return None, False
    units = parent.children[best[0][0]]
    return (units[0], True) if len(units) == 1 else (None, False)


def _all_wards(province: Unit) -> Unit:
    """A province's communes under one parent: a district renamed or merged since the dossier
    was written still has its communes."""
    merged = Unit(province.name)
    for districts in province.children.values():
        for district in districts:
            for key, wards in district.children.items():
                merged.children.setdefault(key, []).extend(wards)
    return merged


@cache
def _all_districts() -> Unit:
    """Every district of the country under one parent: for a place written without its
    province ("Thị trấn Đinh Văn, Huyện Lâm Hà; Nghỉ hưu")."""
    merged = Unit("Việt Nam")
    for provinces in _country().children.values():
        for province in provinces:
            for key, districts in province.children.items():
                merged.children.setdefault(key, []).extend(districts)
    return merged


_CASE_KEEP = re.compile(r"^[a-zđ]")


def restore_place(text: str) -> tuple[str, list[str]]:
    """The place with its units' names and unit words officially spelled; and what was only
    close (a doubt each). Parts that name no unit (a hamlet, a street, an occupation after a
    ";") are left as they are, and so are the separators, except a ";" between two units: a
    comma as OCR may read it ("Phường 1; Thành phố Đà Lạt")."""
    pieces = re.split(r"\s*([,;])\s*", text.strip())
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return text, []
    doubts: list[str] = []
    named = [False] * len(parts)
    province: Unit | None = None
    district: Unit | None = None
    levels = ["province", "district", "ward"]
    for index in range(len(parts) - 1, -1, -1):
        part = parts[index]
        if not levels:
            break
        if levels[0] == "province" and province is None and _unit_in(part, "province") is None:
            unit = _lookup_exact(_country(), part)  # "…, Nghệ An; Buôn bán": no "Tỉnh"
            if unit is not None:
                parts[index], named[index], province = unit.name, True, unit
                levels = levels[1:]
                continue
        for level in levels:
            found = _unit_in(part, level)
            if not found:
                continue
            head, word, name = found
            parent = {"province": _country(), "district": province or _all_districts(),
                      "ward": district or (_all_wards(province) if province else None)}[level]
            if parent is None:
                break
            # Among every district of the country (no province written), only an exact match.
            unit, close = (_lookup_exact(parent, name), False) if parent is _all_districts() \
                else _lookup(parent, name)
            if unit is None:
                break
            if close:
                doubts.append(f"read '{name}' as {word} {unit.name}")
            if _CASE_KEEP.match(part[len(head):].lstrip()):
                word = word[0].lower() + word[1:]  # "xã", "huyện" in running text
            parts[index], named[index] = f"{head} {word} {unit.name}".strip(), True
            if level == "province":
                province = unit
            elif level == "district":
                district = unit
            levels = levels[levels.index(level) + 1:]
            break
    out = parts[0]
    for i, separator in enumerate(separators):
        if separator == ";" and named[i] and named[i + 1]:
            separator = ","
        out += f"{separator} {parts[i + 1]}"
    return out, doubts


def _lookup_exact(parent: Unit, name: str) -> Unit | None:
    """The one unit of `parent` whose name matches exactly (marks aside), or None."""
    units = parent.children.get(fold(name), []) if name else []
    return units[0] if len(units) == 1 else None

"""Rows administrators import (units, paper inventory), validated with the header names they
are likely to use: English keys or the Vietnamese column titles, with or without diacritics."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from schemas.status import Bloc
from schemas.vietnamese import slug


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _to_date(value: object) -> object:
    value = _blank_to_none(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"'{text}' is not a date (use dd/mm/yyyy or yyyy-mm-dd)")
    return value


_BLOCS = {slug(b.value): b for b in Bloc} | {b.name: b for b in Bloc} | {
    "mttq": Bloc.mttq_doan_the, "doan_the": Bloc.mttq_doan_the, "chinh_quyen": Bloc.chinh_quyen,
    "dang": Bloc.dang, "su_nghiep": Bloc.su_nghiep,
}


def _to_bloc(value: object) -> object:
    value = _blank_to_none(value)
    if isinstance(value, str):
        bloc = _BLOCS.get(slug(value))
        if bloc is None:
            names = ", ".join(f"'{b.value}'" for b in Bloc)
            raise ValueError(f"'{value}' is not a bloc (one of {names})")
        return bloc
    return value


def _to_code(value: object) -> object:
    value = _blank_to_none(value)
    if isinstance(value, float) and value.is_integer():  # a numeric code read from XLSX
        value = int(value)
    return None if value is None else str(value).strip()


def _to_count(value: object) -> object:
    value = _blank_to_none(value)
    if isinstance(value, str):
        return value.replace(".", "").replace(",", "").replace(" ", "")  # "1.234" written by hand
    return value


def _to_cccd(value: object) -> object:
    value = _to_code(value)
    if isinstance(value, str):
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) not in (9, 12) or len(digits) != len(value.replace(" ", "")):
            raise ValueError(f"'{value}' is not a CCCD (12 digits) or CMND (9 digits)")
        return digits
    return value


Code = Annotated[str, BeforeValidator(_to_code), Field(min_length=1, max_length=64)]
OptionalCode = Annotated[str | None, BeforeValidator(_to_code)]
OptionalDate = Annotated[date | None, BeforeValidator(_to_date)]
OptionalCount = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_to_count)]


def _aliases(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class UnitRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: Code = Field(validation_alias=_aliases("code", "ma", "ma_don_vi"))
    name: Annotated[str, Field(min_length=1, max_length=255)] = Field(
        validation_alias=_aliases("name", "ten", "ten_don_vi"))
    parent: OptionalCode = Field(None, validation_alias=_aliases(
        "parent", "ma_cap_tren", "cap_tren", "don_vi_cap_tren", "ma_don_vi_cap_tren"))
    bloc: Annotated[Bloc | None, BeforeValidator(_to_bloc)] = Field(
        None, validation_alias=_aliases("bloc", "khoi"))
    valid_from: OptionalDate = Field(None, validation_alias=_aliases(
        "valid_from", "hieu_luc_tu", "tu_ngay", "ngay_thanh_lap"))
    valid_to: OptionalDate = Field(None, validation_alias=_aliases(
        "valid_to", "hieu_luc_den", "den_ngay", "ngay_giai_the"))
    deadline: OptionalDate = Field(None, validation_alias=_aliases("deadline", "han_chot", "thoi_han"))
    paper_dossiers: OptionalCount = Field(None, validation_alias=_aliases(
        "paper_dossiers", "so_ho_so_giay", "so_ho_so"))


class InventoryCount(BaseModel):
    """A unit's count of paper dossiers."""

    model_config = ConfigDict(extra="ignore")

    unit: Code = Field(validation_alias=_aliases("unit", "ma_don_vi", "don_vi"))
    paper_dossiers: Annotated[int, BeforeValidator(_to_count), Field(ge=0)] = Field(
        validation_alias=_aliases("paper_dossiers", "so_ho_so_giay", "so_ho_so", "count", "so_luong"))


class InventoryItem(BaseModel):
    """One paper dossier on a unit's list."""

    model_config = ConfigDict(extra="ignore")

    unit: Code = Field(validation_alias=_aliases("unit", "ma_don_vi", "don_vi"))
    code: Code = Field(validation_alias=_aliases("code", "ma_ho_so", "so_hieu_ho_so", "ma"))
    full_name: Annotated[str, BeforeValidator(lambda v: _blank_to_none(v) or "")] = Field(
        "", validation_alias=_aliases("name", "full_name", "ho_ten", "ho_va_ten"))
    cccd: Annotated[str | None, BeforeValidator(_to_cccd)] = Field(
        None, validation_alias=_aliases("cccd", "so_cccd", "so_dinh_danh", "cmnd"))


INVENTORY_LIST_KEYS = {"code", "ma_ho_so", "so_hieu_ho_so", "ma"}


M = TypeVar("M", bound=BaseModel)


def validate_rows(model: type[M], rows: list[dict[str, object]], source: str) -> tuple[list[M], list[str]]:
    """Every row checked; returns the good rows and one message per bad row ("line N: …")."""
    good: list[M] = []
    errors: list[str] = []
    for row in rows:
        try:
            good.append(model.model_validate(row))
        except ValidationError as exc:
            problems = "; ".join(_describe(e) for e in exc.errors())
            errors.append(f"{source}, dòng (line) {row.get('_line')}: {problems}")
    return good, errors


def _describe(error: dict) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if error.get("type") == "missing" or (error.get("type") == "string_type" and error.get("input") is None):
        message = "trống (required, but empty or missing)"
    return f"{where}: {message}" if where else message

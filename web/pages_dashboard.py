"""Tiến độ: the figures of `hoso report` (flows.progress) for the units a person may see: for the
province (who reaches every unit) or their own unit and its sub-units (a clerk), against the
deadline, with the units at risk and the report's charts."""

from __future__ import annotations

import base64
import json
import threading
from collections import OrderedDict
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, select

from flows.progress import progress_report
from flows.report_render import (
    BADGE_COLORS,
    chart_burnup,
    chart_units,
    fmt_date,
    fmt_dec,
    fmt_forecast,
    fmt_int,
    fmt_pct,
    shown_percent,
)
from flows.runtime import runtime
from schemas.models import Unit
from schemas.progress import ProgressReport, UnitProgress
from schemas.status import ProgressState
from web.deps import CurrentUser, DbSession, UserScope, templates

router = APIRouter(include_in_schema=False)

_CHARTS: OrderedDict[str, tuple[str, str | None]] = OrderedDict()  # figures -> data URIs
_CHARTS_LOCK = threading.Lock()


def scoped_report(report: ProgressReport, codes: set[str] | None) -> tuple[ProgressReport, bool]:
    """The report limited to some units (None: all), its head the topmost of them, levels
    counted from it; and whether it is the whole province."""
    if codes is None:
        return report, True
    rows = [r for r in report.units if r.code in codes]
    if not rows:
        return replace(report, units=[], burnup=[], snapshots=[]), False
    top = min(r.level for r in rows)
    heads = [r for r in rows if r.level == top]
    rows = [replace(r, level=r.level - top + (1 if len(heads) > 1 else 0)) for r in rows]
    head = rows[0] if len(heads) == 1 else _sum(heads, report)
    units = rows if len(heads) == 1 else [head, *rows]
    return replace(report, province=head, units=units, burnup=[], snapshots=[]), False


def _sum(heads: list[UnitProgress], report: ProgressReport) -> UnitProgress:
    """Several units side by side (a person given two districts): their totals."""
    known = [h.inventoried for h in heads if h.inventoried is not None]
    total = UnitProgress(
        code="", name="Các đơn vị của tôi", level=0, parent_code=None, bloc=None,
        inventoried=sum(known) if known else None,
        **{k: sum(getattr(h, k) for h in heads) for k in (
            "received", "electronic", "extracted", "verified", "documents", "rejected", "failed",
            "units_without_inventory", "electronic_counted", "unassigned")},
        per_day=sum(h.per_day for h in heads), deadline=report.deadline, forecast=None,
        state=ProgressState.unknown)
    worst = max(heads, key=lambda h: list(ProgressState).index(h.state))
    total.state, total.forecast = worst.state, max((h.forecast for h in heads if h.forecast), default=None)
    return total


def _charts(report: ProgressReport, whole: bool) -> tuple[str, str | None]:
    """The report's charts as data URIs, drawn once per distinct set of figures."""
    key = json.dumps([whole, str(report.as_of), [u.as_dict() for u in report.units],
                      [(str(p.day), p.received, p.electronic) for p in report.burnup]], default=str)
    with _CHARTS_LOCK:
        if key in _CHARTS:
            _CHARTS.move_to_end(key)
            return _CHARTS[key]
    bars = _uri(chart_units(report))
    burnup = _uri(chart_burnup(report)) if whole else None
    with _CHARTS_LOCK:
        _CHARTS[key] = (bars, burnup)
        while len(_CHARTS) > 16:
            _CHARTS.popitem(last=False)
    return bars, burnup


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@router.get("/tien-do")
def dashboard(request: Request, session: DbSession, user: CurrentUser, scope: UserScope) -> Response:
    settings = runtime().settings
    full = progress_report(session, settings)
    codes = None
    if scope.unit_ids is not None:
        codes = set(session.exec(select(Unit.code).where(col(Unit.id).in_(sorted(scope.unit_ids)))))
    report, whole = scoped_report(full, codes)
    head = report.province if report.units else None
    shown = [u for u in report.units if u.level <= 1]
    shown += [u for u in report.at_risk() if u.level > 1]
    bars, burnup = _charts(report, whole) if report.units else (None, None)
    bar = shown_percent(head.percent) if head else None
    return templates.TemplateResponse(request, "dashboard.html", {
        "title": "Tiến độ số hóa", "report": report, "head": head, "whole": whole, "rows": shown,
        "at_risk": report.at_risk(),
        "chart_units": bars, "chart_burnup": burnup, "bar_width": None if bar is None else min(bar, 100.0),
        "badge_colors": BADGE_COLORS, "num": fmt_int, "dec": fmt_dec, "pct": fmt_pct, "dmy": fmt_date,
        "forecast": fmt_forecast})

"""Indicators per unit (city, county, park, province) and year, aggregated from the yearly figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from avbase.core.i18n import N_
from avbase.industry.models import Enterprise, Park, UnitLevel, YearlyFigure
from avbase.kit.regions import REGIONS


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # msgid
    unit: str  # yuan | count | ratio | hours | yuan_per_person


INDICATORS: dict[str, Indicator] = {
    item.key: item
    for item in (
        Indicator("revenue", N_("Revenue"), "yuan"),
        Indicator("enterprises", N_("Enterprises reporting"), "count"),
        Indicator("key_enterprises", N_("Provincial key enterprises"), "count"),
        Indicator("revenue_growth", N_("Revenue growth"), "ratio"),
        Indicator("rnd_expense", N_("R&D expense"), "yuan"),
        Indicator("rnd_intensity", N_("R&D intensity"), "ratio"),
        Indicator("specialised", N_("Specialised and innovative enterprises"), "count"),
        Indicator("titles", N_("Titles produced"), "count"),
        Indicator("content_hours", N_("Content hours"), "hours"),
        Indicator("exports", N_("Exports"), "yuan"),
        Indicator("export_share", N_("Export share of revenue"), "ratio"),
        Indicator("investment", N_("Investment"), "yuan"),
        Indicator("employees", N_("Employees"), "count"),
        Indicator("revenue_per_employee", N_("Revenue per employee"), "yuan_per_person"),
    )
}

UnitValues = dict[str, dict[str, float | None]]


def unit_key_column(level: UnitLevel) -> Any:
    region = YearlyFigure.region_code
    if level is UnitLevel.city:
        return func.substr(region, 1, 4) + "00"
    if level is UnitLevel.province:
        return func.substr(region, 1, 2) + "0000"
    if level is UnitLevel.county:
        return region
    return Enterprise.park_id


def unit_names(session: Session, level: UnitLevel, keys: list[str]) -> dict[str, str]:
    if level is UnitLevel.park:
        ids = [int(key) for key in keys if key.isdigit()]
        return {
            str(park_id): name
            for park_id, name in session.execute(select(Park.id, Park.name).where(Park.id.in_(ids)))
        }
    return {key: REGIONS[key].zh if key in REGIONS else key for key in keys}


def _sums(session: Session, level: UnitLevel, region_prefix: str, year: int) -> dict[str, dict[str, Any]]:
    unit = unit_key_column(level).label("unit")
    stmt = (
        select(
            unit,
            func.count().label("enterprises"),
            func.sum(YearlyFigure.revenue_total).label("revenue"),
            func.sum(YearlyFigure.rnd_expense).label("rnd_expense"),
            func.sum(YearlyFigure.exports).label("exports"),
            func.sum(YearlyFigure.investment).label("investment"),
            func.sum(YearlyFigure.employees).label("employees"),
            func.sum(YearlyFigure.titles).label("titles"),
            func.sum(YearlyFigure.content_hours).label("content_hours"),
            func.sum(case((Enterprise.specialised, 1), else_=0)).label("specialised"),
            func.sum(case((Enterprise.provincial_key, 1), else_=0)).label("key_enterprises"),
        )
        .select_from(YearlyFigure)
        .join(Enterprise, Enterprise.id == YearlyFigure.enterprise_id)
        # LIKE, not a range: SQLite then walks the year index, which beats the covering revenue index here.
        .where(YearlyFigure.year == year, YearlyFigure.region_code.startswith(region_prefix))
        .group_by(unit)
    )
    if level is UnitLevel.park:
        stmt = stmt.where(Enterprise.park_id.is_not(None))
    return {str(row.unit): row._asdict() for row in session.execute(stmt)}


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def unit_values(session: Session, *, level: UnitLevel, region_prefix: str, year: int) -> UnitValues:
    """Every indicator for every unit with reports in ``year`` (growth needs the year before as well)."""
    current = _sums(session, level, region_prefix, year)
    previous = _sums(session, level, region_prefix, year - 1)
    values: UnitValues = {}
    for unit, row in sorted(current.items()):
        before = previous.get(unit, {}).get("revenue")
        growth = _ratio(row["revenue"], before)
        values[unit] = {
            "revenue": float(row["revenue"] or 0),
            "enterprises": float(row["enterprises"]),
            "key_enterprises": float(row["key_enterprises"] or 0),
            "revenue_growth": None if growth is None else growth - 1,
            "rnd_expense": float(row["rnd_expense"] or 0),
            "rnd_intensity": _ratio(row["rnd_expense"], row["revenue"]),
            "specialised": float(row["specialised"] or 0),
            "titles": float(row["titles"] or 0),
            "content_hours": float(row["content_hours"] or 0),
            "exports": float(row["exports"] or 0),
            "export_share": _ratio(row["exports"], row["revenue"]),
            "investment": float(row["investment"] or 0),
            "employees": float(row["employees"] or 0),
            "revenue_per_employee": _ratio(row["revenue"], row["employees"]),
        }
    return values

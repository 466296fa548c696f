"""Aggregated figures for publication: per year, cluster and city, how many enterprises a figure rests on,
its total and its largest single contribution — what disclosure control needs, and nothing per
enterprise. The open data service (``ecosystem``) reads industry's figures through this module only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.industry.models import Enterprise, YearlyFigure
from avbase.kit.regions import within_prefix

# The yearly figures that may be published in aggregate, with their unit.
MEASURES: dict[str, str] = {
    "revenue_total": "yuan",
    "revenue_content": "yuan",
    "revenue_electronics": "yuan",
    "revenue_services": "yuan",
    "rnd_expense": "yuan",
    "exports": "yuan",
    "investment": "yuan",
    "employees": "people",
}


@dataclass(frozen=True)
class Contribution:
    """One cell: the enterprises of a cluster in a city in a year."""

    year: int
    city: str  # GB/T 2260 city code (330100)
    cluster: str
    enterprises: int
    total: Decimal
    largest: Decimal


def years(session: Session) -> list[int]:
    return [int(y) for y in session.scalars(select(YearlyFigure.year).distinct().order_by(YearlyFigure.year))]


def contributions(
    session: Session, *, measure: str, year: int, region_prefix: str = ""
) -> list[Contribution]:
    """The cells of ``measure`` for ``year`` by city and cluster, within ``region_prefix`` (a province's
    two digits, say)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure}")
    column = getattr(YearlyFigure, measure)
    city = func.substr(YearlyFigure.region_code, 1, 4)
    rows = session.execute(
        select(city, Enterprise.cluster, func.count(), func.sum(column), func.max(column))
        .join(Enterprise, Enterprise.id == YearlyFigure.enterprise_id)
        .where(YearlyFigure.year == year, within_prefix(YearlyFigure.region_code, region_prefix))
        .group_by(city, Enterprise.cluster)
    ).all()
    return [
        Contribution(year, f"{prefix}00", getattr(cluster, "value", str(cluster)), int(count),
                     Decimal(total or 0), Decimal(largest or 0))
        for prefix, cluster, count, total, largest in rows
        if prefix
    ]  # fmt: skip

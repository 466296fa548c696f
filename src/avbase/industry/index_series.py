"""Index series over all periods with data, at the headline level and at each sub-index level.

A period's point is read from ``IndexPoint`` once frozen (a published bulletin froze it), with the definition
version it was computed by; a period not frozen yet is computed live with the latest version. A method change
(a new definition version) therefore applies from the first unfrozen period on and is marked there; earlier
points are never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError
from avbase.industry import composite, index_service, series
from avbase.industry.models import IndexDefinition, IndexPoint, Normalisation, UnitLevel, YearlyFigure
from avbase.kit.dates import today


def has_series(definition: IndexDefinition) -> bool:
    """Only a base-period index is comparable over time; min-max and z-scores rescale every year."""
    return definition.normalisation is Normalisation.base_ratio and definition.base_period is not None


def levels(definition: IndexDefinition) -> list[UnitLevel]:
    """The headline level first, then the sub-index levels."""
    return [UnitLevel(definition.unit_level), *(UnitLevel(level) for level in definition.sub_levels or [])]


def periods(session: Session, definition: IndexDefinition) -> list[int]:
    """Every ended year with figures in the definition's region, from the base period on (the months of the
    current year so far would read as a fall of the index)."""
    years = session.scalars(
        select(YearlyFigure.year)
        .where(YearlyFigure.region_code.startswith(definition.region_prefix))
        .group_by(YearlyFigure.year)
        .order_by(YearlyFigure.year)
    )
    start, end = definition.base_period or 0, today().year
    return [year for year in years if start <= year < end]


def _check_level(definition: IndexDefinition, level: UnitLevel) -> None:
    if level not in levels(definition):
        raise AvbaseError(
            "The index {name} has no sub-index for {level}.", field="level", name=definition.name, level=level
        )


def compute_live(
    session: Session, definition: IndexDefinition, level: UnitLevel, period: int
) -> tuple[dict[str, Any], str]:
    """The index of ``period`` at ``level`` with ``definition``, its inputs kept, and their digest."""
    inputs = index_service.gather_inputs(session, definition, period, level)
    digest = composite.digest(
        definition.name, definition.version, level.value, period, inputs.values, inputs.base
    )
    result = composite.compute(index_service.spec_of(definition), inputs.values, inputs.base).to_json()
    result["names"] = inputs.names
    result["inputs"] = {"values": inputs.values, "base": inputs.base}
    return result, digest


def frozen_points(session: Session, name: str, level: UnitLevel) -> dict[int, IndexPoint]:
    return {
        point.period: point
        for point in session.scalars(
            select(IndexPoint).where(IndexPoint.series == name, IndexPoint.level == level)
        )
    }


@dataclass
class SeriesView:
    definition: IndexDefinition  # the latest version
    level: UnitLevel
    periods: list[int]
    results: list[series.PeriodResult]
    units: list[series.UnitSeries]

    @property
    def method_changes(self) -> list[int]:
        """Periods computed with another definition version than the period before."""
        ordered = sorted(self.results, key=lambda r: r.period)
        return [b.period for a, b in pairwise(ordered) if a.version != b.version]

    def result_at(self, period: int) -> series.PeriodResult | None:
        return next((r for r in self.results if r.period == period), None)


def index_series(
    session: Session, definition: IndexDefinition, level: UnitLevel | None = None, *, until: int | None = None
) -> SeriesView:
    """The series of ``definition`` (its latest version) at ``level`` over every period with data."""
    level = level or UnitLevel(definition.unit_level)
    _check_level(definition, level)
    if not has_series(definition):
        raise AvbaseError(
            "The index {name} is normalised within each year and has no time series.",
            field="definition",
            name=definition.name,
        )
    chosen = [p for p in periods(session, definition) if until is None or p <= until]
    stored = frozen_points(session, definition.name, level)
    results = []
    for period in chosen:
        point = stored.get(period)
        if point is not None:
            results.append(series.PeriodResult(period, point.definition.version, point.result, frozen=True))
        else:
            result, _digest = compute_live(session, definition, level, period)
            results.append(series.PeriodResult(period, definition.version, result))
    return SeriesView(definition, level, chosen, results, series.build(results))


def freeze(
    session: Session,
    principal: Principal | None,
    definition: IndexDefinition,
    level: UnitLevel,
    until: int,
) -> list[IndexPoint]:
    """Stores every not yet frozen point up to ``until`` as computed now with ``definition``; frozen points
    stay as they are. Returns the new points."""
    _check_level(definition, level)
    stored = frozen_points(session, definition.name, level)
    made = []
    for period in periods(session, definition):
        if period > until or period in stored:
            continue
        result, digest = compute_live(session, definition, level, period)
        point = IndexPoint(
            series=definition.name,
            level=level,
            period=period,
            definition_id=definition.id,
            input_digest=digest,
            result=result,
            frozen_by_id=(principal.user_id or None) if principal else None,
        )
        session.add(point)
        made.append(point)
    session.flush()
    return made


def definition_version(session: Session, name: str, version: int) -> IndexDefinition:
    found = session.scalar(
        select(IndexDefinition).where(IndexDefinition.name == name, IndexDefinition.version == version)
    )
    if found is None:
        raise AvbaseError(
            "No version {version} of the index {name}.", field="version", name=name, version=version
        )
    return found


@dataclass
class RankedUnit:
    unit: str
    name: str
    rank: int | None
    composite: float | None
    change: float | None
    change_pct: float | None
    rank_change: int | None
    pillars: dict[str, float | None]
    version: int


def ranking(view: SeriesView, period: int) -> list[RankedUnit]:
    """The units of the series ranked in ``period``, with their change since the period before."""
    rows = []
    for unit in view.units:
        point = unit.at(period)
        if point is None:
            continue
        rows.append(
            RankedUnit(
                unit.unit,
                unit.name,
                point.rank,
                point.composite,
                point.change,
                point.change_pct,
                point.rank_change,
                point.pillars,
                point.version,
            )
        )
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.unit))


def sensitivity_at(session: Session, view: SeriesView, period: int) -> composite.Sensitivity | None:
    """Rank shifts under other pillar weights, from the period's own inputs and definition version; None
    when fewer than two units are ranked (one unit cannot move)."""
    found = view.result_at(period)
    if found is None:
        return None
    inputs = found.result.get("inputs") or {}
    values = inputs.get("values") or {}
    if sum(1 for unit in found.result.get("units", []) if unit.get("rank") is not None) < 2:
        return None
    definition = (
        view.definition
        if found.version == view.definition.version
        else definition_version(session, view.definition.name, found.version)
    )
    return composite.sensitivity(index_service.spec_of(definition), values, inputs.get("base"))

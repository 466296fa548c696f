"""An index as a time series: each unit's composite and pillars per period, and what moved it.

Pure: stored or computed index results (``composite.IndexResult.to_json()``) in, series out. No database.

The composite of a unit is the sum of its pillars' contributions (each pillar's effective share of the
weight × the pillar's score), so its change from one period to the next splits exactly into the pillars'
changes of contribution: ``Δ composite = Σ_p (share_p,t × pillar_p,t − share_p,t−1 × pillar_p,t−1)``. The
same split divided by the earlier composite gives each pillar's part of the percentage change. When a
pillar is missing in one period its share is 0 there and the others are re-weighted (composite.py), and the
split still adds up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PeriodResult:
    """One period of an index at one unit level, as stored, with the definition version it was computed by."""

    period: int
    version: int
    result: Mapping[str, Any]  # composite.IndexResult.to_json() + "names"
    frozen: bool = False


@dataclass
class Point:
    period: int
    version: int
    frozen: bool
    composite: float | None
    rank: int | None
    pillars: dict[str, float | None]
    levels: dict[str, float]  # each pillar's contribution to the composite's level
    change: float | None = None  # composite points since the previous period
    change_pct: float | None = None  # per cent of the previous composite
    contributions: dict[str, float] = field(default_factory=dict)  # points, add up to ``change``
    contributions_pct: dict[str, float] = field(
        default_factory=dict
    )  # percentage points, add up to change_pct
    rank_change: int | None = None  # places gained since the previous period
    method_change: bool = False  # computed with another definition version than the previous point


@dataclass
class UnitSeries:
    unit: str
    name: str
    points: list[Point]

    def at(self, period: int) -> Point | None:
        return next((p for p in self.points if p.period == period), None)


def pillar_levels(unit: Mapping[str, Any]) -> dict[str, float]:
    """Each pillar's contribution to the unit's composite (they add up to it)."""
    return {
        pillar: sum(float(item["contribution"]) for item in indicators.values())
        for pillar, indicators in unit.get("indicators", {}).items()
    }


def _point(period: PeriodResult, unit: Mapping[str, Any]) -> Point:
    return Point(
        period=period.period,
        version=period.version,
        frozen=period.frozen,
        composite=unit.get("composite"),
        rank=unit.get("rank"),
        pillars=dict(unit.get("pillars", {})),
        levels=pillar_levels(unit) if unit.get("composite") is not None else {},
    )


def link(previous: Point, current: Point) -> None:
    """Fills ``current``'s change since ``previous`` and its split by pillar."""
    current.method_change = previous.version != current.version
    if previous.rank is not None and current.rank is not None:
        current.rank_change = previous.rank - current.rank
    if previous.composite is None or current.composite is None:
        return
    current.change = current.composite - previous.composite
    pillars = list(dict.fromkeys([*previous.levels, *current.levels]))
    current.contributions = {p: current.levels.get(p, 0.0) - previous.levels.get(p, 0.0) for p in pillars}
    if previous.composite:
        current.change_pct = 100.0 * current.change / previous.composite
        current.contributions_pct = {
            p: 100.0 * value / previous.composite for p, value in current.contributions.items()
        }


def build(periods: Sequence[PeriodResult]) -> list[UnitSeries]:
    """Every unit's series over the given periods (in period order); a unit absent in a period has no
    point there, and its next point is compared with the last one it has."""
    ordered = sorted(periods, key=lambda p: p.period)
    names: dict[str, str] = {}
    points: dict[str, list[Point]] = {}
    for period in ordered:
        names.update(period.result.get("names", {}))
        for unit in period.result.get("units", []):
            point = _point(period, unit)
            own = points.setdefault(unit["unit"], [])
            if own:
                link(own[-1], point)
            own.append(point)
    return [UnitSeries(unit, names.get(unit, unit), own) for unit, own in sorted(points.items())]


@dataclass
class Mover:
    unit: str
    name: str
    change: float | None
    change_pct: float | None
    rank: int | None
    rank_change: int | None


def movers(series: Sequence[UnitSeries], period: int, *, limit: int = 5) -> tuple[list[Mover], list[Mover]]:
    """The units that rose and fell most in ``period`` (by percentage change of the composite)."""
    moved = []
    for unit in series:
        point = unit.at(period)
        if point is not None and point.change_pct is not None:
            moved.append(
                Mover(unit.unit, unit.name, point.change, point.change_pct, point.rank, point.rank_change)
            )
    up = sorted((m for m in moved if (m.change_pct or 0) > 0), key=lambda m: -(m.change_pct or 0))[:limit]
    down = sorted((m for m in moved if (m.change_pct or 0) < 0), key=lambda m: m.change_pct or 0)[:limit]
    return up, down

"""Monitoring against the targets: current value, progress, and what each remaining year must deliver."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.errors import InvalidValue
from avbase.core.i18n import N_, _
from avbase.industry.models import (
    Enterprise,
    Park,
    ParkLevel,
    ParkStatus,
    Project,
    ProjectTier,
    ProjectYear,
    Target,
    YearlyFigure,
)
from avbase.industry.schemas import TargetSchemeIn
from avbase.kit.regions import within_prefix

DATA_DIR = Path(__file__).resolve().parent / "data"
ACTIVE_PARK = (ParkStatus.active, ParkStatus.warned)


@dataclass(frozen=True)
class Metric:
    kind: str  # flow (grows by a rate) | stock (a count that must reach a level) | cumulative | per_year
    compute: Callable[[Session, str, int, int | None], Decimal]


REVENUE_COLUMNS = ("revenue_total", "revenue_content", "revenue_electronics", "revenue_services")


def revenue_sums(session: Session, prefix: str, year: int) -> dict[str, Decimal]:
    """The four revenue totals of a region's year in one pass; memoised for one ``kpi_rows`` call."""
    memo: dict[tuple[str, int], dict[str, Decimal]] = session.info.setdefault("kpi_revenue", {})
    if (prefix, year) not in memo:
        row = session.execute(
            select(*[func.sum(getattr(YearlyFigure, name)) for name in REVENUE_COLUMNS]).where(
                YearlyFigure.year == year, within_prefix(YearlyFigure.region_code, prefix)
            )
        ).one()
        memo[(prefix, year)] = {
            name: Decimal(value or 0) for name, value in zip(REVENUE_COLUMNS, row, strict=True)
        }
    return memo[(prefix, year)]


def _revenue(name: str) -> Callable[[Session, str, int, int | None], Decimal]:
    def compute(session: Session, prefix: str, year: int, _from: int | None) -> Decimal:
        return revenue_sums(session, prefix, year)[name]

    return compute


def _parks(level: ParkLevel) -> Callable[[Session, str, int, int | None], Decimal]:
    def compute(session: Session, prefix: str, year: int, _from: int | None) -> Decimal:
        count = session.scalar(
            select(func.count())
            .select_from(Park)
            .where(Park.level == level, Park.status.in_(ACTIVE_PARK), Park.region_code.startswith(prefix))
        )
        return Decimal(count or 0)

    return compute


def _key_enterprises(session: Session, prefix: str, year: int, _from: int | None) -> Decimal:
    count = session.scalar(
        select(func.count())
        .select_from(Enterprise)
        .join(Organisation, Organisation.id == Enterprise.org_id)
        .where(Enterprise.provincial_key, Organisation.region_code.startswith(prefix))
    )
    return Decimal(count or 0)


def _investment(session: Session, prefix: str, year: int, from_year: int | None) -> Decimal:
    total = session.scalar(
        select(func.sum(ProjectYear.completed))
        .join(Project, Project.id == ProjectYear.project_id)
        .where(
            ProjectYear.year >= (from_year or year),
            ProjectYear.year <= year,
            Project.region_code.startswith(prefix),
        )
    )
    return Decimal(total or 0)


def _projects(tier: ProjectTier) -> Callable[[Session, str, int, int | None], Decimal]:
    def compute(session: Session, prefix: str, year: int, _from: int | None) -> Decimal:
        count = session.scalar(
            select(func.count())
            .select_from(Project)
            .where(
                Project.tier == tier, Project.year_selected == year, Project.region_code.startswith(prefix)
            )
        )
        return Decimal(count or 0)

    return compute


METRICS: dict[str, Metric] = {
    "revenue_total": Metric("flow", _revenue("revenue_total")),
    "revenue_content": Metric("flow", _revenue("revenue_content")),
    "revenue_electronics": Metric("flow", _revenue("revenue_electronics")),
    "revenue_services": Metric("flow", _revenue("revenue_services")),
    "national_bases": Metric("stock", _parks(ParkLevel.national)),
    "provincial_key_bases": Metric("stock", _parks(ParkLevel.provincial_key)),
    "provincial_key_enterprises": Metric("stock", _key_enterprises),
    "project_investment": Metric("cumulative", _investment),
    "head_projects": Metric("per_year", _projects(ProjectTier.head)),
    "waist_projects": Metric("per_year", _projects(ProjectTier.waist)),
}


@dataclass
class KpiRow:
    target: Target
    year: int
    current: Decimal
    previous: Decimal | None  # the same metric a year earlier (flows only)
    progress: Decimal  # current / target, 0–1 and beyond
    years_left: int
    needed_growth: Decimal | None  # flows: yearly growth rate still needed to reach the target
    needed_per_year: Decimal | None  # stocks and cumulative: what each remaining year must add
    actual_growth: Decimal | None  # flows: growth over the year before
    met: bool

    @property
    def on_track(self) -> bool:
        if self.met:
            return True
        if self.needed_growth is not None and self.actual_growth is not None:
            return self.actual_growth >= self.needed_growth
        return False

    def to_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "key": self.target.key,
            "label": self.target.label_zh,
            "unit": self.target.unit,
            "year": self.year,
            "target": text(_plain(self.target.value, self.target.unit)),
            "target_year": self.target.target_year,
            "current": text(_plain(self.current, self.target.unit)),
            "progress": text(self.progress),
            "years_left": self.years_left,
            "needed_growth": text(self.needed_growth),
            "needed_per_year": text(self.needed_per_year),
            "actual_growth": text(self.actual_growth),
            "met": self.met,
            "on_track": self.on_track,
            "source": self.target.source,
        }


def _plain(value: Decimal, unit: str) -> Decimal:
    return value.quantize(Decimal(1)) if unit == "count" else value.quantize(Decimal("0.01"))


RATE = Decimal("0.0001")


def kpi_rows(session: Session, *, scheme: str, year: int) -> list[KpiRow]:
    session.info.pop("kpi_revenue", None)  # figures may have changed since the last call in this session
    try:
        return _kpi_rows(session, scheme=scheme, year=year)
    finally:
        session.info.pop("kpi_revenue", None)


def _kpi_rows(session: Session, *, scheme: str, year: int) -> list[KpiRow]:
    rows = []
    for target in session.scalars(select(Target).where(Target.scheme == scheme).order_by(Target.id)):
        metric = METRICS.get(target.key)
        if metric is None:
            continue
        current = metric.compute(session, target.region_prefix, year, target.from_year)
        years_left = max(target.target_year - year, 0)
        value = target.value
        progress = (current / value).quantize(RATE, ROUND_HALF_UP) if value else Decimal(0)
        met = current >= value
        previous = needed_growth = needed_per_year = actual_growth = None
        if metric.kind == "flow":
            previous = metric.compute(session, target.region_prefix, year - 1, target.from_year)
            if previous:
                actual_growth = (current / previous - 1).quantize(RATE, ROUND_HALF_UP)
            if not met and years_left and current > 0:
                ratio = float(value / current) ** (1 / years_left) - 1
                needed_growth = Decimal(str(ratio)).quantize(RATE, ROUND_HALF_UP)
        elif metric.kind in ("stock", "cumulative") and not met and years_left:
            needed_per_year = ((value - current) / years_left).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(
            KpiRow(
                target,
                year,
                current,
                previous,
                progress,
                years_left,
                needed_growth,
                needed_per_year,
                actual_growth,
                met,
            )
        )
    return rows


def revenue_series(
    session: Session, *, region_prefix: str, years: list[int]
) -> dict[int, dict[str, Decimal]]:
    """Revenue per year and cluster, for the trend chart."""
    rows = session.execute(
        select(
            YearlyFigure.year,
            func.sum(YearlyFigure.revenue_content),
            func.sum(YearlyFigure.revenue_electronics),
            func.sum(YearlyFigure.revenue_services),
        )
        .where(YearlyFigure.year.in_(years), within_prefix(YearlyFigure.region_code, region_prefix))
        .group_by(YearlyFigure.year)
    )
    return {
        int(year): {"content": Decimal(c or 0), "electronics": Decimal(e or 0), "services": Decimal(s or 0)}
        for year, c, e, s in rows
    }


def _unit_name(level: Any, unit: str, name: str) -> str:
    """Enterprises registered at a city's own code are the city's districts as a whole, not a county: under
    金华市 they read 金华市（市辖区）, never 金华市 again."""
    if level.value == "county" and len(unit) == 6 and unit.endswith("00"):
        return _("{city} (city districts)", city=name)
    return name


def drilldown(session: Session, *, region_prefix: str, year: int, by: str) -> list[dict[str, Any]]:
    """Revenue, enterprises and R&D by city, county or park for one year; largest first."""
    from avbase.industry.indicators import unit_names, unit_values
    from avbase.industry.models import UnitLevel

    level = UnitLevel(by)
    values = unit_values(session, level=level, region_prefix=region_prefix, year=year)
    names = unit_names(session, level, list(values))
    rows = [
        {"unit": unit, "name": _unit_name(level, unit, names.get(unit, unit)), **indicators}
        for unit, indicators in values.items()
        if unit not in ("None", "")
    ]
    return sorted(rows, key=lambda row: -(row["revenue"] or 0))


def load_targets(session: Session, scheme: TargetSchemeIn) -> int:
    """Creates or updates a scheme's targets (audited); returns how many were written."""
    unknown = sorted({item.key for item in scheme.targets} - METRICS.keys())
    if unknown:
        raise InvalidValue(N_("Unknown target metric: {key}."), key=", ".join(unknown))
    existing = {t.key: t for t in session.scalars(select(Target).where(Target.scheme == scheme.scheme))}
    for item in scheme.targets:
        target = existing.get(item.key) or Target(scheme=scheme.scheme, key=item.key)
        for key, value in item.model_dump().items():
            setattr(target, key, value)
        target.region_prefix = scheme.region_prefix
        session.add(target)
    session.flush()
    return len(scheme.targets)


def load_target_file(session: Session, path: Path) -> int:
    with path.open("rb") as handle:
        return load_targets(session, TargetSchemeIn.model_validate(tomllib.load(handle)))


def load_default_targets(session: Session) -> int:
    return load_target_file(session, DATA_DIR / "targets-zj2024.toml")


def schemes(session: Session, prefix: str = "") -> list[str]:
    """Target schemes that cover a region: a Hunan officer is not shown Zhejiang's targets (administrators,
    with the empty prefix, see every scheme)."""
    rows = session.execute(select(Target.scheme, Target.region_prefix).distinct().order_by(Target.scheme))
    return list(dict.fromkeys(scheme for scheme, region in rows if prefix.startswith(region) or not prefix))

"""赛马 (ZJ 3): rank enterprises, or the products and technologies registered under them, within peer groups.

Each metric is min-max normalised within the group (0–100), weighted and summed into a 0–100 score; ranks
are compared with the previous period's to show the movers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.errors import AvbaseError, NotFound
from avbase.core.i18n import N_
from avbase.industry.models import (
    Category,
    Cluster,
    Enterprise,
    Product,
    ProductFigure,
    RankingScheme,
    Tier,
    YearlyFigure,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
ENTERPRISE_METRICS = ("revenue", "revenue_growth", "rnd_intensity", "exports", "titles", "employees")
PRODUCT_METRICS = ("revenue", "revenue_growth", "users", "patents")
GROUPINGS = ("cluster", "category", "tier")
METRIC_LABELS = {
    "revenue": N_("Revenue"),
    "revenue_growth": N_("Revenue growth"),
    "rnd_intensity": N_("R&D intensity"),
    "exports": N_("Exports"),
    "titles": N_("Titles produced"),
    "employees": N_("Employees"),
    "users": N_("Users"),
    "patents": N_("Patents"),
}


@dataclass
class RankRow:
    subject_id: int
    name: str
    score: float
    rank: int
    previous_rank: int | None
    metrics: dict[str, float | None] = field(default_factory=dict)

    @property
    def movement(self) -> int | None:
        """Places gained since the previous period (positive: moved up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


def load_default_schemes(session: Session) -> int:
    with (DATA_DIR / "schemes.toml").open("rb") as handle:
        items = tomllib.load(handle)["ranking"]
    count = 0
    for item in items:
        if session.scalar(select(RankingScheme.id).where(RankingScheme.name == item["name"])) is None:
            session.add(RankingScheme(**item))
            count += 1
    session.flush()
    return count


def get_scheme(session: Session, name: str) -> RankingScheme:
    scheme = session.scalar(select(RankingScheme).where(RankingScheme.name == name))
    if scheme is None:
        raise NotFound("No ranking scheme is called {name}.", field="scheme", name=name)
    return scheme


def list_schemes(session: Session) -> list[RankingScheme]:
    return list(session.scalars(select(RankingScheme).order_by(RankingScheme.name)))


def _known_group(enum: type[StrEnum], group: str) -> str:
    """A peer group named by a value the column can hold; anything else is the caller's mistake (a 400),
    not a database error."""
    if group not in {member.value for member in enum}:
        raise AvbaseError("Unknown group {group}.", field="group", group=group)
    return group


def _group_filter(scheme: RankingScheme, group: str) -> Any:
    if scheme.group_by == "cluster":
        return Enterprise.cluster == _known_group(Cluster, group)
    if scheme.group_by == "tier":
        return Enterprise.tier == _known_group(Tier, group)
    if scheme.group_by == "category":
        return Enterprise.category_id.in_(select(Category.id).where(Category.code == group))
    raise AvbaseError("Unknown grouping {group}.", field="group", group=scheme.group_by)


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return float(numerator / denominator)


def _enterprise_metrics(
    session: Session, scheme: RankingScheme, group: str, period: int, region_prefix: str
) -> dict[int, tuple[str, dict[str, float | None]]]:
    in_region = Organisation.region_code.startswith(region_prefix)
    stmt = (
        select(Enterprise.id, Organisation.name, YearlyFigure)
        .join(Organisation, Organisation.id == Enterprise.org_id)
        .join(YearlyFigure, YearlyFigure.enterprise_id == Enterprise.id)
        .where(YearlyFigure.year == period, _group_filter(scheme, group), in_region)
    )
    current = {eid: (name, figure) for eid, name, figure in session.execute(stmt)}
    previous = dict(
        session.execute(
            select(YearlyFigure.enterprise_id, YearlyFigure.revenue_total)
            .join(Enterprise, Enterprise.id == YearlyFigure.enterprise_id)
            .join(Organisation, Organisation.id == Enterprise.org_id)
            .where(YearlyFigure.year == period - 1, _group_filter(scheme, group), in_region)
        ).all()
    )
    result = {}
    for eid, (name, figure) in current.items():
        growth = _ratio(figure.revenue_total, previous.get(eid))
        result[eid] = (
            name,
            {
                "revenue": float(figure.revenue_total),
                "revenue_growth": None if growth is None else growth - 1,
                "rnd_intensity": _ratio(figure.rnd_expense, figure.revenue_total),
                "exports": float(figure.exports),
                "titles": float(figure.titles),
                "employees": float(figure.employees),
            },
        )
    return result


def _product_metrics(
    session: Session, scheme: RankingScheme, group: str, period: int, region_prefix: str
) -> dict[int, tuple[str, dict[str, float | None]]]:
    if scheme.group_by != "cluster":
        raise AvbaseError("Products are grouped by cluster.", field="group")
    in_region = Product.org_id.in_(
        select(Organisation.id).where(Organisation.region_code.startswith(region_prefix))
    )
    stmt = (
        select(Product.id, Product.name, ProductFigure)
        .join(ProductFigure, ProductFigure.product_id == Product.id)
        .where(ProductFigure.year == period, Product.cluster == _known_group(Cluster, group), in_region)
    )
    current = {pid: (name, figure) for pid, name, figure in session.execute(stmt)}
    previous = dict(
        session.execute(
            select(ProductFigure.product_id, ProductFigure.revenue)
            .join(Product, Product.id == ProductFigure.product_id)
            .where(ProductFigure.year == period - 1, Product.cluster == group, in_region)
        ).all()
    )
    result = {}
    for pid, (name, figure) in current.items():
        growth = _ratio(figure.revenue, previous.get(pid))
        result[pid] = (
            name,
            {
                "revenue": float(figure.revenue),
                "revenue_growth": None if growth is None else growth - 1,
                "users": float(figure.users),
                "patents": float(figure.patents),
            },
        )
    return result


def score_group(
    subjects: dict[int, tuple[str, dict[str, float | None]]], metrics: list[dict[str, Any]]
) -> list[RankRow]:
    """Pure scoring: min-max within the group per metric (missing = 0 points), weighted, ranked 1, 2, 2, 4."""
    total_weight = sum(float(m["weight"]) for m in metrics) or 1.0
    bounds: dict[str, tuple[float, float]] = {}
    for metric in metrics:
        present = [v for _, values in subjects.values() if (v := values.get(metric["key"])) is not None]
        if present:
            bounds[metric["key"]] = (min(present), max(present))
    rows = []
    for subject_id, (name, values) in subjects.items():
        score = 0.0
        for metric in metrics:
            value = values.get(metric["key"])
            if value is None or metric["key"] not in bounds:
                continue
            low, high = bounds[metric["key"]]
            points = 100.0 if high == low else 100.0 * (value - low) / (high - low)
            score += float(metric["weight"]) * points
        rows.append(RankRow(subject_id, name, round(score / total_weight, 6), 0, None, values))
    rows.sort(key=lambda r: (-r.score, r.name, r.subject_id))
    for position, row in enumerate(rows, start=1):
        row.rank = (
            rows[position - 2].rank if position > 1 and row.score == rows[position - 2].score else position
        )
    return rows


def rank(
    session: Session, scheme: RankingScheme, *, group: str, period: int, region_prefix: str = ""
) -> list[RankRow]:
    """The group's ranking for ``period``; ``region_prefix`` (GB/T 2260, e.g. "33") keeps one province's
    or city's race apart from another's."""
    gather = _product_metrics if scheme.subject == "product" else _enterprise_metrics
    rows = score_group(gather(session, scheme, group, period, region_prefix), scheme.metrics)
    before = {
        row.subject_id: row.rank
        for row in score_group(gather(session, scheme, group, period - 1, region_prefix), scheme.metrics)
    }
    for row in rows:
        row.previous_rank = before.get(row.subject_id)
    return rows


def movers(rows: list[RankRow], *, limit: int = 5) -> tuple[list[RankRow], list[RankRow]]:
    """The biggest climbers and fallers since the previous period."""
    moved = [row for row in rows if row.movement]
    up = sorted((r for r in moved if (r.movement or 0) > 0), key=lambda r: -(r.movement or 0))[:limit]
    down = sorted((r for r in moved if (r.movement or 0) < 0), key=lambda r: r.movement or 0)[:limit]
    return up, down

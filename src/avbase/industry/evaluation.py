"""Yearly park evaluation (ZJ 4 进入退出机制): configurable indicators → score → enter/keep/warn/exit."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal, require_steward
from avbase.industry.indicators import unit_values
from avbase.industry.models import Park, ParkEvaluation, ParkStatus, Recommendation, UnitLevel

DATA_DIR = Path(__file__).resolve().parent / "data"


def default_scheme() -> dict[str, Any]:
    with (DATA_DIR / "schemes.toml").open("rb") as handle:
        return dict(tomllib.load(handle)["park_evaluation"])


def score(scheme: dict[str, Any], values: dict[str, float | None]) -> tuple[float, dict[str, Any]]:
    """Points per indicator: min(value / full_at, 1) × weight (never below 0); the score is their sum."""
    inputs: dict[str, Any] = {}
    total = 0.0
    for indicator in scheme["indicators"]:
        value = values.get(indicator["key"])
        fraction = 0.0 if value is None else min(max(value / float(indicator["full_at"]), 0.0), 1.0)
        points = round(fraction * float(indicator["weight"]), 4)
        inputs[indicator["key"]] = {
            "value": value,
            "full_at": indicator["full_at"],
            "weight": indicator["weight"],
            "points": points,
        }
        total += points
    return round(total, 4), inputs


def recommend(
    scheme: dict[str, Any], status: ParkStatus, points: float, *, warned_last_year: bool
) -> Recommendation:
    """Candidates enter at ``enter_at``; members keep at ``keep_at``, are warned below it, and exit below
    ``warn_at`` or when warned two years running."""
    if status is ParkStatus.candidate:
        return Recommendation.enter if points >= scheme["enter_at"] else Recommendation.warn
    if points >= scheme["keep_at"]:
        return Recommendation.keep
    if points >= scheme["warn_at"] and not warned_last_year:
        return Recommendation.warn
    return Recommendation.exit


def evaluate_parks(
    session: Session,
    principal: Principal,
    *,
    year: int,
    region_prefix: str,
    scheme: dict[str, Any] | None = None,
    apply_status: bool = False,
) -> list[ParkEvaluation]:
    """Evaluates every park in the region for ``year``; each run is a new version, earlier ones are kept."""
    require_steward(principal)
    scheme = scheme or default_scheme()
    values = unit_values(session, level=UnitLevel.park, region_prefix=region_prefix, year=year)
    results = []
    for park in session.scalars(
        select(Park).where(Park.region_code.startswith(region_prefix)).order_by(Park.id)
    ):
        points, inputs = score(scheme, values.get(str(park.id), {}))
        last = session.scalar(
            select(ParkEvaluation)
            .where(ParkEvaluation.park_id == park.id, ParkEvaluation.year == year - 1)
            .order_by(ParkEvaluation.version.desc())
            .limit(1)
        )
        warned = last is not None and last.recommendation is Recommendation.warn
        version = session.scalar(
            select(func.max(ParkEvaluation.version)).where(
                ParkEvaluation.park_id == park.id, ParkEvaluation.year == year
            )
        )
        evaluation = ParkEvaluation(
            park_id=park.id,
            year=year,
            version=(version or 0) + 1,
            scheme=scheme,
            inputs=inputs,
            score=points,
            recommendation=recommend(scheme, park.status, points, warned_last_year=warned),
            evaluated_by_id=principal.user_id or None,
        )
        session.add(evaluation)
        if apply_status:
            park.status = {
                Recommendation.enter: ParkStatus.active,
                Recommendation.keep: ParkStatus.active,
                Recommendation.warn: ParkStatus.warned
                if park.status is not ParkStatus.candidate
                else park.status,
                Recommendation.exit: ParkStatus.exited,
            }[evaluation.recommendation]
        results.append(evaluation)
    session.flush()
    return results


def history(session: Session, park_id: int) -> list[ParkEvaluation]:
    return list(
        session.scalars(
            select(ParkEvaluation)
            .where(ParkEvaluation.park_id == park_id)
            .order_by(ParkEvaluation.year.desc(), ParkEvaluation.version.desc())
        )
    )

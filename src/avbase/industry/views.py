"""Stored runs and rankings turned into the shapes the API returns and the pages show."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from avbase.core.i18n import _
from avbase.industry import composite, index_series, index_service
from avbase.industry.models import IndexDefinition, IndexRun, RankingScheme
from avbase.industry.ranking import RankRow
from avbase.industry.schemas import (
    IndexRunOut,
    IndexSeriesOut,
    RankingOut,
    RankRowOut,
    SensitivityOut,
    SensitivityRowOut,
    SeriesPointOut,
    SeriesUnitOut,
)


def index_run_out(definition: IndexDefinition, run: IndexRun) -> IndexRunOut:
    return IndexRunOut.model_validate(
        {
            "run": run.id,
            "definition": definition.name,
            "version": definition.version,
            "title": definition.title,
            "period": run.period,
            "normalisation": definition.normalisation,
            "base_period": definition.base_period,
            "input_digest": run.input_digest,
            "parameters": run.result.get("parameters", {}),
            "units": index_service.ranked_units(run),
        }
    )


def sensitivity_out(session: Session, definition: IndexDefinition, period: int) -> SensitivityOut:
    inputs = index_service.gather_inputs(session, definition, period)
    view = composite.sensitivity(index_service.spec_of(definition), inputs.values, inputs.base)
    names = inputs.names
    return SensitivityOut(
        definition=definition.name,
        period=period,
        scenarios=view.scenarios,
        mean_shift=view.mean_shift,
        rows=[
            SensitivityRowOut(
                unit=row.unit,
                name=names.get(row.unit, row.unit),
                baseline_rank=row.baseline_rank,
                ranks=row.ranks,
                max_shift=row.max_shift,
            )
            for row in view.rows
        ],
    )


def ranking_out(
    scheme: RankingScheme, group: str, period: int, region: str, rows: list[RankRow]
) -> RankingOut:
    return RankingOut(
        scheme=scheme.name,
        title=scheme.title,
        group=group,
        period=period,
        region=region,
        rows=[
            RankRowOut(
                rank=row.rank,
                id=row.subject_id,
                name=row.name,
                score=row.score,
                previous_rank=row.previous_rank,
                movement=row.movement,
                metrics=row.metrics,
            )
            for row in rows
        ],
    )


def index_series_out(view: index_series.SeriesView) -> IndexSeriesOut:
    return IndexSeriesOut(
        definition=view.definition.name,
        version=view.definition.version,
        title=view.definition.title,
        level=view.level,
        base_period=view.definition.base_period,
        periods=view.periods,
        method_changes=view.method_changes,
        units=[
            SeriesUnitOut(
                unit=unit.unit,
                name=unit.name,
                points=[SeriesPointOut.model_validate(asdict(point)) for point in unit.points],
            )
            for unit in view.units
        ],
    )


def scenario_label_of(name: str, pillar_names: dict[str, str]) -> str:
    """A sensitivity scenario (``equal``, ``without:<pillar>``, ``double:<pillar>``) in words."""
    change, _sep, pillar = name.partition(":")
    if change == "without":
        return _("Without {pillar}", pillar=pillar_names.get(pillar, pillar))
    if change == "double":
        return _("{pillar} weight doubled", pillar=pillar_names.get(pillar, pillar))
    return _("Equal pillar weights")

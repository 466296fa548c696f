"""Index definitions as versioned data, computed runs frozen with their inputs, and sensitivity views."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.errors import NotFound
from avbase.core.i18n import N_
from avbase.industry import composite
from avbase.industry.indicators import unit_names, unit_values
from avbase.industry.models import IndexDefinition, IndexRun, Normalisation, UnitLevel
from avbase.industry.schemas import IndexDefinitionIn

DATA_DIR = Path(__file__).resolve().parent / "data"


# The notes of the built-in definitions (data/index-definitions.toml), known to the catalogue so that pages
# show them in the reader's language; an operator's own notes are shown as written.
DEFAULT_NOTES = (
    N_("Cities of Zhejiang; min-max across cities within each year; arithmetic aggregation."),
    N_("Parks of Zhejiang; z-scores across parks within each year."),
    N_(
        "HN 十 丰富拓展“马栏山指数”: Hunan as a whole, each indicator relative to 2021 = 100; sub-"
        "indices for Hunan's cities (市州) and the parks of the Malanshan base on the same "
        "method."
    ),
    N_(
        "ZJ 监测评估: Zhejiang as a whole, each indicator relative to 2021 = 100; sub-indices"
        " for its cities and parks on the same method."
    ),
)


def latest_definition(session: Session, name: str) -> IndexDefinition:
    definition = session.scalar(
        select(IndexDefinition)
        .where(IndexDefinition.name == name)
        .order_by(IndexDefinition.version.desc())
        .limit(1)
    )
    if definition is None:
        raise NotFound("No index definition is called {name}.", field="definition", name=name)
    return definition


def list_definitions(session: Session) -> list[IndexDefinition]:
    """The latest version of each definition."""
    latest = (
        select(IndexDefinition.name, func.max(IndexDefinition.version).label("version"))
        .group_by(IndexDefinition.name)
        .subquery()
    )
    return list(
        session.scalars(
            select(IndexDefinition)
            .join(
                latest,
                (latest.c.name == IndexDefinition.name) & (latest.c.version == IndexDefinition.version),
            )
            .order_by(IndexDefinition.name)
        )
    )


def save_definition(session: Session, data: IndexDefinitionIn) -> IndexDefinition:
    """A new version of the named definition (version 1 when new); earlier versions stay for old runs."""
    version = session.scalar(
        select(func.max(IndexDefinition.version)).where(IndexDefinition.name == data.name)
    )
    definition = IndexDefinition(
        name=data.name,
        version=(version or 0) + 1,
        title=data.title,
        unit_level=data.unit_level,
        region_prefix=data.region_prefix,
        normalisation=data.normalisation,
        base_period=data.base_period,
        pillars=[pillar.model_dump() for pillar in data.pillars],
        note=data.note,
        sub_levels=[level.value for level in data.sub_levels],
    )
    session.add(definition)
    session.flush()
    return definition


def load_default_definitions(session: Session) -> int:
    with (DATA_DIR / "index-definitions.toml").open("rb") as handle:
        items = tomllib.load(handle)["definitions"]
    count = 0
    for item in items:
        if session.scalar(select(IndexDefinition.id).where(IndexDefinition.name == item["name"])) is None:
            save_definition(session, IndexDefinitionIn.model_validate(item))
            count += 1
    return count


def spec_of(definition: IndexDefinition) -> composite.IndexSpec:
    return composite.IndexSpec.from_pillars(definition.normalisation.value, definition.pillars)


@dataclass
class Inputs:
    values: composite.UnitValues
    base: composite.UnitValues | None
    names: dict[str, str]


def gather_inputs(
    session: Session, definition: IndexDefinition, period: int, level: UnitLevel | None = None
) -> Inputs:
    """The indicator values of ``period`` for the definition's units, or for the units of a sub-index
    ``level`` (cities, parks) within the same region, on the same method."""
    level = level or UnitLevel(definition.unit_level)
    keys = spec_of(definition).indicator_keys()

    def pick(year: int) -> dict[str, dict[str, float | None]]:
        found = unit_values(session, level=level, region_prefix=definition.region_prefix, year=year)
        return {
            unit: {k: row.get(k) for k in keys} for unit, row in found.items() if unit not in ("None", "")
        }

    values = pick(period)
    base = None
    if definition.normalisation is Normalisation.base_ratio and definition.base_period is not None:
        base = pick(definition.base_period)
        values = {unit: row for unit, row in values.items() if unit in base}
    return Inputs(values, base, unit_names(session, level, list(values)))


def _definition_data(definition: IndexDefinition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "version": definition.version,
        "normalisation": definition.normalisation.value,
        "base_period": definition.base_period,
        "pillars": definition.pillars,
    }


def compute_run(
    session: Session,
    principal: Principal | None,
    definition: IndexDefinition,
    period: int,
    *,
    reuse: bool = False,
) -> IndexRun:
    """Computes and stores the index for ``period``; the run keeps its inputs and an input digest.

    With ``reuse``, the latest stored run is returned instead when its input digest matches today's inputs,
    so viewing an index does not store a new identical run each time.
    """
    inputs = gather_inputs(session, definition, period)
    input_digest = composite.digest(_definition_data(definition), period, inputs.values, inputs.base)
    if reuse:
        latest = latest_run(session, definition, period)
        if latest is not None and latest.input_digest == input_digest:
            return latest
    result = composite.compute(spec_of(definition), inputs.values, inputs.base)
    payload: dict[str, Any] = result.to_json()
    payload["names"] = inputs.names
    payload["inputs"] = {"values": inputs.values, "base": inputs.base}
    run = IndexRun(
        definition_id=definition.id,
        period=period,
        computed_by_id=(principal.user_id or None) if principal else None,
        input_digest=input_digest,
        result=payload,
    )
    session.add(run)
    session.flush()
    return run


def latest_run(session: Session, definition: IndexDefinition, period: int) -> IndexRun | None:
    return session.scalar(
        select(IndexRun)
        .where(IndexRun.definition_id == definition.id, IndexRun.period == period)
        .order_by(IndexRun.id.desc())
        .limit(1)
    )


def get_run(session: Session, run_id: int) -> IndexRun:
    run = session.get(IndexRun, run_id)
    if run is None:
        raise NotFound("Index run not found.")
    return run


def sensitivity(session: Session, definition: IndexDefinition, period: int) -> composite.Sensitivity:
    inputs = gather_inputs(session, definition, period)
    return composite.sensitivity(spec_of(definition), inputs.values, inputs.base)


def ranked_units(run: IndexRun) -> list[dict[str, Any]]:
    units = sorted(run.result["units"], key=lambda u: (u["rank"] is None, u["rank"] or 0, u["unit"]))
    names = run.result.get("names", {})
    return [{**unit, "name": names.get(unit["unit"], unit["unit"])} for unit in units]

"""The measures catalogue: loaded from ``data/measures.toml`` into the database, and turned into rules."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from avbase.policy.models import Measure, MeasureParameter, PolicyDocument
from avbase.policy.rules import FactSpec, Parameter, Rule, RuleKind

DATA_FILE = Path(__file__).resolve().parent / "data" / "measures.toml"


def read_catalogue(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_catalogue(session: Session, path: Path = DATA_FILE) -> int:
    """Adds the documents, measures and parameters that are not in the database yet; returns how many
    measures were added. What an authority amended since (new parameter versions) is left alone."""
    data = read_catalogue(path)
    for code, document in data["documents"].items():
        if (stored := session.get(PolicyDocument, code)) is not None:
            if stored.region_code is None and document.get("region"):
                stored.region_code = document["region"]
        else:
            session.add(
                PolicyDocument(
                    code=code,
                    title=document["title"],
                    issuer=document["issuer"],
                    number=document.get("number"),
                    issued_on=document["issued_on"],
                    in_force_from=document["in_force_from"],
                    in_force_until=document.get("in_force_until"),
                    non_cumulation=document.get("non_cumulation"),
                    region_code=document.get("region"),
                )
            )
    session.flush()
    units = data.get("units", {})
    existing = set(session.scalars(select(Measure.id)))
    added = 0
    for item in data["measure"]:
        if item["id"] in existing:
            continue
        session.add(
            Measure(
                id=item["id"],
                document_code=item["document"],
                article=item["article"],
                kind=RuleKind(item["kind"]).value,
                title_zh=item["title_zh"],
                title_en=item["title_en"],
                source_text=item["source"],
                units=list(units.get(item["document"], {}).get(item["article"], {}).get("names", [])),
                units_note=item.get("units_note"),
                evidence=list(item.get("evidence", [])),
                facts=list(item.get("facts", [])),
                group_key=item.get("group"),
                numerator=item.get("numerator"),
                denominator=item.get("denominator"),
                note=item.get("note"),
                parameters=[
                    MeasureParameter(
                        name=p["name"],
                        value=str(Decimal(p["value"])),
                        effective_from=p["effective_from"],
                        note=p.get("note"),
                    )
                    for p in item.get("parameters", [])
                ],
            )
        )
        added += 1
    session.flush()
    return added


def rule_of(measure: Measure) -> Rule:
    """The executable rule of a measure as stored (with every parameter version)."""
    document = measure.document
    return Rule(
        measure_id=measure.id,
        kind=RuleKind(measure.kind),
        in_force_from=document.in_force_from,
        in_force_until=document.in_force_until,
        facts=tuple(
            FactSpec(
                name=f["name"],
                kind=f["kind"],
                choices=tuple(f.get("choices", ())),
                eligible=tuple(f.get("eligible", ())),
                required=bool(f.get("required", True)),
                must_be_true=bool(f.get("must_be_true", False)),
                positive=bool(f.get("positive", False)),
            )
            for f in measure.facts
        ),
        parameters=tuple(
            Parameter(p.name, Decimal(p.value), p.effective_from, p.note or "") for p in measure.parameters
        ),
        group=measure.group_key,
        numerator=measure.numerator or "",
        denominator=measure.denominator or "",
    )


def all_rules(session: Session) -> dict[str, Rule]:
    """Every measure's rule, loaded in two queries (for batch evaluation)."""
    measures = session.scalars(select(Measure).options(selectinload(Measure.parameters)))
    return {measure.id: rule_of(measure) for measure in measures}


def in_force(document: PolicyDocument, on: date) -> bool:
    return document.in_force_from <= on and (document.in_force_until is None or on <= document.in_force_until)

"""Award reports by measure, lead unit, region and year: applications, approvals, commitments, payments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal, jurisdiction_prefix, require_steward
from avbase.kit.regions import region_name
from avbase.policy import books
from avbase.policy.models import Application, Budget, Measure

Grouping = Literal["measure", "unit", "region"]
ZERO = Decimal(0)


@dataclass
class AwardRow:
    key: str
    name: str
    applications: int = 0
    approved: Decimal = ZERO  # approved amounts of applications that reached approval
    committed: Decimal = ZERO  # net of reversals
    disbursed: Decimal = ZERO  # net of reversals
    budget: Decimal | None = None
    states: dict[str, int] = field(default_factory=dict)


def award_report(
    session: Session, principal: Principal, *, year: int, by: Grouping, locale: str
) -> list[AwardRow]:
    """One row per measure, lead unit or applicant city; applications submitted in ``year`` and ledger
    entries booked against ``year``'s budgets. Authorities see their jurisdiction's applicants."""
    require_steward(principal)
    prefix = "" if principal.is_admin else jurisdiction_prefix(principal.region_code)
    measures = {m.id: m for m in session.scalars(select(Measure))}

    def key_of(measure_id: str, region: str) -> tuple[str, str]:
        measure = measures[measure_id]
        if by == "measure":
            return measure.id, measure.title_zh if locale == "zh_Hans" else measure.title_en
        if by == "unit":
            unit = measure.lead_unit or "—"
            return unit, unit
        city = region[:4] + "00"
        return city, region_name(city, locale)

    rows: dict[str, AwardRow] = {}

    def row(measure_id: str, region: str) -> AwardRow:
        key, name = key_of(measure_id, region)
        return rows.setdefault(key, AwardRow(key, name))

    in_scope = Organisation.region_code.startswith(prefix)
    applications = session.execute(
        select(
            Application.measure_id, Organisation.region_code, Application.state, Application.approved_amount
        )
        .join(Organisation, Organisation.id == Application.org_id)
        .where(
            in_scope,
            Application.submitted_on >= date(year, 1, 1),
            Application.submitted_on < date(year + 1, 1, 1),
        )
    ).all()
    for measure_id, region, state, approved in applications:
        target = row(measure_id, region)
        target.applications += 1
        target.states[state.value] = target.states.get(state.value, 0) + 1
        if approved is not None and state.value in ("approved", "committed", "disbursed"):
            target.approved += approved
    for measure_id, region, committed, paid in books.booked_by_measure_and_region(
        session, year=year, region_prefix=prefix
    ):
        target = row(measure_id, region)
        target.committed += committed
        target.disbursed += paid
    if by == "measure":
        for measure_id, amount in session.execute(
            select(Budget.measure_id, Budget.amount).where(Budget.year == year)
        ):
            row(measure_id, "").budget = amount
    return sorted(rows.values(), key=lambda r: (-r.committed, -r.applications, r.key))

"""Measures: the catalogue, quotes as of a date with their trace, amendments of caps and rates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal, jurisdiction_prefix, require_steward
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.core.i18n import get_locale
from avbase.kit.regions import region_path
from avbase.policy.catalogue import rule_of
from avbase.policy.models import Measure, MeasureParameter, PolicyDocument
from avbase.policy.rules import Quote, evaluate, grant_highest


def list_measures(
    session: Session, *, document: str | None = None, kind: str | None = None, search: str | None = None
) -> list[Measure]:
    stmt = select(Measure).order_by(Measure.document_code, Measure.id)
    if document:
        stmt = stmt.where(Measure.document_code == document)
    if kind:
        stmt = stmt.where(Measure.kind == kind)
    if search:
        stmt = stmt.where(
            or_(
                Measure.id.contains(search),
                Measure.title_zh.contains(search),
                Measure.title_en.contains(search),
                Measure.source_text.contains(search),
            )
        )
    return list(session.scalars(stmt))


def get_document(session: Session, code: str) -> PolicyDocument:
    document = session.get(PolicyDocument, code)
    if document is None:
        raise NotFound("No policy document has the code {code}.", field="document", code=code)
    return document


def region_label(code: str | None) -> str:
    """A region as people read it, from the province down (浙江省杭州市西湖区; Zhejiang · Xihu District),
    never its bare code."""
    return region_path(code, get_locale()) if code else "—"


def within_region(region_code: str, document: PolicyDocument) -> bool:
    """Whether an organisation in ``region_code`` lies where the document applies."""
    return document.region_code is None or region_code.startswith(jurisdiction_prefix(document.region_code))


def check_applicant_region(session: Session, measure: Measure, org_id: int) -> None:
    """A measure supports enterprises where its document applies (a Hunan award is not for Zhejiang)."""
    org = session.get(Organisation, org_id)
    if org is not None and not within_region(org.region_code, measure.document):
        raise Forbidden(
            "This measure applies in {region}; {org} is registered in {own}.",
            field="measure",
            region=region_label(measure.region_code),
            org=org.name,
            own=region_label(org.region_code),
        )


def stewards_document(principal: Principal, document: PolicyDocument) -> bool:
    """Administrators, and the authorities of the province the document applies in (a Zhejiang officer does
    not change a Hunan measure, nor a city bureau its province's)."""
    if principal.is_admin:
        return True
    if not principal.is_authority or document.region_code is None:
        return False
    return jurisdiction_prefix(document.region_code).startswith(jurisdiction_prefix(principal.region_code))


def require_document_steward(principal: Principal, document: PolicyDocument) -> None:
    require_steward(principal)
    if not stewards_document(principal, document):
        raise Forbidden(
            "Only the authorities of {region} may change the measures of this document.",
            region=region_label(document.region_code),
        )


def get_measure(session: Session, measure_id: str) -> Measure:
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound("No measure has the id {id}.", field="measure", id=measure_id)
    return measure


def quote(session: Session, measure_id: str, facts: Mapping[str, object], *, on: date) -> Quote:
    """The amount or decision the measure gives for these facts, using the rule in force on ``on``."""
    return evaluate(rule_of(get_measure(session, measure_id)), facts, on=on)


def quote_item(session: Session, claims: Mapping[str, Mapping[str, object]], *, on: date) -> list[Quote]:
    """Several measures claimed for one item: each is quoted, then the non-cumulation groups decide."""
    measures = {measure_id: get_measure(session, measure_id) for measure_id in claims}
    quotes = [evaluate(rule_of(measures[mid]), facts, on=on) for mid, facts in claims.items()]
    return grant_highest(quotes, {mid: m.group_key for mid, m in measures.items()})


def amend_parameter(
    session: Session,
    principal: Principal,
    measure_id: str,
    *,
    name: str,
    value: str,
    effective_from: date,
    note: str | None = None,
) -> MeasureParameter:
    """A new value of a cap, rate or threshold from a date on; earlier evaluations keep their values."""
    measure = get_measure(session, measure_id)
    require_document_steward(principal, measure.document)
    if name not in {p.name for p in measure.parameters}:
        raise AvbaseError("The measure {id} has no parameter {name}.", field="name", id=measure_id, name=name)
    try:
        amount = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        raise AvbaseError("The value must be a number.", field="value") from None
    if not amount.is_finite() or amount < 0:
        raise AvbaseError("The value must be a number that is not negative.", field="value")
    if any(p.name == name and p.effective_from == effective_from for p in measure.parameters):
        raise Conflict(
            "{name} already has a value from {date}.",
            field="effective_from",
            name=name,
            date=effective_from.isoformat(),
        )
    parameter = MeasureParameter(
        measure_id=measure.id, name=name, value=str(amount), effective_from=effective_from, note=note
    )
    measure.parameters.append(parameter)
    session.flush()
    return parameter

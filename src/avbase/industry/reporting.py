"""Which of a park's enterprises have reported, and the operator's reminder to those that have not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core import audit
from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import Forbidden
from avbase.core.i18n import _, reset_locale, set_locale
from avbase.core.inbox import InboxItem, Urgency
from avbase.core.notifications.service import deliver
from avbase.industry import registry
from avbase.industry.inbox import PARK_REMINDER, latest_filings, owed_reports, report_deadline
from avbase.industry.models import Enterprise, Park, PeriodKind
from avbase.industry.schemas import period_label
from avbase.settings import get_settings


@dataclass(frozen=True)
class MemberStatus:
    enterprise: Enterprise
    kind: PeriodKind
    last_filed: str | None  # the label of the newest filed period
    owed: list[str]  # labels of the closed periods not filed
    overdue: bool  # the oldest owed period is past its deadline

    @property
    def up_to_date(self) -> bool:
        return not self.owed


def park_reporting(session: Session, principal: Principal, park: Park, *, on: date) -> list[MemberStatus]:
    """Every enterprise of the park with its reporting state; late ones first, then by name."""
    if not registry.may_see_evaluations(principal, park):
        raise Forbidden("Only the park's operator and the authorities over it see its reporting.")
    members = list(session.scalars(select(Enterprise).where(Enterprise.park_id == park.id)))
    ids = [e.id for e in members]
    filings = latest_filings(session, ids)
    owed = owed_reports(session, ids, on=on)
    rows = []
    for enterprise in members:
        kind, last = filings.get(enterprise.id, (PeriodKind.quarter, None))
        owed_kind, periods = owed.get(enterprise.id, (kind, []))
        rows.append(
            MemberStatus(
                enterprise=enterprise,
                kind=owed_kind,
                last_filed=period_label(kind, last) if last else None,
                owed=[period_label(owed_kind, start) for start in periods],
                overdue=bool(periods) and report_deadline(owed_kind, periods[0]) < on,
            )
        )
    return sorted(rows, key=lambda r: (not r.overdue, r.up_to_date, r.enterprise.organisation.name))


def remind_late(session: Session, principal: Principal, park: Park, *, on: date) -> int:
    """Tells the staff of each enterprise that is late (overdue) what it owes, once a day at most; returns how
    many enterprises were reminded."""
    if not (
        principal.is_admin
        or (principal.role is Role.park_operator and park.operator_org_id == principal.org_id)
    ):
        raise Forbidden("Only the park's operator sends its reminders.")
    late = [row for row in park_reporting(session, principal, park, on=on) if row.overdue]
    reminded = 0
    for row in late:
        staff = session.scalars(
            select(User).where(
                User.org_id == row.enterprise.org_id, User.role == Role.enterprise_staff, User.is_active
            )
        )
        sent = False
        for user in staff:
            token = set_locale(user.locale or get_settings().default_locale)
            try:
                item = InboxItem(
                    key=f"{park.id}:{row.enterprise.id}:{on.isoformat()}",
                    kind=PARK_REMINDER,
                    domain="industry",
                    title=_(
                        "{park} reminds you to file the statistics report for {periods}",
                        park=park.name,
                        periods="、".join(row.owed[:3]),
                    ),
                    detail=row.enterprise.organisation.name,
                    link=f"/industry/enterprises/{row.enterprise.id}/report",
                    urgency=Urgency.overdue,
                )
            finally:
                reset_locale(token)
            sent = bool(deliver(session, user, [item])) or sent
        if sent:
            reminded += 1
            audit.record(
                session,
                action="remind",
                entity_type="industry_enterprises",
                entity_id=row.enterprise.id,
                org_id=row.enterprise.org_id,
                after={"park": park.id, "owed": row.owed},
            )
    return reminded

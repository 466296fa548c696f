from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import AvbaseError, Forbidden
from avbase.industry.models import Enterprise, PeriodKind, Report, YearlyFigure
from avbase.industry.reports import file_report, flagged_for_key_support
from avbase.industry.schemas import ReportIn

ON = date(2026, 11, 22)


def figures(**values: object) -> ReportIn:
    return ReportIn.model_validate(values)


def test_a_second_filing_is_an_audited_correction(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]
) -> None:
    enterprise = make_enterprise()
    first = file_report(db, officer, enterprise, figures(period="2025", revenue_content="1000000.00"), on=ON)
    with pytest.raises(AvbaseError, match="note"):
        file_report(db, officer, enterprise, figures(period="2025", revenue_content="1200000"), on=ON)
    second = file_report(
        db,
        officer,
        enterprise,
        figures(period="2025", revenue_content="1200000", note="audited accounts"),
        on=ON,
    )
    db.commit()
    assert (second.report.version, second.corrected_version) == (2, 1)
    db.refresh(first.report)
    assert first.report.is_current is False and first.report.revenue_content == Decimal("1000000.00")
    figure = db.get(YearlyFigure, (enterprise.id, 2025))
    assert figure is not None and figure.revenue_total == Decimal("1200000.00")
    changes = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "industry_reports").order_by(AuditEntry.id)
    ).all()
    assert [c.action for c in changes] == ["create", "update", "create"]
    assert changes[1].before == {"is_current": True} and changes[1].after == {"is_current": False}


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"period": "2025", "revenue_content": "-1"}, "negative"),
        (
            {"period": "2025", "revenue_content": "10", "rnd_expense": "11"},
            "R&D expense cannot exceed revenue",
        ),
        ({"period": "2025-13"}, "period is written"),
        ({"period": "2025", "revenue_content": "abc"}, "amount"),
    ],
)
def test_bad_figures_are_refused(values: dict[str, str], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        figures(**values)


def test_periods_that_have_not_ended_are_refused(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]
) -> None:
    enterprise = make_enterprise()
    for period in ("2026", "2026-Q4", "2026-11", "2027-01"):
        with pytest.raises(AvbaseError) as caught:
            file_report(db, officer, enterprise, figures(period=period), on=ON)
        assert caught.value.field == "period"
    assert (
        file_report(db, officer, enterprise, figures(period="2026-10"), on=ON).report.period_kind
        is PeriodKind.month
    )


def test_the_year_uses_the_annual_report_else_quarters_else_months(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]
) -> None:
    enterprise = make_enterprise()
    for quarter in (1, 2, 3):
        file_report(
            db,
            officer,
            enterprise,
            figures(period=f"2024-Q{quarter}", revenue_services="100", employees=quarter),
            on=ON,
        )
    file_report(db, officer, enterprise, figures(period="2024-12", revenue_services="999"), on=ON)
    figure = db.get(YearlyFigure, (enterprise.id, 2024))
    assert figure is not None
    assert (figure.basis, figure.months_covered, figure.revenue_total, figure.employees) == (
        PeriodKind.quarter,
        9,
        Decimal("300.00"),
        3,
    )
    file_report(
        db, officer, enterprise, figures(period="2024", revenue_services="500", rnd_expense="26"), on=ON
    )
    db.expire_all()
    figure = db.get(YearlyFigure, (enterprise.id, 2024))
    assert figure is not None and (figure.basis, figure.revenue_total) == (PeriodKind.year, Decimal("500.00"))
    assert flagged_for_key_support(figure)  # 26 > 5 % of 500


def test_enterprise_staff_file_only_for_their_own_enterprise(
    db: Session, make_user: Callable[..., User], make_enterprise: Callable[..., Enterprise]
) -> None:
    own, other = make_enterprise(), make_enterprise()
    staff = Principal.of(make_user(role=Role.enterprise_staff, org=own.organisation))
    assert file_report(db, staff, own, figures(period="2025", revenue_content="5"), on=ON).report.version == 1
    with pytest.raises(Forbidden):
        file_report(db, staff, other, figures(period="2025", revenue_content="5"), on=ON)
    assert db.scalar(select(Report.id).where(Report.enterprise_id == other.id)) is None


def test_yearly_figures_follow_their_enterprise_to_a_new_region(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]
) -> None:
    from avbase.industry import kpi

    enterprise = make_enterprise(region_code="330106")
    file_report(db, officer, enterprise, ReportIn(period="2025", revenue_services=Decimal(500)), on=ON)
    db.commit()
    assert kpi.revenue_series(db, region_prefix="3301", years=[2025])[2025]["services"] == Decimal(500)
    enterprise.organisation.region_code = "330212"  # moved from Hangzhou to Ningbo
    db.commit()
    figure = db.get(YearlyFigure, (enterprise.id, 2025))
    assert figure is not None and figure.region_code == "330212"
    assert kpi.revenue_series(db, region_prefix="3301", years=[2025]) == {}
    assert kpi.revenue_series(db, region_prefix="3302", years=[2025])[2025]["services"] == Decimal(500)

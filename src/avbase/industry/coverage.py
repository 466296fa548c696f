"""How complete a year's reporting is, and which year the monitoring pages open on.

A page that opened on the current, unfinished year showed a sum of the few reports filed so far against a
full-year target. Pages now open on the latest year in which most enterprises have reported the whole year,
and every figure of an incomplete year says how many have reported of how many.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.industry.models import Enterprise, YearlyFigure
from avbase.kit.regions import within_prefix

# A year counts as complete once nine in ten registered enterprises have filed the whole year: a few late or
# closed enterprises must not hold every page on the year before.
COMPLETE_SHARE = 0.9


@dataclass(frozen=True)
class Coverage:
    year: int
    reported: int  # enterprises with figures for the whole year
    partial: int  # enterprises with figures for part of the year only
    expected: int  # enterprises registered in the region now

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reported >= self.expected * COMPLETE_SHARE

    @property
    def everyone(self) -> bool:
        return self.reported >= self.expected


def registered(session: Session, prefix: str = "") -> int:
    query = select(func.count()).select_from(Enterprise)
    if prefix:
        query = query.join(Organisation, Organisation.id == Enterprise.org_id).where(
            within_prefix(Organisation.region_code, prefix)
        )
    return int(session.scalar(query) or 0)


def _by_year(session: Session, prefix: str) -> dict[int, tuple[int, int]]:
    whole = func.sum(case((YearlyFigure.months_covered >= 12, 1), else_=0))
    rows = session.execute(
        select(YearlyFigure.year, whole, func.count())
        .where(within_prefix(YearlyFigure.region_code, prefix))
        .group_by(YearlyFigure.year)
    )
    return {int(year): (int(full or 0), int(total) - int(full or 0)) for year, full, total in rows}


def coverage(session: Session, year: int, prefix: str = "") -> Coverage:
    full, partial = _by_year(session, prefix).get(year, (0, 0))
    return Coverage(year, full, partial, registered(session, prefix))


def latest_complete_year(session: Session, prefix: str = "", *, today: date | None = None) -> int:
    """The newest complete year; else the newest year with any figures; else last year."""
    years = _by_year(session, prefix)
    expected = registered(session, prefix)
    complete = [year for year, (full, _p) in years.items() if expected and full >= expected * COMPLETE_SHARE]
    if complete:
        return max(complete)
    if years:
        return max(years)
    return (today or date.today()).year - 1

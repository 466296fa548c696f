"""The industry data service (行业数据服务): aggregated statistics from ``industry`` by cluster, city and
year, published only after disclosure control (:mod:`avbase.ecosystem.disclosure`), for signed-in users on
a download page and for outside users through an open API with keys and daily quotas."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal, require_steward
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, NotFound, RateLimited, Unauthenticated
from avbase.core.i18n import N_, _, get_locale
from avbase.ecosystem.disclosure import TOTAL, Cell, Table, protect
from avbase.ecosystem.models import ApiKey, ApiKeyUse
from avbase.industry import aggregates
from avbase.kit.cells import append_row
from avbase.kit.dates import today
from avbase.kit.regions import region_name

CLUSTERS = {
    "content": N_("AV content production"),
    "electronics": N_("AV electronics"),
    "services": N_("AV culture services"),
}
MEASURE_LABELS = {
    "revenue_total": N_("Revenue"),
    "revenue_content": N_("Revenue from content"),
    "revenue_electronics": N_("Revenue from electronics"),
    "revenue_services": N_("Revenue from services"),
    "rnd_expense": N_("R&D expense"),
    "exports": N_("Exports"),
    "investment": N_("Investment"),
    "employees": N_("Employees"),
}
UNIT_LABELS = {"yuan": N_("10,000 yuan"), "people": N_("people")}  # as the page shows them
KEY_PREFIX = "avk_"


@dataclass(frozen=True)
class StatisticsTable:
    year: int
    measure: str
    unit: str
    region: str
    table: Table


def statistics(session: Session, *, year: int, measure: str, region: str = "") -> StatisticsTable:
    """One year of one measure, cities by clusters with totals, after disclosure control. ``region``: a
    GB/T 2260 prefix (``43`` for Hunan) or nothing for every region."""
    if measure not in aggregates.MEASURES:
        raise AvbaseError(N_("Unknown measure {value}."), field="measure", value=measure)
    if region and not (region.isdigit() and len(region) in (2, 4)):
        raise AvbaseError(N_("A region is a province (2 digits) or a city (4 digits)."), field="region")
    found = aggregates.contributions(session, measure=measure, year=year, region_prefix=region)
    table = protect(Cell(c.city, c.cluster, c.enterprises, c.total, c.largest) for c in found)
    return StatisticsTable(year, measure, aggregates.MEASURES[measure], region, table)


def years(session: Session) -> list[int]:
    return aggregates.years(session)


def rows_json(result: StatisticsTable) -> list[dict[str, Any]]:
    """Each cell (and total) as a row; a suppressed value is null with the reason."""
    locale = get_locale()
    out = []
    for (row, column), cell in sorted(result.table.cells.items()):
        out.append(
            {
                "year": result.year,
                "measure": result.measure,
                "unit": result.unit,
                "region": None if row == TOTAL else row,
                "region_name": _("All regions") if row == TOTAL else region_name(row, locale),
                "cluster": None if column == TOTAL else column,
                "enterprises": cell.units,
                "value": None if cell.value is None else str(cell.value),
                "suppressed": None if cell.status == "published" else cell.status,
            }
        )
    return out


def workbook(result: StatisticsTable) -> bytes:
    """The table as Excel: cities down, clusters across, totals; a suppressed value is shown as ×."""
    locale = get_locale()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(result.year))
    append_row(sheet, [f"{_(MEASURE_LABELS[result.measure])} ({result.unit}), {result.year}"])
    append_row(sheet, [_("Region"), *[_(CLUSTERS.get(c, c)) for c in result.table.columns], _("Total")])
    for row in [*result.table.rows, TOTAL]:
        name = _("All regions") if row == TOTAL else region_name(row, locale)
        values = [result.table.get(row, column).value for column in [*result.table.columns, TOTAL]]
        append_row(sheet, [name, *["×" if v is None else v for v in values]])
    append_row(
        sheet,
        [_("× withheld: fewer than 3 enterprises, one enterprise above 85 %, or to protect such a cell.")],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- API keys -----------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session, principal: Principal, *, holder: str, contact: str = "", daily_quota: int = 1000
) -> tuple[str, ApiKey]:
    """A new key; the secret is returned once and only its hash is kept."""
    require_steward(principal)
    if not holder.strip():
        raise AvbaseError(N_("Say who the key is for."), field="holder")
    if not 1 <= daily_quota <= 1_000_000:
        raise AvbaseError(N_("The daily quota is 1 to 1,000,000 calls."), field="daily_quota")
    secret = KEY_PREFIX + secrets.token_urlsafe(24)
    key = ApiKey(
        holder=holder.strip()[:200],
        contact=contact.strip()[:200],
        prefix=secret[:12],
        secret_hash=_hash(secret),
        daily_quota=daily_quota,
        created_by_id=principal.user_id or None,
    )
    session.add(key)
    session.flush()
    return secret, key


def list_keys(session: Session, principal: Principal) -> list[tuple[ApiKey, int]]:
    """Every key with its calls today (stewards only)."""
    require_steward(principal)
    keys = list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
    used = {
        key_id: calls
        for key_id, calls in session.execute(
            select(ApiKeyUse.key_id, ApiKeyUse.calls).where(ApiKeyUse.day == today())
        )
    }
    return [(key, int(used.get(key.id, 0))) for key in keys]


def revoke_key(session: Session, principal: Principal, key_id: int) -> ApiKey:
    require_steward(principal)
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(N_("API key not found."))
    if not key.active:
        raise Conflict(N_("The key is revoked already."))
    key.active = False
    session.flush()
    return key


def use_key(session: Session, secret: str | None) -> ApiKey:
    """The key of an open-API call, with one call counted against today's quota; refused when the key is
    unknown or revoked (401) or the quota is used up (429)."""
    if not secret:
        raise Unauthenticated(N_("Send your API key in the X-API-Key header."))
    key = session.scalar(select(ApiKey).where(ApiKey.secret_hash == _hash(secret)))
    if key is None or not key.active:
        raise Unauthenticated(N_("The API key is unknown or revoked."))
    day = today()
    counted = session.execute(
        update(ApiKeyUse)
        .where(ApiKeyUse.key_id == key.id, ApiKeyUse.day == day, ApiKeyUse.calls < key.daily_quota)
        .values(calls=ApiKeyUse.calls + 1)
    )
    if counted.rowcount == 0:  # type: ignore[attr-defined]
        exists = session.scalar(select(ApiKeyUse.id).where(ApiKeyUse.key_id == key.id, ApiKeyUse.day == day))
        if exists is not None:
            raise RateLimited(N_("The daily quota of {quota} calls is used up."), quota=key.daily_quota)
        session.add(ApiKeyUse(key_id=key.id, day=day, calls=1))
    key.last_used_at = utcnow()
    session.flush()
    return key

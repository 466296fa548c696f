"""指数发布: the annual bulletin of a base-period index.

A draft shows the content computed now. Publishing (an authority officer whose jurisdiction covers the
index's region) freezes the series points up to the bulletin's year, then stores the content itself as a
snapshot with its digest: a published bulletin reads the same forever, and anyone may read it and its data.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import Principal, jurisdiction_prefix
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.core.i18n import N_, _
from avbase.industry import composite, index_series, index_service, series
from avbase.industry.indicators import INDICATORS
from avbase.industry.models import BulletinStatus, IndexBulletin, IndexDefinition, UnitLevel
from avbase.kit.cells import CsvWriter, append_row
from avbase.kit.regions import REGIONS
from avbase.kit.svgchart import PALETTE, Line, Marker, line_chart, stacked_bars

# Where each indicator comes from and how it is formed (the methodology section prints these).
SOURCES: dict[str, str] = {
    "revenue": N_("Sum of the reporting enterprises' operating revenue (content, electronics, services)"),
    "enterprises": N_("Number of enterprises that filed figures for the year"),
    "key_enterprises": N_("Number of reporting enterprises on the provincial key list"),
    "revenue_growth": N_("Revenue against the year before, less one"),
    "rnd_expense": N_("Sum of the reporting enterprises' R&D expense"),
    "rnd_intensity": N_("R&D expense divided by revenue"),
    "specialised": N_("Number of reporting enterprises recognised as specialised and innovative (专精特新)"),
    "titles": N_("Sum of titles produced (works completed in the year)"),
    "content_hours": N_("Sum of hours of content produced"),
    "exports": N_("Sum of the reporting enterprises' exports"),
    "export_share": N_("Exports divided by revenue"),
    "investment": N_("Sum of the reporting enterprises' investment"),
    "employees": N_("Sum of employees at the year's last report"),
    "revenue_per_employee": N_("Revenue divided by employees"),
}


def can_publish(principal: Principal | None, definition: IndexDefinition) -> bool:
    """Administrators, and authority officers whose jurisdiction covers the whole region of the index."""
    if principal is None:
        return False
    if principal.is_admin:
        return True
    own = jurisdiction_prefix(principal.region_code)
    return principal.role is Role.authority_officer and definition.region_prefix.startswith(own)


def _definition(session: Session, bulletin: IndexBulletin) -> IndexDefinition:
    return index_service.latest_definition(session, bulletin.series)


def may_see(session: Session, principal: Principal | None, bulletin: IndexBulletin) -> bool:
    return bulletin.status is BulletinStatus.published or can_publish(
        principal, _definition(session, bulletin)
    )


def list_bulletins(session: Session, principal: Principal | None) -> list[IndexBulletin]:
    """Published bulletins for everyone; drafts only for those who may publish them."""
    found = session.scalars(select(IndexBulletin).order_by(IndexBulletin.period.desc(), IndexBulletin.series))
    return [b for b in found if may_see(session, principal, b)]


def get_bulletin(session: Session, principal: Principal | None, bulletin_id: int) -> IndexBulletin:
    bulletin = session.get(IndexBulletin, bulletin_id)
    # A draft someone may not see answers as if it did not exist.
    if bulletin is None or not may_see(session, principal, bulletin):
        raise NotFound("Bulletin not found.")
    return bulletin


def create_draft(session: Session, principal: Principal, *, series_name: str, period: int) -> IndexBulletin:
    definition = index_service.latest_definition(session, series_name)
    if not can_publish(principal, definition):
        raise Forbidden(
            "Only an authority officer for the whole region of the index may prepare its bulletin."
        )
    if not index_series.has_series(definition):
        raise AvbaseError(
            "The index {name} is normalised within each year and has no time series.",
            field="series",
            name=definition.name,
        )
    if period not in index_series.periods(session, definition):
        raise AvbaseError("There are no figures for {period}.", field="period", period=period)
    existing = session.scalar(
        select(IndexBulletin.id).where(
            IndexBulletin.series == definition.name, IndexBulletin.period == period
        )
    )
    if existing is not None:
        raise Conflict(
            "A bulletin of {name} for {period} exists already.",
            field="period",
            name=definition.name,
            period=period,
        )
    bulletin = IndexBulletin(
        series=definition.name,
        period=period,
        title=f"{definition.title} · {period}",
        created_by_id=principal.user_id or None,
    )
    session.add(bulletin)
    session.flush()
    return bulletin


def publish(session: Session, principal: Principal, bulletin: IndexBulletin) -> IndexBulletin:
    """Freezes the series points up to the bulletin's year and the bulletin's content; audited."""
    definition = _definition(session, bulletin)
    if not can_publish(principal, definition):
        raise Forbidden(
            "Only an authority officer for the whole region of the index may publish its bulletin."
        )
    if bulletin.status is BulletinStatus.published:
        raise Conflict("This bulletin is published already; a published bulletin does not change.")
    for level in index_series.levels(definition):
        index_series.freeze(session, principal, definition, level, bulletin.period)
    snapshot = build_content(session, definition, bulletin.period)
    bulletin.snapshot = snapshot
    bulletin.snapshot_digest = composite.digest(snapshot)
    bulletin.status = BulletinStatus.published
    bulletin.published_at = utcnow()
    bulletin.published_by_id = principal.user_id or None
    session.flush()
    return bulletin


def content(session: Session, bulletin: IndexBulletin) -> dict[str, Any]:
    """What the bulletin says: its frozen snapshot once published, the content computed now for a draft."""
    if bulletin.status is BulletinStatus.published and bulletin.snapshot is not None:
        return bulletin.snapshot
    return build_content(session, _definition(session, bulletin), bulletin.period)


def _point(point: series.Point) -> dict[str, Any]:
    return asdict(point)


def _mover(mover: series.Mover) -> dict[str, Any]:
    return asdict(mover)


def _pillars(definition: IndexDefinition) -> list[dict[str, Any]]:
    total = sum(float(p["weight"]) for p in definition.pillars) or 1.0
    made = []
    for pillar in definition.pillars:
        inner = sum(float(i["weight"]) for i in pillar["indicators"]) or 1.0
        share = float(pillar["weight"]) / total
        made.append(
            {
                "key": pillar["key"],
                "name_zh": pillar.get("name_zh", pillar["key"]),
                "name_en": pillar.get("name_en", pillar["key"]),
                "weight": float(pillar["weight"]),
                "share": share,
                "indicators": [
                    {
                        "key": item["key"],
                        "weight": float(item["weight"]),
                        "direction": int(item.get("direction", 1)),
                        "share": share * float(item["weight"]) / inner,
                    }
                    for item in pillar["indicators"]
                ],
            }
        )
    return made


def build_content(session: Session, definition: IndexDefinition, period: int) -> dict[str, Any]:
    """The bulletin's content as plain JSON: headline, series, sub-indices, methodology inputs, data."""
    headline = index_series.index_series(session, definition, until=period)
    result = headline.result_at(period)
    if result is None or not headline.units:
        raise AvbaseError("There are no figures for {period}.", field="period", period=period)
    used = (
        definition
        if result.version == definition.version
        else index_series.definition_version(session, definition.name, result.version)
    )
    unit = headline.units[0]
    point = unit.at(period)
    inputs = result.result.get("inputs") or {}
    versions = sorted({r.version for r in headline.results})
    subs = []
    for level in index_series.levels(definition)[1:]:
        view = index_series.index_series(session, definition, level, until=period)
        rows = index_series.ranking(view, period)
        up, down = series.movers(view.units, period)
        view_sensitivity = index_series.sensitivity_at(session, view, period)
        order = {row.unit: position for position, row in enumerate(rows)}
        subs.append(
            {
                "level": level.value,
                "rows": [asdict(row) for row in rows],
                "up": [_mover(m) for m in up],
                "down": [_mover(m) for m in down],
                "sensitivity": None
                if view_sensitivity is None
                else {"scenarios": view_sensitivity.scenarios, "mean_shift": view_sensitivity.mean_shift},
                "series": [
                    {
                        "unit": u.unit,
                        "name": u.name,
                        "values": {str(p.period): p.composite for p in u.points},
                    }
                    for u in sorted(view.units, key=lambda u: order.get(u.unit, len(order)))
                ],
            }
        )
    return {
        "series": definition.name,
        "title": definition.title,
        "period": period,
        "base_period": definition.base_period,
        "region_prefix": definition.region_prefix,
        "region_name": _region_name(definition.region_prefix),
        "unit_level": UnitLevel(definition.unit_level).value,
        "unit": unit.unit,
        "unit_name": unit.name,
        "normalisation": used.normalisation.value,
        "version": result.version,
        "versions": {
            str(v): (index_series.definition_version(session, definition.name, v).note or "")
            for v in versions
        },
        "note": used.note,
        "sub_levels": [level.value for level in index_series.levels(definition)[1:]],
        "pillars": _pillars(used),
        "headline": _point(point) if point else None,
        "points": [_point(p) for p in unit.points],
        "method_changes": [
            [r.period, r.version] for r in headline.results if r.period in headline.method_changes
        ],
        "subs": subs,
        "inputs": {
            "values": (inputs.get("values") or {}).get(unit.unit, {}),
            "base": (inputs.get("base") or {}).get(unit.unit, {}),
        },
        "computed_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _region_name(prefix: str) -> str:
    code = prefix.ljust(6, "0")
    return REGIONS[code].zh if code in REGIONS else prefix


# --- data as tables (CSV, Excel) ---------------------------------------------------------------------


def _name(pillar: dict[str, Any], zh: bool) -> str:
    return str(pillar["name_zh"] if zh else pillar["name_en"])


def data_tables(data: dict[str, Any], *, zh: bool = True) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The bulletin's data as (sheet name, header, rows): the headline series, each sub-index's ranking
    and series, and the headline's indicator values."""
    pillars = data["pillars"]
    names = [_name(p, zh) for p in pillars]
    keys = [p["key"] for p in pillars]
    tables: list[tuple[str, list[str], list[list[Any]]]] = []
    shares = [_("{pillar}: pp", pillar=n) for n in names]
    header = [
        _("Period"),
        _("Index"),
        _("Year-on-year change (%)"),
        *names,
        *shares,
        _("Definition version"),
        _("Published"),
    ]
    rows = [
        [p["period"], _round(p["composite"]), _round(p["change_pct"]),
         *[_round(p["pillars"].get(k)) for k in keys],
         *[_round(p["contributions_pct"].get(k)) for k in keys], p["version"],
         _("published") if p["frozen"] else _("provisional")]
        for p in data["points"]
    ]  # fmt: skip
    tables.append((_("Headline series"), header, rows))
    for sub in data["subs"]:
        title = _(LEVEL_TITLES.get(sub["level"], sub["level"]))
        header = [
            _("Rank"),
            _("Code"),
            _("Unit"),
            _("Index"),
            _("Year-on-year change (%)"),
            _("Rank change"),
            *names,
        ]
        rows = [
            [r["rank"], r["unit"], r["name"], _round(r["composite"]), _round(r["change_pct"]),
             r["rank_change"], *[_round(r["pillars"].get(k)) for k in keys]]
            for r in sub["rows"]
        ]  # fmt: skip
        tables.append((f"{title} {data['period']}", header, rows))
        periods = [str(p["period"]) for p in data["points"]]
        rows = [[s["unit"], s["name"], *[_round(s["values"].get(y)) for y in periods]] for s in sub["series"]]
        tables.append((f"{title} {_('series')}", [_("Code"), _("Unit"), *periods], rows))
    header = [_("Indicator"), _("Key"), _("Value {year}", year=data["period"]),
              _("Value {year}", year=data["base_period"])]  # fmt: skip
    values, base = data["inputs"]["values"], data["inputs"]["base"]
    rows = [
        [_(INDICATORS[k].label) if k in INDICATORS else k, k, values.get(k), base.get(k)]
        for k in sorted(values)
    ]
    tables.append((_("Indicator values"), header, rows))
    return tables


LEVEL_TITLES = {
    "city": N_("City sub-index"),
    "county": N_("County sub-index"),
    "park": N_("Park sub-index"),
    "province": N_("Province sub-index"),
}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def data_csv(data: dict[str, Any], *, zh: bool = True) -> bytes:
    """Every table of the bulletin in one CSV (UTF-8 with BOM for Excel), each under its title row."""
    out = io.StringIO()
    writer = CsvWriter(out)
    for number, (title, header, rows) in enumerate(data_tables(data, zh=zh)):
        if number:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def data_workbook(data: dict[str, Any], *, zh: bool = True) -> bytes:
    book = Workbook(write_only=True)
    for title, header, rows in data_tables(data, zh=zh):
        sheet = book.create_sheet(_sheet_title(title))
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return cleaned[:31] or "data"


def charts(data: dict[str, Any], *, zh: bool = True) -> dict[str, str]:
    """The bulletin's charts as SVG: the headline series with its pillars, the change split by pillar, and
    each sub-index's leading units over the years."""
    points = data["points"]
    periods = [p["period"] for p in points]
    pillars = data["pillars"]
    markers = [
        Marker(period, _("Method v{version}", version=version)) for period, version in data["method_changes"]
    ]
    lines = [Line(_("Composite index"), [p["composite"] for p in points], "#111", 3.0, labels=True)]
    lines += [
        Line(_name(pillar, zh), [p["pillars"].get(pillar["key"]) for p in points], PALETTE[n % len(PALETTE)])
        for n, pillar in enumerate(pillars)
    ]
    made = {
        "series": line_chart(
            _("Index series ({year} = 100)", year=data["base_period"]), periods, lines, markers=markers,
            reference=100.0,
        ),
    }  # fmt: skip
    moved = [p for p in points if p["change_pct"] is not None]
    if moved:
        made["contributions"] = stacked_bars(
            _("Year-on-year change by pillar (percentage points)"),
            [p["period"] for p in moved],
            [
                (_name(pillar, zh), [p["contributions_pct"].get(pillar["key"], 0.0) for p in moved])
                for pillar in pillars
            ],
            [p["change_pct"] for p in moved],
            markers=markers,
        )
    for sub in data["subs"]:
        leading = sub["series"][:8]
        made[f"sub-{sub['level']}"] = line_chart(
            _(LEVEL_TITLES.get(sub["level"], sub["level"])),
            periods,
            [Line(s["name"], [s["values"].get(str(y)) for y in periods]) for s in leading],
            reference=100.0,
            height=320,
        )
    return made

"""Web pages of the index bulletins (指数发布): a public list, each bulletin as a page, a PDF and its data
(CSV, Excel) for anyone, and the officer's draft and publish actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError
from avbase.core.i18n import get_locale
from avbase.industry import bulletins, index_series, index_service
from avbase.industry.exports import XLSX_MEDIA_TYPE
from avbase.industry.indicators import INDICATORS
from avbase.industry.models import IndexBulletin
from avbase.industry.views import scenario_label_of
from avbase.web.deps import AuthDep, Db, PagePrincipal
from avbase.web.downloads import attachment
from avbase.web.forms import FormFields
from avbase.web.pdf import data_uri, pdf_response, render_pdf
from avbase.web.schemas import RowId
from avbase.web.templating import render

router = APIRouter(prefix="/bulletins")


def bulletin_context(db: Session, principal: Principal | None, bulletin: IndexBulletin) -> dict[str, Any]:
    """What the bulletin's page and PDF show: its content, charts as SVG data URIs, labels."""
    zh = get_locale() == "zh_Hans"
    data = bulletins.content(db, bulletin)
    names = {p["key"]: p["name_zh"] if zh else p["name_en"] for p in data["pillars"]}
    return {
        "bulletin": bulletin,
        "b": data,
        "zh": zh,
        "charts": {
            key: data_uri(svg.encode(), "image/svg+xml") for key, svg in bulletins.charts(data, zh=zh).items()
        },
        "level_titles": bulletins.LEVEL_TITLES,
        "indicator_labels": {key: item.label for key, item in INDICATORS.items()},
        "indicator_units": {key: item.unit for key, item in INDICATORS.items()},
        "sources": bulletins.SOURCES,
        "scenario_label": lambda name: scenario_label_of(name, names),
        "can_publish": bulletins.can_publish(principal, index_service.latest_definition(db, bulletin.series)),
        "title": bulletin.title,
    }


def bulletin_pdf_bytes(db: Session, principal: Principal | None, bulletin: IndexBulletin) -> bytes:
    return render_pdf("industry/bulletin_pdf.html", bulletin_context(db, principal, bulletin))


@router.get("")
def bulletin_list(request: Request, db: Db, auth: AuthDep) -> Response:
    """Published bulletins for everyone, signed in or not; an officer also sees drafts and may prepare one."""
    choices = [
        d
        for d in index_service.list_definitions(db)
        if index_series.has_series(d) and bulletins.can_publish(auth.principal, d)
    ]
    periods = [p for d in choices[:1] for p in index_series.periods(db, d)]
    return render(
        request,
        "industry/bulletins.html",
        {
            "bulletins": bulletins.list_bulletins(db, auth.principal),
            "series_choices": choices,
            "default_period": periods[-1] if periods else "",
        },
    )


@router.post("")
def create_bulletin(db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    period = str(values.get("period", "")).strip()
    if not period.isdigit():
        raise AvbaseError("Give the year as four digits.", field="period")
    bulletin = bulletins.create_draft(
        db, principal, series_name=str(values.get("series", ""))[:60], period=int(period)
    )
    return RedirectResponse(f"/industry/bulletins/{bulletin.id}", status_code=303)


@router.get("/{bulletin_id}")
def bulletin_page(request: Request, db: Db, auth: AuthDep, bulletin_id: RowId) -> Response:
    bulletin = bulletins.get_bulletin(db, auth.principal, bulletin_id)
    return render(request, "industry/bulletin.html", bulletin_context(db, auth.principal, bulletin))


@router.post("/{bulletin_id}/publish")
def publish_bulletin(db: Db, principal: PagePrincipal, bulletin_id: RowId) -> Response:
    bulletin = bulletins.get_bulletin(db, principal, bulletin_id)
    bulletins.publish(db, principal, bulletin)
    return RedirectResponse(f"/industry/bulletins/{bulletin.id}", status_code=303)


@router.get("/{bulletin_id}/bulletin.pdf")
def bulletin_pdf(db: Db, auth: AuthDep, bulletin_id: RowId) -> Response:
    bulletin = bulletins.get_bulletin(db, auth.principal, bulletin_id)
    return pdf_response(bulletin_pdf_bytes(db, auth.principal, bulletin), f"{bulletin.title}.pdf")


@router.get("/{bulletin_id}/data.csv")
def bulletin_csv(db: Db, auth: AuthDep, bulletin_id: RowId) -> Response:
    bulletin = bulletins.get_bulletin(db, auth.principal, bulletin_id)
    body = bulletins.data_csv(bulletins.content(db, bulletin), zh=get_locale() == "zh_Hans")
    return attachment(body, media_type="text/csv; charset=utf-8", name=f"{bulletin.title}.csv")


@router.get("/{bulletin_id}/data.xlsx")
def bulletin_xlsx(db: Db, auth: AuthDep, bulletin_id: RowId) -> Response:
    bulletin = bulletins.get_bulletin(db, auth.principal, bulletin_id)
    body = bulletins.data_workbook(bulletins.content(db, bulletin), zh=get_locale() == "zh_Hans")
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name=f"{bulletin.title}.xlsx")

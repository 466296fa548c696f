"""Web pages of the policy module: the measures catalogue, a measure with its quote form and trace."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from avbase.core.errors import AvbaseError
from avbase.core.i18n import _, get_locale
from avbase.industry.registry import STEWARDS
from avbase.industry.reports import today
from avbase.policy import service
from avbase.policy.facts import CHOICE_LABELS, FACT_LABELS
from avbase.policy.models import Measure
from avbase.policy.rules import Quote, RuleKind
from avbase.policy.sources import simplified
from avbase.policy.views import step_text
from avbase.web.deps import Db, PagePrincipal
from avbase.web.templating import add_template_dir, render

router = APIRouter(prefix="/policy")
add_template_dir(Path(__file__).resolve().parent / "templates")


def shown_text(text: str) -> str:
    """Seed text in simplified characters for Chinese readers (the HN text is traditional)."""
    return simplified(text) if get_locale() == "zh_Hans" else text


def shown_source(measure: Measure) -> str:
    return shown_text(measure.source_text)


@router.get("")
def catalogue(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    document: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> Response:
    chosen_kind = kind if kind in RuleKind.__members__ else None
    measures = service.list_measures(
        db, document=document or None, kind=chosen_kind, search=(q or "").strip()[:100] or None
    )
    return render(
        request,
        "policy/catalogue.html",
        {
            "measures": measures,
            "document": document or "",
            "kind": chosen_kind,
            "kinds": list(RuleKind),
            "q": q or "",
            "shown_source": shown_source,
        },
    )


def _measure_page(
    request: Request,
    measure: Measure,
    principal: PagePrincipal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    result: Quote | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "policy/measure.html",
        {
            "m": measure,
            "source": shown_source(measure),
            "values": values,
            "errors": errors,
            "result": result,
            "step_text": step_text,
            "can_amend": principal.role in STEWARDS,
            "today": today().isoformat(),
            "fact_labels": FACT_LABELS,
            "choice_labels": CHOICE_LABELS,
            "non_cumulation": shown_text(measure.document.non_cumulation or ""),
        },
        status_code=status,
    )


@router.get("/measures/{measure_id}")
def measure(request: Request, db: Db, principal: PagePrincipal, measure_id: str) -> Response:
    found = service.get_measure(db, measure_id[:80])
    return _measure_page(request, found, principal, values={}, errors={})


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


@router.post("/measures/{measure_id}/quote")
async def quote(request: Request, db: Db, principal: PagePrincipal, measure_id: str) -> Response:
    found = service.get_measure(db, measure_id[:80])
    values = await _form(request)
    facts: dict[str, Any] = {k[5:]: v for k, v in values.items() if k.startswith("fact_") and v != ""}
    errors: dict[str, str] = {}
    try:
        on = date.fromisoformat(values.get("on") or today().isoformat())
    except ValueError:
        errors["on"] = _("A date is written YYYY-MM-DD.")
        return _measure_page(request, found, principal, values=values, errors=errors, status=422)
    try:
        result = service.quote(db, found.id, facts, on=on)
    except AvbaseError as exc:
        errors[f"fact_{exc.field}" if exc.field else "form"] = _(exc.message, **exc.params)
        return _measure_page(request, found, principal, values=values, errors=errors, status=422)
    return _measure_page(request, found, principal, values=values, errors={}, result=result)


@router.post("/measures/{measure_id}/parameters")
async def amend(request: Request, db: Db, principal: PagePrincipal, measure_id: str) -> Response:
    found = service.get_measure(db, measure_id[:80])
    values = await _form(request)
    try:
        effective_from = date.fromisoformat(values.get("effective_from", ""))
    except ValueError:
        return _measure_page(
            request,
            found,
            principal,
            values=values,
            errors={"effective_from": _("A date is written YYYY-MM-DD.")},
            status=422,
        )
    try:
        service.amend_parameter(
            db,
            principal,
            found.id,
            name=values.get("name", ""),
            value=values.get("value", ""),
            effective_from=effective_from,
            note=values.get("note") or None,
        )
    except AvbaseError as exc:
        errors = {exc.field or "form": _(exc.message, **exc.params)}
        return _measure_page(request, found, principal, values=values, errors=errors, status=exc.status_code)
    return RedirectResponse(f"/policy/measures/{found.id}", status_code=303)

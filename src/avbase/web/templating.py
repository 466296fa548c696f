"""Jinja2 environment shared by all pages: translation, local time, paging links."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from avbase import __version__
from avbase.core.i18n import _, get_locale, label, ngettext
from avbase.kit.regions import region_name, region_path
from avbase.kit.timecode import timecode
from avbase.settings import get_settings
from avbase.web.nav import NAV, active_key, sectioned

TEMPLATE_DIRS: list[Path] = [Path(__file__).resolve().parent / "templates"]


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(get_settings().timezone)).strftime(fmt)


def query_with(request: Request, **changes: object) -> str:
    """The current URL's query string with some parameters replaced (for sort and page links)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params)


def quantity(value: float | None, unit: str) -> str:
    """An indicator's raw value as people read it: ratios as percentages, money in 亿 (billions of yuan in
    English), counts with thousands separators; never scientific notation."""
    if value is None:
        return "—"
    english = get_locale() == "en"
    if unit == "ratio":
        return f"{value * 100:,.2f} %"
    if unit == "yuan":
        return f"¥{value / 1e9:,.2f} bn" if english else f"{value / 1e8:,.2f} 亿元"
    if unit == "yuan_per_person":
        return f"¥{value:,.0f}" if english else f"{value / 1e4:,.2f} 万元"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"


def money(value: Decimal | float | int | None) -> str:
    """An amount of yuan as people read it: 亿元 or 万元 in Chinese, billions or millions in English."""
    if value is None:
        return "—"
    amount = float(value)  # shown, never computed with
    size = abs(amount)
    if get_locale() == "en":
        if size >= 1e9:
            return f"¥{amount / 1e9:,.2f} bn"
        if size >= 1e6:
            return f"¥{amount / 1e6:,.2f} m"
        return f"¥{amount:,.0f}"
    if size >= 1e8:
        return f"{amount / 1e8:,.2f} 亿元"
    if size >= 1e4:
        return f"{amount / 1e4:,.2f} 万元"
    return f"{amount:,.2f} 元"


def _build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(path)) for path in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        _=_,
        ngettext=ngettext,
        get_locale=get_locale,
        version=__version__,
        region_name=lambda code: region_name(code, get_locale()),
        region_path=lambda code: region_path(code, get_locale()),
        label=label,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # 中文 stays readable
    env.filters["local_time"] = local_time
    env.filters["label"] = label
    env.filters["timecode"] = timecode
    env.filters["quantity"] = quantity
    env.filters["money"] = money
    return env


environment = _build_environment()


def add_template_dir(path: Path) -> None:
    """Domains call this for their own ``templates/`` folder."""
    TEMPLATE_DIRS.append(path)
    environment.loader = ChoiceLoader([FileSystemLoader(str(p)) for p in TEMPLATE_DIRS])


def _unread_notifications(request: Request, user_id: int) -> int:
    """The bell's count, in a session of its own: pages render after their handler's session is done."""
    from avbase.core.notifications.service import unread_count

    maker = getattr(request.app.state, "sessionmaker", None)
    if maker is None:
        return 0
    with maker() as session:
        return unread_count(session, user_id)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    from avbase.web.deps import CSRF_COOKIE, anonymous_csrf_token
    from avbase.web.flash import flash_message, take_flash

    auth = getattr(request.state, "auth", None)
    principal = auth.principal if auth else None
    csrf = (auth.csrf_token if auth and auth.csrf_token else None) or anonymous_csrf_token(request)
    values: dict[str, Any] = {
        "request": request,
        "principal": principal,
        "csrf_token": csrf,
        "nav": sectioned([item for item in NAV if principal and item.visible_to(principal)]),
        "active_nav": active_key(request.url.path),
        "locale": get_locale(),
        "query_with": lambda **changes: query_with(request, **changes),
        "htmx": request.headers.get("hx-request") == "true",
        "flash": flash_message(request),
    }
    if principal is not None:
        values["unread_notifications"] = _unread_notifications(request, principal.user_id)
    values.update(context or {})
    body = environment.get_template(template).render(values)
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    if values["flash"] and not values["htmx"]:
        take_flash(request, response)
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        response.set_cookie(
            CSRF_COOKIE, new_csrf, httponly=True, samesite="lax", secure=get_settings().cookies_https_only
        )
    return response

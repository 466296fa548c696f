"""A one-time message after a redirect ("Submitted to the lead unit."): the form's handler redirects with
:func:`flash_redirect`; the next page rendered shows the message once and clears it.

The message rides in a short-lived cookie, already translated; pages escape it like any other text.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from avbase.settings import get_settings

FLASH_COOKIE = "avbase_flash"


def flash_redirect(url: str, message: str) -> RedirectResponse:
    """A 303 to ``url`` that shows ``message`` on the page it leads to."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        quote(message[:300]),
        max_age=60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().cookies_https_only,
    )
    return response


def take_flash(request: Request, response: Response) -> None:
    """Clears the message once the page that shows it has been rendered."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")


def flash_message(request: Request) -> str | None:
    value = request.cookies.get(FLASH_COOKIE)
    return unquote(value)[:300] if value else None
